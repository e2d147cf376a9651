/*
 * config.h: planpipe's settings, read once from the environment at start-up.
 *
 * The database connection is libpq's business: DATABASE_URL (or the file named
 * by DATABASE_URL_FILE) when set, otherwise libpq's own PG* variables, which
 * libpq reads itself. PGPASSWORD_FILE names a file holding the password.
 * Everything else is PLANPIPE_*. Every setting is listed in one table in
 * config.c; `planpipe config` prints them all.
 */
#ifndef PP_CORE_CONFIG_H
#define PP_CORE_CONFIG_H

#include <stdio.h>

#include "core/err.h"

#define PP_CONFIG_MAX_SETTINGS 64

typedef struct pp_config {
	char *database_url;    /* DATABASE_URL[_FILE]; NULL: libpq's PG* variables */
	char *password;        /* PGPASSWORD_FILE's contents; NULL when unset */
	int connect_timeout_s; /* PLANPIPE_CONNECT_TIMEOUT */
	int log_level;         /* PLANPIPE_LOG_LEVEL, a pp_log_level */
	int lock_timeout_s;    /* PLANPIPE_MIGRATE_LOCK_TIMEOUT */
	char *migrations_dir;  /* PLANPIPE_MIGRATIONS_DIR; NULL: the embedded ones */

	/* Backups (src/db/backup.h, docs/backup.md). */
	char *backup_key;          /* PLANPIPE_BACKUP_KEY[_FILE]: HMAC key; NULL: unsigned */
	int backup_tool_timeout_s; /* PLANPIPE_BACKUP_TOOL_TIMEOUT; 0: no limit */

	/* The API's connection pool (src/db/pool.h). */
	int pool_max;                /* PLANPIPE_POOL_SIZE; 0: pp_pool_default_max() */
	int pool_min;                /* PLANPIPE_POOL_MIN */
	int pool_acquire_timeout_ms; /* PLANPIPE_POOL_ACQUIRE_TIMEOUT_MS */
	int pool_max_lifetime_s;     /* PLANPIPE_POOL_MAX_LIFETIME; 0: never */
	int pool_idle_timeout_s;     /* PLANPIPE_POOL_IDLE_TIMEOUT; 0: never */
	int pool_prepared;           /* PLANPIPE_POOL_STATEMENTS: 0 unnamed, 1 prepared */

	/* The API service (`planpipe serve`, src/http). */
	char *listen;               /* PLANPIPE_LISTEN: HOST:PORT */
	int max_body;               /* PLANPIPE_MAX_BODY: bytes */
	int log_format;             /* PLANPIPE_LOG_FORMAT: 0 text, 1 json */
	int max_connections;        /* PLANPIPE_MAX_CONNECTIONS */
	int max_connections_per_ip; /* PLANPIPE_MAX_CONNECTIONS_PER_IP; 0: no limit */
	int request_timeout_s;      /* PLANPIPE_REQUEST_TIMEOUT: a request arrives whole within */
	int http_threads;           /* PLANPIPE_HTTP_THREADS: event loop threads */
	int report_concurrency;     /* PLANPIPE_REPORT_CONCURRENCY; 0: a quarter of the pool */
	int report_wait_ms;         /* PLANPIPE_REPORT_WAIT_MS */

	/* Reads routed to a standby (src/api/read_route.h, docs/operations.md). */
	char *read_database_url; /* PLANPIPE_READ_DATABASE_URL[_FILE]; NULL: no standby */
	int read_max_lag_s;      /* PLANPIPE_READ_MAX_LAG */

	/* status_history's partitions (`planpipe maintain`, `serve`; src/db/maintain.h). */
	int history_months_ahead;      /* PLANPIPE_HISTORY_MONTHS_AHEAD */
	int history_maintain_interval; /* PLANPIPE_HISTORY_MAINTAIN_INTERVAL: s; 0: serve does not
					*/
	const char *source[PP_CONFIG_MAX_SETTINGS]; /* per setting: "default", "env", a file */
	char *source_buf[PP_CONFIG_MAX_SETTINGS];   /* owned strings behind source[] */
} pp_config;

/*
 * Reads every setting from the environment into *cfg (zeroed first). An
 * invalid value is PP_EINVAL with a message naming the variable and what it
 * accepts. The caller frees *cfg with pp_config_free, also on failure.
 */
pp_rc pp_config_load(pp_config *cfg, pp_err *err) PP_WARN_UNUSED;

/* Frees what pp_config_load allocated. Accepts NULL. */
void pp_config_free(pp_config *cfg);

/*
 * Prints one line per setting, "NAME=value  # source, help", secrets masked.
 * The database connection's effective parameters are printed by the db layer.
 */
void pp_config_print(const pp_config *cfg, FILE *out);

/* Reads a secret from a file: the whole file less trailing newlines. Caller frees *out. */
pp_rc pp_config_read_secret(const char *path, const char *var, char **out,
			    pp_err *err) PP_WARN_UNUSED;

#endif
