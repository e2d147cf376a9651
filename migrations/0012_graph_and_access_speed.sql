-- 0012: the cycle check walks from both ends; the access helpers in PL/pgSQL.
--
-- Both were measured at the large benchmark scale (docs/performance.md):
--
-- * The cycle check of 0005 walked everything the new edge's target reaches
--   downwards (what it depends on, transitively) to see whether the edge's
--   origin was among it. With two dependencies per story a recent story
--   reaches a quarter of the graph: adding one edge took 1.4 s at p50. A new
--   edge closes a cycle when its target reaches its origin; that is as true
--   when walked from the origin upwards (its dependents, transitively) as
--   from the target downwards, and one of the two sides is nearly always
--   small: nothing depends on a new story yet, and an old story depends on
--   little. planpipe_graph_path() walks both sides a level at a time,
--   always extending the smaller frontier, and stops as soon as either side
--   runs out (no cycle) or the two meet (a cycle).
--
-- * planpipe_project_ids() and its siblings were LANGUAGE sql SECURITY
--   DEFINER functions: such functions are never inlined and their queries
--   are planned again at every call (0.2-0.3 ms per statement under
--   row-level security). PL/pgSQL caches the plans of its queries per
--   session. Same signatures, same results.

-- ---------------------------------------------------------------------------
-- Reachability in a blocking graph
-- ---------------------------------------------------------------------------

-- A path along blocking edges of p_edges (p_from depends on p_to) from one
-- of p_starts to one of p_targets, as an array of ids from the start to the
-- target; NULL when none of the starts reaches any of the targets.
-- Bidirectional breadth-first search: the downward side holds what the
-- starts reach, the upward side what reaches the targets, each node with the
-- neighbour it was reached from; each step extends the side whose newest
-- level is smaller, through the primary key (downwards) or the reverse index
-- (upwards), and the search ends when one side runs out or the two meet.
-- The cost is about twice the smaller side's reach, not the larger's, and
-- the path found is a shortest one but for a level.
CREATE FUNCTION planpipe_graph_path(p_edges text, p_from text, p_to text,
                                    p_starts bigint[], p_targets bigint[])
RETURNS bigint[]
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp
AS $$
DECLARE
    -- One level further, without the nodes already seen (a hashed NOT IN),
    -- each new node once, with the node it was reached from.
    step_down constant text := format(
        'SELECT coalesce(array_agg(n), ''{}''), coalesce(array_agg(p), ''{}'') FROM ('
        ' SELECT DISTINCT ON (e.%2$I) e.%2$I AS n, e.%1$I AS p FROM %3$I e'
        ' WHERE e.%1$I = ANY ($1) AND e.kind = ''blocks'' AND e.%2$I NOT IN (SELECT unnest($2))) s',
        p_from, p_to, p_edges);
    step_up constant text := format(
        'SELECT coalesce(array_agg(n), ''{}''), coalesce(array_agg(p), ''{}'') FROM ('
        ' SELECT DISTINCT ON (e.%1$I) e.%1$I AS n, e.%2$I AS p FROM %3$I e'
        ' WHERE e.%2$I = ANY ($1) AND e.kind = ''blocks'' AND e.%1$I NOT IN (SELECT unnest($2))) s',
        p_from, p_to, p_edges);
    down_front bigint[] := p_starts;
    down_seen bigint[] := p_starts;
    down_from bigint[] := array_fill(NULL::bigint, ARRAY[cardinality(p_starts)]);
    up_front bigint[] := p_targets;
    up_seen bigint[] := p_targets;
    up_from bigint[] := array_fill(NULL::bigint, ARRAY[cardinality(p_targets)]);
    level_from bigint[];
    meet bigint;
    node bigint;
    path bigint[];
BEGIN
    meet := (SELECT x FROM unnest(p_starts) x INTERSECT SELECT unnest(p_targets) LIMIT 1);
    WHILE meet IS NULL LOOP
        IF cardinality(down_front) = 0 OR cardinality(up_front) = 0 THEN
            RETURN NULL;
        END IF;
        IF cardinality(down_front) <= cardinality(up_front) THEN
            EXECUTE step_down INTO down_front, level_from USING down_front, down_seen;
            down_seen := down_seen || down_front;
            down_from := down_from || level_from;
            meet := (SELECT x FROM unnest(down_front) x INTERSECT SELECT unnest(up_seen) LIMIT 1);
        ELSE
            EXECUTE step_up INTO up_front, level_from USING up_front, up_seen;
            up_seen := up_seen || up_front;
            up_from := up_from || level_from;
            meet := (SELECT x FROM unnest(up_front) x INTERSECT SELECT unnest(down_seen) LIMIT 1);
        END IF;
    END LOOP;
    -- From the meeting node back to a start, then on to a target.
    path := ARRAY[meet];
    node := down_from[array_position(down_seen, meet)];
    WHILE node IS NOT NULL LOOP
        path := node || path;
        node := down_from[array_position(down_seen, node)];
    END LOOP;
    node := up_from[array_position(up_seen, meet)];
    WHILE node IS NOT NULL LOOP
        path := path || node;
        node := up_from[array_position(up_seen, node)];
    END LOOP;
    RETURN path;
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_graph_path(text, text, text, bigint[], bigint[]) FROM PUBLIC;
COMMENT ON FUNCTION planpipe_graph_path(text, text, text, bigint[], bigint[]) IS
    'A path from one of the starts to one of the targets along blocking edges, or NULL; bidirectional search';

