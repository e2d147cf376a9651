-- 0027: an import's dependencies are checked for cycles once, not twice
-- (issue 15: a re-import of 100,000 files with 1 % changed spent 62 s of its
-- 96 s in two cycle checks of the same ~2,000 edges).
--
-- 1. The numbering of the edges inside the searched closure (step 3 of
--    planpipe_graph_cycles(), 0016) joined each node's edges with the
--    closure inside the per-node loop, and the planner, misled by the row
--    comparison's estimate, hashed the one or two edges and scanned the
--    whole closure for each node: quadratic in the closure (5 s for a
--    closure of 9,944 stories, each of them scanning all 9,944). The walk
--    itself (planpipe_graph_reach) was already bounded to what the new
--    edges reach, the smaller of the two closures, and took 0.2 s. Now the
--    loop only collects (node number, target id) and one join after it
--    numbers the targets (a hash or merge join: nested loops are off):
--    linear in the edges of the closure, up to a sort. This serves both the
--    importer's pre-check (planpipe_dependency_cycles) and the trigger.
--
-- 2. The trigger skips edges that the pre-check of the same transaction has
--    verified. The trust rule (docs/decisions.md):
--    - The pre-check (planpipe_batch_cycles, called only by the SECURITY
--      DEFINER planpipe_dependency_cycles / planpipe_project_dependency_cycles)
--      takes the graph's lock (planpipe_lock_graph: a transaction-scoped
--      advisory lock that every blocking-edge write takes too), searches,
--      and records the edges it found on no cycle in
--      pg_temp.planpipe_checked_edges: a temporary table of the session,
--      created by the schema owner (these functions run as the owner), so
--      that no other role may write it; ON COMMIT DELETE ROWS, so a mark
--      lives no longer than the transaction, and so no longer than the lock.
--      A mark is only ever a fact the server established itself: calling
--      the pre-check is the only way to make one, and it marks only what it
--      verified.
--    - The trigger reads the marks only from a table of that name owned by
--      its own role (current_user, the owner): one a planpipe_app session
--      created itself in its temporary schema is ignored, and the pre-check
--      then marks nothing. No setting (planpipe.source and the like, which
--      any planpipe_app member may set) plays any part.
--    - A statement is skipped only when every one of its new blocking edges
--      is marked. A statement with an unmarked one is checked as before and
--      drops the marks of its graph: the pre-check verified its edges
--      against the graph as it was, and that edge was not in it.
--    - A pre-check replaces the marks of its graph: two batches, each
--      verified alone, may close a cycle together.
--    While marks exist, every edge written since the pre-check is a marked
--    one (or the marks are gone), no other transaction can write a blocking
--    edge (the lock), and deleting edges closes no cycle: the graph stays
--    within what the pre-check found acyclic.

-- ---------------------------------------------------------------------------
-- 1. planpipe_graph_cycles(): the closure's edges numbered by one join
-- ---------------------------------------------------------------------------

-- Same contract as 0016; only the numbering of step 3 changes (r, then e).
CREATE OR REPLACE FUNCTION planpipe_graph_cycles(p_edges text, p_from text, p_to text,
                                                 p_new_from bigint[], p_new_to bigint[], p_new_in_table boolean)
RETURNS TABLE (path bigint[], edges integer[])
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp
    SET enable_seqscan = off SET enable_nestloop = off SET jit = off
AS $$
DECLARE
    meet constant text := 'SELECT EXISTS (SELECT unnest($1) INTERSECT SELECT unnest($2))';
    origins bigint[] := ARRAY(SELECT DISTINCT unnest(p_new_from));
    targets bigint[] := ARRAY(SELECT DISTINCT unnest(p_new_to));
    -- Each closure holds its seeds: start above them, not below.
    budget integer := greatest(1024, 4 * greatest(cardinality(origins), cardinality(targets)));
    met boolean;
    ids bigint[];      -- node number -> id
    tgt integer[];     -- targets of the edges, grouped by origin ...
    off integer[];     -- ... node i's at tgt[off[i]] .. tgt[off[i + 1] - 1]
    nf integer[];      -- the new edges' ends as node numbers (NULL: outside)
    nt integer[];
    k integer;
    -- Tarjan: visit order, lowest reachable order, on the stack, component
    ord integer[];
    low integer[];
    onstk integer[];
    comp integer[];
    stk integer[];
    sp integer := 0;
    call_v integer[];  -- the explicit call stack: node, next edge to follow
    call_e integer[];
    csp integer;
    counter integer := 0;
    ncomp integer := 0;
    s integer;
    v integer;
    w integer;
    e integer;
    c integer;
    on_cycle_c integer[] := '{}';
    on_cycle_j integer[] := '{}';
    -- the walk naming a cycle
    seen integer[];
    parent integer[];
    queue integer[];
    head integer;
    tail integer;
    rec record;
