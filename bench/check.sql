-- bench/check.sql: proves that a data set loaded by bench/generate (triggers
-- and foreign-key checks off) satisfies every rule the schema's triggers and
-- foreign keys enforce. Run as the schema owner after the load:
--
--   psql -X -v ON_ERROR_STOP=1 -f bench/check.sql
--
-- Prints one row per rule with the number of violations, then raises an
-- error if any is not 0. Full checks where they are cheap (a few seconds at
-- the large scale), a sample of stories (id % :sample = 0, ~10,000 stories)
-- for the history, which is the expensive one.
\set QUIET on
SET TimeZone = 'UTC';
SET max_parallel_workers_per_gather = 2;
SELECT greatest(1, (SELECT max(id) FROM stories) / 10000) AS sample \gset


CREATE TEMP TABLE bench_checks (rule text, scope text, violations bigint);

-- Acyclic blocking edges. Every edge goes from a higher story id to a lower
-- one, so ids strictly decrease along any path and no cycle can exist: this
-- proves acyclicity for the whole graph, not a sample.
INSERT INTO bench_checks
SELECT 'dependencies go from a newer story to an older one (hence acyclic)', 'all edges', count(*)
FROM story_dependencies WHERE story_id <= depends_on_id;

-- Foreign keys (their triggers were off during the load).
INSERT INTO bench_checks
SELECT 'story_dependencies reference existing stories', 'all edges', count(*)
FROM story_dependencies e
WHERE NOT EXISTS (SELECT FROM stories s WHERE s.id = e.story_id)
   OR NOT EXISTS (SELECT FROM stories s WHERE s.id = e.depends_on_id);
INSERT INTO bench_checks
SELECT 'stories reference their project, a backlog of that project, a status of its workflow',
       'all stories', count(*)
FROM stories s
WHERE NOT EXISTS (SELECT FROM projects p WHERE p.id = s.project_id)
   OR (s.backlog_id IS NOT NULL
       AND NOT EXISTS (SELECT FROM backlogs b WHERE b.id = s.backlog_id AND b.project_id = s.project_id))
   OR NOT EXISTS (SELECT FROM statuses st WHERE st.key = s.status)
   OR NOT EXISTS (SELECT FROM project_statuses ps
                  WHERE ps.project_id = s.project_id AND ps.status = s.status)
   OR (s.created_by IS NOT NULL AND NOT EXISTS (SELECT FROM users u WHERE u.id = s.created_by));
INSERT INTO bench_checks
SELECT 'memberships, backlogs, counters, project dependencies reference existing rows', 'all', (
    SELECT count(*) FROM project_members m
    WHERE NOT EXISTS (SELECT FROM projects p WHERE p.id = m.project_id)
       OR NOT EXISTS (SELECT FROM users u WHERE u.id = m.user_id)) + (
    SELECT count(*) FROM backlogs b WHERE NOT EXISTS (SELECT FROM projects p WHERE p.id = b.project_id)) + (
    SELECT count(*) FROM projects p WHERE NOT EXISTS (SELECT FROM story_key_counters c WHERE c.project_id = p.id)) + (
    SELECT count(*) FROM project_dependencies d
    WHERE NOT EXISTS (SELECT FROM projects p WHERE p.id = d.project_id)
       OR NOT EXISTS (SELECT FROM projects p WHERE p.id = d.depends_on_project_id)
       OR d.project_id <= d.depends_on_project_id);
INSERT INTO bench_checks
SELECT 'status_history references existing stories, projects, statuses, users', 'all rows', count(*)
FROM status_history h
WHERE NOT EXISTS (SELECT FROM stories s WHERE s.id = h.story_id)
   OR NOT EXISTS (SELECT FROM projects p WHERE p.id = h.project_id)
   OR (h.from_status IS NOT NULL AND NOT EXISTS (SELECT FROM statuses st WHERE st.key = h.from_status))
   OR NOT EXISTS (SELECT FROM statuses st WHERE st.key = h.to_status)
   OR (h.changed_by IS NOT NULL AND NOT EXISTS (SELECT FROM users u WHERE u.id = h.changed_by));

-- Story keys: the counter is past every <prefix>-<n> key of its project.
INSERT INTO bench_checks
SELECT 'key counters are past every key', 'all projects', count(*)
FROM story_key_counters c JOIN projects p ON p.id = c.project_id
WHERE c.last_number < coalesce((SELECT max(planpipe_story_key_number(p.story_key_prefix, s.key))
                                FROM stories s WHERE s.project_id = p.id), 0);

-- Labels as planpipe_stories_before_write() leaves them.
INSERT INTO bench_checks
SELECT 'labels are normalised (trimmed, lower case, distinct)', 'all stories', count(*)
FROM stories s
WHERE s.labels <> ARRAY(SELECT lower(btrim(l)) FROM unnest(s.labels) WITH ORDINALITY AS u(l, i)
                        WHERE btrim(l) <> '' GROUP BY lower(btrim(l)) ORDER BY min(i));

-- Rank: NULL exactly without a backlog (also a CHECK), unique order within a backlog.
INSERT INTO bench_checks
SELECT 'ranks are distinct within a backlog', 'all backlogs', count(*)
FROM (SELECT backlog_id, rank FROM stories WHERE backlog_id IS NOT NULL
      GROUP BY backlog_id, rank HAVING count(*) > 1) d;

-- Every project keeps an owner (planpipe_keep_an_owner()).
INSERT INTO bench_checks
SELECT 'every project has an owner', 'all projects', count(*)
FROM projects p
WHERE NOT EXISTS (SELECT FROM project_members m WHERE m.project_id = p.id AND m.role = 'owner');

