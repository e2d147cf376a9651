/* log.h: messages to standard error, filtered by PLANPIPE_LOG_LEVEL. */
#ifndef PP_CORE_LOG_H
#define PP_CORE_LOG_H

#include "core/err.h"

typedef enum { PP_LOG_ERROR = 0, PP_LOG_WARN, PP_LOG_INFO, PP_LOG_DEBUG } pp_log_level;

/* Sets the most verbose level printed. Not thread-safe: call at start-up. */
void pp_log_set_level(pp_log_level level);

/* Whether a message at level would be printed. */
int pp_log_enabled(pp_log_level level);

/*
 * Messages as one JSON object a line, {"time", "level", "msg"} as the
 * server's access log writes them (PLANPIPE_LOG_FORMAT=json), instead of
 * text. Not thread-safe: call at start-up.
 */
void pp_log_set_json(int on);

/* "2025-06-01T10:00:00.123Z": now, UTC, to the millisecond, as the logs write it. */
#define PP_LOG_TIME_MAX 32
void pp_log_time(char out[PP_LOG_TIME_MAX]);

/*
 * Prints "planpipe: LEVEL: message" (printf format), or its JSON object, on
 * standard error, one write a message. Thread-safe.
 */
void pp_log(pp_log_level level, const char *fmt, ...) PP_PRINTF(2, 3);

#endif
