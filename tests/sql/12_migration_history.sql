-- The application role reads the migration history (readiness checks need
-- the schema version) and cannot change it.
BEGIN;
SELECT plan(3);

SELECT table_privs_are('public', 'planpipe_schema_migrations', 'planpipe_app', ARRAY['SELECT'],
    'planpipe_app may only read the migration history');

SET LOCAL ROLE planpipe_app;
SELECT cmp_ok((SELECT max(version) FROM planpipe_schema_migrations), '>=', 11,
    'as planpipe_app, the schema version is readable');
SELECT throws_ok($$DELETE FROM planpipe_schema_migrations$$, '42501', NULL,
    'as planpipe_app, the history cannot be changed');

SELECT * FROM finish();
ROLLBACK;
