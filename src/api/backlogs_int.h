/*
 * backlogs_int.h: what backlogs.c decides before the database, apart so that
 * tests/unit/api/backlogs.c can reach it: the check of {backlog} and the
 * routes' descriptors (their fields, roles and arguments; handlers.h). Not
 * for other modules: names carry the backlogs_ prefix, never pp_. Nothing
 * here blocks or touches a connection.
 */
#ifndef PP_API_BACKLOGS_INT_H
#define PP_API_BACKLOGS_INT_H

#include "api/handlers.h"

/*
 * Whether req->params[1] ({backlog}) can be a backlog's id: up to 18
 * digits. 1, or 0 with a 404 "no such backlog" in resp (any other text
 * names no backlog, so it is not a 422).
 */
int backlogs_id_ok(pp_http_req *req, pp_http_resp *resp);

/* POST .../backlogs (maintainer; name required), PATCH and DELETE .../backlogs/{backlog}. */
extern const pp_api_route_sql backlogs_create, backlogs_patch, backlogs_archive;

#endif