BEGIN
    -- 1, 2: the complete side of the two closures, unless it settles it.
    LOOP
        ids := planpipe_graph_reach(p_edges, p_from, p_to, origins, true, budget);
        IF cardinality(ids) < budget THEN
            EXECUTE meet INTO met USING ids, targets;
            EXIT;
        END IF;
        ids := planpipe_graph_reach(p_edges, p_from, p_to, targets, false, budget);
        IF cardinality(ids) < budget THEN
            EXECUTE meet INTO met USING ids, origins;
            EXIT;
        END IF;
        budget := budget * 4;
    END LOOP;
    IF NOT met THEN
        RETURN;
    END IF;

    -- 3: the edges inside it, numbered; then its components.
    EXECUTE format($q$
        WITH n AS MATERIALIZED (
            SELECT id, i::integer AS i FROM unnest($1) WITH ORDINALITY AS n(id, i)
        ), r AS MATERIALIZED (
            SELECT a.i AS f, y.id
            FROM n a CROSS JOIN LATERAL (
                SELECT x.%2$I AS id FROM %3$I x
                WHERE (x.%1$I, x.%2$I) >= (a.id, -9223372036854775808)
                  AND (x.%1$I, x.%2$I) <= (a.id, 9223372036854775807) AND x.kind = 'blocks' OFFSET 0) y
            UNION ALL
            SELECT a.i, x.t
            FROM unnest($2, $3) AS x(f, t) JOIN n a ON a.id = x.f
            WHERE NOT $4
        ), e AS MATERIALIZED (
            SELECT r.f, b.i AS t FROM r JOIN n b ON b.id = r.id
        ), d AS (
            SELECT n.i, count(e.f) AS deg FROM n LEFT JOIN e ON e.f = n.i GROUP BY n.i
        )
        SELECT ARRAY(SELECT t FROM e ORDER BY f),
               ARRAY(SELECT (sum(deg) OVER (ORDER BY i) - deg + 1)::integer FROM d ORDER BY i),
               ARRAY(SELECT n.i FROM unnest($2) WITH ORDINALITY AS x(id, j)
                     LEFT JOIN n ON n.id = x.id ORDER BY x.j),
               ARRAY(SELECT n.i FROM unnest($3) WITH ORDINALITY AS x(id, j)
                     LEFT JOIN n ON n.id = x.id ORDER BY x.j)
        $q$, p_from, p_to, p_edges)
        INTO tgt, off, nf, nt USING ids, p_new_from, p_new_to, p_new_in_table;
    k := cardinality(ids);
    off := off || (cardinality(tgt) + 1);
    ord := array_fill(0, ARRAY[k]);
    low := ord;
    onstk := ord;
    comp := ord;
    stk := ord;
    call_v := ord;
    call_e := ord;
    FOR s IN 1 .. k LOOP
        CONTINUE WHEN ord[s] <> 0;
        counter := counter + 1;
        ord[s] := counter;
        low[s] := counter;
        sp := sp + 1;
        stk[sp] := s;
        onstk[s] := 1;
        csp := 1;
        call_v[1] := s;
        call_e[1] := off[s];
        WHILE csp > 0 LOOP
            v := call_v[csp];
            e := call_e[csp];
            IF e < off[v + 1] THEN
                call_e[csp] := e + 1;
                w := tgt[e];
                IF ord[w] = 0 THEN
                    counter := counter + 1;
                    ord[w] := counter;
                    low[w] := counter;
                    sp := sp + 1;
                    stk[sp] := w;
                    onstk[w] := 1;
                    csp := csp + 1;
                    call_v[csp] := w;
                    call_e[csp] := off[w];
                ELSIF onstk[w] = 1 AND ord[w] < low[v] THEN
                    low[v] := ord[w];
                END IF;
            ELSE
                IF low[v] = ord[v] THEN
                    ncomp := ncomp + 1;
                    LOOP
                        w := stk[sp];
                        sp := sp - 1;
                        onstk[w] := 0;
                        comp[w] := ncomp;
                        EXIT WHEN w = v;
                    END LOOP;
                END IF;
                csp := csp - 1;
                IF csp > 0 AND low[v] < low[call_v[csp]] THEN
                    low[call_v[csp]] := low[v];
                END IF;
            END IF;
        END LOOP;
    END LOOP;

    -- The new edges inside one component: on a cycle (no self-edges here,
    -- so a component of one node has none).
    FOR s IN 1 .. cardinality(nf) LOOP
        IF nf[s] IS NOT NULL AND nt[s] IS NOT NULL AND comp[nf[s]] = comp[nt[s]] THEN
            on_cycle_c := on_cycle_c || comp[nf[s]];
            on_cycle_j := on_cycle_j || s;
        END IF;
    END LOOP;

    -- 4: per component, a shortest path inside it from the first new edge's
    -- target back to its origin.
    seen := array_fill(0, ARRAY[k]);
    parent := seen;
    queue := seen;
    FOR rec IN
        SELECT x.c, array_agg(x.j ORDER BY x.j) AS js
        FROM unnest(on_cycle_c, on_cycle_j) AS x(c, j) GROUP BY x.c ORDER BY min(x.j)
    LOOP
        c := rec.c;
        s := nt[rec.js[1]];
        seen[s] := c;
        parent[s] := 0;
        queue[1] := s;
        head := 1;
        tail := 1;
        WHILE head <= tail LOOP
            v := queue[head];
            head := head + 1;
            EXIT WHEN v = nf[rec.js[1]];
            FOR e IN off[v] .. off[v + 1] - 1 LOOP
                w := tgt[e];
                IF comp[w] = c AND seen[w] <> c THEN
                    seen[w] := c;
                    parent[w] := v;
                    tail := tail + 1;
                    queue[tail] := w;
                END IF;
            END LOOP;
        END LOOP;
        -- Back from the origin to the target, into queue[] reversed.
        tail := 0;
        v := nf[rec.js[1]];
        WHILE v <> 0 LOOP
            tail := tail + 1;
            queue[tail] := v;
            v := parent[v];
        END LOOP;
        path := ARRAY[ids[nf[rec.js[1]]]];
        FOR e IN REVERSE tail .. 1 LOOP
            path := path || ids[queue[e]];
        END LOOP;
        edges := rec.js;
        RETURN NEXT;
    END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- 2. The marks of the pre-check
