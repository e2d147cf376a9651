-- Each documented query pattern uses its index, on tables big enough that a
-- sequential scan would lose: the planner chooses, nothing is disabled.
-- docs/schema.md lists the same queries.
BEGIN;
SELECT plan(21);

\ir lib/plan.sql

-- 2,000 users, 1,000 projects, 20,000 memberships.
INSERT INTO users (handle, api_token_hash)
SELECT 'user' || g, sha256(convert_to('token-' || g, 'UTF8')) FROM generate_series(1, 2000) AS g;
INSERT INTO projects (key, name) SELECT 'P' || g, 'project ' || g FROM generate_series(1, 1000) AS g;
INSERT INTO project_members (project_id, user_id, role)
SELECT p.id, u.id, 'developer' FROM projects p JOIN users u ON u.id % 100 = p.id % 100;
-- 12,000 stories in the first 100 projects, 2 backlogs each; one in 1,000
-- mentions a rare word; 500 labels, 300 metadata values.
INSERT INTO backlogs (project_id, name)
SELECT p.id, b FROM projects p, unnest(ARRAY['main', 'next']) AS b WHERE p.key ~ '^P([1-9][0-9]?|100)$';
INSERT INTO stories (project_id, backlog_id, key, title, status, labels, metadata, body)
SELECT b.project_id, b.id, 'S-' || g,
       'story number ' || g || CASE WHEN g % 1000 = 0 THEN ' zebracorn' ELSE '' END,
       (ARRAY['draft', 'ready', 'in_progress', 'review', 'done', 'accepted', 'cancelled'])[1 + g % 7],
       ARRAY['common', 'label-' || g % 500],
       jsonb_build_object('layer', 'l' || g % 300, 'market', 'm' || g % 3),
       'Body of story ' || g || ': planning, databases and other common words.'
FROM generate_series(1, 12000) AS g
JOIN (SELECT id, project_id, row_number() OVER (ORDER BY id) - 1 AS n FROM backlogs) AS b
  ON b.n = g % 200;
-- Every story whose id is not a multiple of 10 depends on the one below
-- that is; projects beyond the first 100 depend on one of those.
INSERT INTO story_dependencies (story_id, depends_on_id)
SELECT s.id, s.id - s.id % 10 FROM stories s
WHERE s.id % 10 <> 0 AND EXISTS (SELECT FROM stories t WHERE t.id = s.id - s.id % 10);
INSERT INTO project_dependencies (project_id, depends_on_project_id)
SELECT p.id, q.id FROM projects p JOIN projects q ON q.key = 'P' || (1 + p.id % 100)
WHERE p.id <> q.id AND p.key !~ '^P([1-9][0-9]?|100)$';
ANALYZE users, projects, project_members, backlogs, stories, story_search, story_dependencies,
        project_dependencies, status_history;
-- New GIN entries wait in a pending list (fastupdate) that the planner
-- charges for scanning; autovacuum merges it in production, a manual
-- ANALYZE does not. Merge it as autovacuum would.
SELECT is(sum(gin_clean_pending_list(i::regclass)) >= 0, true, 'GIN pending lists merged')
FROM unnest(ARRAY['stories_labels_idx', 'stories_metadata_idx', 'story_search_search_idx']) AS i;

-- Ids are looked up, never assumed: earlier tests (even rolled back) have
-- consumed identity values.
CREATE FUNCTION pg_temp.q(p_sql text, VARIADIC p_keys text[]) RETURNS text LANGUAGE sql
AS $$
    SELECT format(p_sql, VARIADIC ARRAY(
        SELECT CASE split_part(k, ':', 1)
                   WHEN 'project' THEN (SELECT id FROM projects WHERE key = split_part(k, ':', 2))
                   WHEN 'user' THEN (SELECT id FROM users WHERE handle = split_part(k, ':', 2))
                   WHEN 'story' THEN (SELECT id FROM stories WHERE key = split_part(k, ':', 2))
                   WHEN 'backlog' THEN (SELECT b.id FROM backlogs b JOIN projects p ON p.id = b.project_id
                                        WHERE p.key = split_part(k, ':', 2) AND b.name = 'main')
               END::text
        FROM unnest(p_keys) WITH ORDINALITY AS u(k, i) ORDER BY i))
$$;

SELECT matches(pg_temp.plan_of($$SELECT id FROM users WHERE api_token_hash = sha256('token-77')$$),
               'Index Scan using users_api_token_hash_key', 'authentication: user by token hash');
SELECT matches(pg_temp.plan_of($$SELECT id FROM users WHERE handle = 'user77'$$),
               'Index Scan using users_handle_key', 'user by handle (members routes)');
SELECT matches(pg_temp.plan_of($$SELECT * FROM projects WHERE key = 'P77'$$),
               'Index Scan using projects_key_key', 'project by key');
SELECT matches(pg_temp.plan_of(pg_temp.q('SELECT project_id, role FROM project_members WHERE user_id = %s',
                                         'user:user77')),
               'Index (Only )?Scan (using|on) project_members_user_id_idx', 'memberships of a user');
