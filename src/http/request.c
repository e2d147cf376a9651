/* request.c: header and query access (see request.h). */
#include "http/request.h"

#include <microhttpd.h>
#include <stddef.h>
#include <string.h>

const char *pp_http_header(const pp_http_req *r, const char *name)
{
	if (r->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

/* MHD_lookup_connection_value cannot tell "?a" (NULL value) from no "a". */
typedef struct lookup {
	const char *name;
	const char *value;
	int found;
} lookup;

static enum MHD_Result find_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	lookup *l = cls;

	(void)kind;
	if (strcmp(key, l->name) == 0) {
		l->value = value ? value : "";
		l->found = 1;
		return MHD_NO;
	}
	return MHD_YES;
}

const char *pp_http_query(const pp_http_req *r, const char *name)
{
	lookup l = {name, NULL, 0};

	if (r->conn == NULL)
		return NULL;
	MHD_get_connection_values((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND, find_arg,
				  &l);
	return l.found ? l.value : NULL;
}

typedef struct each {
	int (*fn)(void *ctx, const char *key, const char *value);
	void *ctx;
	int ret;
} each;

static enum MHD_Result each_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	each *e = cls;

	(void)kind;
	e->ret = e->fn(e->ctx, key, value ? value : "");
	return e->ret == 0 ? MHD_YES : MHD_NO;
}

int pp_http_query_each(const pp_http_req *r,
		       int (*fn)(void *ctx, const char *key, const char *value), void *ctx)
{
	each e = {fn, ctx, 0};

	if (r->conn == NULL)
		return 0;
	MHD_get_connection_values((struct MHD_Connection *)r->conn, MHD_GET_ARGUMENT_KIND, each_arg,
				  &e);
	return e.ret;
}
