-- 0016: the cycle check of a batch of dependencies in one pass, and a
-- function that finds every cycle a batch would close before it is written.
--
-- The statement-level check of 0012 searched once for the whole statement
-- and, when the new edges' two ends met (and in a batch they always do: a
-- chain a -> b, b -> c meets at b), once more for every new edge. Each of
-- those searches walked the part of the chain on its smaller side, so a
-- first import of stories each depending on the previous one was quadratic:
-- 1.2 s, 3.5 s and 15.5 s for 100, 200 and 400 files, and 2,000 did not
-- finish in 20 minutes, all the while holding the lock that every other
-- blocking dependency write waits for (issue 15).
--
-- A statement with more than a few new blocking edges is now checked in one
-- pass, linear in the edges added plus the part of the graph they reach:
--
-- 1. The existing graph is acyclic, so every cycle runs through a new edge
--    u -> v, and each of its nodes reaches u (upwards from the new edges'
--    origins) and is reached from v (downwards from their targets). Both
--    closures are walked by one recursive query each (UNION: each node once,
--    through the two indexes), the smaller one to its end: the walks are
--    cut at a budget (four times the seeds, at least 1,024 nodes) that grows
--    fourfold, in turns, until one ends.
-- 2. If that complete side holds no node of the other side's seeds (the
--    targets, or the origins), there is no cycle: the common answer.
-- 3. Otherwise the blocking edges inside the complete side are numbered
--    densely and Tarjan's algorithm finds its strongly connected
--    components, iteratively, on arrays (PL/pgSQL keeps them expanded, so
--    reading and writing an element costs O(1)). A new edge lies on a cycle
--    exactly when both its ends are in one component.
-- 4. For each such component, a breadth-first walk inside it from the
--    target of its first new edge back to the edge's origin names one
--    shortest cycle through that edge.
--
-- A statement with few new edges (the API adds one) keeps the search of 0012,
-- which is faster there (0.4 ms at the large benchmark scale), and the same
-- messages, unless that search runs long (a deep chain, where it walked one
-- level at a time for seconds): then the one pass decides. Both answer the
-- same question; tests/sql/17 checks both.

-- ---------------------------------------------------------------------------
-- Reachability, bounded
-- ---------------------------------------------------------------------------

-- The nodes reachable from p_seeds along blocking edges of p_edges (p_from
-- depends on p_to): downwards (what they depend on, transitively) or, with
-- p_upwards, upwards (what depends on them); the seeds included, each node
-- once, in no particular order. At most p_limit of them (NULL: all), so a
-- caller that gets fewer than it allowed has the whole closure. The
-- recursive step is planned once for all levels, and in the transaction
-- that writes a batch the statistics still describe the table before it:
-- planned on them, the step could read the whole edge table at each level
-- (or once per node of a level), or probe the index that leads with the
-- other column: the whole index each time. So the plan is fixed: for each
-- node of the level (LATERAL ... OFFSET 0 keeps the subquery a parameterised
-- scan), one probe of the index that leads with the near column. The node is
-- matched as a row comparison, (near, far) between (node, min) and (node,
-- max), which only an index on (near, far) can serve (the primary key, or
-- the reverse index of 0005), and sequential scans are off. JIT too: the
-- cost of a disabled scan type would make every call compile its query.
CREATE FUNCTION planpipe_graph_reach(p_edges text, p_from text, p_to text, p_seeds bigint[],
                                     p_upwards boolean, p_limit integer)
RETURNS bigint[]
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp SET enable_seqscan = off SET jit = off
AS $$
DECLARE
    near text := CASE WHEN p_upwards THEN p_to ELSE p_from END;
    far text := CASE WHEN p_upwards THEN p_from ELSE p_to END;
    reached bigint[];
BEGIN
    EXECUTE format(
        'WITH RECURSIVE r(n) AS ('
        '  SELECT unnest($1)'
        '  UNION'
        '  SELECT x.n FROM r CROSS JOIN LATERAL ('
        '    SELECT e.%2$I AS n FROM %3$I e'
        '    WHERE (e.%1$I, e.%2$I) >= (r.n, -9223372036854775808) AND (e.%1$I, e.%2$I) <= (r.n, 9223372036854775807)'
        '      AND e.kind = ''blocks'' OFFSET 0) x'
        ') SELECT ARRAY(SELECT n FROM r LIMIT $2)', near, far, p_edges)
        INTO reached USING p_seeds, p_limit;
    RETURN reached;
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_graph_reach(text, text, text, bigint[], boolean, integer) FROM PUBLIC;
COMMENT ON FUNCTION planpipe_graph_reach(text, text, text, bigint[], boolean, integer) IS
    'Nodes reachable from the seeds along blocking edges, downwards or upwards, at most p_limit';