-- ---------------------------------------------------------------------------

-- Whether the session's pg_temp.planpipe_checked_edges exists and belongs to
-- the current role: called inside the SECURITY DEFINER functions below, so
-- the owner of the schema. A table of that name another role made is not a
-- table of marks.
CREATE FUNCTION planpipe_checked_edges_trusted() RETURNS boolean
LANGUAGE sql STABLE SET search_path = public, pg_temp
AS $$
    SELECT EXISTS (SELECT FROM pg_class c
                   WHERE c.oid = to_regclass('pg_temp.planpipe_checked_edges')
                     AND c.relnamespace = pg_my_temp_schema()
                     AND c.relowner = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user))
$$;
REVOKE EXECUTE ON FUNCTION planpipe_checked_edges_trusted() FROM PUBLIC;

-- Replaces the marks of graph p_graph (1 stories, 2 projects: the lock keys
-- of 0005) with the blocking edges p_from[i] -> p_to[i], verified by the
-- caller under that graph's lock. Creates the table on first use in the
-- session. Marks nothing when a table of that name is not the owner's.
CREATE FUNCTION planpipe_checked_edges_mark(p_graph integer, p_from bigint[], p_to bigint[]) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
BEGIN
    IF to_regclass('pg_temp.planpipe_checked_edges') IS NULL THEN
        -- Where no temporary table can be made (no TEMPORARY privilege, a
        -- hot standby), the pre-check still answers; the trigger checks.
        BEGIN
            CREATE TEMPORARY TABLE planpipe_checked_edges (
                graph    integer NOT NULL,
                from_id  bigint NOT NULL,
                to_id    bigint NOT NULL,
                PRIMARY KEY (graph, from_id, to_id)
            ) ON COMMIT DELETE ROWS;
        EXCEPTION WHEN insufficient_privilege OR read_only_sql_transaction THEN
            RETURN;
        END;
    ELSIF NOT planpipe_checked_edges_trusted() THEN
        RETURN;
    END IF;
    DELETE FROM pg_temp.planpipe_checked_edges WHERE graph = p_graph;
    INSERT INTO pg_temp.planpipe_checked_edges (graph, from_id, to_id)
    SELECT DISTINCT p_graph, x.f, x.t FROM unnest(p_from, p_to) AS x(f, t)
    WHERE x.f IS NOT NULL AND x.t IS NOT NULL;
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_checked_edges_mark(integer, bigint[], bigint[]) FROM PUBLIC;

