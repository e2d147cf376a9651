/*
 * members_int.h: what members.c decides before the database, apart so that
 * tests/unit/api/members.c can reach it: the routes' descriptors
 * (handlers.h). Not for other modules: names carry the members_ prefix,
 * never pp_. Nothing here blocks or touches a connection.
 */
#ifndef PP_API_MEMBERS_INT_H
#define PP_API_MEMBERS_INT_H

#include "api/handlers.h"

/* GET .../members: the viewer's. */
extern const pp_api_route_sql members_list;

/* PUT .../members/{handle}: the checks alone, a body {"role": ROLE} (required, a project role). */
extern const pp_api_route_sql members_put;

#endif
