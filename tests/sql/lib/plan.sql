-- pg_temp.plan_of(query): the plan of a query, as text (EXPLAIN (COSTS
-- OFF)), for matches() against the index a documented pattern must use.
-- Included with \ir by tests/sql/*.sql.
CREATE FUNCTION pg_temp.plan_of(p_query text) RETURNS text LANGUAGE plpgsql
AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || p_query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END
$$;
