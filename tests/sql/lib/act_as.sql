-- pg_temp.act_as(handle): from here on the transaction acts as that user
-- through the API's role (planpipe_app, with planpipe.user_id set), as the
-- API's login role does; an unknown handle acts as nobody. Each call first
-- drops back to the schema owner, so it may be called as anyone.
-- Included with \ir by tests/sql/*.sql (run by tests/sql/run.sh).
CREATE FUNCTION pg_temp.act_as(p_handle text) RETURNS void LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM set_config('role', 'none', true);
    PERFORM set_config('planpipe.user_id', coalesce((SELECT id FROM users WHERE handle = p_handle)::text, ''), true);
    PERFORM set_config('role', 'planpipe_app', true);
END
$$;
