-- 0034: the SQL-language helpers that every story write or read calls, in
-- PL/pgSQL, so that their queries are planned once per session instead of
-- at every statement (issue 16; docs/decisions.md, "Helpers on the request
-- path are PL/pgSQL").
--
-- PostgreSQL inlines a LANGUAGE sql function into the calling query only
-- when its body is one expression without a sub-SELECT, and, for a STRICT
-- function, only when that expression is strict too. Otherwise each
-- statement that calls it parses, analyses and plans the body again
-- (fmgr_sql). planpipe_labels_valid() is the CHECK of stories.labels, and
-- PostgreSQL evaluates every CHECK constraint of a row on every UPDATE,
-- whatever columns it sets: a transition re-planned its two sub-SELECTs.
-- A profile of the transition route under pgbench (16 clients, large data
-- set) put 16% of the CPU in fmgr_sql; with the four functions below in
-- PL/pgSQL the route's SQL went from 1,340-1,440 to 1,730-1,900
-- transactions/s (docs/performance.md, "SQL helpers planned once per
-- session"). PL/pgSQL caches its plans per session (as 0012 found for the
-- access helpers). Same signatures, same results, same volatility;
-- tests/sql/28_sql_helpers.sql holds them to it and finds any CHECK
-- constraint that calls a LANGUAGE sql function again.

-- stories_labels_valid's check (0004), element by element: a loop of
-- simple expressions, which PL/pgSQL evaluates without starting an
-- executor, where the sub-SELECTs over unnest() of 0004 started two per
-- call. An empty array, the common case, is valid at once. A label seen
-- before is a duplicate (count(DISTINCT) of 0004: the same equality).
CREATE OR REPLACE FUNCTION planpipe_labels_valid(p_labels text[]) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    l text;
    seen text[] := '{}';
BEGIN
    IF p_labels IS NULL THEN
        RETURN NULL;
    ELSIF cardinality(p_labels) = 0 THEN
        RETURN true;
    ELSIF cardinality(p_labels) > 64 OR array_ndims(p_labels) <> 1 THEN
        RETURN false;
    END IF;
    FOREACH l IN ARRAY p_labels LOOP
        IF l IS NULL OR length(l) NOT BETWEEN 1 AND 64 OR l ~ '[[:space:][:cntrl:],]'
           OR l <> lower(l) OR l = ANY (seen) THEN
            RETURN false;
        END IF;
        seen := seen || l;
    END LOOP;
    RETURN true;
END
$$;

-- The category of a status (0017): every story the API answers with.
CREATE OR REPLACE FUNCTION planpipe_status_category(p_status text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    RETURN (SELECT category FROM statuses WHERE key = p_status);
END
$$;

-- A project's key sequence (0030): every create without a key.
CREATE OR REPLACE FUNCTION planpipe_story_key_seq(p_project_id bigint) RETURNS regclass
LANGUAGE plpgsql STABLE PARALLEL SAFE STRICT
AS $$
BEGIN
    RETURN format('public.story_key_seq_%s', p_project_id)::regclass;
END
$$;

-- The number of a key '<prefix>-<digits>' (0004): every create with a key,
-- the importer's above all.
CREATE OR REPLACE FUNCTION planpipe_story_key_number(p_prefix text, p_key text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
AS $$
BEGIN
    IF left(p_key, length(p_prefix) + 1) = p_prefix || '-'
       AND substr(p_key, length(p_prefix) + 2) ~ '^[0-9]{1,18}$' THEN
        RETURN substr(p_key, length(p_prefix) + 2)::bigint;
    END IF;
    RETURN NULL;
END
$$;
