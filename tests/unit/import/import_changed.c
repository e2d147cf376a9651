/*
 * tests/unit/import/import_changed.c: the part of
 * src/import/import_changed.c that needs no database: which files of a
 * lazy batch are parsed (those marked changed or needing their
 * dependencies, or those named by the database's answer), and that an
 * interrupt stops it. Which files changed is the database's answer:
 * tests/integration/test_import.c.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gitrepo.h"
#include "unit.h"
#include "pgresult.h"

#include "import/import_changed_int.h"

static char root[512];

/* A lazy batch of a.md .. e.md, read as pp_import_run reads them (by path). */
static void read_batch(pp_import_batch *b, pp_import_result *res)
{
	static const char *const names[] = {"a.md", "b.md", "c.md", "d.md", "e.md"};
	pp_err err;

	memset(b, 0, sizeof(*b));
	memset(res, 0, sizeof(*res));
	b->lazy = 1;
	b->items = calloc(5, sizeof(*b->items));
	assert_non_null(b->items);
	for (size_t i = 0; i < 5; i++) {
		pp_err_clear(&err);
		if (pp_import_read_file(root, pp_arena_strdup(&b->strs, names[i]), b,
					&b->items[b->n], res, &err) != PP_OK)
			fail_msg("%s: %s", names[i], err.msg);
		b->n++;
	}
}

static void parses_what_is_marked_then_what_is_named(void **state)
{
	static const char *const named[] = {"d.md", "zz.md", "a.md"};
	pp_import_opts o;
	pp_import_batch b;
	pp_import_result res;
	PGresult *r;
	pp_err err;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.path = root;
	read_batch(&b, &res);
	b.items[0].send = 1;
	b.items[1].deps = 1;
	b.items[2].send = 1;
	b.items[2].ok = 0; /* failed already: never parsed */
	pp_err_clear(&err);
	assert_int_equal(import_changed_parse_marked(&o, &b, NULL, &res, &err), PP_OK);
	assert_true(b.items[0].parsed);
	assert_string_equal(b.items[0].key, "ABC-1");
	assert_true(b.items[1].parsed);
	assert_false(b.items[2].parsed);
	assert_false(b.items[3].parsed);
	assert_false(b.items[4].parsed);
	/* Named by the database: parsed if not yet; unknown paths passed over. */
	r = pp_t_result(1, 3, named); /* as key_owners returns them */
	assert_int_equal(import_changed_parse_marked(&o, &b, r, &res, &err), PP_OK);
	assert_true(b.items[3].parsed);
	assert_string_equal(b.items[3].key, "ABC-4");
	assert_false(b.items[4].parsed);
	assert_int_equal(res.n_problems, 0);
	PQclear(r);
	pp_import_batch_free(&b);
	pp_import_result_free(&res);
}

static void an_interrupt_stops_it(void **state)
{
	volatile sig_atomic_t stop = 1;
	pp_import_opts o;
	pp_import_batch b;
	pp_import_result res;
	pp_err err;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.path = root;
	o.stop = &stop;
	read_batch(&b, &res);
	b.items[0].send = 1;
	pp_err_clear(&err);
	assert_int_equal(import_changed_parse_marked(&o, &b, NULL, &res, &err), PP_EINVAL);
	assert_string_equal(err.msg, "interrupted");
	assert_false(b.items[0].parsed);
	pp_import_batch_free(&b);
	pp_import_result_free(&res);
}

static int setup(void **state)
{
	(void)state;
	if (pp_t_tmp_setup("unit-import-changed") != 0)
		return -1;
	snprintf(root, sizeof(root), "%s/tree", pp_t_tmp);
	if (mkdir(root, 0700) != 0)
		return -1;
	pp_t_story_file(root, "a.md", "ABC-1", "todo", "");
	pp_t_story_file(root, "b.md", "ABC-2", NULL, "");
	pp_t_story_file(root, "c.md", "ABC-3", NULL, "");
	pp_t_story_file(root, "d.md", "ABC-4", NULL, "");
	pp_t_story_file(root, "e.md", "ABC-5", NULL, "");
	return 0;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(parses_what_is_marked_then_what_is_named),
	cmocka_unit_test(an_interrupt_stops_it),
};

UNIT_MAIN_WITH("import_changed", tests, setup, pp_t_tmp_group_teardown)
