/* errors.c: SQLSTATEs and pool failures as problems (see errors.h). */
#include "api/errors.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"

typedef struct state_map {
	const char *state; /* a full SQLSTATE, or a class ("22") */
	int status;
	const char *type;
	const char *title;
	int show_detail; /* the database's DETAIL is for the client too */
} state_map;

/* Matched in order: full states before the classes that contain them. */
static const state_map states[] = {
	{"PP401", 401, "unauthorized", "Invalid credentials", 0},
	{"PP403", 403, "forbidden", "Forbidden", 1},
	{"PP404", 404, "not-found", "Not found", 1},
	{"PP409", 409, "conflict", "Conflict", 1},
	{"PP412", 412, "precondition-failed", "Precondition failed", 1},
	{"PP422", 422, "validation", "Invalid request", 1},
	{"PP001", 409, "dependency-cycle", "Dependency cycle", 1},
	{"PP002", 409, "open-blockers", "Open blockers", 0},
	{"PP004", 409, "last-owner", "A project must keep an owner", 0},
	{"PP005", 409, "conflict", "Conflict", 0},
	{"PP006", 409, "request-in-progress",
	 "The request with this Idempotency-Key is still running", 1},
	{"PP007", 422, "idempotency-key-reused", "Idempotency-Key used for another request", 1},
	{"23505", 409, "already-exists", "Already exists", 0},
	{"23503", 422, "invalid-reference", "Invalid reference", 0},
	{"23514", 422, "validation", "Invalid value", 0},
	{"23502", 422, "validation", "Missing value", 0},
	{"22", 422, "validation", "Invalid value", 0},
	{"42501", 403, "forbidden", "Forbidden", 0},
	{"40001", 409, "concurrent-update", "Concurrent update: retry", 0},
	{"40P01", 409, "concurrent-update", "Concurrent update: retry", 0},
	{"55P03", 503, "busy", "Busy: retry", 0},
	{"57014", 503, "timeout", "The database took too long", 0},
	{"57P", 503, "unavailable", "Database unavailable", 0},
	{"08", 503, "unavailable", "Database unavailable", 0},
	{"53", 503, "unavailable", "Database overloaded", 0},
	{"25006", 503, "unavailable", "Database is read-only", 0},
};

/* Constraints whose field is not their name less the table and a suffix. */
static const char *const fields[][2] = {
	{"projects_key_key", "key"},
	{"stories_project_id_key_key", "key"},
	{"stories_lower_key_project_id_key", "key"}, /* a unique index: keys ignoring case */
	{"backlogs_project_id_name_key", "name"},
	{"stories_backlog_fkey", "backlog"},
	{"stories_status_fkey", "status"},
	{"stories_status_workflow_fkey", "status"},
	{"stories_rank_iff_backlog", "rank"},
	{"stories_checklist_range", "checklist_done"},
	{"stories_completed_after_started", "status"},
	{"backlogs_dates_ordered", "ends_on"},
	{"story_dependencies_pkey", "story"},
	{"story_dependencies_not_self", "story"},
	{"project_dependencies_pkey", "project"},
	{"project_dependencies_not_self", "project"},
	{"project_dependencies_note_length", "note"},
	{"story_dependencies_kind_check", "kind"},
	{"project_dependencies_kind_check", "kind"},
};

static const char *const suffixes[] = {"_length", "_format", "_check", "_range",
				       "_valid",  "_object", "_fkey",  "_key"};
static const char *const tables[] = {
	"projects_", "backlogs_",       "stories_", "project_statuses_",
	"statuses_", "status_history_", "users_"};

const char *pp_api_constraint_field(const char *constraint, char *buf, size_t size)
{
	size_t i, n;

	if (constraint == NULL || *constraint == '\0')
		return NULL;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(fields[i][0], constraint) == 0)
			return fields[i][1];
	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (strncmp(constraint, tables[i], strlen(tables[i])) == 0)
			break;
	if (i == sizeof(tables) / sizeof(tables[0]))
		return NULL;
	snprintf(buf, size, "%s", constraint + strlen(tables[i]));
	n = strlen(buf);
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t sl = strlen(suffixes[i]);
		if (n > sl && strcmp(buf + n - sl, suffixes[i]) == 0) {
			buf[n - sl] = '\0';
			return buf;
		}
	}
	return NULL;
}

const char *pp_api_constraint_listed(size_t i)
{
	return i < sizeof(fields) / sizeof(fields[0]) ? fields[i][0] : NULL;
}

static const state_map *find_state(const char *state)
{
	size_t i;

	for (i = 0; state && i < sizeof(states) / sizeof(states[0]); i++)
		if (strncmp(state, states[i].state, strlen(states[i].state)) == 0)
			return &states[i];
	return NULL;
}

/* "dependency cycle: A:1 -> B:2 -> A:1" as ["A:1", "B:2", "A:1"]. */
static json_t *cycle_of(const char *msg)
{
	const char *p = strstr(msg, "cycle: ");
	json_t *a;

	if (p == NULL)
		return NULL;
	a = json_array();
	for (p += 7; a && *p;) {
		const char *arrow = strstr(p, " -> ");
		size_t n = arrow ? (size_t)(arrow - p) : strlen(p);
		json_array_append_new(a, json_stringn(p, n));
		p += n + (arrow ? 4 : 0);
	}
	return a;
}

