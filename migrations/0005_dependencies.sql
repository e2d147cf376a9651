-- 0005: dependencies between stories and between projects, with cycle
-- rejection, and the rule that a story cannot close while it is blocked.
--
-- Direction: a row (story_id, depends_on_id) says that story_id depends on
-- (is blocked by) depends_on_id, as a story file's `dependencies: [INF-012]`
-- does for its own story. 'blocks' edges must form no cycle; 'relates' edges
-- are informational and may.

-- Advisory lock keys (two-int form, class 0x706c6e70 = 'plnp'): 1 story
-- graph, 2 project graph, 3 history partitions. Documented in docs/schema.md.

CREATE FUNCTION planpipe_set_created_by() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.created_by := coalesce(planpipe_acting_user_id(), NEW.created_by);
    RETURN NEW;
END
$$;

-- 'PROJECT:STORY' for messages, or '(hidden)' when an acting user is set who
-- cannot see that project: an error must not reveal another project's stories.
CREATE FUNCTION planpipe_story_label(p_story_id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT CASE WHEN planpipe_setting_user_id() IS NULL
                  OR s.project_id = ANY (planpipe_project_ids('viewer'))
                THEN p.key || ':' || s.key ELSE '(hidden)' END
    FROM stories s JOIN projects p ON p.id = s.project_id
    WHERE s.id = p_story_id
$$;

CREATE FUNCTION planpipe_project_label(p_project_id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT CASE WHEN planpipe_setting_user_id() IS NULL
                  OR p.id = ANY (planpipe_project_ids('viewer'))
                THEN p.key ELSE '(hidden)' END
    FROM projects p WHERE p.id = p_project_id
$$;

-- A cycle check that is not serialised lets two transactions each add half of
-- a cycle (A->B and B->A), each seeing an acyclic graph. Reading the graph
-- after a transaction-scoped advisory lock, with a fresh READ COMMITTED
-- snapshot, closes that window. REPEATABLE READ keeps the old snapshot after
-- the lock, so it is refused; SERIALIZABLE is safe (SSI aborts one of the two).
CREATE FUNCTION planpipe_lock_graph(p_graph integer, p_table text) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION 'blocking edges of % cannot be written at REPEATABLE READ', p_table
            USING ERRCODE = '0A000',
                  HINT = 'Use READ COMMITTED (the default) or SERIALIZABLE.';
    END IF;
    PERFORM pg_advisory_xact_lock(1886154352, p_graph);
END
$$;

-- ---------------------------------------------------------------------------
-- story_dependencies
-- ---------------------------------------------------------------------------
CREATE TABLE story_dependencies (
    story_id       bigint NOT NULL REFERENCES stories ON DELETE CASCADE,
    depends_on_id  bigint NOT NULL REFERENCES stories ON DELETE CASCADE,
    kind           text NOT NULL DEFAULT 'blocks',
    created_by     bigint REFERENCES users ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (story_id, depends_on_id),
    CONSTRAINT story_dependencies_kind_check CHECK (kind IN ('blocks', 'relates')),
    -- The cycle of length 1.
    CONSTRAINT story_dependencies_not_self CHECK (story_id <> depends_on_id)
);
-- Reverse lookups: what does this story block? (and ON DELETE of a story)
CREATE INDEX story_dependencies_depends_on_id_idx ON story_dependencies (depends_on_id, story_id);

COMMENT ON TABLE story_dependencies IS
    'story_id depends on depends_on_id; blocks edges are acyclic (across projects), relates edges free';

-- Rejects the statement when one of its blocking edges origin -> start
-- closes a cycle, i.e. start already reaches origin. One check per
-- statement, over the transition table, so a bulk import of thousands of
-- edges costs one recursive query, not one each. The SQL is dynamic so that
-- it is planned for the graph as it is now: a plan cached while the table
-- was small would keep scanning it whole. SECURITY DEFINER: the walk must
-- see edges in projects the caller cannot.
--
-- TG_ARGV: advisory lock key, edge table, from column, to column, label
-- function, message prefix. Shared by story and project dependencies.
CREATE FUNCTION planpipe_reject_dependency_cycle() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    edge_table text := TG_ARGV[1];
    from_col text := TG_ARGV[2];
    to_col text := TG_ARGV[3];
    any_blocking boolean;
    origin_id bigint;
    start_id bigint;
    cycle bigint[];
    named text;
BEGIN
    EXECUTE format('SELECT EXISTS (SELECT FROM new_edges WHERE kind = ''blocks'' AND %I <> %I)',
                   from_col, to_col)
        INTO any_blocking;
    IF NOT any_blocking THEN
        RETURN NULL;
    END IF;
    PERFORM planpipe_lock_graph(TG_ARGV[0]::integer, edge_table);
    -- Reachability with UNION: each (new edge, node) pair is visited once,
    -- so the cost is linear in what the new edges reach. The common path.
    EXECUTE format($q$
        WITH RECURSIVE reach(origin, start, node) AS (
            SELECT %1$I, %2$I, %2$I FROM new_edges WHERE kind = 'blocks' AND %1$I <> %2$I
            UNION
            SELECT r.origin, r.start, e.%2$I
            FROM reach r JOIN %3$I e ON e.%1$I = r.node
            WHERE e.kind = 'blocks' AND r.node <> r.origin
        )
        SELECT origin, start FROM reach WHERE node = origin LIMIT 1
        $q$, from_col, to_col, edge_table)
        INTO origin_id, start_id;
    IF origin_id IS NULL THEN
        RETURN NULL;
    END IF;
    -- Only when rejecting: one shortest cycle through that edge, for the
    -- message. Breadth first with paths; LIMIT 1 stops at the first hit.
    EXECUTE format($q$
        WITH RECURSIVE walk(node, path) AS (
            SELECT $2, ARRAY[$1, $2]
            UNION ALL
            SELECT e.%2$I, w.path || e.%2$I
            FROM walk w JOIN %3$I e ON e.%1$I = w.node
            WHERE e.kind = 'blocks' AND w.node <> $1 AND e.%2$I <> ALL (w.path[2:])
        )
        SELECT path FROM walk WHERE node = $1 LIMIT 1
        $q$, from_col, to_col, edge_table)
        INTO cycle USING origin_id, start_id;
    EXECUTE format('SELECT array_to_string(ARRAY(SELECT %I(x) FROM unnest($1) WITH ORDINALITY AS c(x, i)
                                                 ORDER BY i), '' -> '')', TG_ARGV[4])
        INTO named USING cycle;
    RAISE EXCEPTION '%: %', TG_ARGV[5], named
        USING ERRCODE = 'PP001',
              DETAIL = 'Each arrow reads "depends on"; blocking dependencies must not form a cycle.',
              HINT = 'Remove one of the dependencies of the cycle, or make one of them kind ''relates''.';
END
$$;

CREATE TRIGGER story_dependencies_10_created_by BEFORE INSERT ON story_dependencies
    FOR EACH ROW EXECUTE FUNCTION planpipe_set_created_by();
-- AFTER, not BEFORE: row-level security checks each new row before AFTER
-- triggers run, so a caller without rights gets 42501 and never learns
-- whether a path exists. Self-edges are left to the CHECK constraint (23514).
-- A trigger with a transition table serves one event, hence two.
CREATE TRIGGER story_dependencies_20_no_cycle_insert AFTER INSERT ON story_dependencies
    REFERENCING NEW TABLE AS new_edges FOR EACH STATEMENT
    EXECUTE FUNCTION planpipe_reject_dependency_cycle(
        '1', 'story_dependencies', 'story_id', 'depends_on_id', 'planpipe_story_label', 'dependency cycle');
CREATE TRIGGER story_dependencies_20_no_cycle_update AFTER UPDATE ON story_dependencies
    REFERENCING NEW TABLE AS new_edges FOR EACH STATEMENT
    EXECUTE FUNCTION planpipe_reject_dependency_cycle(
        '1', 'story_dependencies', 'story_id', 'depends_on_id', 'planpipe_story_label', 'dependency cycle');

-- ---------------------------------------------------------------------------
-- project_dependencies: the same rules for projects.
-- ---------------------------------------------------------------------------
CREATE TABLE project_dependencies (
    project_id             bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    depends_on_project_id  bigint NOT NULL REFERENCES projects ON DELETE CASCADE,
    kind                   text NOT NULL DEFAULT 'blocks',
    note                   text,
    created_by             bigint REFERENCES users ON DELETE SET NULL,
    created_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, depends_on_project_id),
    CONSTRAINT project_dependencies_kind_check CHECK (kind IN ('blocks', 'relates')),
    CONSTRAINT project_dependencies_not_self CHECK (project_id <> depends_on_project_id),
    CONSTRAINT project_dependencies_note_length CHECK (length(note) <= 2000)
);
-- Reverse lookups: which projects depend on this one?
CREATE INDEX project_dependencies_depends_on_project_id_idx
    ON project_dependencies (depends_on_project_id, project_id);

