/*
 * projects_int.h: what projects.c decides before the database, apart so that
 * tests/unit/api/projects.c can reach it: the role a PATCH needs and the
 * routes' descriptors (their fields, roles and arguments; handlers.h). Not
 * for other modules: names carry the projects_ prefix, never pp_. Nothing
 * here blocks or touches a connection.
 */
#ifndef PP_API_PROJECTS_INT_H
#define PP_API_PROJECTS_INT_H

#include "api/handlers.h"

/*
 * The role PATCH /v1/projects/{project} needs for body (checked against
 * projects_patch): "owner" when it has "archived" (archiving or restoring,
 * as DELETE), else "maintainer". Static storage.
 */
const char *projects_patch_role(const json_t *body);

/* POST /v1/projects (anyone; key and name required), GET and DELETE (owner) /v1/projects/{project}.
 */
extern const pp_api_route_sql projects_create, projects_get, projects_archive;

/* PATCH /v1/projects/{project}: its checks and statement; the role is projects_patch_role's. */
extern const pp_api_route_sql projects_patch;

#endif
