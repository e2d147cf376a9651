-- The shape of the schema: tables, column types, the application role, the
-- settings helpers and the seeded statuses.
BEGIN;
SELECT plan(32);

SELECT has_table('public', t, 'table ' || t || ' exists')
FROM unnest(ARRAY['users', 'projects', 'project_members', 'backlogs', 'statuses', 'stories',
                  'story_dependencies', 'project_dependencies', 'status_history',
                  'story_key_counters']) AS t;

SELECT is(
    (SELECT count(*) FROM information_schema.columns
     WHERE table_schema = 'public' AND table_name <> 'planpipe_schema_migrations'
       AND data_type = 'timestamp without time zone'),
    0::bigint, 'every timestamp is timestamptz');

SELECT is(
    (SELECT array_agg(table_name::text ORDER BY table_name) FROM information_schema.columns
     WHERE table_schema = 'public' AND column_name = 'id'
       AND table_name <> 'planpipe_schema_migrations' AND table_name NOT LIKE 'status_history_%'
       AND (data_type <> 'bigint' OR is_identity <> 'YES' OR identity_generation <> 'ALWAYS')),
    NULL, 'every id is a bigint GENERATED ALWAYS AS IDENTITY');

SELECT is(
    (SELECT relkind::text FROM pg_class WHERE oid = 'status_history'::regclass),
    'p', 'status_history is partitioned');

SELECT is(
    (SELECT pg_get_partkeydef('status_history'::regclass)),
    'RANGE (changed_at)', 'status_history is range-partitioned on changed_at');

SELECT ok(
    EXISTS (SELECT FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'status_history'::regclass
              AND pg_get_expr(c.relpartbound, c.oid) = 'DEFAULT'),
    'status_history has a default partition');

SELECT col_type_is('story_search', 'search', 'tsvector', 'story_search.search is a tsvector (0033)');
SELECT hasnt_column('stories', 'search', 'stories hold no search vector since 0033');
SELECT is((SELECT string_agg(tgname || ' ' || tgenabled::text, ', ' ORDER BY tgname) FROM pg_trigger
           WHERE tgrelid = 'stories'::regclass AND tgname LIKE '%search%'),
          'stories_80_search_insert A, stories_80_search_update A',
          'the search triggers fire in every session_replication_role, as a generated column did');

-- The application role ------------------------------------------------------
SELECT has_role('planpipe_app', 'role planpipe_app exists');
SELECT ok(
    (SELECT NOT rolcanlogin AND NOT rolsuper AND NOT rolbypassrls AND NOT rolcreaterole
     FROM pg_roles WHERE rolname = 'planpipe_app'),
    'planpipe_app cannot log in, is no superuser and does not bypass RLS');
SELECT is(
    (SELECT count(*) FROM pg_shdepend
     WHERE refobjid = 'planpipe_app'::regrole AND deptype = 'o'),
    0::bigint, 'planpipe_app owns nothing');
-- From the catalog, not a list: a new table with a project_id and no row
-- security fails here.
SELECT is(
    (SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
       AND NOT c.relispartition
       AND (c.relname = 'projects'
            OR EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid
                       AND a.attname = 'project_id' AND NOT a.attisdropped))
       AND NOT c.relrowsecurity),
    NULL, 'row-level security is enabled on projects and every table with a project_id');
SELECT ok(NOT has_column_privilege('planpipe_app', 'users', 'api_token_hash', 'SELECT'),
          'planpipe_app cannot read token hashes');
SELECT ok(NOT has_table_privilege('planpipe_app', 'story_key_counters', 'SELECT,UPDATE'),
          'planpipe_app has no access to the key counters');
SELECT ok(NOT has_function_privilege('planpipe_app', 'planpipe_maintenance()', 'EXECUTE'),
          'planpipe_app cannot run maintenance');

-- Settings helpers -------------------------------------------------------------
SELECT is(planpipe_setting_source(), 'sql', 'planpipe.source defaults to sql');
SELECT is(planpipe_setting_user_id(), NULL, 'no planpipe.user_id: NULL');
SET LOCAL planpipe.source = 'import';
SELECT is(planpipe_setting_source(), 'import', 'planpipe.source is read');
SET LOCAL planpipe.source = 'web';
SELECT throws_ok('SELECT planpipe_setting_source()', '22023', NULL,
                 'an unknown planpipe.source is refused');
SET LOCAL planpipe.user_id = 'bob';
SELECT throws_ok('SELECT planpipe_setting_user_id()', '22023', NULL,
                 'a planpipe.user_id that is not an id is refused');
SET LOCAL planpipe.user_id = '';
SELECT is(planpipe_setting_user_id(), NULL, 'an empty planpipe.user_id reads as unset');

-- Statuses -------------------------------------------------------------------
SELECT results_eq(
    $$SELECT key, category FROM statuses
      WHERE key IN ('draft', 'ready', 'in_progress', 'review', 'done', 'accepted', 'cancelled')
      ORDER BY position$$,
    $$VALUES ('draft', 'todo'), ('ready', 'todo'), ('in_progress', 'active'), ('review', 'active'),
             ('done', 'done'), ('accepted', 'done'), ('cancelled', 'cancelled')$$,
    'the seeded statuses and their categories');

SELECT * FROM finish();
ROLLBACK;