void pp_api_db_problem(const pp_http_req *req, pp_http_resp *resp, PGconn *conn,
		       const PGresult *res)
{
	pp_api_db_error e = {
		.sqlstate = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL,
		.primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL,
		.detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL,
		.constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL,
		.column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL,
		.connected = conn != NULL && PQstatus(conn) == CONNECTION_OK,
		.conn_msg = conn ? PQerrorMessage(conn) : NULL,
	};

	pp_api_db_error_problem(req, resp, &e);
}

/*
 * PostgreSQL's own words for a broken constraint or a row-level security
 * policy name tables, constraints and policies: a client cannot show them.
 * Ours, naming the field when it is known, into text; 0 when the message is
 * not one of those (ours, raised by a function, keep their words).
 */
static int errors_plain_words(const char *state, const char *constraint, const char *primary,
			      const char *field, char *text, size_t size)
{
	static const char rls[] = "new row violates row-level security policy";
	static const struct {
		const char *state, *with_field, *without;
	} words[] = {
		{"23505", "the %s is taken: another one has it already", "it exists already"},
		{"23503", "the %s names nothing that exists here",
		 "it names something that does not exist"},
		{"23514", "the %s is not a valid value", "a value is not valid"},
		{"23502", "the %s must be given", "a value is missing"},
	};
	size_t i;

	if (state && strcmp(state, "42501") == 0 && primary &&
	    strncmp(primary, rls, strlen(rls)) == 0) {
		snprintf(text, size, "your role in this project does not allow this change");
		return 1;
	}
	if (state == NULL || constraint == NULL || *constraint == '\0')
		return 0;
	if (field && strcmp(constraint, "stories_status_workflow_fkey") == 0) {
		snprintf(text, size, "the %s is not in the project's workflow", field);
		return 1;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcmp(state, words[i].state) != 0)
			continue;
		if (field)
			snprintf(text, size, words[i].with_field, field);
		else
			snprintf(text, size, "%s", words[i].without);
		return 1;
	}
	return 0;
}

void pp_api_db_error_problem(const pp_http_req *req, pp_http_resp *resp, const pp_api_db_error *e)
{
	const char *state = e->sqlstate, *primary = e->primary, *detail = e->detail;
	const char *constraint = e->constraint, *column = e->column;
	const state_map *m = find_state(state);
	char text[1024], fbuf[64];
	pp_problem p = {0};

	if (m == NULL && !e->connected) {
		pp_api_unavailable(req, resp, PP_ECONNECT,
				   "the connection to the database was lost");
		return;
	}
	if (m == NULL) {
		pp_log(PP_LOG_ERROR, "request %s: database error %s: %s%s%s", req->request_id,
		       state ? state : "(none)",
		       primary       ? primary
		       : e->conn_msg ? e->conn_msg
				     : "",
		       detail ? " DETAIL: " : "", detail ? detail : "");
		p = (pp_problem){
			.status = 500,
			.type = "internal",
			.title = "Internal error",
			.detail =
				"the database failed unexpectedly; the log has the details (look for "
				"the request id)"};
		pp_http_problem(resp, req, &p);
		return;
	}
	if (m->status == 503) {
		pp_log(PP_LOG_WARN, "request %s: database unavailable: %s: %s", req->request_id,
		       state, primary ? primary : "");
		p = (pp_problem){.status = 503,
				 .type = m->type,
				 .title = m->title,
				 .detail = "retry after Retry-After seconds",
				 .field = NULL,
				 .sqlstate = state};
		pp_http_problem(resp, req, &p);
		if (pp_http_resp_header(resp, "Retry-After", "1") != PP_OK)
			pp_http_resp_set(resp, 500, NULL, NULL, 0);
		return;
	}
	if (m->show_detail && detail && *detail)
		snprintf(text, sizeof(text), "%s: %s", primary ? primary : "", detail);
	else
		snprintf(text, sizeof(text), "%s", primary ? primary : m->title);
	p.status = m->status;
	p.type = m->type;
	p.title = m->title;
	p.detail = text;
	p.sqlstate = state;
	p.field = column && *column ? column
				    : pp_api_constraint_field(constraint, fbuf, sizeof(fbuf));
	(void)errors_plain_words(state, constraint, primary, p.field, text, sizeof(text));
	if (strcmp(state, "PP001") == 0 && primary) {
		p.extra = json_object();
		if (p.extra)
			json_object_set_new(p.extra, "cycle", cycle_of(primary));
	}
	pp_http_problem(resp, req, &p);
	json_decref(p.extra);
	if (m->status == 401 &&
	    pp_http_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"planpipe\"") != PP_OK)
		pp_http_resp_set(resp, 500, NULL, NULL, 0);
}

void pp_api_unavailable(const pp_http_req *req, pp_http_resp *resp, pp_rc rc, const char *why)
{
	pp_problem p = {.status = 503,
			.type = "unavailable",
			.title = "Database unavailable",
			.detail = why};
	const char *retry = "1";

	if (why == NULL)
		p.detail = rc == PP_ETIMEDOUT ? "no database connection became free in time"
					      : "the database cannot be reached now";
	if (rc == PP_ENOMEM) {
		p = (pp_problem){.status = 500,
				 .type = "internal",
				 .title = "Internal error",
				 .detail = "out of memory"};
		pp_http_problem(resp, req, &p);
		return;
	}
	if (rc == PP_ETIMEDOUT)
		p.title = "Too busy: no database connection free";
	else if (rc == PP_EUNAVAIL || rc == PP_ECONNECT)
		retry = "2";
	pp_http_problem(resp, req, &p);
	if (pp_http_resp_header(resp, "Retry-After", retry) != PP_OK)
		pp_http_resp_set(resp, 500, NULL, NULL, 0);
}
