/*
 * story_actions_int.h: what story_actions.c decides before the database,
 * apart so that tests/unit/api/story_actions.c can reach it: a
 * transition's arguments, the anchors of a move and the routes' checks
 * (handlers.h). Not for other modules: names carry the story_actions_
 * prefix, never pp_. Nothing here blocks or touches a connection.
 */
#ifndef PP_API_STORY_ACTIONS_INT_H
#define PP_API_STORY_ACTIONS_INT_H

#include "api/handlers.h"

/* POST .../transitions: the checks alone (If-Match; a body {"to"} required, "note", "force"). */
extern const pp_api_route_sql story_actions_transition;

/*
 * The arguments of stories.sql's story_transition after the token hash, from
 * the route's project and story, its checked body and If-Match's version
 * (or NULL): project, story, to, version, note (NULL when absent or null),
 * force ("true" or "false"). The strings are borrowed from the inputs.
 */
void story_actions_transition_args(const char *project, const char *story, const json_t *body,
				   const char *version, const char *args[6]);

/* POST .../move: its checks and statement (developer; If-Match). */
extern const pp_api_route_sql story_actions_move;

/* How many of a move's anchors "before", "after" and "rank" body has (null counts); more than 1:
 * 422. */
int story_actions_anchors(const json_t *body);

#endif
