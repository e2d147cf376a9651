-- A story list filtered by status in id order is merged from one ordered
-- walk per project and status (migration 0032): the same pages, in the same
-- order, as the one statement over all the caller's projects of 0021, for
-- every combination of the filters it takes, page after page by cursor.
BEGIN;
SELECT plan(10);

\ir lib/plan.sql

-- Three projects the reader sees of 40 (so that, as at the large scale, one
-- project is a small part of the table); stories of every status, labels
-- on some, a few archived.
INSERT INTO users (handle) VALUES ('lister');
INSERT INTO projects (key, name) SELECT 'L' || g, 'list ' || g FROM generate_series(1, 40) AS g;
INSERT INTO project_members (project_id, user_id, role)
SELECT p.id, u.id, 'viewer' FROM projects p, users u
WHERE u.handle = 'lister' AND p.key IN ('L1', 'L2', 'L3');
INSERT INTO stories (project_id, title, status, labels, priority)
SELECT p.id, 'story ' || g,
       (ARRAY['draft', 'ready', 'in_progress', 'review', 'done'])[1 + (g * 7 + p.id::int) % 5],
       CASE WHEN g % 3 = 0 THEN ARRAY['api'] WHEN g % 3 = 1 THEN ARRAY['api', 'db'] ELSE '{}' END,
       (ARRAY['high', 'medium', 'low'])[1 + g % 3]
FROM projects p, generate_series(1, 400) AS g;
UPDATE stories SET archived_at = now() WHERE id % 17 = 0;
ANALYZE stories;
SELECT set_config('planpipe.user_id', (SELECT id FROM users WHERE handle = 'lister')::text, true);

-- Every page of planpipe_story_page for the filters, following the cursor,
-- as one array of ids; and what 0021's one statement gives.
CREATE FUNCTION pg_temp.pages(p_statuses text[], p_labels text[], p_priorities text[],
                              p_archived boolean, p_limit integer, p_projects text[] DEFAULT NULL)
RETURNS bigint[] LANGUAGE plpgsql AS $$
DECLARE
    all_ids bigint[] := '{}';
    page bigint[];
    after bigint;
BEGIN
    LOOP
        page := ARRAY(SELECT pg.id FROM planpipe_story_page(
                          (SELECT array_agg(id) FROM projects WHERE key = ANY (p_projects)),
                          p_statuses, NULL, NULL, p_labels, NULL, p_priorities, NULL, NULL,
                          p_archived, after, NULL, 'id', p_limit, NULL, NULL) pg);
        all_ids := all_ids || page;
        EXIT WHEN cardinality(page) < p_limit;
        after := page[cardinality(page)];
    END LOOP;
    RETURN all_ids;
END
$$;
CREATE FUNCTION pg_temp.expected(p_statuses text[], p_labels text[], p_priorities text[],
                                 p_archived boolean, p_projects text[] DEFAULT NULL)
RETURNS bigint[] LANGUAGE sql AS $$
    SELECT coalesce(array_agg(s.id ORDER BY s.id), '{}') FROM stories s
    WHERE s.project_id = ANY (planpipe_project_ids('viewer'))
      AND (p_projects IS NULL OR s.project_id IN (SELECT id FROM projects WHERE key = ANY (p_projects)))
      AND s.status IN (SELECT st.key FROM statuses st WHERE lower(st.key) = ANY (
                           ARRAY(SELECT lower(btrim(x)) FROM unnest(p_statuses) x)))
      AND (p_labels IS NULL OR s.labels @> p_labels)
      AND (p_priorities IS NULL OR s.priority = ANY (p_priorities))
      AND (p_archived OR s.archived_at IS NULL)
$$;

SELECT cmp_ok(cardinality(pg_temp.expected('{done}', '{api}', NULL, false)), '>', 100,
              'the fixture gives the filters many stories');
SELECT is(pg_temp.pages('{done}', '{api}', NULL, false, 50),
          pg_temp.expected('{done}', '{api}', NULL, false), 'one status and a label, pages of 50');
SELECT is(pg_temp.pages('{done}', NULL, NULL, false, 7),
          pg_temp.expected('{done}', NULL, NULL, false), 'one status, pages of 7');
SELECT is(pg_temp.pages('{Ready, in_progress, REVIEW}', '{api,db}', NULL, false, 13),
          pg_temp.expected('{Ready, in_progress, REVIEW}', '{api,db}', NULL, false),
          'three statuses in any case, two labels');
SELECT is(pg_temp.pages('{draft, done}', NULL, '{high}', true, 11),
          pg_temp.expected('{draft, done}', NULL, '{high}', true),
          'archived stories too, and a priority');
SELECT is(pg_temp.pages('{draft}', NULL, NULL, false, 5, '{L2, L4}'),
          pg_temp.expected('{draft}', NULL, NULL, false, '{L2}'),
          'named projects: only those the reader sees');
SELECT is(pg_temp.pages('{done}', '{nothing}', NULL, false, 50), '{}'::bigint[],
          'no story has the label: an empty page');
SELECT ok(NOT EXISTS (SELECT FROM unnest(pg_temp.pages('{done}', NULL, NULL, true, 50)) AS i
                      JOIN stories s ON s.id = i JOIN projects p ON p.id = s.project_id
                      WHERE p.key = 'L4'),
          'a project the reader is not a member of never shows');

-- The walk it relies on (the statement planpipe_story_page runs): each
-- project's stories in a status, in id order, from the index, the label
-- checked there (the fixture is small enough for a bitmap; that the index
-- serves the order is the point).
SET LOCAL enable_seqscan = off;
SET LOCAL enable_bitmapscan = off;
CREATE FUNCTION pg_temp.walk() RETURNS text LANGUAGE sql
AS $f$ SELECT format($q$SELECT x.id FROM unnest(%L::bigint[]) AS vp(pid), unnest('{done}'::text[]) AS vs(st),
                        LATERAL (SELECT s.id FROM stories s
                                 WHERE s.project_id = vp.pid AND s.status = vs.st
                                   AND s.labels @> '{api}' AND s.archived_at IS NULL
                                 ORDER BY s.project_id, s.status, s.id LIMIT 50) x
                        ORDER BY x.id LIMIT 50$q$, planpipe_project_ids('viewer')) $f$;
SELECT matches(pg_temp.plan_of(pg_temp.walk()),
               E'->  Limit\\n\\s*->  Index (Only )?Scan using stories_project_id_status_idx',
               'each project and status come in id order from stories_project_id_status_idx, no sort');
SELECT doesnt_match(pg_temp.plan_of(pg_temp.walk()), 'stories_pkey', 'not from a walk of every story by id');

SELECT * FROM finish();
ROLLBACK;
