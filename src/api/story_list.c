/*
 * story_list.c: lists of stories, of one project
 * (GET /v1/projects/{project}/stories) or of several or all of the caller's
 * projects (GET /v1/stories?project=A&project=B), with the same filters and
 * keyset pagination: by id, or by (rank, id) within one backlog. The cursor
 * is "s|<rank>|<id>" in base64url (rank empty when ordered by id).
 */
#include <stdio.h>
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"

#define KEY_CHARS    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
#define STATUS_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_"

/*
 * $1 project keys (NULL: every project the caller sees), $2 statuses, $3
 * categories, $4 backlog id, $5 labels (all of them), $6 epics, $7
 * priorities, $8 owners, $9 text query, $10 archived too, $11 limit, $12
 * and $13 the cursor's id and rank, $14 order by rank (within a backlog).
 * planpipe_story_page (migration 0014) picks the page's ids with the
 * caller's projects known, so that the planner can walk an index in the
 * page's order or use a GIN index, whichever the filters favour; the page
 * is then read and ordered here, under the policies.
 */
static const char sql_list[] =
	"SELECT coalesce(json_agg(j ORDER BY n) FILTER (WHERE n <= $11::int), '[]') AS items,"
	" count(*) > $11::int AS more, max(id) FILTER (WHERE n = $11::int) AS last_id,"
	" max(rank) FILTER (WHERE n = $11::int) AS last_rank"
	" FROM (SELECT s.id, s.rank, " PP_SQL_STORY_JSON " AS j,"
	"  row_number() OVER (ORDER BY CASE WHEN $14::boolean THEN s.rank END, s.id) AS n"
	"  FROM stories s JOIN projects p ON p.id = s.project_id"
	"  WHERE s.id = ANY (ARRAY(SELECT planpipe_story_page("
	"   CASE WHEN $1::text[] IS NULL THEN NULL"
	"    ELSE ARRAY(SELECT id FROM projects WHERE key = ANY ($1::text[])) END,"
	"   $2::text[], $3::text[], $4::bigint, $5::text[], $6::text[], $7::text[], $8::text[],"
	"   websearch_to_tsquery('english', $9::text), $10::boolean, $12::bigint, $13::numeric,"
	"   $14::boolean, $11::int + 1)))) x";

/*
 * Every project named by project= must exist and be visible: else 404, the
 * same for both and the same as every route that names a project (the API
 * never tells that a project exists).
 */
static const char sql_projects_known[] =
	"SELECT planpipe_api_fail('PP404', 'no project ' || k)"
	" FROM unnest($1::text[]) k WHERE NOT EXISTS (SELECT FROM projects p WHERE p.key = k)";

typedef struct filters {
	pp_buf projects, status, category, label, epic, priority, owner;
	int has_projects, has_status, has_category, has_label, has_epic, has_priority, has_owner;
	const char *backlog, *q, *archived, *after_id, *after_rank, *by_rank;
	char limit[16], backlog_buf[24], cursor_buf[256];
} filters;

static void filters_free(filters *f)
{
	pp_buf_free(&f->projects);
	pp_buf_free(&f->status);
	pp_buf_free(&f->category);
	pp_buf_free(&f->label);
	pp_buf_free(&f->epic);
	pp_buf_free(&f->priority);
	pp_buf_free(&f->owner);
}

static int cursor(const pp_http_req *req, pp_http_resp *resp, filters *f)
{
	const char *c = pp_http_query(req, "cursor"), *fields[2];
	int by_rank = f->backlog != NULL;

	f->after_id = f->after_rank = NULL;
	f->by_rank = by_rank ? "true" : "false";
	if (c == NULL)
		return 0;
	if (pp_api_cursor_decode(c, 's', f->cursor_buf, sizeof(f->cursor_buf), fields, 2) != 2 ||
	    strspn(fields[1], "0123456789") != strlen(fields[1]) || !*fields[1] ||
	    strlen(fields[1]) > 18 || (by_rank && !*fields[0]) || (!by_rank && *fields[0]) ||
	    strspn(fields[0], "-0123456789.") != strlen(fields[0]))
		goto bad;
	f->after_rank = by_rank ? fields[0] : NULL;
	f->after_id = fields[1];
	return 0;
bad:
	pp_api_bad(req, resp, 400, "cursor",
		   "the cursor is not one this API gave out for these filters");
	return -1;
}