SELECT matches(pg_temp.plan_of(pg_temp.q('SELECT role FROM project_members WHERE project_id = %s AND user_id = %s',
                                         'project:P7', 'user:user7')),
               'Index Only Scan using project_members_user_id_idx',
               'a member''s role in one project, from the covering index alone');
SELECT matches(pg_temp.plan_of(pg_temp.q('SELECT user_id, role FROM project_members WHERE project_id = %s',
                                         'project:P7')),
               'Index Scan (using|on) project_members_pkey', 'the members of a project');
SELECT matches(pg_temp.plan_of(pg_temp.q($$SELECT * FROM stories WHERE project_id = %s AND status = 'review'$$,
                                         'project:P7')),
               'Index Scan (using|on) stories_project_id_status_idx', 'stories of a project by status');
SELECT matches(pg_temp.plan_of(format($$SELECT * FROM stories WHERE project_id = %s AND key = %L$$,
                                      s.project_id, s.key)),
               'Index Scan using stories_project_id_key_key', 'story by project and key')
FROM stories s JOIN projects p ON p.id = s.project_id WHERE p.key = 'P7' ORDER BY s.id LIMIT 1;
SELECT matches(pg_temp.plan_of(pg_temp.q('SELECT * FROM stories WHERE backlog_id = %s ORDER BY rank, id LIMIT 50',
                                         'backlog:P7')),
               'Index Scan using stories_backlog_id_rank_idx', 'a backlog in rank order');
SELECT matches(pg_temp.plan_of($$SELECT id FROM stories WHERE labels @> ARRAY['label-77']$$),
               'Bitmap Index Scan on stories_labels_idx', 'stories by label');
SELECT matches(pg_temp.plan_of($$SELECT id FROM stories WHERE metadata @> '{"layer": "l17"}'$$),
               'Bitmap Index Scan on stories_metadata_idx', 'stories by front-matter field');
SELECT matches(pg_temp.plan_of($$SELECT story_id FROM story_search
                                 WHERE search @@ websearch_to_tsquery('english', 'zebracorn')$$),
               'Bitmap Index Scan on story_search_search_idx', 'full-text search');
SELECT matches(pg_temp.plan_of(format('SELECT depends_on_id FROM story_dependencies WHERE story_id = %s',
                                      (SELECT min(story_id) FROM story_dependencies))),
               'Index (Only )?Scan (using|on) story_dependencies_pkey', 'what a story depends on');
SELECT matches(pg_temp.plan_of(format('SELECT story_id FROM story_dependencies WHERE depends_on_id = %s',
                                      (SELECT min(depends_on_id) FROM story_dependencies))),
               'Index (Only )?Scan (using|on) story_dependencies_depends_on_id_idx',
               'what a story blocks (reverse lookup)');
SELECT matches(pg_temp.plan_of(pg_temp.q('SELECT project_id FROM project_dependencies WHERE depends_on_project_id = %s',
                                         'project:P5')),
               'Index (Only )?Scan (using|on) project_dependencies_depends_on_project_id_idx',
               'which projects depend on a project (reverse lookup)');
SELECT matches(pg_temp.plan_of(pg_temp.q('SELECT * FROM status_history WHERE story_id = %s ORDER BY changed_at',
                                         'story:S-1234')),
               'Index Scan (using|on) status_history_p[0-9]{6}_story_id_changed_at_[a-z_]*idx',
               'a story''s history');
SELECT matches(pg_temp.plan_of(pg_temp.q($$SELECT * FROM status_history
                                           WHERE project_id = %s AND changed_at >= now() - interval '7 days'
                                           ORDER BY changed_at$$, 'project:P7')),
               'Index Scan (using|on) status_history_p[0-9]{6}_project_id_changed_at_idx',
               'a project''s history since a time');

-- As the API: row-level security adds project_id = ANY (...), which the
-- same indexes serve.
DO $$
BEGIN
    PERFORM set_config('planpipe.user_id', (SELECT id FROM users WHERE handle = 'user77')::text, true);
END
$$;
SET LOCAL ROLE planpipe_app;
SELECT matches(pg_temp.plan_of($$SELECT * FROM stories WHERE status = 'review'$$),
               'Index Cond: \(\(project_id = ANY \(\$[0-9]+\)\) AND \(status = ''review''::text\)\)',
               'as planpipe_app: the caller''s stories by status, policy and filter in one index');
SELECT matches(pg_temp.plan_of($$SELECT * FROM status_history WHERE changed_at >= now() - interval '7 days'
                                 ORDER BY changed_at$$),
               'project_id_changed_at_idx',
               'as planpipe_app: the caller''s recent history');
RESET ROLE;
-- Under RLS a non-LEAKPROOF operator (@@, @>) cannot use an index, which is
-- why planpipe_search_story_ids() exists: it runs this query as the owner,
-- with the caller's projects as a parameter.
SELECT matches(pg_temp.plan_of(format(
                   $$SELECT x.story_id FROM public.story_search x WHERE x.project_id = ANY (%L::bigint[])
                     AND x.search @@ websearch_to_tsquery('english', 'zebracorn')$$,
                   planpipe_project_ids('viewer'))),
               'Bitmap Index Scan on story_search_search_idx',
               'planpipe_search_story_ids: full-text search within the caller''s projects');

SELECT * FROM finish();
ROLLBACK;
