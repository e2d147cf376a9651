/* response.c: responses and problem+json (see response.h). */
#include "http/response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void pp_http_resp_set(pp_http_resp *r, int status, const char *content_type, char *body, size_t len)
{
	free(r->body);
	r->status = status;
	r->content_type = content_type;
	r->body = body;
	r->body_len = body ? len : 0;
}

void pp_http_resp_copy(pp_http_resp *r, int status, const char *content_type, const char *body)
{
	char *copy = body ? strdup(body) : NULL;

	/* Out of memory: an empty 500 rather than a wrong body. */
	if (body && copy == NULL) {
		pp_http_resp_set(r, 500, NULL, NULL, 0);
		return;
	}
	pp_http_resp_set(r, status, content_type, copy, copy ? strlen(copy) : 0);
}

pp_rc pp_http_resp_header(pp_http_resp *r, const char *name, const char *value)
{
	pp_http_header_kv *h;

	if (r->n_headers == PP_HTTP_MAX_HEADERS)
		return PP_EINVAL;
	h = &r->headers[r->n_headers];
	h->name = strdup(name);
	h->value = strdup(value);
	if (h->name == NULL || h->value == NULL) {
		free(h->name);
		free(h->value);
		h->name = h->value = NULL;
		return PP_ENOMEM;
	}
	r->n_headers++;
	return PP_OK;
}

void pp_http_problem(pp_http_resp *r, const pp_http_req *req, const pp_problem *p)
{
	char type[256];
	json_t *o = json_object();
	char *text;

	snprintf(type, sizeof(type), "%s%s", PP_PROBLEM_BASE, p->type);
	if (o == NULL)
		goto oom;
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "title", json_string(p->title));
	json_object_set_new(o, "status", json_integer(p->status));
	/* json_string refuses invalid UTF-8: fall back to a lossless-enough form. */
	if (p->detail && json_object_set_new(o, "detail", json_string(p->detail)) != 0)
		json_object_set_new(o, "detail", json_string("(not valid UTF-8)"));
	if (p->field && json_object_set_new(o, "field", json_string(p->field)) != 0)
		json_object_set_new(o, "field", json_string("(not valid UTF-8)"));
	if (p->sqlstate && *p->sqlstate)
		json_object_set_new(o, "sqlstate", json_string(p->sqlstate));
	if (p->extra)
		json_object_update_missing(o, p->extra);
	json_object_set_new(o, "request_id", json_string(req ? req->request_id : ""));
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (text == NULL)
		goto oom;
	pp_http_resp_set(r, p->status, "application/problem+json", text, strlen(text));
	return;
oom:
	pp_http_resp_set(r, 500, NULL, NULL, 0);
}

void pp_http_resp_free(pp_http_resp *r)
{
	int i;

	if (r == NULL)
		return;
	free(r->body);
	for (i = 0; i < r->n_headers; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	memset(r, 0, sizeof(*r));
}