-- Whether every edge p_from[i] -> p_to[i] is marked for graph p_graph (false
-- when there are no trusted marks).
CREATE FUNCTION planpipe_checked_edges_cover(p_graph integer, p_from bigint[], p_to bigint[]) RETURNS boolean
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT planpipe_checked_edges_trusted() THEN
        RETURN false;
    END IF;
    RETURN NOT EXISTS (SELECT FROM unnest(p_from, p_to) AS x(f, t)
                       WHERE NOT EXISTS (SELECT FROM pg_temp.planpipe_checked_edges m
                                         WHERE m.graph = p_graph AND m.from_id = x.f AND m.to_id = x.t));
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_checked_edges_cover(integer, bigint[], bigint[]) FROM PUBLIC;

-- Drops the marks of graph p_graph: an edge the pre-check did not verify
-- was written.
CREATE FUNCTION planpipe_checked_edges_forget(p_graph integer) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
BEGIN
    IF planpipe_checked_edges_trusted() THEN
        DELETE FROM pg_temp.planpipe_checked_edges WHERE graph = p_graph;
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_checked_edges_forget(integer) FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- The pre-check marks what it verified
-- ---------------------------------------------------------------------------

-- planpipe_batch_cycles() of 0016, same contract, and then: the given
-- blocking edges that lie on no cycle (no self-edge, no edge of a row) are
-- the marks of p_graph, which replace the earlier ones. "Every edge not
-- listed, written with the others not listed, closes none" (0016): that is
-- what the trigger may then rely on, under the lock taken here.
CREATE OR REPLACE FUNCTION planpipe_batch_cycles(p_graph integer, p_edges text, p_from text, p_to text,
                                                 p_visible text, p_caller text,
                                                 p_from_ids bigint[], p_to_ids bigint[], p_kinds text[])
RETURNS TABLE (path bigint[], edges integer[])
LANGUAGE plpgsql SET search_path = public, pg_temp
AS $$
DECLARE
    n integer := coalesce(cardinality(p_from_ids), 0);
    bad integer;
    pos integer[];
    new_from bigint[];
    new_to bigint[];
    on_cycle integer[] := '{}';
    rec record;
BEGIN
    IF coalesce(cardinality(p_to_ids), 0) <> n OR (p_kinds IS NOT NULL AND cardinality(p_kinds) <> n) THEN
        RAISE EXCEPTION '%: the arrays differ in length (% origins, % targets, % kinds)', p_caller,
                        n, coalesce(cardinality(p_to_ids), 0), coalesce(cardinality(p_kinds)::text, 'no')
            USING ERRCODE = '22023';
    END IF;
    bad := (SELECT min(j) FROM unnest(p_kinds) WITH ORDINALITY AS k(kind, j)
            WHERE kind NOT IN ('blocks', 'relates'));
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION '%: kind % of edge % is neither blocks nor relates', p_caller,
                        quote_literal(p_kinds[bad]), bad
            USING ERRCODE = '22023';
    END IF;
    SELECT array_agg(x.j ORDER BY x.j), array_agg(x.f ORDER BY x.j), array_agg(x.t ORDER BY x.j)
    INTO pos, new_from, new_to
    FROM unnest(p_from_ids, p_to_ids) WITH ORDINALITY AS x(f, t, j)
    WHERE x.f IS NOT NULL AND x.t IS NOT NULL AND coalesce(p_kinds[x.j], 'blocks') = 'blocks';
    IF pos IS NULL THEN
        RETURN;
    END IF;
    PERFORM planpipe_lock_graph(p_graph, p_edges);
    -- An edge from a node to itself is a cycle of its own (the table refuses
    -- it, 23514); the others go to the search.
    FOR rec IN EXECUTE format($q$
        WITH given AS (
            SELECT x.j, x.f, x.t FROM unnest($1, $2, $3) AS x(j, f, t)
        ), found AS (
            SELECT ARRAY[g.f, g.f] AS path, array_agg(g.j ORDER BY g.j) AS edges
            FROM given g WHERE g.f = g.t GROUP BY g.f
            UNION ALL
            SELECT c.path, ARRAY(SELECT o.j[m.k] FROM unnest(c.edges) AS m(k) ORDER BY 1)
            FROM (SELECT array_agg(j ORDER BY j) AS j, array_agg(f ORDER BY j) AS f,
                         array_agg(t ORDER BY j) AS t
                  FROM given WHERE f <> t) o,
                 planpipe_graph_cycles($4, $5, $6, o.f, o.t, false) c
        )
        SELECT ARRAY(SELECT CASE WHEN %1$I(p.id) THEN p.id END
                     FROM unnest(found.path) WITH ORDINALITY AS p(id, i) ORDER BY p.i) AS path,
               found.edges
        FROM found ORDER BY found.edges[1]
        $q$, p_visible)
        USING pos, new_from, new_to, p_edges, p_from, p_to
    LOOP
        path := rec.path;
        edges := rec.edges;
        on_cycle := on_cycle || rec.edges;
        RETURN NEXT;
    END LOOP;
    PERFORM planpipe_checked_edges_mark(
        p_graph,
        ARRAY(SELECT x.f FROM unnest(pos, new_from, new_to) AS x(j, f, t)
              WHERE x.f <> x.t AND x.j <> ALL (on_cycle) ORDER BY x.j),
        ARRAY(SELECT x.t FROM unnest(pos, new_from, new_to) AS x(j, f, t)
              WHERE x.f <> x.t AND x.j <> ALL (on_cycle) ORDER BY x.j));
