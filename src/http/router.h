/*
 * router.h: a table of (method, pattern, handler) and the match of a request
 * against it.
 *
 * Patterns are literal segments and "{name}" segments, e.g.
 * "/v1/projects/{project}/stories/{story}"; a "{name}" matches one non-empty
 * segment. A path that matches no pattern is a 404; one that matches a
 * pattern under other methods only is a 405, with those methods for the
 * Allow header. HEAD is matched as GET.
 */
#ifndef PP_HTTP_ROUTER_H
#define PP_HTTP_ROUTER_H

#include <stddef.h>

#include "core/err.h"
#include "http/request.h"
#include "http/response.h"

/* Handles one request; may block (on the database). Never frees req. */
typedef void (*pp_http_handler)(void *ctx, pp_http_req *req, pp_http_resp *resp);

typedef struct pp_route {
	const char *method;  /* "GET", "POST", "PUT", "PATCH", "DELETE" */
	const char *pattern; /* at most PP_HTTP_MAX_PARAMS "{name}" segments */
	pp_http_handler handler;
	const char *summary; /* one line, for people */
} pp_route;

typedef enum {
	PP_ROUTE_FOUND,
	PP_ROUTE_NOT_FOUND,  /* no pattern matches the path */
	PP_ROUTE_BAD_METHOD, /* some do, under other methods: *allow lists them */
} pp_route_result;

/*
 * Matches req->method and req->path against routes[0..n). On
 * PP_ROUTE_FOUND, *found is the route and req->route, req->params and
 * req->n_params are set (req->param_buf is allocated and freed with req).
 * On PP_ROUTE_BAD_METHOD, allow (of allow_size bytes) holds the methods,
 * comma-separated. PP_ROUTE_NOT_FOUND also when out of memory.
 */
pp_route_result pp_router_match(const pp_route *routes, size_t n, pp_http_req *req,
				const pp_route **found, char *allow, size_t allow_size);

#endif