-- The statement-level cycle check of 0005, same contract and messages. An
-- edge origin -> start closes a cycle when start reaches origin. First one
-- search for the whole statement: does any new edge's start reach any new
-- edge's origin? Nearly always not, and then the statement is accepted
-- whatever its size. Only if so, each new edge on its own (several new
-- edges can meet without forming a cycle: a -> b and b -> c); the path of
-- the first one that closes a cycle names it.
CREATE OR REPLACE FUNCTION planpipe_reject_dependency_cycle() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    edge_table text := TG_ARGV[1];
    from_col text := TG_ARGV[2];
    to_col text := TG_ARGV[3];
    origins bigint[];
    starts bigint[];
    origin_id bigint;
    start_id bigint;
    path bigint[];
    named text;
BEGIN
    EXECUTE format('SELECT ARRAY(SELECT DISTINCT %1$I FROM new_edges WHERE kind = ''blocks'' AND %1$I <> %2$I),'
                   ' ARRAY(SELECT DISTINCT %2$I FROM new_edges WHERE kind = ''blocks'' AND %1$I <> %2$I)',
                   from_col, to_col)
        INTO origins, starts;
    IF cardinality(origins) = 0 THEN
        RETURN NULL;
    END IF;
    PERFORM planpipe_lock_graph(TG_ARGV[0]::integer, edge_table);
    IF planpipe_graph_path(edge_table, from_col, to_col, starts, origins) IS NULL THEN
        RETURN NULL;
    END IF;
    FOR origin_id, start_id IN
        EXECUTE format('SELECT DISTINCT %1$I, %2$I FROM new_edges'
                       ' WHERE kind = ''blocks'' AND %1$I <> %2$I ORDER BY 1, 2', from_col, to_col)
    LOOP
        path := planpipe_graph_path(edge_table, from_col, to_col, ARRAY[start_id], ARRAY[origin_id]);
        EXIT WHEN path IS NOT NULL;
    END LOOP;
    IF path IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT array_to_string(ARRAY(SELECT %I(x) FROM unnest($1) WITH ORDINALITY AS c(x, i)
                                                 ORDER BY i), '' -> '')', TG_ARGV[4])
        INTO named USING origin_id || path;
    RAISE EXCEPTION '%: %', TG_ARGV[5], named
        USING ERRCODE = 'PP001',
              DETAIL = 'Each arrow reads "depends on"; blocking dependencies must not form a cycle.',
              HINT = 'Remove one of the dependencies of the cycle, or make one of them kind ''relates''.';
END
$$;

-- ---------------------------------------------------------------------------
-- Access helpers (0002), in PL/pgSQL
-- ---------------------------------------------------------------------------

CREATE OR REPLACE FUNCTION planpipe_acting_user_id() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    uid bigint := planpipe_setting_user_id();
BEGIN
    IF uid IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN (SELECT id FROM users WHERE id = uid AND disabled_at IS NULL);
END
$$;

CREATE OR REPLACE FUNCTION planpipe_is_admin() RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    uid bigint := planpipe_setting_user_id();
BEGIN
    IF uid IS NULL THEN
        RETURN false;
    END IF;
    RETURN coalesce((SELECT is_admin FROM users WHERE id = uid AND disabled_at IS NULL), false);
END
$$;

CREATE OR REPLACE FUNCTION planpipe_project_ids(min_role member_role DEFAULT 'viewer') RETURNS bigint[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    uid bigint := planpipe_setting_user_id();
    admin boolean;
BEGIN
    IF uid IS NULL THEN
        RETURN '{}';
    END IF;
    SELECT is_admin INTO admin FROM users WHERE id = uid AND disabled_at IS NULL;
    IF NOT FOUND THEN
        RETURN '{}';
    ELSIF admin THEN
        RETURN ARRAY(SELECT id FROM projects);
    END IF;
    RETURN ARRAY(SELECT project_id FROM project_members WHERE user_id = uid AND role >= min_role);
END
$$;

CREATE OR REPLACE FUNCTION planpipe_project_role(p_project_id bigint) RETURNS member_role
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    uid bigint := planpipe_setting_user_id();
    admin boolean;
BEGIN
    IF uid IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT is_admin INTO admin FROM users WHERE id = uid AND disabled_at IS NULL;
    IF NOT FOUND THEN
        RETURN NULL;
    ELSIF admin THEN
        RETURN (SELECT 'owner'::member_role FROM projects WHERE id = p_project_id);
    END IF;
    RETURN (SELECT role FROM project_members WHERE project_id = p_project_id AND user_id = uid);
END
$$;
