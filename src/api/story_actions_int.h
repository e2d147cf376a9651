/*
 * story_actions_int.h: what story_actions.c decides before the database,
 * apart so that tests/unit/api/story_actions.c can reach it: the role a
 * transition needs, the anchors of a move and the routes' checks
 * (handlers.h). Not for other modules: names carry the story_actions_
 * prefix, never pp_. Nothing here blocks or touches a connection.
 */
#ifndef PP_API_STORY_ACTIONS_INT_H
#define PP_API_STORY_ACTIONS_INT_H

#include "api/handlers.h"

/* POST .../transitions: the checks alone (If-Match; a body {"to"} required, "note", "force"). */
extern const pp_api_route_sql story_actions_transition;

/* The role a transition with body needs: "maintainer" with "force": true, else "developer". */
const char *story_actions_transition_role(const json_t *body);

/* POST .../move: its checks and statement (developer; If-Match). */
extern const pp_api_route_sql story_actions_move;

/* How many of a move's anchors "before", "after" and "rank" body has (null counts); more than 1:
 * 422. */
int story_actions_anchors(const json_t *body);

#endif