-- ---------------------------------------------------------------------------
-- The cycles a batch of new edges closes
-- ---------------------------------------------------------------------------

-- The cycles of the blocking edges of p_edges together with the new edges
-- p_new_from[i] -> p_new_to[i] (each origin depends on its target; no NULLs,
-- no edge from a node to itself). With p_new_in_table the new edges are
-- already rows of p_edges (the trigger); without, they are added to the
-- graph for the search only. The existing blocking edges must be acyclic, as
-- the triggers keep them.
--
-- One row per strongly connected component that holds a new edge: path,
-- one shortest cycle through the first of its new edges, as node ids
-- [origin, target, ..., origin] (each id depends on the next); edges, the
-- positions (1-based, ascending) in p_new_from/p_new_to of all the new edges
-- inside that component. These are exactly the new edges that lie on some
-- cycle: the others, added alone, close none. Rows in order of edges[1].
--
-- The closures walk p_edges only, also when the new edges are not in it:
-- both ends of every new edge are seeds, so the part of a path after its
-- last new edge is a path of old edges from a seed (and the same upwards).
CREATE FUNCTION planpipe_graph_cycles(p_edges text, p_from text, p_to text,
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
        ), e AS MATERIALIZED (
            SELECT a.i AS f, b.i AS t
            FROM n a CROSS JOIN LATERAL (
                SELECT x.%2$I AS id FROM %3$I x
                WHERE (x.%1$I, x.%2$I) >= (a.id, -9223372036854775808)
                  AND (x.%1$I, x.%2$I) <= (a.id, 9223372036854775807) AND x.kind = 'blocks' OFFSET 0) y
            JOIN n b ON b.id = y.id
            UNION ALL
            SELECT a.i, b.i
            FROM unnest($2, $3) AS x(f, t) JOIN n a ON a.id = x.f JOIN n b ON b.id = x.t
            WHERE NOT $4
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
REVOKE EXECUTE ON FUNCTION planpipe_graph_cycles(text, text, text, bigint[], bigint[], boolean) FROM PUBLIC;
COMMENT ON FUNCTION planpipe_graph_cycles(text, text, text, bigint[], bigint[], boolean) IS
    'Per strongly connected component holding new edges: one cycle through its first, and all its new edges';

-- ---------------------------------------------------------------------------
-- The search of 0012, with a bound
-- ---------------------------------------------------------------------------

-- planpipe_graph_path() of 0012 (same body), giving up after p_max_steps
-- levels: then it returns an empty array ('{}'), and NULL and a path mean
-- what they mean there. Each level costs an EXECUTE and a pass over the
-- nodes seen, and the smaller-frontier rule does not help in a chain (both
-- frontiers hold one node): adding one edge inside a chain of 20,000 took
-- 23 s to 46 s. The trigger gives such a search up and checks the edge in
-- one pass instead (10 ms to 0.3 s there).
CREATE FUNCTION planpipe_graph_path_within(p_edges text, p_from text, p_to text,
                                           p_starts bigint[], p_targets bigint[], p_max_steps integer)
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
    steps integer := 0;
    meet bigint;
    node bigint;
    path bigint[];
BEGIN
    meet := (SELECT x FROM unnest(p_starts) x INTERSECT SELECT unnest(p_targets) LIMIT 1);
    WHILE meet IS NULL LOOP
        IF cardinality(down_front) = 0 OR cardinality(up_front) = 0 THEN
            RETURN NULL;
        END IF;
        steps := steps + 1;
        IF steps > p_max_steps THEN
            RETURN '{}';
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
REVOKE EXECUTE ON FUNCTION planpipe_graph_path_within(text, text, text, bigint[], bigint[], integer) FROM PUBLIC;
COMMENT ON FUNCTION planpipe_graph_path_within(text, text, text, bigint[], bigint[], integer) IS
    'planpipe_graph_path() giving up (an empty array) after p_max_steps levels';

-- ---------------------------------------------------------------------------
-- The trigger: same contract and messages as 0005 and 0012
-- ---------------------------------------------------------------------------

-- Up to 16 distinct new blocking edges: the search of 0012 (one for the
-- statement, then one per edge if the ends meet), each given up after 64
-- levels. More, or a search given up: one pass, planpipe_graph_cycles().
-- The named cycle starts with the first new edge, in (origin, target)
-- order, that closes one, in both.
CREATE OR REPLACE FUNCTION planpipe_reject_dependency_cycle() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
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
    PERFORM planpipe_lock_graph(TG_ARGV[0]::integer, edge_table);
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

-- ---------------------------------------------------------------------------
-- Before writing: every cycle a batch would close
-- ---------------------------------------------------------------------------

-- The shared body of planpipe_dependency_cycles() and
-- planpipe_project_dependency_cycles(): checks the arrays, leaves out NULL
-- ends and relates edges, reports self-edges, takes the graph's lock and
-- hides nodes the acting user cannot see (NULL, as messages write (hidden)).
CREATE FUNCTION planpipe_batch_cycles(p_graph integer, p_edges text, p_from text, p_to text,
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
    RETURN QUERY EXECUTE format($q$
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
                     FROM unnest(found.path) WITH ORDINALITY AS p(id, i) ORDER BY p.i),
               found.edges
        FROM found ORDER BY found.edges[1]
        $q$, p_visible)
        USING pos, new_from, new_to, p_edges, p_from, p_to;
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_batch_cycles(integer, text, text, text, text, text, bigint[], bigint[], text[])
    FROM PUBLIC;

-- Whether the acting user (planpipe.user_id; none: the schema owner) may see
-- the story or project: what the labels of 0005 write as (hidden).
CREATE FUNCTION planpipe_story_visible(p_story_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN planpipe_setting_user_id() IS NULL
        OR (SELECT project_id FROM stories WHERE id = p_story_id) = ANY (planpipe_project_ids('viewer'));
END
$$;

CREATE FUNCTION planpipe_project_visible(p_project_id bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN planpipe_setting_user_id() IS NULL OR p_project_id = ANY (planpipe_project_ids('viewer'));
END
$$;
REVOKE EXECUTE ON FUNCTION planpipe_story_visible(bigint) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION planpipe_project_visible(bigint) FROM PUBLIC;

-- The cycles that adding the edges p_story_ids[i] -> p_depends_on_ids[i]
-- (kind p_kinds[i], default blocks) to story_dependencies would close, found
-- in one pass before anything is written (the importer's question: which
-- edges can be written, and which cycles to report at which lines).
--
-- One row per cycle found: path, the story ids of one cycle, each
-- depending on the next, [a, b, ..., a] ([a, a] for an edge from a story to
-- itself; NULL for a story the acting user cannot see); edges, the
-- positions (1-based) in the arrays of every given edge that lies on a cycle
-- with it (a strongly connected component: two cycles that share a story
-- are one row). Rows in order of edges[1]. Cycles through existing edges
-- count; given edges that are already rows count once. Leaving out every
-- edge listed leaves a batch that closes no cycle; every edge not listed,
-- written with the others not listed, closes none. NULL ids (an unresolved
-- dependency) and relates edges are ignored.
--
-- Takes the lock that writing blocking edges takes (so the answer holds
-- until the transaction ends, and REPEATABLE READ is refused, 0A000). Arrays
-- of different lengths, or a kind other than blocks or relates: 22023.
-- Reads edges of every project, as the trigger does.
CREATE FUNCTION planpipe_dependency_cycles(p_story_ids bigint[], p_depends_on_ids bigint[],
                                           p_kinds text[] DEFAULT NULL)
RETURNS TABLE (path bigint[], edges integer[])
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT * FROM planpipe_batch_cycles(1, 'story_dependencies', 'story_id', 'depends_on_id',
                                        'planpipe_story_visible', 'planpipe_dependency_cycles',
                                        p_story_ids, p_depends_on_ids, p_kinds)
$$;
REVOKE EXECUTE ON FUNCTION planpipe_dependency_cycles(bigint[], bigint[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planpipe_dependency_cycles(bigint[], bigint[], text[]) TO planpipe_app;
COMMENT ON FUNCTION planpipe_dependency_cycles(bigint[], bigint[], text[]) IS
    'Cycles adding these story dependencies would close: one row per cycle, with the positions of its edges';

CREATE FUNCTION planpipe_project_dependency_cycles(p_project_ids bigint[], p_depends_on_project_ids bigint[],
                                                   p_kinds text[] DEFAULT NULL)
RETURNS TABLE (path bigint[], edges integer[])
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT * FROM planpipe_batch_cycles(2, 'project_dependencies', 'project_id', 'depends_on_project_id',
                                        'planpipe_project_visible', 'planpipe_project_dependency_cycles',
                                        p_project_ids, p_depends_on_project_ids, p_kinds)
$$;
REVOKE EXECUTE ON FUNCTION planpipe_project_dependency_cycles(bigint[], bigint[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION planpipe_project_dependency_cycles(bigint[], bigint[], text[]) TO planpipe_app;
COMMENT ON FUNCTION planpipe_project_dependency_cycles(bigint[], bigint[], text[]) IS
    'Cycles adding these project dependencies would close: one row per cycle, with the positions of its edges';
