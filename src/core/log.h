/* log.h: messages to standard error, filtered by PLANPIPE_LOG_LEVEL. */
#ifndef PP_CORE_LOG_H
#define PP_CORE_LOG_H

#include "core/err.h"

typedef enum { PP_LOG_ERROR = 0, PP_LOG_WARN, PP_LOG_INFO, PP_LOG_DEBUG } pp_log_level;

/* Sets the most verbose level printed. Not thread-safe: call at start-up. */
void pp_log_set_level(pp_log_level level);

/* Whether a message at level would be printed. */
int pp_log_enabled(pp_log_level level);

/* Prints "planpipe: LEVEL: message" on standard error (printf format). Thread-safe. */
void pp_log(pp_log_level level, const char *fmt, ...) PP_PRINTF(2, 3);

#endif
