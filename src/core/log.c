/* log.c: messages to standard error (see log.h). */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

static pp_log_level max_level = PP_LOG_INFO;
static const char *const names[] = {"error", "warning", "info", "debug"};

void pp_log_set_level(pp_log_level level)
{
	max_level = level;
}

int pp_log_enabled(pp_log_level level)
{
	return level <= max_level;
}

void pp_log(pp_log_level level, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	if (!pp_log_enabled(level))
		return;
	n = snprintf(line, sizeof(line), "planpipe: %s: ", names[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One fputs per message, so that threads' lines do not interleave. */
	fprintf(stderr, "%s\n", line);
}
