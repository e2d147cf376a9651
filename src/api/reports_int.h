/*
 * reports_int.h: the checks of GET /v1/reports/{name} (reports.c) before a
 * statement is built, apart so that tests/unit/api/reports.c can reach
 * them. Not for other modules: names carry the reports_ prefix, never pp_.
 * None of them blocks, allocates or touches a connection.
 */
#ifndef PP_API_REPORTS_INT_H
#define PP_API_REPORTS_INT_H

#include <stddef.h>

#include "db/report.h"
#include "http/request.h"
#include "http/response.h"

#define REPORTS_MAX_PROJECTS 200 /* project= given at most this often */
#define REPORTS_MAX_ALLOWED  8   /* the query parameters a report takes, NULL included */

/* The project= values of a request, as reports_collect gathers them. */
typedef struct reports_keys {
	const char *v[REPORTS_MAX_PROJECTS]; /* borrowed from the request */
	size_t n;
	int too_many, bad; /* more than REPORTS_MAX_PROJECTS; one not a project key */
} reports_keys;

/*
 * A pp_http_query_each callback over ctx, a reports_keys: a "project"
 * value that is a project key (pp_project_key_valid) is added to v; other parameters are
 * passed over (0). Stops (1) at the first bad key (bad set) or at one past
 * REPORTS_MAX_PROJECTS (too_many set).
 */
int reports_collect(void *ctx, const char *key, const char *value);

/*
 * The query parameters a report whose pp_report_takes is takes accepts,
 * into out, NULL-terminated: project (PP_REPORT_PROJECTS or _PROJECT), from
 * and to (_WINDOW), backlog, story, last, as_of.
 */
void reports_allowed_for(unsigned takes, const char *out[REPORTS_MAX_ALLOWED]);

/*
 * Checks k and a for a report that takes takes, in this order: too many
 * projects, a bad key, not exactly one project for PP_REPORT_PROJECT, a
 * missing backlog= or story= where needed, from, to and as_of not dates
 * (YYYY-MM-DD), last not 1 to 3 digits. 0, or -1 with a 422 naming the
 * parameter in resp.
 */
int reports_check_args(const pp_http_req *req, pp_http_resp *resp, unsigned takes,
		       const reports_keys *k, const pp_report_args *a);

#endif
