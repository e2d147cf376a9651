-- bench/queries.sql: the query patterns docs/schema.md documents, each with
-- the index it must use, timed by bench/queries (format: the top of
-- bench/queries.c). Parameters are drawn from the loaded data,
-- deterministically (ORDER BY a hash), so every run uses the same ones.
-- Entries "as: app" run as planpipe_app under row-level security with the
-- user id of the parameter row's first column set, as the API does.

-- name: auth-token
-- pattern: authentication, every request: user by API token hash
-- params: SELECT sha256(convert_to('bench-token-' || id, 'UTF8')) FROM users
-- params:   WHERE disabled_at IS NULL ORDER BY hashint8(id) LIMIT 200
-- expect: Index Scan using users_api_token_hash_key
SELECT id FROM users WHERE api_token_hash = $1 AND disabled_at IS NULL;

-- name: user-by-handle
-- pattern: members routes: user by handle
-- params: SELECT handle FROM users ORDER BY hashint8(id) LIMIT 200
-- expect: Index Scan using users_handle_key
SELECT id, handle, display_name, is_admin, disabled_at FROM users WHERE handle = $1;

-- name: project-by-key
-- pattern: every project-scoped route: project by key (a few pages: read whole, as the planner prefers)
-- params: SELECT key FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: (Index Scan using projects_key_key|Seq Scan on projects)
SELECT * FROM projects WHERE key = $1;

-- name: memberships-of-user
-- pattern: the caller's projects (planpipe_project_ids, every policy)
-- params: SELECT user_id FROM (SELECT DISTINCT user_id FROM project_members) x
-- params:   ORDER BY hashint8(user_id) LIMIT 200
-- expect: Index Only Scan using project_members_user_id_idx
SELECT project_id, role FROM project_members WHERE user_id = $1;

-- name: member-role
-- pattern: the caller's role in one project, index only (planpipe_project_role)
-- params: SELECT project_id, user_id FROM project_members ORDER BY hashint8(project_id * 100000 + user_id) LIMIT 200
-- expect: Index Only Scan using project_members_user_id_idx
SELECT role FROM project_members WHERE project_id = $1 AND user_id = $2;

-- name: members-of-project
-- pattern: a project's members (GET .../members)
-- params: SELECT id FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: Index Scan using project_members_pkey
SELECT user_id, role FROM project_members WHERE project_id = $1;

-- name: stories-by-project-status
-- pattern: a project's stories in one status (lists, board columns), all of them
-- params: SELECT project_id, status FROM (SELECT DISTINCT project_id, status FROM stories) x
-- params:   ORDER BY hashint8(project_id * 10 + length(status)), status LIMIT 200
-- expect: stories_project_id_status_idx
SELECT id, key, title, status, priority, rank, updated_at FROM stories
WHERE project_id = $1 AND status = $2;

-- name: status-summary
-- pattern: a project's story count per status (status-summary, board headers)
-- params: SELECT id FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: Index Only Scan using stories_project_id_status_idx
SELECT status, count(*) FROM stories WHERE project_id = $1 GROUP BY status;

-- name: story-by-key
-- pattern: a story by project and key, whole row (GET .../stories/{key})
-- params: SELECT project_id, key FROM stories ORDER BY hashint8(id) LIMIT 200
-- expect: Index Scan using stories_project_id_key_key
SELECT * FROM stories WHERE project_id = $1 AND key = $2;

-- name: backlog-first-page
-- pattern: a backlog in rank order, first page of 50
-- params: SELECT id FROM backlogs ORDER BY hashint8(id) LIMIT 200
-- expect: Index Scan using stories_backlog_id_rank_idx
SELECT id, key, title, status, rank FROM stories WHERE backlog_id = $1 ORDER BY rank, id LIMIT 50;

-- name: backlog-next-page
-- pattern: a backlog in rank order, a page of 50 after a cursor (keyset)
-- params: SELECT backlog_id, rank, id FROM stories WHERE backlog_id IS NOT NULL
-- params:   ORDER BY hashint8(id) LIMIT 200
-- expect: Index Scan using stories_backlog_id_rank_idx
SELECT id, key, title, status, rank FROM stories
WHERE backlog_id = $1 AND (rank, id) > ($2::numeric, $3::bigint) ORDER BY rank, id LIMIT 50;