static int parse(const pp_http_req *req, pp_http_resp *resp, filters *f, int across)
{
	static const char *const one_project[] = {"status",   "category", "backlog", "label",
						  "epic",     "priority", "owner",   "q",
						  "archived", "limit",    "cursor",  NULL};
	static const char *const all_projects[] = {
		"project", "status", "category", "backlog", "label",  "epic", "priority",
		"owner",   "q",      "archived", "limit",   "cursor", NULL};
	static const char label_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_.-:/+#@"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static const char text_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789_.-:/+#@ ";
	const char *v;

	if (pp_api_query_known(req, resp, across ? all_projects : one_project) != 0 ||
	    (across && pp_api_query_list(req, resp, "project", KEY_CHARS, &f->projects,
					 &f->has_projects) != 0) ||
	    pp_api_query_list(req, resp, "status", STATUS_CHARS, &f->status, &f->has_status) != 0 ||
	    pp_api_query_list(req, resp, "category", "abcdefghijklmnopqrstuvwxyz", &f->category,
			      &f->has_category) != 0 ||
	    pp_api_query_list(req, resp, "label", label_chars, &f->label, &f->has_label) != 0 ||
	    pp_api_query_list(req, resp, "epic", text_chars, &f->epic, &f->has_epic) != 0 ||
	    pp_api_query_list(req, resp, "priority", "abcdefghijklmnopqrstuvwxyz", &f->priority,
			      &f->has_priority) != 0 ||
	    pp_api_query_list(req, resp, "owner", text_chars, &f->owner, &f->has_owner) != 0 ||
	    pp_api_query_int(req, resp, "backlog", 999999999999999999LL, NULL, f->backlog_buf,
			     &f->backlog) != 0 ||
	    pp_api_query_bool(req, resp, "archived", 0, &f->archived) != 0 ||
	    pp_api_query_limit(req, resp, f->limit) != 0)
		return -1;
	v = pp_http_query(req, "q");
	if (v && strlen(v) > 1000) {
		pp_api_bad(req, resp, 422, "q", "q may be at most 1000 characters");
		return -1;
	}
	f->q = v && *v ? v : NULL;
	return cursor(req, resp, f);
}

#define LIST(b, has) ((has) ? pp_buf_str(&(b)) : NULL)

static void run_list(pp_api *api, pp_http_req *req, pp_http_resp *resp, int across)
{
	const char *projects;
	char next[128];
	const PGresult *res;
	filters f;
	pp_tx tx;
	int i;

	memset(&f, 0, sizeof(f));
	pp_buf_init(&f.projects, 64 * 1024);
	pp_buf_init(&f.status, 64 * 1024);
	pp_buf_init(&f.category, 64 * 1024);
	pp_buf_init(&f.label, 64 * 1024);
	pp_buf_init(&f.epic, 64 * 1024);
	pp_buf_init(&f.priority, 64 * 1024);
	pp_buf_init(&f.owner, 64 * 1024);
	if (!across) {
		/* One project: the path's, as a one-element array. */
		if (pp_buf_adds(&f.projects, "{") != PP_OK ||
		    pp_api_pg_array_add(&f.projects, req->params[0], strlen(req->params[0])) !=
			    PP_OK ||
		    pp_buf_adds(&f.projects, "}") != PP_OK)
			goto out;
		f.has_projects = 1;
	}
	if (parse(req, resp, &f, across) != 0)
		goto out;
	projects = LIST(f.projects, f.has_projects);
	pp_tx_init(&tx);
	if (!across)
		pp_tx_guard(&tx, req->params[0], "viewer");
	else if (projects)
		pp_tx_add(&tx, sql_projects_known, 1, projects);
	i = pp_tx_add(&tx, sql_list, 14, projects, LIST(f.status, f.has_status),
		      LIST(f.category, f.has_category), f.backlog, LIST(f.label, f.has_label),
		      LIST(f.epic, f.has_epic), LIST(f.priority, f.has_priority),
		      LIST(f.owner, f.has_owner), f.q, f.archived, f.limit, f.after_id,
		      f.after_rank, f.by_rank);
	if (pp_tx_run(api, req, resp, &tx) != PP_OK)
		goto out;
	res = tx.res[i];
	snprintf(next, sizeof(next), "s|%s|%s", f.backlog ? PQgetvalue(res, 0, 3) : "",
		 PQgetvalue(res, 0, 2));
	pp_api_reply_page(req, resp, res, strcmp(PQgetvalue(res, 0, 1), "t") == 0 ? next : NULL);
	pp_tx_free(&tx);
out:
	filters_free(&f);
}

void pp_api_stories_list(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	run_list(ctx, req, resp, 0);
}

void pp_api_stories_search(void *ctx, pp_http_req *req, pp_http_resp *resp)
{
	run_list(ctx, req, resp, 1);
}
