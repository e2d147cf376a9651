/*
 * api.h: the plan_pipe API: its route table and the state its handlers share.
 *
 * Each resource has its file (projects.c, backlogs.c, stories.c, ...); its
 * handlers run one pipelined transaction per request (tx.c) under row-level
 * security, with the response JSON built by PostgreSQL. See docs/api.md.
 */
#ifndef PP_API_API_H
#define PP_API_API_H

#include <stddef.h>

#include "core/config.h"
#include "api/read_route.h"
#include "db/pool.h"
#include "http/metrics.h"
#include "http/router.h"

typedef struct pp_api {
	const pp_config *cfg;
	pp_pool *pool;         /* the primary */
	pp_read_router *reads; /* reads on the standby; NULL: none (read_route.h) */
	pp_http_metrics *metrics;
	int schema_version; /* the schema this binary needs (readiness) */
} pp_api;

/* Every route the server answers, in match order; static storage. */
const pp_route *pp_api_routes(size_t *n);

/* The OpenAPI document (docs/openapi.json, built into the binary); static, NUL-terminated. */
const char *pp_api_openapi(size_t *len);

#endif