-- The open-blockers rule: a story in a done status has no open, unarchived
-- blocker (what planpipe_stories_check_blockers() refuses at the transition).
INSERT INTO bench_checks
SELECT 'no done story has an open blocker', 'all edges', count(*)
FROM story_dependencies e
JOIN stories s ON s.id = e.story_id
JOIN statuses ss ON ss.key = s.status AND ss.category = 'done'
JOIN stories b ON b.id = e.depends_on_id
JOIN statuses bs ON bs.key = b.status AND bs.category IN ('todo', 'active')
WHERE e.kind = 'blocks' AND b.archived_at IS NULL;

-- History, on a sample of stories: one row per status taken, chained
-- (from = the previous to), first from NULL at created_at, last to = the
-- story's status, the story's project, in time order; started_at and
-- completed_at as the lifecycle trigger derives them from that history.
CREATE TEMP TABLE bench_sample AS SELECT * FROM stories WHERE id % :sample = 0;
CREATE TEMP TABLE bench_hist AS
SELECT h.*, row_number() OVER w AS n, lag(h.to_status) OVER w AS prev_to, lag(h.changed_at) OVER w AS prev_at
FROM status_history h WHERE h.story_id IN (SELECT id FROM bench_sample)
WINDOW w AS (PARTITION BY h.story_id ORDER BY h.changed_at, h.id);
ANALYZE bench_hist;

INSERT INTO bench_checks
SELECT 'history is a chain: first from NULL at created_at, then from = previous to, times increasing',
       'sample', count(*)
FROM bench_hist h JOIN bench_sample s ON s.id = h.story_id
WHERE (h.n = 1 AND (h.from_status IS NOT NULL OR h.changed_at <> s.created_at))
   OR (h.n > 1 AND (h.from_status IS DISTINCT FROM h.prev_to OR h.changed_at <= h.prev_at))
   OR h.project_id <> s.project_id;
-- What the history says about each sampled story, in one pass.
CREATE TEMP TABLE bench_said AS
SELECT h.story_id, count(*) AS changes, max(h.changed_at) AS last_at,
       (array_agg(h.to_status ORDER BY h.n DESC))[1] AS last_to,
       min(h.changed_at) FILTER (WHERE t.category = 'active') AS first_active,
       max(h.changed_at) FILTER (WHERE t.category = 'done' AND f.category IS DISTINCT FROM 'done')
           AS last_done_entry
FROM bench_hist h
JOIN statuses t ON t.key = h.to_status
LEFT JOIN statuses f ON f.key = h.from_status
GROUP BY h.story_id;

INSERT INTO bench_checks
SELECT 'history ends at the story''s status, every sampled story has history', 'sample', count(*)
FROM bench_sample s LEFT JOIN bench_said a ON a.story_id = s.id
WHERE a.last_to IS DISTINCT FROM s.status;
INSERT INTO bench_checks
SELECT 'started_at is the first entry into an active status', 'sample', count(*)
FROM bench_sample s JOIN bench_said a ON a.story_id = s.id
WHERE s.started_at IS DISTINCT FROM a.first_active;
INSERT INTO bench_checks
SELECT 'completed_at is the last entry into done from a non-done status, NULL unless done', 'sample', count(*)
FROM bench_sample s JOIN bench_said a ON a.story_id = s.id JOIN statuses cur ON cur.key = s.status
WHERE s.completed_at IS DISTINCT FROM (CASE WHEN cur.category = 'done' THEN a.last_done_entry END);
INSERT INTO bench_checks
SELECT 'updated_at and version are not behind the history', 'sample', count(*)
FROM bench_sample s JOIN bench_said a ON a.story_id = s.id
WHERE s.updated_at < a.last_at OR s.version < a.changes;

-- Indexes: the loader dropped and rebuilt the secondary ones; all must be
-- valid, and every history partition must carry the parent's indexes.
INSERT INTO bench_checks
SELECT 'every index is valid, every history partition has the parent''s indexes', 'all indexes',
       (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relnamespace = 'public'::regnamespace AND NOT i.indisvalid)
     + (SELECT count(*) FROM pg_inherits h
        WHERE h.inhparent = 'status_history'::regclass
          AND (SELECT count(*) FROM pg_index i WHERE i.indrelid = h.inhrelid)
              <> (SELECT count(*) FROM pg_index i WHERE i.indrelid = 'status_history'::regclass));

-- Partitions: every row in its month's partition, none in the default one.
INSERT INTO bench_checks
SELECT 'no history row fell into the default partition', 'all rows', count(*)
FROM status_history_default;

-- The cycle trigger itself, on the loaded graph: closing a cycle through a
-- sampled edge must be refused with PP001.
DO $$
DECLARE
    e record;
    refused int := 0;
    tried int := 0;
BEGIN
    FOR e IN SELECT story_id, depends_on_id FROM story_dependencies
             WHERE kind = 'blocks' ORDER BY story_id LIMIT 5 LOOP
        tried := tried + 1;
        BEGIN
            INSERT INTO story_dependencies (story_id, depends_on_id) VALUES (e.depends_on_id, e.story_id);
            RAISE EXCEPTION 'accepted' USING ERRCODE = 'P0001';
        EXCEPTION
            WHEN SQLSTATE 'PP001' THEN refused := refused + 1;
            WHEN SQLSTATE 'P0001' THEN NULL;
        END;
    END LOOP;
    INSERT INTO bench_checks VALUES ('the cycle trigger refuses the reverse of a loaded edge', '5 edges',
                                     tried - refused);
END
$$;

SELECT rule, scope, violations FROM bench_checks;

DO $$
BEGIN
    IF EXISTS (SELECT FROM bench_checks WHERE violations <> 0) THEN
        RAISE EXCEPTION 'bench/check.sql: % rule(s) violated',
            (SELECT count(*) FROM bench_checks WHERE violations <> 0);
    END IF;
END
$$;
