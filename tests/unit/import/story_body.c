/*
 * tests/unit/import/story_body.c: src/import/story_body.c, what the parser
 * reads from a story's markdown body: the task-list items counted (ticked
 * and not, any list marker and indentation, not inside fenced code), the
 * first level-1 heading (closing '#'s removed, not inside code, at most 3
 * spaces in), and a story key stripped from the front of a heading.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "import/story_int.h"

static void checklist_counts(void **state)
{
	static const struct {
		const char *body;
		int total, done;
	} cases[] = {
		{"", 0, 0},
		{"- [ ] a\n- [x] b\n- [X] c\n", 3, 2},
		{"* [ ] a\n+ [x] b\n1. [ ] c\n2) [x] d\n", 4, 2},
		{"    - [x] nested\n\t- [ ] tab\n", 2, 1},
		{"- [x]\n", 1, 1},                               /* an empty item still counts */
		{"- [y] no\n- [] no\n- [ ]no\n-[ ] no\n", 0, 0}, /* not task items */
		{"1234567890. [x] too many digits\n", 0, 0},
		{"```\n- [x] example\n```\n- [ ] real\n", 1, 0}, /* fenced code is not tasks */
		{"~~~md\n- [x] a\n~~~\n- [x] b\n", 1, 1},
		{"- [x] a\r\n- [ ] b\r\n", 2, 1}, /* CRLF */
		{"- [x] a\r- [ ] b", 2, 1},       /* lone CR, no final break */
	};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		int total = 0, done = 0;

		story_count_checklist(cases[i].body, strlen(cases[i].body), &total, &done);
		if (total != cases[i].total || done != cases[i].done)
			fail_msg("case %zu %s: %d of %d, expected %d of %d", i, cases[i].body, done,
				 total, cases[i].done, cases[i].total);
	}
}

static void first_heading(void **state)
{
	static const struct {
		const char *body, *title; /* NULL: none */
	} cases[] = {
		{"# Title\n", "Title"},
		{"text\n\n#   Spaced   \nmore", "Spaced"},
		{"   # Three spaces in\n", "Three spaces in"},
		{"    # Four: code\n", NULL},
		{"## Level two\n# One\n", "One"},
		{"#NoSpace\n# Yes\n", "Yes"},
		{"# Closed ##\n", "Closed"},
		{"# C# is kept\n", "C# is kept"},
		{"# ##\n# Next\n", "Next"}, /* nothing left: not a heading */
		{"```\n# in code\n```\n# After\n", "After"},
		{"# Title\r\nbody", "Title"},
		{"", NULL},
		{"no heading at all\n", NULL},
	};
	size_t i, n;
	const char *t;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		story_first_heading(cases[i].body, strlen(cases[i].body), &t, &n);
		if (cases[i].title == NULL) {
			if (t != NULL)
				fail_msg("case %zu: expected no heading, got \"%.*s\"", i, (int)n,
					 t);
			continue;
		}
		if (t == NULL || n != strlen(cases[i].title) || memcmp(t, cases[i].title, n) != 0)
			fail_msg("case %zu: expected \"%s\", got \"%.*s\"", i, cases[i].title,
				 t ? (int)n : 6, t ? t : "(none)");
	}
}

static void key_stripped_from_heading(void **state)
{
	static const struct {
		const char *key, *heading, *left;
	} cases[] = {
		{"INF-013", "INF-013: Add the cache", "Add the cache"},
		{"INF-013", "inf-013 - Add the cache", "Add the cache"},
		{"INF-013", "INF-013 | Add the cache", "Add the cache"},
		{"INF-013", "INF-013 \xE2\x80\x94 Add the cache", "Add the cache"}, /* em dash */
		{"INF-013", "INF-013 \xE2\x80\x93 Add the cache", "Add the cache"}, /* en dash */
		{"LLM-007-sales-pitch", "LLM-007: Pitches", "Pitches"}, /* the key's start */
		{"X-1", "LLM-003: Another key", "Another key"},         /* reads as a key */
		{"X-1", "Cache: the plan", "Cache: the plan"},          /* a word, not a key */
		{"INF-013", "INF-013 Add the cache", "INF-013 Add the cache"}, /* no separator */
		{"INF-013", "INF-013:", "INF-013:"}, /* nothing would remain */
	};
	size_t i, n;
	const char *t;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		t = cases[i].heading;
		n = strlen(t);
		story_strip_key(cases[i].key, &t, &n);
		if (n != strlen(cases[i].left) || memcmp(t, cases[i].left, n) != 0)
			fail_msg("case %zu: expected \"%s\", got \"%.*s\"", i, cases[i].left,
				 (int)n, t);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(checklist_counts),
	cmocka_unit_test(first_heading),
	cmocka_unit_test(key_stripped_from_heading),
};

UNIT_MAIN("story_body", tests)
