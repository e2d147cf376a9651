/* log.c: messages to standard error (see log.h). */
#include "core/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pp_log_level max_level = PP_LOG_INFO;
static const char *const names[] = {"error", "warning", "info", "debug"};
static int as_json;

void pp_log_set_level(pp_log_level level)
{
	max_level = level;
}

void pp_log_set_json(int on)
{
	as_json = on;
}

void pp_log_time(char out[PP_LOG_TIME_MAX])
{
	struct timespec ts;
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(out, PP_LOG_TIME_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, PP_LOG_TIME_MAX - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/*
 * msg as a JSON line (malloc'd; NULL when out of memory). jansson takes UTF-8
 * only: a message that is not (a name read from disk, or one cut short) is
 * written with its other bytes as '?'.
 */
static char *json_line(pp_log_level level, char *msg)
{
	char when[PP_LOG_TIME_MAX];
	json_t *o;
	char *text;
	size_t i;

	pp_log_time(when);
	o = json_pack("{s:s,s:s,s:s}", "time", when, "level", names[level], "msg", msg);
	if (o == NULL) {
		for (i = 0; msg[i]; i++)
			if ((unsigned char)msg[i] >= 0x80)
				msg[i] = '?';
		o = json_pack("{s:s,s:s,s:s}", "time", when, "level", names[level], "msg", msg);
	}
	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return text;
}

int pp_log_enabled(pp_log_level level)
{
	return level <= max_level;
}

void pp_log(pp_log_level level, const char *fmt, ...)
{
	char line[4096];
	char *text;
	va_list ap;
	int n = 0;

	if (!pp_log_enabled(level))
		return;
	if (!as_json)
		n = snprintf(line, sizeof(line), "planpipe: %s: ", names[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One fprintf per message, so that threads' lines do not interleave. */
	if (!as_json) {
		fprintf(stderr, "%s\n", line);
		return;
	}
	text = json_line(level, line);
	fprintf(stderr, "%s\n", text ? text : "{\"level\":\"error\",\"msg\":\"out of memory\"}");
	free(text);
}
