/*
 * history_int.h: what history.c decides before the database, apart so that
 * tests/unit/api/history.c can reach it: the project history's cursor and
 * the story history's descriptor (handlers.h). Not for other modules: names
 * carry the history_ prefix, never pp_. Nothing here blocks or touches a
 * connection.
 */
#ifndef PP_API_HISTORY_INT_H
#define PP_API_HISTORY_INT_H

#include "api/handlers.h"

/*
 * Whether cursor is one the project history gave out: base64url of
 * "h|CHANGED_AT|ID", CHANGED_AT an RFC 3339 date-time (pp_api_is_time) and
 * ID 1 to 18 digits. 1 with fields[0], fields[1] pointing into buf; else 0
 * (the caller answers 400).
 */
int history_cursor_ok(const char *cursor, char buf[128], const char *fields[2]);

/* GET .../stories/{story}/history: the viewer's, on the standby when it can. */
extern const pp_api_route_sql history_story;

#endif
