/*
 * tests/unit/import/story_text.c: src/import/story_text.c's byte-level
 * helpers, which every position and message of the story parser rests on:
 * UTF-8 validation (overlong forms, surrogates, NUL, truncation), code point
 * counts, line ends (LF, CRLF, lone CR), values quoted for messages, and the
 * parser's string map. Whole files through pp_story_parse: story.c here.
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

static void utf8_check_finds_the_first_bad_byte(void **state)
{
	static const struct {
		const char *s;
		size_t len, bad; /* bad == len: valid */
	} cases[] = {
		{"plain ascii", 11, 11},
		{"\xC3\xA9t\xC3\xA9", 5, 5}, /* été */
		{"\xE2\x80\x94", 3, 3},      /* em dash */
		{"\xF0\x9F\x98\x80", 4, 4},  /* U+1F600 */
		{"a\0b", 3, 1},              /* NUL */
		{"ab\xC3", 3, 2},            /* truncated */
		{"\xC0\xAF", 2, 0},          /* overlong '/' */
		{"x\xE0\x80\xAF", 4, 1},     /* overlong, 3 bytes */
		{"\xF0\x80\x80\xAF", 4, 0},  /* overlong, 4 bytes */
		{"\xED\xA0\x80", 3, 0},      /* a surrogate */
		{"\xF4\x90\x80\x80", 4, 0},  /* beyond U+10FFFF */
		{"ok\x80", 3, 2},            /* a lone continuation byte */
		{"\xC3(", 2, 0},             /* no continuation */
		{"\xFF", 1, 0},
	};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++)
		if (story_utf8_check(cases[i].s, cases[i].len) != cases[i].bad)
			fail_msg("case %zu: first bad byte at %zu, expected %zu", i,
				 story_utf8_check(cases[i].s, cases[i].len), cases[i].bad);
}

static void utf8_chars_counts_code_points(void **state)
{
	(void)state;
	assert_int_equal(story_utf8_chars("", 0), 0);
	assert_int_equal(story_utf8_chars("abc", 3), 3);
	assert_int_equal(story_utf8_chars("\xC3\xA9t\xC3\xA9", 5), 3);
	assert_int_equal(story_utf8_chars("\xF0\x9F\x98\x80!", 5), 2);
}

static void line_ends(void **state)
{
	static const char d[] = "a\nbb\r\nccc\rd";
	size_t len = sizeof(d) - 1, next, end;

	(void)state;
	end = story_line_end(d, len, 0, &next);
	assert_int_equal(end, 1);
	assert_int_equal(next, 2);
	end = story_line_end(d, len, next, &next); /* CRLF: one break */
	assert_int_equal(end, 4);
	assert_int_equal(next, 6);
	end = story_line_end(d, len, next, &next); /* a lone CR */
	assert_int_equal(end, 9);
	assert_int_equal(next, 10);
	end = story_line_end(d, len, next, &next); /* the last line, no break */
	assert_int_equal(end, 11);
	assert_int_equal(next, 11);
	end = story_line_end("x\r", 2, 0, &next); /* CR at the very end */
	assert_int_equal(end, 1);
	assert_int_equal(next, 2);
}

static void quote_for_messages(void **state)
{
	char out[128];
	char long_text[100];

	(void)state;
	assert_string_equal(story_quote(out, "abc", 3), "\"abc\"");
	assert_string_equal(story_quote(out, "", 0), "\"\"");
	assert_string_equal(story_quote(out, "a\tb\nc\x7F", 6), "\"a?b?c?\"");
	assert_string_equal(story_quote(out, "\xC3\xA9t\xC3\xA9", 5), "\"\xC3\xA9t\xC3\xA9\"");
	memset(long_text, 'x', sizeof(long_text));
	story_quote(out, long_text, sizeof(long_text));
	assert_int_equal(strlen(out), 1 + 40 + 3 + 1); /* 40 characters, then "..." */
	assert_string_equal(out + 41, "...\"");
	/* 40 characters are counted as code points, never split inside one. */
	{
		char wide[90];
		for (size_t i = 0; i < 45; i++)
			memcpy(wide + 2 * i, "\xC3\xA9", 2);
		story_quote(out, wide, 90);
		assert_int_equal(strlen(out), 1 + 80 + 3 + 1);
		assert_int_equal(story_utf8_check(out, strlen(out)), strlen(out));
	}
}

static void smap_put_get_grow(void **state)
{
	static char keys[200][8];
	smap m = {NULL, 0, 0};
	int values[200];
	size_t i;

	(void)state;
	assert_null(story_smap_get(&m, "a", 1)); /* empty: no table yet */
	for (i = 0; i < 200; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
		values[i] = (int)i;
		assert_int_equal(story_smap_put(&m, keys[i], strlen(keys[i]), &values[i]), PP_OK);
	}
	assert_int_equal(m.n, 200);
	assert_true(m.cap >= 400); /* at most half full */
	for (i = 0; i < 200; i++)
		assert_ptr_equal(story_smap_get(&m, keys[i], strlen(keys[i])), &values[i]);
	assert_null(story_smap_get(&m, "k200", 4));
	assert_null(story_smap_get(&m, "k1", 1)); /* the length is part of the key */
	/* Storing under a key again replaces its value. */
	assert_int_equal(story_smap_put(&m, "k7", 2, &values[0]), PP_OK);
	assert_int_equal(m.n, 200);
	assert_ptr_equal(story_smap_get(&m, "k7", 2), &values[0]);
	story_smap_free(&m);
	assert_null(m.e);
	assert_int_equal(m.cap, 0);
	assert_int_equal(m.n, 0);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(utf8_check_finds_the_first_bad_byte),
	cmocka_unit_test(utf8_chars_counts_code_points),
	cmocka_unit_test(line_ends),
	cmocka_unit_test(quote_for_messages),
	cmocka_unit_test(smap_put_get_grow),
};

UNIT_MAIN("story_text", tests)
