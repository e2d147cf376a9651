/*
 * export_json.h: how `planpipe export` (cmd_export.c) shows a row as JSON,
 * the same as the API does. The API's own statements hold these as
 * fragments of src/api/sql/ (project_json, backlog_json, story_fields);
 * tests/unit/api/sql.c fails when the two differ. The export's statements
 * are still C string literals (docs/decisions.md, issue 16).
 */
#ifndef PP_CLI_EXPORT_JSON_H
#define PP_CLI_EXPORT_JSON_H

/* A project row p; role is an SQL expression for the caller's role. */
#define PP_SQL_PROJECT_JSON(role)                                                                    \
	"json_build_object('key', p.key, 'name', p.name, 'description', p.description,"              \
	" 'story_key_prefix', p.story_key_prefix, 'git_remote_url', p.git_remote_url,"               \
	" 'git_submodule_path', p.git_submodule_path, 'git_default_branch', p.git_default_branch,"   \
	" 'git_stories_dir', p.git_stories_dir, 'git_last_synced_commit', p.git_last_synced_commit," \
	" 'git_last_synced_at', p.git_last_synced_at, 'metadata', p.metadata, 'role', " role ","     \
	" 'created_at', p.created_at, 'updated_at', p.updated_at, 'archived_at', p.archived_at,"     \
	" 'version', p.version)"

/* A backlog row b. */
#define PP_SQL_BACKLOG_JSON                                                                        \
	"json_build_object('id', b.id, 'name', b.name, 'kind', b.kind, 'position', b.position,"    \
	" 'description', b.description, 'starts_on', b.starts_on, 'ends_on', b.ends_on,"           \
	" 'created_at', b.created_at, 'updated_at', b.updated_at, 'archived_at', b.archived_at,"   \
	" 'version', b.version)"

/* A story row s of project row p, without its body (lists) and with it (one story). */
#define PP_SQL_STORY_FIELDS                                                                        \
	"'project', p.key, 'key', s.key, 'ref', p.key || ':' || s.key, 'title', s.title,"          \
	" 'status', s.status, 'category', planpipe_status_category(s.status),"                     \
	" 'priority', s.priority, 'priority_rank', s.priority_rank,"                               \
	" 'estimate_points', s.estimate_points,"                                                   \
	" 'estimate_raw', s.estimate_raw, 'epic', s.epic, 'labels', s.labels, 'owner', s.owner,"   \
	" 'author', s.author, 'branch_name', s.branch_name, 'checklist_total', s.checklist_total," \
	" 'checklist_done', s.checklist_done, 'backlog', s.backlog_id, 'rank', s.rank,"            \
	" 'source_path', s.source_path, 'source_blob_id', s.source_blob_id,"                       \
	" 'metadata', s.metadata, 'last_updated', s.last_updated,"                                 \
	" 'created_at', s.created_at, 'updated_at', s.updated_at,"                                 \
	" 'started_at', s.started_at, 'completed_at', s.completed_at,"                             \
	" 'archived_at', s.archived_at, 'version', s.version"
#define PP_SQL_STORY_JSON      "json_build_object(" PP_SQL_STORY_FIELDS ")"
#define PP_SQL_STORY_FULL_JSON "json_build_object(" PP_SQL_STORY_FIELDS ", 'body', s.body)"

/*
 * SET clauses of a partial update (PATCH): a column changes only when the
 * body i.b (a jsonb) has its member. The target table is aliased t.
 */
#define PP_SQL_SET(col) col " = CASE WHEN i.b ? '" col "' THEN i.b->>'" col "' ELSE t." col " END"
#define PP_SQL_SET_AS(col, type)                                                                   \
	col " = CASE WHEN i.b ? '" col "' THEN (i.b->>'" col "')::" type " ELSE t." col " END"
#define PP_SQL_SET_JSON(col)                                                                       \
	col " = CASE WHEN i.b ? '" col "' THEN i.b->'" col "' ELSE t." col " END"
#define PP_SQL_SET_ARCHIVED                                                                        \
	"archived_at = CASE WHEN NOT i.b ? 'archived' THEN t.archived_at"                          \
	" WHEN (i.b->>'archived')::boolean THEN coalesce(t.archived_at, now()) END"

/* The 412 of an update whose locked current row is cur; what names the row, ifm the If-Match. */
#define PP_SQL_STALE(what, ifm)                                                                    \
	"planpipe_api_fail('PP412', format('%s is at version %s; If-Match names %s', " what ","    \
	" (SELECT version FROM cur), " ifm "))"

/* The id of the project whose key is $1 (the guard has checked access already). */
#define PP_SQL_PID "(SELECT id FROM projects WHERE key = $1)"

#endif
