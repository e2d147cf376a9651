/*
 * story_list.c: lists of stories, of one project
 * (GET /v1/projects/{project}/stories) or of several or all of the caller's
 * projects (GET /v1/stories?project=A&project=B), with the same filters and
 * keyset pagination by (sort key, id): by id, by rank within one backlog,
 * by priority_rank or by priority (planpipe_story_sort_key, migration
 * 0021). The cursor is "<kind>|<key>|<id>" in base64url (key empty when
 * ordered by id; kind per sort, see story_list_sort).
 */
#include <string.h>

#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"
#include "api/story_list_int.h"
#include "core/limits.h"

#define KEY_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"
/* Status keys as teams spell them (migrations/0017): matched ignoring case. */
#define STATUS_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-. '"
/* The largest priority_rank (stories_priority_rank_range). */
#define RANK_MAX 1000000

typedef struct filters {
	pp_buf projects, status, category, label, epic, priority, owner;
	int has_projects, has_status, has_category, has_label, has_epic, has_priority, has_owner;
	const char *backlog, *q, *archived, *after_id, *after_key, *sort, *rank_min, *rank_max;
	char limit[16], backlog_buf[24], cursor_buf[STORY_LIST_CURSOR_MAX], rank_min_buf[24],
		rank_max_buf[24];
	char kind; /* the cursor's kind (story_list_sort) */
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

int story_list_sort(const pp_http_req *req, pp_http_resp *resp, const char *v, const char *backlog,
		    const char **sort, char *kind)
{
	*sort = backlog ? "rank" : "id";
	*kind = 's';
	if (v == NULL)
		return 0;
	if (strcmp(v, "id") == 0 || strcmp(v, "rank") == 0) {
		*sort = v;
	} else if (strcmp(v, "priority_rank") == 0) {
		*sort = v;
		*kind = 'r';
	} else if (strcmp(v, "priority") == 0) {
		*sort = v;
		*kind = 'p';
	} else {
		pp_api_bad(req, resp, 422, "sort",
			   "sort must be id, rank, priority_rank or priority");
		return -1;
	}
	if (strcmp(*sort, "rank") == 0 && backlog == NULL) {
		pp_api_bad(req, resp, 422, "sort",
			   "sort=rank needs backlog=: ranks are per backlog");
		return -1;
	}
	return 0;
}

int story_list_cursor(const pp_http_req *req, pp_http_resp *resp, const char *c, char kind,
		      const char *sort, char buf[STORY_LIST_CURSOR_MAX], const char **after_key,
		      const char **after_id)
{
	const char *fields[2];
	int keyed = strcmp(sort, "id") != 0;

	*after_id = *after_key = NULL;
	if (c == NULL)
		return 0;
	if (pp_api_cursor_decode(c, kind, buf, STORY_LIST_CURSOR_MAX, fields, 2) != 2 ||
	    strspn(fields[1], "0123456789") != strlen(fields[1]) || !*fields[1] ||
	    strlen(fields[1]) > 18 || (keyed && !*fields[0]) || (!keyed && *fields[0]) ||
	    strspn(fields[0], "-0123456789.") != strlen(fields[0]) || strlen(fields[0]) > 40)
		goto bad;
	*after_key = keyed ? fields[0] : NULL;
	*after_id = fields[1];
	return 0;
bad:
	pp_api_bad(req, resp, 400, "cursor",
		   "the cursor is not one this API gave out for these filters");
	return -1;
}

static int parse(const pp_http_req *req, pp_http_resp *resp, filters *f, int across)
{
	/* The cross-project list also takes `project`; one project's list starts after it. */
	static const char *const all_projects[] = {"project",
						   "status",
						   "category",
						   "backlog",
						   "label",
						   "epic",
						   "priority",
						   "priority_rank_min",
						   "priority_rank_max",
						   "sort",
						   "owner",
						   "q",
						   "archived",
						   "limit",
						   "cursor",
						   NULL};
	static const char label_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_.-:/+#@"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static const char text_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					 "0123456789_.-:/+#@ ";
	const char *v;

	if (pp_api_query_known(req, resp, across ? all_projects : all_projects + 1) != 0 ||
	    (across && pp_api_query_list(req, resp, "project", KEY_CHARS, &f->projects,
					 &f->has_projects) != 0) ||
	    pp_api_query_list(req, resp, "status", STATUS_CHARS, &f->status, &f->has_status) != 0 ||
	    pp_api_query_choices(req, resp, "category", pp_categories, &f->category,
				 &f->has_category) != 0 ||
	    pp_api_query_list(req, resp, "label", label_chars, &f->label, &f->has_label) != 0 ||
	    pp_api_query_list(req, resp, "epic", text_chars, &f->epic, &f->has_epic) != 0 ||
	    pp_api_query_choices(req, resp, "priority", pp_priorities, &f->priority,
				 &f->has_priority) != 0 ||
	    pp_api_query_list(req, resp, "owner", text_chars, &f->owner, &f->has_owner) != 0 ||
	    pp_api_query_int(req, resp, "backlog", 999999999999999999LL, NULL, f->backlog_buf,
			     &f->backlog) != 0 ||
	    pp_api_query_int(req, resp, "priority_rank_min", RANK_MAX, NULL, f->rank_min_buf,
			     &f->rank_min) != 0 ||
	    pp_api_query_int(req, resp, "priority_rank_max", RANK_MAX, NULL, f->rank_max_buf,
			     &f->rank_max) != 0 ||
	    pp_api_query_bool(req, resp, "archived", 0, &f->archived) != 0 ||
	    pp_api_query_limit(req, resp, f->limit) != 0)
		return -1;
	v = pp_http_query(req, "q");
	if (v && strlen(v) > 1000) {
		pp_api_bad(req, resp, 422, "q", "q may be at most 1000 characters");
		return -1;
	}
	f->q = v && *v ? v : NULL;
	if (story_list_sort(req, resp, pp_http_query(req, "sort"), f->backlog, &f->sort,
			    &f->kind) != 0)
		return -1;
	return story_list_cursor(req, resp, pp_http_query(req, "cursor"), f->kind, f->sort,
				 f->cursor_buf, &f->after_key, &f->after_id);
}

#define LIST(b, has) ((has) ? pp_buf_str(&(b)) : NULL)

static void run_list(pp_api *api, pp_http_req *req, pp_http_resp *resp, int across)
{
	static const int cursor_cols[] = {3, 2};
	const char *projects;
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
	if (across)
		pp_tx_read_anywhere(&tx);
	if (!across)
		pp_tx_guard(&tx, req->params[0], "viewer");
	else if (projects)
		pp_tx_add(&tx, pp_api_sql("stories.sql", "stories_projects_known"), 1, projects);
	i = pp_tx_add(&tx, pp_api_sql("stories.sql", "stories_list"), 16, projects,
		      LIST(f.status, f.has_status), LIST(f.category, f.has_category), f.backlog,
		      LIST(f.label, f.has_label), LIST(f.epic, f.has_epic),
		      LIST(f.priority, f.has_priority), LIST(f.owner, f.has_owner), f.q, f.archived,
		      f.limit, f.after_id, f.after_key, f.sort, f.rank_min, f.rank_max);
	pp_api_run_page(api, req, resp, &tx, i, f.kind, cursor_cols, 2);
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
