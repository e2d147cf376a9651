/* tests/unit/core/arena.c: tests src/core/arena.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "unit.h"

/* Many strings stay intact and distinct across blocks, in far less than one malloc each. */
static void many_strings_stay_intact(void **state)
{
	pp_arena a = {0};
	char name[64];
	char **v = calloc(100000, sizeof(*v));
	int i;

	(void)state;
	assert_non_null(v);
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "d%03d/IMP-%d.md", i / 1000, i);
		v[i] = pp_arena_strdup(&a, name);
		assert_non_null(v[i]);
	}
	for (i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "d%03d/IMP-%d.md", i / 1000, i);
		assert_string_equal(v[i], name);
	}
	/* About 1.7 MB of text: a few 1 MiB blocks, not 100,000 allocations. */
	assert_true(a.total < ((size_t)4 << 20));
	pp_arena_free(&a);
	assert_null(a.head);
	assert_int_equal(a.total, 0);
	free(v);
}

/* A string larger than a quarter block gets its own block and keeps the current one usable. */
static void big_strings_get_their_own_block(void **state)
{
	pp_arena a = {0};
	size_t big = (size_t)3 << 20;
	char *s = malloc(big + 1), *p, *q, *r;

	(void)state;
	assert_non_null(s);
	memset(s, 'x', big);
	s[big] = '\0';
	p = pp_arena_strdup(&a, "first");
	q = pp_arena_strdup(&a, s);
	r = pp_arena_strdup(&a, "after");
	assert_string_equal(p, "first");
	assert_int_equal(strlen(q), big);
	assert_string_equal(r, "after");
	/* "after" went into the same block as "first". */
	assert_ptr_equal(r, p + 6);
	pp_arena_free(&a);

	/* A big string first, into an empty arena. */
	q = pp_arena_strdup(&a, s);
	r = pp_arena_strndup(&a, "after-and-more", 5);
	assert_int_equal(strlen(q), big);
	assert_string_equal(r, "after");
	pp_arena_free(&a);
	pp_arena_free(NULL);
	free(s);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(many_strings_stay_intact),
	cmocka_unit_test(big_strings_get_their_own_block),
};

UNIT_MAIN("arena", tests)