COMMENT ON TABLE project_dependencies IS
    'project_id depends on depends_on_project_id; blocks edges are acyclic';

CREATE TRIGGER project_dependencies_10_created_by BEFORE INSERT ON project_dependencies
    FOR EACH ROW EXECUTE FUNCTION planpipe_set_created_by();
CREATE TRIGGER project_dependencies_20_no_cycle_insert AFTER INSERT ON project_dependencies
    REFERENCING NEW TABLE AS new_edges FOR EACH STATEMENT
    EXECUTE FUNCTION planpipe_reject_dependency_cycle(
        '2', 'project_dependencies', 'project_id', 'depends_on_project_id', 'planpipe_project_label',
        'project dependency cycle');
CREATE TRIGGER project_dependencies_20_no_cycle_update AFTER UPDATE ON project_dependencies
    REFERENCING NEW TABLE AS new_edges FOR EACH STATEMENT
    EXECUTE FUNCTION planpipe_reject_dependency_cycle(
        '2', 'project_dependencies', 'project_id', 'depends_on_project_id', 'planpipe_project_label',
        'project dependency cycle');

-- ---------------------------------------------------------------------------
-- A story cannot enter a done status while a blocker is open (todo or active,
-- not archived), wherever the blocker lives. Exceptions: the importer
-- (planpipe.source = 'import': the files are the record), and
-- planpipe.force = on by a maintainer or owner of the story's project (or an
-- admin, or a session without acting user, i.e. the schema owner in psql).
-- ---------------------------------------------------------------------------
CREATE FUNCTION planpipe_stories_check_blockers() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    open_blockers text;
BEGIN
    IF planpipe_status_category(NEW.status) IS DISTINCT FROM 'done'
       OR planpipe_status_category(OLD.status) = 'done'
       OR planpipe_setting_source() = 'import' THEN
        RETURN NEW;
    END IF;
    SELECT string_agg(planpipe_story_label(b.id) || ' (' || b.status || ')', ', '
                      ORDER BY b.project_id, b.key)
    INTO open_blockers
    FROM story_dependencies e
    JOIN stories b ON b.id = e.depends_on_id
    JOIN statuses st ON st.key = b.status
    WHERE e.story_id = NEW.id AND e.kind = 'blocks'
      AND st.category IN ('todo', 'active') AND b.archived_at IS NULL;
    IF open_blockers IS NULL THEN
        RETURN NEW;
    END IF;
    IF planpipe_setting_force()
       AND (planpipe_setting_user_id() IS NULL
            OR planpipe_project_role(NEW.project_id) >= 'maintainer') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'story % has open blockers: %', planpipe_story_label(NEW.id), open_blockers
        USING ERRCODE = 'PP002',
              HINT = 'Finish or cancel the blockers first; a maintainer may set planpipe.force = on.';
END
$$;

CREATE TRIGGER stories_40_check_blockers BEFORE UPDATE OF status ON stories
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION planpipe_stories_check_blockers();
