/*
 * statuses.c: /v1/projects/{project}/statuses[/{status}], a project's
 * workflow. Viewers list it; maintainers add a status (a word planpipe
 * knows, or a new one with its category) and rename or reorder one. The
 * rules live in SQL (migrations/0017_team_vocabulary.sql); each route is one
 * function call under the caller's row security.
 */
#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"
#include "api/statuses_int.h"

static const char *const categories[] = {"todo", "active", "done", "cancelled", NULL};

static const pp_field add_fields[] = {
	PP_FIELD("key", PP_F_STRING, PP_F_REQUIRED),
	PP_FIELD_ENUM("category", 0, categories),
	PP_FIELD("name", PP_F_STRING, 0),
	PP_FIELD_INT("position", 0, 0, 1000000),
};

static const pp_field patch_fields[] = {
	PP_FIELD("name", PP_F_STRING, 0),
	PP_FIELD_INT("position", 0, 0, 1000000),
};

/* clang-format off */
PP_API_SQL_ROUTE(statuses_list, pp_api_statuses_list, "statuses.sql", "statuses_list", NULL, 200, PP_ROUTE_CALL,
		 PP_API_NO_FIELDS, NULL, PP_ARG_P0)
PP_API_SQL_ROUTE(statuses_add, pp_api_status_add, "statuses.sql", "status_add", "maintainer", 201, 0,
		 PP_API_FIELDS(add_fields), NULL, PP_ARG_P0, PP_ARG_BODY)
PP_API_SQL_ROUTE(statuses_patch, pp_api_status_patch, "statuses.sql", "status_patch", "maintainer", 200, 0,
		 PP_API_FIELDS(patch_fields), NULL, PP_ARG_P0, PP_ARG_P1, PP_ARG_BODY)
/* clang-format on */