-- name: stories-by-label
-- pattern: stories with a label, across all projects, all of them (labels @>)
-- params: SELECT l FROM (SELECT DISTINCT unnest(labels) AS l FROM stories) x ORDER BY hashtext(l) LIMIT 200
-- expect: Bitmap Index Scan on stories_labels_idx
SELECT id, key, title, status FROM stories WHERE labels @> ARRAY[$1::text];

-- name: stories-by-metadata
-- pattern: stories by a front-matter field (metadata @>): component, customer, layer
-- params: SELECT m FROM (SELECT DISTINCT jsonb_build_object('component', metadata->'component') AS m
-- params:   FROM stories UNION SELECT DISTINCT jsonb_build_object('customer', metadata->'customer')
-- params:   FROM stories WHERE metadata ? 'customer') x ORDER BY hashtext(m::text) LIMIT 200
-- expect: Bitmap Index Scan on stories_metadata_idx
SELECT id, key, title FROM stories WHERE metadata @> $1::jsonb;

-- name: full-text-search
-- pattern: full text, ranked, top 20 (one or two words of a title)
-- params: SELECT w FROM (SELECT id, CASE WHEN id % 2 = 0 THEN split_part(title, ' ', 2)
-- params:   ELSE split_part(title, ' ', 2) || ' ' || split_part(title, ' ', 3) END AS w
-- params:   FROM stories ORDER BY hashint8(id) LIMIT 400) x
-- params:   WHERE numnode(websearch_to_tsquery('english', w)) > 0 ORDER BY hashint8(id) LIMIT 200
-- expect: Bitmap Index Scan on story_search_search_idx
SELECT s.id, s.key, s.title, ts_rank(x.search, q) AS score
FROM story_search x JOIN stories s ON s.id = x.story_id, websearch_to_tsquery('english', $1) AS q
WHERE x.search @@ q ORDER BY score DESC, s.id LIMIT 20;

-- name: depends-on
-- pattern: what a story depends on
-- params: SELECT id FROM stories ORDER BY hashint8(id) LIMIT 200
-- expect: Index (Only )?Scan using story_dependencies_pkey
SELECT depends_on_id, kind FROM story_dependencies WHERE story_id = $1;

-- name: blocks-reverse
-- pattern: reverse lookup: what a story blocks
-- params: SELECT id FROM stories ORDER BY hashint8(id) LIMIT 200
-- expect: Index (Only )?Scan using story_dependencies_depends_on_id_idx
SELECT story_id, kind FROM story_dependencies WHERE depends_on_id = $1;

-- name: project-dependents
-- pattern: reverse lookup: which projects depend on this one (a few pages: read whole, as the planner prefers)
-- params: SELECT id FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: (project_dependencies_depends_on_project_id_idx|Seq Scan on project_dependencies)
SELECT project_id, kind FROM project_dependencies WHERE depends_on_project_id = $1;

-- name: history-of-story
-- pattern: a story's history in time order (every monthly partition is probed)
-- params: SELECT id FROM stories ORDER BY hashint8(id) LIMIT 200
-- expect: status_history_p[0-9]{6}_story_id_changed_at_[a-z_]*idx
SELECT from_status, to_status, changed_by, changed_at, source FROM status_history
WHERE story_id = $1 ORDER BY changed_at;

-- name: history-of-project-7d
-- pattern: a project's history of the last 7 days (older months pruned)
-- params: SELECT id FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: status_history_p[0-9]{6}_project_id_changed_at_idx
SELECT story_id, from_status, to_status, changed_at FROM status_history
WHERE project_id = $1 AND changed_at >= now() - interval '7 days' ORDER BY changed_at;

-- name: history-of-project-90d
-- pattern: a project's history of the last 90 days (cumulative flow)
-- params: SELECT id FROM projects ORDER BY hashint8(id) LIMIT 200
-- expect: status_history_p[0-9]{6}_project_id_changed_at_idx
SELECT story_id, from_status, to_status, changed_at FROM status_history
WHERE project_id = $1 AND changed_at >= now() - interval '90 days' ORDER BY changed_at;

-- Cross-project, as the API: planpipe_app under row-level security.

