/*
 * tests/unit/import/sql.c: the importer's statements (src/import/sql.c,
 * src/import/sql/), embedded at build time: each whole, and the names the
 * importer's C asks for (its files' SQL("name"), each file reading one
 * .sql file) are the statements the files hold, no more and no fewer, so
 * that a renamed or dropped block fails here and not mid-import.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"
#include "../sql_set.h"

#include "core/file.h"
#include "import/sql.h"

/* The C files that send statements, and the .sql file each reads. */
static const struct {
	const char *c, *sql;
} users[] = {
	{"import_db.c", "import.sql"},
	{"import_changed.c", "changed.sql"},
	{"import_deps.c", "deps.sql"},
	{"import_history.c", "history.sql"},
};

static void each_statement_is_whole(void **state)
{
	(void)state;
	expect_whole_statements(&pp_import_sql_set, pp_import_sql, 40);
}

/* Whether file holds a statement name. */
static int has(const char *file, const char *name)
{
	const char *f, *n;

	for (size_t i = 0; pp_sql_at(&pp_import_sql_set, i, &f, &n) != NULL; i++)
		if (strcmp(f, file) == 0 && strcmp(n, name) == 0)
			return 1;
	return 0;
}

/* Whether the C text asks for name. */
static int asks(const char *text, const char *name)
{
	char call[128];

	snprintf(call, sizeof(call), "SQL(\"%s\")", name);
	return strstr(text, call) != NULL;
}

static void the_c_asks_for_what_the_files_hold(void **state)
{
	const char *root = getenv("PP_SOURCE_ROOT"), *f, *n;
	char path[4096], define[128];

	(void)state;
	assert_non_null(root);
	for (size_t u = 0; u < UNIT_NELEM(users); u++) {
		char *text = NULL;
		size_t len, asked = 0;
		pp_err err;

		snprintf(path, sizeof(path), "%s/src/import/%s", root, users[u].c);
		if (pp_file_read(path, 1 << 20, &text, &len, &err) != PP_OK)
			fail_msg("%s", err.msg);
		snprintf(define, sizeof(define), "#define SQL(name) pp_import_sql(\"%s\", (name))",
			 users[u].sql);
		if (strstr(text, define) == NULL)
			fail_msg("%s does not read %s", users[u].c, users[u].sql);
		/* Every name asked for is there... */
		for (const char *p = text; (p = strstr(p, "SQL(\"")) != NULL; p++) {
			char name[64];
			size_t k = strcspn(p + 5, "\"");

			unit_true(users[u].c, k < sizeof(name));
			snprintf(name, sizeof(name), "%.*s", (int)k, p + 5);
			if (!has(users[u].sql, name))
				fail_msg("%s asks for %s, which %s does not hold", users[u].c, name,
					 users[u].sql);
			asked++;
		}
		unit_true(users[u].c, asked > 0);
		/* ...and every statement of the file is asked for. */
		for (size_t i = 0; pp_sql_at(&pp_import_sql_set, i, &f, &n) != NULL; i++)
			if (strcmp(f, users[u].sql) == 0 && !asks(text, n))
				fail_msg("%s: %s is not used by %s", f, n, users[u].c);
		free(text);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(each_statement_is_whole),
	cmocka_unit_test(the_c_asks_for_what_the_files_hold),
};

UNIT_MAIN("sql", tests)
