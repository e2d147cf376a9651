/*
 * statuses_int.h: what statuses.c decides before the database, apart so
 * that tests/unit/api/statuses.c can reach it: the routes' descriptors
 * (their fields, roles and arguments; handlers.h). Not for other modules:
 * names carry the statuses_ prefix, never pp_. Nothing here blocks or
 * touches a connection.
 */
#ifndef PP_API_STATUSES_INT_H
#define PP_API_STATUSES_INT_H

#include "api/handlers.h"

/* GET .../statuses (one call), POST (maintainer; key required) and PATCH .../statuses/{status}. */
extern const pp_api_route_sql statuses_list, statuses_add, statuses_patch;

#endif