-- name: app-stories-by-status
-- pattern: the caller's stories in one status across their projects, newest 50 (GET /v1/stories)
-- as: app
-- params: SELECT u.id, (ARRAY['ready', 'in_progress', 'review'])[1 + u.id % 3]
-- params:   FROM users u WHERE u.disabled_at IS NULL AND NOT u.is_admin
-- params:   AND EXISTS (SELECT FROM project_members m WHERE m.user_id = u.id)
-- params:   ORDER BY hashint8(u.id) LIMIT 200
-- expect: stories_project_id_status_idx
SELECT id, project_id, key, title, status, updated_at FROM stories
WHERE status = $1 ORDER BY updated_at DESC LIMIT 50;

-- name: app-story-by-key
-- pattern: a story by project and key, as a member of the project
-- as: app
-- params: SELECT m.user_id, s.project_id, s.key FROM stories s
-- params:   JOIN LATERAL (SELECT user_id FROM project_members WHERE project_id = s.project_id
-- params:   ORDER BY hashint8(user_id + s.id) LIMIT 1) m ON true
-- params:   ORDER BY hashint8(s.id) LIMIT 200
-- expect: Index Scan using stories_project_id_key_key
SELECT * FROM stories WHERE project_id = $1 AND key = $2;

-- name: app-history-7d
-- pattern: the caller's history of the last 7 days across their projects
-- as: app
-- params: SELECT u.id FROM users u WHERE u.disabled_at IS NULL AND NOT u.is_admin
-- params:   AND EXISTS (SELECT FROM project_members m WHERE m.user_id = u.id)
-- params:   ORDER BY hashint8(u.id) LIMIT 200
-- Months outside the window are pruned. In the first week of a month the
-- window spans two partitions; at the small scale a month holds ~700 rows
-- and the planner prices the pkey (id, changed_at) the same as the project
-- index for the older month's tail: both read a handful of pages, and both
-- are right there. Since 0026 the story index covers every column read,
-- and at the small scale a whole month of it (a few pages) is priced the
-- same again: an index-only scan of it is right there too. At the large
-- scale the project index wins by far (bench/plans). The suite runs this
-- check on a month's first and last day (tests/meson.build, "clock-").
-- expect: Subplans Removed
-- expect: status_history_p[0-9]{6}_(project_id_changed_at_idx|pkey|story_id_changed_at_[a-z_]*idx)
SELECT story_id, project_id, from_status, to_status, changed_at FROM status_history
WHERE changed_at >= now() - interval '7 days' ORDER BY changed_at;

-- name: app-search
-- pattern: full-text search across the caller's projects (planpipe_search_story_ids), first 50
-- as: app
-- params: SELECT u.id, t.w FROM (SELECT id FROM users WHERE disabled_at IS NULL AND NOT is_admin
-- params:   AND EXISTS (SELECT FROM project_members m WHERE m.user_id = users.id) ORDER BY hashint8(id) LIMIT 200) u
-- params:   JOIN LATERAL (SELECT project_id FROM project_members WHERE user_id = u.id ORDER BY project_id LIMIT 1) m ON true
-- params:   JOIN LATERAL (SELECT title, labels FROM stories WHERE project_id = m.project_id
-- params:   ORDER BY hashint8(id + u.id) LIMIT 1) s ON true
-- params:   CROSS JOIN LATERAL (SELECT w FROM unnest(string_to_array(s.title, ' ')) WITH ORDINALITY AS t(w, i)
-- params:   WHERE i > 1 AND numnode(websearch_to_tsquery('english', w)) > 0 ORDER BY i LIMIT 1) t
-- expect: planpipe_search_story_ids
-- expect: Index Scan using stories_pkey
SELECT id, key, title FROM stories
WHERE id IN (SELECT planpipe_search_story_ids(websearch_to_tsquery('english', $1)))
ORDER BY id DESC LIMIT 50;

