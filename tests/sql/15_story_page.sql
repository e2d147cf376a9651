-- planpipe_story_page (migration 0014): a page of a backlog in (rank, id)
-- order after a cursor, a page by id across projects with filters, archived
-- stories only when asked, and nothing of a project the caller does not see.
BEGIN;
SELECT plan(17);

INSERT INTO users (handle, is_admin) VALUES ('member', false), ('stranger', false), ('root', true);
INSERT INTO projects (key, name) VALUES ('PAGE', 'Pages'), ('ELSE', 'Elsewhere');
INSERT INTO project_members (project_id, user_id, role)
SELECT p.id, u.id, 'viewer' FROM projects p, users u WHERE p.key = 'PAGE' AND u.handle = 'member';
INSERT INTO backlogs (project_id, name) SELECT id, 'main' FROM projects;
-- 2,000 stories in PAGE's backlog (ranks 1..2000 in creation order), 50 in ELSE's.
INSERT INTO stories (project_id, key, title, backlog_id)
SELECT p.id, p.key || '-' || n, 'story ' || n, b.id
FROM projects p JOIN backlogs b ON b.project_id = p.id
CROSS JOIN LATERAL generate_series(1, CASE p.key WHEN 'PAGE' THEN 2000 ELSE 50 END) n
ORDER BY p.id, n;
UPDATE stories SET archived_at = now() WHERE key = 'PAGE-2';
ANALYZE stories, backlogs;

UPDATE stories SET status = 'ready', labels = ARRAY['API'] WHERE key IN ('PAGE-10', 'PAGE-20', 'ELSE-3');
UPDATE stories SET status = 'ready' WHERE key = 'PAGE-30';
\ir lib/ids.sql
\ir lib/act_as.sql
-- The keys of a page of a backlog, in order.
CREATE FUNCTION pg_temp.page(p_backlog text, p_after_story text, p_limit int, p_archived boolean DEFAULT false)
RETURNS text LANGUAGE sql
AS $$
    SELECT string_agg(f.key, ',' ORDER BY i)
    FROM planpipe_story_page(NULL, NULL, NULL, pg_temp.id('backlog', p_backlog), NULL, NULL, NULL, NULL,
                             NULL, p_archived,
                             pg_temp.id('story', p_after_story),
                             (SELECT rank FROM stories WHERE id = pg_temp.id('story', p_after_story)),
                             true, p_limit)
         WITH ORDINALITY AS g(id, i)
    JOIN fx f ON f.kind = 'story' AND f.id = g.id
$$;
-- The keys of a page by id with filters, across the given projects (NULL: all visible).
CREATE FUNCTION pg_temp.ids(p_projects text[], p_statuses text[], p_labels text[], p_after_story text,
                            p_limit int, p_categories text[] DEFAULT NULL, p_query text DEFAULT NULL)
RETURNS text LANGUAGE sql
AS $$
    SELECT string_agg(f.key, ',' ORDER BY i)
    FROM planpipe_story_page((SELECT array_agg(id) FROM fx WHERE kind = 'project' AND key = ANY (p_projects)),
                             p_statuses, p_categories, NULL, p_labels, NULL, NULL, NULL,
                             websearch_to_tsquery('english', p_query), false,
                             pg_temp.id('story', p_after_story), NULL, false, p_limit)
         WITH ORDINALITY AS g(id, i)
    JOIN fx f ON f.kind = 'story' AND f.id = g.id
$$;

SELECT pg_temp.act_as('member');
SELECT is(pg_temp.page('PAGE', NULL, 4), 'PAGE-1,PAGE-3,PAGE-4,PAGE-5',
          'the first page, in rank order, without the archived story');
SELECT is(pg_temp.page('PAGE', NULL, 3, true), 'PAGE-1,PAGE-2,PAGE-3', 'archived too when asked');
SELECT is(pg_temp.page('PAGE', 'PAGE-5', 3), 'PAGE-6,PAGE-7,PAGE-8', 'the page after a cursor');
SELECT is(pg_temp.page('PAGE', 'PAGE-1999', 3), 'PAGE-2000', 'the last page is short');
SELECT is(pg_temp.page('PAGE', 'PAGE-2000', 3), NULL, 'after the last story: nothing');
SELECT is(pg_temp.page('ELSE', NULL, 3), NULL, 'a backlog of a project the caller does not see: nothing');

SELECT pg_temp.act_as('stranger');
SELECT is(pg_temp.page('PAGE', NULL, 3), NULL, 'a non-member gets nothing');
SELECT pg_temp.act_as('root');
SELECT is(pg_temp.page('ELSE', NULL, 2), 'ELSE-1,ELSE-2', 'an admin sees every backlog');

-- A move puts a story between two others: the page follows rank, not id.
SELECT set_config('role', 'none', true);
UPDATE stories SET rank = 4.5 WHERE key = 'PAGE-9';
SELECT pg_temp.act_as('member');
SELECT is(pg_temp.page('PAGE', 'PAGE-4', 3), 'PAGE-9,PAGE-5,PAGE-6', 'the order is by rank, then id');

-- By id, with filters ----------------------------------------------------------------
SELECT pg_temp.act_as('member');
SELECT is(pg_temp.ids(NULL, ARRAY['ready'], ARRAY['api'], NULL, 10), 'PAGE-10,PAGE-20',
          'status and label (normalised) over every visible project: ELSE-3 is not visible');
SELECT is(pg_temp.ids(NULL, ARRAY['ready'], NULL, 'PAGE-10', 10), 'PAGE-20,PAGE-30',
          'the page after a cursor, in id order');
SELECT is(pg_temp.ids(NULL, NULL, NULL, NULL, 10, ARRAY['active']), NULL,
          'a category nothing is in: nothing');
SELECT is(pg_temp.ids(ARRAY['ELSE'], NULL, NULL, NULL, 10), NULL,
          'naming a project the caller does not see: nothing (visible projects only)');
SELECT pg_temp.act_as('root');
SELECT is(pg_temp.ids(ARRAY['ELSE', 'PAGE'], ARRAY['ready'], ARRAY['API'], NULL, 10),
          'PAGE-10,PAGE-20,ELSE-3', 'an admin, naming both projects');
SELECT is(pg_temp.ids(ARRAY['ELSE'], NULL, NULL, NULL, 2, ARRAY['todo'], 'story'), 'ELSE-1,ELSE-2',
          'category and text');

SELECT set_config('role', 'none', true);
SELECT is(has_function_privilege('planpipe_app',
          'planpipe_story_page(bigint[],text[],text[],bigint,text[],text[],text[],text[],tsquery,boolean,bigint,numeric,boolean,integer)',
          'EXECUTE'), true, 'planpipe_app may call it');
SELECT is(has_function_privilege('public',
          'planpipe_story_page(bigint[],text[],text[],bigint,text[],text[],text[],text[],tsquery,boolean,bigint,numeric,boolean,integer)',
          'EXECUTE'), false, 'PUBLIC may not');

SELECT * FROM finish();
ROLLBACK;
