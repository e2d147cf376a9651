/*
 * sql_set.h: what the tests of each layer's embedded statements share
 * (tests/unit/api, cli, db and import's sql.c): every statement of a set
 * (src/db/sql.h) is whole. Static functions in a header: each test program
 * includes it once.
 */
#ifndef PP_TESTS_SQL_SET_H
#define PP_TESTS_SQL_SET_H

#include <stdio.h>
#include <string.h>

#include "unit.h"

#include "db/sql.h"

/*
 * Every statement of set is whole: no "-- name:" or "-- fragment:" line and
 * no "{{" left in it, not empty, no ';' at its end, and the layer's lookup
 * (pp_api_sql, pp_cli_sql, ...) gives the same text for its file and name;
 * at least min of them. A failure names the statement's file and name.
 */
static inline void expect_whole_statements(pp_sql_set *set,
					   const char *(*lookup)(const char *, const char *),
					   size_t min)
{
	const char *file, *name, *sql;
	char what[256];
	size_t i, len;

	for (i = 0; (sql = pp_sql_at(set, i, &file, &name)) != NULL; i++) {
		snprintf(what, sizeof(what), "%s: %s", file, name);
		len = strlen(sql);
		if (strstr(sql, "-- name:") || strstr(sql, "-- fragment:") || strstr(sql, "{{"))
			fail_msg("%s: a mark of the file is left in:\n%s", what, sql);
		if (len == 0 || sql[len - 1] == ';')
			fail_msg("%s: empty, or ends with ';':\n%s", what, sql);
		if (lookup(file, name) != sql)
			fail_msg("%s: the lookup finds another text", what);
	}
	if (i < min)
		fail_msg("%zu statements, fewer than %zu", i, min);
}

#endif