-- name: app-by-label
-- pattern: stories with a label across the caller's projects (planpipe_search_story_ids), first 50
-- as: app
-- params: SELECT u.id, s.labels[1] FROM (SELECT id FROM users WHERE disabled_at IS NULL AND NOT is_admin
-- params:   AND EXISTS (SELECT FROM project_members m WHERE m.user_id = users.id) ORDER BY hashint8(id) LIMIT 200) u
-- params:   JOIN LATERAL (SELECT project_id FROM project_members WHERE user_id = u.id ORDER BY project_id LIMIT 1) m ON true
-- params:   JOIN LATERAL (SELECT title, labels FROM stories WHERE project_id = m.project_id
-- params:   ORDER BY hashint8(id + u.id) LIMIT 1) s ON true
-- params:   WHERE cardinality(s.labels) > 0
-- expect: planpipe_search_story_ids
-- expect: Index Scan using stories_pkey
SELECT id, key, title FROM stories
WHERE id IN (SELECT planpipe_search_story_ids(NULL, ARRAY[$1::text]))
ORDER BY id DESC LIMIT 50;

-- name: search-ids-inner
-- pattern: the query planpipe_search_story_ids runs for a caller's projects (as the owner: GIN under RLS)
-- params: SELECT ARRAY(SELECT project_id FROM project_members WHERE user_id = u.id), t.w FROM (SELECT id FROM users WHERE disabled_at IS NULL AND NOT is_admin
-- params:   AND EXISTS (SELECT FROM project_members m WHERE m.user_id = users.id) ORDER BY hashint8(id) LIMIT 200) u
-- params:   JOIN LATERAL (SELECT project_id FROM project_members WHERE user_id = u.id ORDER BY project_id LIMIT 1) m ON true
-- params:   JOIN LATERAL (SELECT title, labels FROM stories WHERE project_id = m.project_id
-- params:   ORDER BY hashint8(id + u.id) LIMIT 1) s ON true
-- params:   CROSS JOIN LATERAL (SELECT w FROM unnest(string_to_array(s.title, ' ')) WITH ORDINALITY AS t(w, i)
-- params:   WHERE i > 1 AND numnode(websearch_to_tsquery('english', w)) > 0 ORDER BY i LIMIT 1) t
-- expect: Bitmap Index Scan on story_search_search_idx
SELECT x.story_id FROM public.story_search x
WHERE x.project_id = ANY ($1::bigint[]) AND x.search @@ websearch_to_tsquery('english', $2);

-- Writes, each in a transaction rolled back: what the triggers cost.

-- name: create-story
-- pattern: insert a story with a generated key at the end of a backlog (key, rank, history, tsvector)
-- tx: rollback
-- params: SELECT project_id, backlog_id, body FROM stories WHERE backlog_id IS NOT NULL
-- params:   ORDER BY hashint8(id) LIMIT 200
-- expect: Insert on stories
INSERT INTO stories (project_id, backlog_id, key, title, body)
VALUES ($1, $2, NULL, 'Benchmark story', $3) RETURNING id, key, rank;

-- name: close-story
-- pattern: status review -> done (open-blockers check, lifecycle, history row)
-- tx: rollback
-- params: SELECT s.id FROM stories s WHERE s.status = 'review' AND NOT EXISTS (
-- params:   SELECT FROM story_dependencies e JOIN stories b ON b.id = e.depends_on_id
-- params:   JOIN statuses st ON st.key = b.status
-- params:   WHERE e.story_id = s.id AND e.kind = 'blocks' AND st.category IN ('todo', 'active')
-- params:   AND b.archived_at IS NULL) ORDER BY hashint8(s.id) LIMIT 200
-- expect: Update on stories
UPDATE stories SET status = 'done' WHERE id = $1;

-- name: add-dependency
-- pattern: a new blocking dependency of a recent story on an older one of its project (cycle check)
-- tx: rollback
-- params: SELECT s.id, o.id FROM (SELECT id, project_id FROM stories
-- params:   ORDER BY id DESC LIMIT 2000) s
-- params:   JOIN LATERAL (SELECT id FROM stories WHERE project_id = s.project_id AND id < s.id - 500
-- params:   ORDER BY id DESC LIMIT 1) o ON true
-- params:   WHERE NOT EXISTS (SELECT FROM story_dependencies e WHERE e.story_id = s.id AND e.depends_on_id = o.id)
-- params:   ORDER BY hashint8(s.id) LIMIT 200
-- expect: Insert on story_dependencies
INSERT INTO story_dependencies (story_id, depends_on_id) VALUES ($1, $2);
