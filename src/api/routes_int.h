/*
 * routes_int.h: how routes.c turns a route's descriptor into its
 * statement's parameters, apart so that tests/unit/api/routes.c can reach
 * it. Not for other modules: names carry the routes_ prefix, never pp_.
 * Nothing here blocks, allocates or touches a connection.
 */
#ifndef PP_API_ROUTES_INT_H
#define PP_API_ROUTES_INT_H

#include "api/handlers.h"

/* The most arguments a pp_api_route_sql's statement takes (its args[]). */
#define ROUTES_MAX_ARGS ((int)sizeof(((pp_api_route_sql *)0)->args))

/*
 * The statement's parameters for d and req, in d->args' order up to
 * PP_ARG_END: PP_ARG_P0..P3 the path's parameters, PP_ARG_BODY the body's
 * text, PP_ARG_VERSION version. args[n..] are NULL; all borrowed from req
 * and version. Returns n, how many there are.
 */
int routes_args(const pp_api_route_sql *d, const pp_http_req *req, const char *version,
		const char *args[ROUTES_MAX_ARGS]);

#endif
