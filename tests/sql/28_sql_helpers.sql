-- The helpers that every story write or read calls are PL/pgSQL since
-- migration 0034, planned once per session, with the results they had as
-- LANGUAGE sql; and no CHECK constraint calls a LANGUAGE sql function, which
-- PostgreSQL would parse and plan again at every statement that writes the
-- table (a CHECK is evaluated on every UPDATE of the row).
BEGIN;
SELECT plan(9);

SELECT is((SELECT array_agg(p.proname::text || ' ' || l.lanname ORDER BY p.proname)
           FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
           WHERE p.pronamespace = 'public'::regnamespace
             AND p.proname IN ('planpipe_labels_valid', 'planpipe_status_category',
                               'planpipe_story_key_seq', 'planpipe_story_key_number')),
          ARRAY['planpipe_labels_valid plpgsql', 'planpipe_status_category plpgsql',
                'planpipe_story_key_number plpgsql', 'planpipe_story_key_seq plpgsql'],
          'the request path''s helpers are PL/pgSQL');

SELECT is_empty($$
    SELECT c.conrelid::regclass::text || '.' || c.conname || ' calls ' || p.proname
    FROM pg_constraint c
    JOIN pg_depend d ON d.classid = 'pg_constraint'::regclass AND d.objid = c.oid
                    AND d.refclassid = 'pg_proc'::regclass
    JOIN pg_proc p ON p.oid = d.refobjid
    JOIN pg_language l ON l.oid = p.prolang
    WHERE c.contype = 'c' AND l.lanname = 'sql'$$,
    'no CHECK constraint calls a LANGUAGE sql function');

-- Each label set: what the LANGUAGE sql body of 0004 answered.
CREATE FUNCTION pg_temp.labels_valid_0004(p_labels text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
    SELECT cardinality(p_labels) <= 64
       AND (cardinality(p_labels) = 0 OR array_ndims(p_labels) = 1)
       AND NOT EXISTS (SELECT FROM unnest(p_labels) AS l
                       WHERE l IS NULL OR length(l) NOT BETWEEN 1 AND 64
                          OR l ~ '[[:space:][:cntrl:],]' OR l <> lower(l))
       AND cardinality(p_labels) = (SELECT count(DISTINCT l) FROM unnest(p_labels) AS l)
$$;
CREATE TEMP TABLE label_cases (labels text[]);
INSERT INTO label_cases VALUES
    ('{}'), ('{api}'), ('{api,db}'), ('{api,api}'), ('{Api}'), ('{"two words"}'),
    ('{"a,b"}'), ('{""}'), (ARRAY[NULL]::text[]), (ARRAY[repeat('x', 64)]), (ARRAY[repeat('x', 65)]),
    ('{{a,b},{c,d}}'), (ARRAY(SELECT 'l' || g FROM generate_series(1, 64) g)),
    (ARRAY(SELECT 'l' || g FROM generate_series(1, 65) g)), (ARRAY[E'tab\there']), (NULL),
    ('{api,NULL}'), ('{db,api,db}'), ('[0:1]={a,b}'), ('[0:1]={a,a}'), ('{é,É}');
SELECT is_empty($$
    SELECT labels FROM label_cases
    WHERE planpipe_labels_valid(labels) IS DISTINCT FROM pg_temp.labels_valid_0004(labels)$$,
    'planpipe_labels_valid answers as 0004''s did, for every case');
SELECT is((SELECT count(*) FILTER (WHERE planpipe_labels_valid(labels)) FROM label_cases), 6::bigint,
          'of them {}, {api}, {api,db}, a label of 64 characters, 64 labels and [0:1]={a,b} are valid');

SELECT is(ARRAY[planpipe_story_key_number('INF', 'INF-013'), planpipe_story_key_number('INF', 'INF-13'),
                planpipe_story_key_number('INF', 'INF-13-x'), planpipe_story_key_number('INF', 'ADH-13'),
                planpipe_story_key_number('INF', 'INF-'), planpipe_story_key_number('INF', 'INF-1234567890123456789'),
                planpipe_story_key_number('INF', NULL), planpipe_story_key_number(NULL, 'INF-1')],
          ARRAY[13, 13, NULL, NULL, NULL, NULL, NULL, NULL]::bigint[],
          'planpipe_story_key_number: digits after the prefix, up to 18 of them; else NULL');

SELECT is(ARRAY[planpipe_status_category('done'), planpipe_status_category('in_progress'),
                planpipe_status_category('no-such-status'), planpipe_status_category(NULL)],
          ARRAY['done', 'active', NULL, NULL],
          'planpipe_status_category: the category of a status, NULL for none');

INSERT INTO projects (key, name) VALUES ('HELP', 'helpers');
SELECT is(planpipe_story_key_seq((SELECT id FROM projects WHERE key = 'HELP'))::text,
          'story_key_seq_' || (SELECT id FROM projects WHERE key = 'HELP'),
          'planpipe_story_key_seq names the project''s sequence');
SELECT throws_ok($$ SELECT planpipe_story_key_seq(-1) $$, '42P01', NULL,
                 'planpipe_story_key_seq of a project without one fails');

-- And the write path through them: a generated key, an explicit one that
-- pushes the numbering, labels checked.
INSERT INTO stories (project_id, title, labels)
SELECT id, 'first', '{api}' FROM projects WHERE key = 'HELP';
INSERT INTO stories (project_id, key, title) SELECT id, 'HELP-041', 'explicit' FROM projects WHERE key = 'HELP';
INSERT INTO stories (project_id, title) SELECT id, 'after' FROM projects WHERE key = 'HELP';
SELECT is(ARRAY(SELECT key FROM stories WHERE project_id = (SELECT id FROM projects WHERE key = 'HELP')
                ORDER BY id),
          ARRAY['HELP-001', 'HELP-041', 'HELP-042'],
          'keys are generated and pushed past an explicit one through the helpers');

SELECT * FROM finish();
ROLLBACK;
