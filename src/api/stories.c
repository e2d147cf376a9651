/*
 * stories.c: one story, /v1/projects/{project}/stories[/{story}]: create
 * (with a key or a generated one), read, partial update, archive (DELETE).
 * Viewers read; developers write. Lists are story_list.c; transitions and
 * moves story_actions.c.
 */
#include "api/handlers.h"
#include "api/input.h"
#include "api/sql.h"
#include "api/stories_int.h"
#include "core/limits.h"

#define STORY_VALUE_FIELDS(title_flags)                                                            \
	PP_FIELD("title", PP_F_STRING, title_flags), PP_FIELD("status", PP_F_STRING, 0),           \
		PP_FIELD_ENUM("priority", 0, pp_priorities),                                       \
		PP_FIELD_INT("priority_rank", PP_F_NULLABLE, 1, 1000000),                          \
		PP_FIELD_NUM("estimate_points", PP_F_NULLABLE, 0, PP_ESTIMATE_POINTS_MAX),         \
		PP_FIELD("estimate_raw", PP_F_STRING, PP_F_NULLABLE),                              \
		PP_FIELD("epic", PP_F_STRING, PP_F_NULLABLE), PP_FIELD("labels", PP_F_STRINGS, 0), \
		PP_FIELD("owner", PP_F_STRING, PP_F_NULLABLE),                                     \
		PP_FIELD("author", PP_F_STRING, PP_F_NULLABLE),                                    \
		PP_FIELD("branch_name", PP_F_STRING, PP_F_NULLABLE),                               \
		PP_FIELD("body", PP_F_STRING, 0),                                                  \
		PP_FIELD_INT("checklist_total", 0, 0, 2147483647),                                 \
		PP_FIELD_INT("checklist_done", 0, 0, 2147483647),                                  \
		PP_FIELD("metadata", PP_F_OBJECT, 0),                                              \
		PP_FIELD("source_path", PP_F_STRING, PP_F_NULLABLE),                               \
		PP_FIELD("source_blob_id", PP_F_STRING, PP_F_NULLABLE)

static const pp_field create_fields[] = {
	PP_FIELD("key", PP_F_STRING, PP_F_NULLABLE),
	STORY_VALUE_FIELDS(PP_F_REQUIRED),
	PP_FIELD_INT("backlog", PP_F_NULLABLE, 1, 9223372036854775807LL),
	PP_FIELD("rank", PP_F_NUMBER, PP_F_NULLABLE),
};

/* The key names the story in URLs and files: not changed here; backlog and rank: move. */
static const pp_field patch_fields[] = {
	STORY_VALUE_FIELDS(0),
	PP_FIELD("archived", PP_F_BOOL, 0),
};

/* clang-format off */
PP_API_SQL_ROUTE(stories_create, pp_api_story_create, "stories.sql", "story_create", NULL, 201, PP_ROUTE_CALL,
		 PP_API_FIELDS(create_fields), NULL, PP_ARG_P0, PP_ARG_BODY)
PP_API_SQL_ROUTE(stories_get, pp_api_story_get, "stories.sql", "story_get", NULL, 200, PP_ROUTE_CALL,
		 PP_API_NO_FIELDS, NULL, PP_ARG_P0, PP_ARG_P1)
PP_API_SQL_ROUTE(stories_patch, pp_api_story_patch, "stories.sql", "story_patch", NULL, 200, PP_ROUTE_IF_MATCH | PP_ROUTE_CALL,
		 PP_API_FIELDS(patch_fields), NULL, PP_ARG_P0, PP_ARG_P1, PP_ARG_BODY, PP_ARG_VERSION)
PP_API_SQL_ROUTE(stories_archive, pp_api_story_archive, "stories.sql", "story_archive", NULL, 204, PP_ROUTE_IF_MATCH | PP_ROUTE_CALL,
		 PP_API_NO_FIELDS, NULL, PP_ARG_P0, PP_ARG_P1, PP_ARG_VERSION)
/* clang-format on */
