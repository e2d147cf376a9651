-- 0011: the API's role may read the migration history.
--
-- `planpipe health --readiness` and the API's /readyz compare the database's
-- schema version with the one the binary needs. The API logs in as a role
-- that is only a member of planpipe_app, which could not read the runner's
-- history table: readiness never passed outside a superuser connection.
-- The runner creates the table before it applies migration 0001, so it
-- exists here.
GRANT SELECT ON public.planpipe_schema_migrations TO planpipe_app;
