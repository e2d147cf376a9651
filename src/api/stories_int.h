/*
 * stories_int.h: what stories.c decides before the database, apart so that
 * tests/unit/api/stories.c can reach it: the routes' descriptors (their
 * fields, roles and arguments; handlers.h). Not for other modules: names
 * carry the stories_ prefix, never pp_. Nothing here blocks or touches a
 * connection.
 */
#ifndef PP_API_STORIES_INT_H
#define PP_API_STORIES_INT_H

#include "api/handlers.h"

/*
 * POST .../stories (developer; title required, key optional), GET, PATCH
 * (the key is not a field: it names the story) and DELETE .../stories/{story}.
 */
extern const pp_api_route_sql stories_create, stories_get, stories_patch, stories_archive;

#endif
