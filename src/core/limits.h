/*
 * limits.h: bounds of the schema's columns that are checked before the
 * database too, so that the API and the importer name the field and the
 * bound instead of passing on PostgreSQL's "numeric field overflow".
 * tests/integration/test_errors_catalog.c holds each to the catalog.
 * The word lists are defined in core/limits.c.
 */
#ifndef PP_CORE_LIMITS_H
#define PP_CORE_LIMITS_H

/* stories.estimate_points is numeric(8, 2): at most 999999.99 (0 at least, a CHECK). */
#define PP_ESTIMATE_POINTS_MAX 999999.99

/* stories_priority_check's words, most urgent first, NULL-terminated. */
extern const char *const pp_priorities[];

/* statuses_category_check's words, in a story's order, NULL-terminated. */
extern const char *const pp_categories[];

#endif
