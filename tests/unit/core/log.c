/*
 * tests/unit/core/log.c: src/core/log.c: which levels print at each
 * PLANPIPE_LOG_LEVEL, and the line a message makes on standard error
 * ("planpipe: LEVEL: message", one line, a long message cut, not overrun).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "core/log.h"

/* What pp_log(level, "%s", msg) writes on standard error (caller frees). */
static char *logged(pp_log_level level, const char *msg)
{
	FILE *f = tmpfile();
	int saved;
	char *text;
	long n;

	assert_non_null(f);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	pp_log(level, "%s", msg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = ftell(f);
	text = calloc(1, (size_t)n + 1);
	assert_non_null(text);
	rewind(f);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

static void levels_gate(void **state)
{
	(void)state;
	pp_log_set_level(PP_LOG_ERROR);
	assert_true(pp_log_enabled(PP_LOG_ERROR));
	assert_false(pp_log_enabled(PP_LOG_WARN));
	pp_log_set_level(PP_LOG_INFO);
	assert_true(pp_log_enabled(PP_LOG_WARN));
	assert_true(pp_log_enabled(PP_LOG_INFO));
	assert_false(pp_log_enabled(PP_LOG_DEBUG));
	pp_log_set_level(PP_LOG_DEBUG);
	assert_true(pp_log_enabled(PP_LOG_DEBUG));
}

static void line_format(void **state)
{
	static const struct {
		pp_log_level max, level;
		const char *msg, *line;
	} cases[] = {
		{PP_LOG_INFO, PP_LOG_ERROR, "disk full", "planpipe: error: disk full\n"},
		{PP_LOG_INFO, PP_LOG_WARN, "slow", "planpipe: warning: slow\n"},
		{PP_LOG_INFO, PP_LOG_INFO, "listening", "planpipe: info: listening\n"},
		{PP_LOG_INFO, PP_LOG_DEBUG, "not shown at info", ""},
		{PP_LOG_DEBUG, PP_LOG_DEBUG, "shown", "planpipe: debug: shown\n"},
		{PP_LOG_ERROR, PP_LOG_WARN, "not shown at error", ""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		char *text;

		pp_log_set_level(cases[i].max);
		text = logged(cases[i].level, cases[i].msg);
		unit_str_equal(cases[i].msg, text, cases[i].line);
		free(text);
	}
	pp_log_set_level(PP_LOG_INFO);
}

/* A message longer than the line is cut, and the line still ends. */
static void long_message_is_cut(void **state)
{
	char *msg = malloc(10000), *text;

	(void)state;
	assert_non_null(msg);
	memset(msg, 'm', 9999);
	msg[9999] = '\0';
	pp_log_set_level(PP_LOG_INFO);
	text = logged(PP_LOG_INFO, msg);
	assert_int_equal(strlen(text), 4096); /* 4095 characters and the newline */
	assert_int_equal(strncmp(text, "planpipe: info: mmm", 19), 0);
	assert_int_equal(text[4095], '\n');
	free(text);
	free(msg);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(levels_gate),
	cmocka_unit_test(line_format),
	cmocka_unit_test(long_message_is_cut),
};

UNIT_MAIN("log", tests)