END
$$;

-- ---------------------------------------------------------------------------
-- The trigger: a statement of verified edges only is not searched again
-- ---------------------------------------------------------------------------

-- planpipe_reject_dependency_cycle() of 0016 (same contract and messages),
-- after the lock: when every new blocking edge of the statement is marked,
-- nothing to do; otherwise the marks of the graph are dropped and the
-- statement is checked as before.
CREATE OR REPLACE FUNCTION planpipe_reject_dependency_cycle() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    graph integer := TG_ARGV[0]::integer;
    edge_table text := TG_ARGV[1];
    from_col text := TG_ARGV[2];
    to_col text := TG_ARGV[3];
    per_edge_up_to constant integer := 16;
    max_steps constant integer := 64;
    one_pass boolean;
    new_from bigint[];
    new_to bigint[];
    path bigint[];
    cycle bigint[];
    named text;
BEGIN
    EXECUTE format('SELECT array_agg(f ORDER BY f, t), array_agg(t ORDER BY f, t)'
                   ' FROM (SELECT DISTINCT %1$I AS f, %2$I AS t FROM new_edges'
                   '       WHERE kind = ''blocks'' AND %1$I <> %2$I) s', from_col, to_col)
        INTO new_from, new_to;
    IF new_from IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM planpipe_lock_graph(graph, edge_table);
    IF planpipe_checked_edges_cover(graph, new_from, new_to) THEN
        RETURN NULL;
    END IF;
    PERFORM planpipe_checked_edges_forget(graph);
    one_pass := cardinality(new_from) > per_edge_up_to;
    IF NOT one_pass THEN
        path := planpipe_graph_path_within(edge_table, from_col, to_col,
                                           ARRAY(SELECT DISTINCT unnest(new_to)),
                                           ARRAY(SELECT DISTINCT unnest(new_from)), max_steps);
        IF path IS NULL THEN
            RETURN NULL;
        END IF;
        one_pass := path = '{}';
    END IF;
    IF NOT one_pass THEN
        FOR i IN 1 .. cardinality(new_from) LOOP
            path := planpipe_graph_path_within(edge_table, from_col, to_col, ARRAY[new_to[i]], ARRAY[new_from[i]],
                                               max_steps);
            IF path = '{}' THEN
                one_pass := true;
                EXIT;
            ELSIF path IS NOT NULL THEN
                cycle := new_from[i] || path;
                EXIT;
            END IF;
        END LOOP;
    END IF;
    IF one_pass THEN
        SELECT c.path INTO cycle
        FROM planpipe_graph_cycles(edge_table, from_col, to_col, new_from, new_to, true) c
        ORDER BY c.edges[1] LIMIT 1;
    END IF;
    IF cycle IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT array_to_string(ARRAY(SELECT %I(x) FROM unnest($1) WITH ORDINALITY AS c(x, i)
                                                 ORDER BY i), '' -> '')', TG_ARGV[4])
        INTO named USING cycle;
    RAISE EXCEPTION '%: %', TG_ARGV[5], named
        USING ERRCODE = 'PP001',
              DETAIL = 'Each arrow reads "depends on"; blocking dependencies must not form a cycle.',
              HINT = 'Remove one of the dependencies of the cycle, or make one of them kind ''relates''.';
END
$$;
