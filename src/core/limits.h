/*
 * limits.h: bounds of the schema's columns that are checked before the
 * database too, so that the API and the importer name the field and the
 * bound instead of passing on PostgreSQL's "numeric field overflow".
 * tests/integration/test_errors_catalog.c holds each to the catalog.
 * The word lists and the key rule are defined in core/limits.c.
 */
#ifndef PP_CORE_LIMITS_H
#define PP_CORE_LIMITS_H

#include <stddef.h>

/* stories.estimate_points is numeric(8, 2): at most 999999.99 (0 at least, a CHECK). */
#define PP_ESTIMATE_POINTS_MAX 999999.99

/* projects_key_format: ^[A-Z][A-Z0-9_]{0,19}$, and the rule in words. */
#define PP_PROJECT_KEY_PATTERN "^[A-Z][A-Z0-9_]{0,19}$"
#define PP_PROJECT_KEY_RULE    "a project key is 1 to 20 of A-Z, 0-9 and _, starting with a letter"

/* Whether the len bytes at s are a project key (PP_PROJECT_KEY_PATTERN). */
int pp_project_key_valid(const char *s, size_t len);

/* stories_priority_check's words, most urgent first, NULL-terminated. */
extern const char *const pp_priorities[];

/* statuses_category_check's words, in a story's order, NULL-terminated. */
extern const char *const pp_categories[];

#endif
