/*
 * tests/unit/core/limits.c: src/core/limits.c, the project key rule that the
 * importer, the command line and the API's reports check before the
 * database (test_errors_catalog.c holds it to projects_key_format), and the
 * word lists' ends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "core/limits.h"

static int key_ok(const char *key)
{
	return pp_project_key_valid(key, strlen(key));
}

static void project_keys(void **state)
{
	static const char *const good[] = {"A", "ADH", "API_SERVER", "P1", "ABCDEFGHIJKLMNOPQRST"};
	static const char *const bad[] = {"",    "tt",  "Adh",  "1P", "_A",
					  "A-B", "A B", "ADH/", "Ä",  "ABCDEFGHIJKLMNOPQRSTU"};

	(void)state;
	unit_each_is(key_ok, good, 1);
	unit_each_is(key_ok, bad, 0);
	/* A length, not a string's end: a NUL inside is no key. */
	unit_int_equal("A\\0B", pp_project_key_valid("A\0B", 3), 0);
	unit_int_equal("ADH of ADH-1", pp_project_key_valid("ADH-1", 3), 1);
	unit_int_equal("NULL", pp_project_key_valid(NULL, 0), 0);
}

static void word_lists_end(void **state)
{
	(void)state;
	unit_str_equal("the first priority", pp_priorities[0], "critical");
	unit_true("four priorities", pp_priorities[4] == NULL);
	unit_str_equal("the first category", pp_categories[0], "todo");
	unit_true("four categories", pp_categories[4] == NULL);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(project_keys),
	cmocka_unit_test(word_lists_end),
};

UNIT_MAIN("limits", tests)
