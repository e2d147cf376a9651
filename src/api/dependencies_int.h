/*
 * dependencies_int.h: what dependencies.c decides before the database, apart
 * so that tests/unit/api/dependencies.c can reach it: the graph's direction
 * and the routes' descriptors (their fields, roles and arguments;
 * handlers.h). Not for other modules: names carry the dependencies_ prefix,
 * never pp_. Nothing here blocks or touches a connection.
 */
#ifndef PP_API_DEPENDENCIES_INT_H
#define PP_API_DEPENDENCIES_INT_H

#include "api/handlers.h"

/*
 * The graph's direction= value v: "down" when v is NULL (absent), v itself
 * when "down" or "up" (exactly), else NULL (the caller answers 422).
 */
const char *dependencies_direction(const char *v);

/* A story's dependencies: GET, POST (developer; story required), DELETE. */
extern const pp_api_route_sql dependencies_story_list, dependencies_story_add,
	dependencies_story_remove;
/* A project's dependencies: GET, POST (maintainer; project required), DELETE. */
extern const pp_api_route_sql dependencies_project_list, dependencies_project_add,
	dependencies_project_remove;

#endif
