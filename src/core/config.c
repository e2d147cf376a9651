/* config.c: settings from the environment (see config.h). */
#include "core/config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file.h"
#include "core/log.h"

typedef enum { S_STRING, S_INT, S_ENUM } kind;

typedef struct setting {
	const char *name;
	kind kind;
	size_t offset;
	const char *def;            /* NULL: unset */
	long min, max;              /* S_INT */
	const char *const *choices; /* S_ENUM, NULL-terminated; the value is the index */
	int secret;                 /* masked when printed; NAME_FILE also accepted */
	int file_only;              /* only NAME_FILE is ours: libpq reads NAME itself */
	const char *help;
} setting;

static const char *const log_levels[] = {"error", "warn", "info", "debug", NULL};
static const char *const statement_kinds[] = {"unnamed", "prepared", NULL};
static const char *const log_formats[] = {"text", "json", NULL};

static const setting settings[] = {
	{"DATABASE_URL", S_STRING, offsetof(pp_config, database_url), NULL, 0, 0, NULL, 1, 0,
	 "libpq connection URI or key=value string; unset: libpq's PG* variables"},
	{"PGPASSWORD", S_STRING, offsetof(pp_config, password), NULL, 0, 0, NULL, 1, 1,
	 "only PGPASSWORD_FILE is read here (libpq reads PGPASSWORD and PGPASSFILE itself)"},
	{"PLANPIPE_CONNECT_TIMEOUT", S_INT, offsetof(pp_config, connect_timeout_s), "10", 1, 3600,
	 NULL, 0, 0, "seconds allowed for opening one database connection"},
	{"PLANPIPE_LOG_LEVEL", S_ENUM, offsetof(pp_config, log_level), "info", 0, 0, log_levels, 0,
	 0, "error, warn, info or debug"},
	{"PLANPIPE_MIGRATE_LOCK_TIMEOUT", S_INT, offsetof(pp_config, lock_timeout_s), "60", 0,
	 86400, NULL, 0, 0, "seconds `migrate` waits for another runner's lock"},
	{"PLANPIPE_MIGRATIONS_DIR", S_STRING, offsetof(pp_config, migrations_dir), NULL, 0, 0, NULL,
	 0, 0, "read migrations from this directory instead of the embedded ones"},
	/* Backups (src/db/backup.h, docs/backup.md). */
	{"PLANPIPE_BACKUP_KEY", S_STRING, offsetof(pp_config, backup_key), NULL, 0, 0, NULL, 1, 0,
	 "HMAC-SHA256 key (16 bytes or more): backups are signed, and restores refuse unsigned "
	 "or wrongly signed ones"},
	{"PLANPIPE_BACKUP_TOOL_TIMEOUT", S_INT, offsetof(pp_config, backup_tool_timeout_s), "21600",
	 0, 604800, NULL, 0, 0,
	 "seconds pg_dump or pg_restore may run before it is ended; 0: no limit"},
	/* The API's connection pool (src/db/pool.h, docs/operations.md). */
	{"PLANPIPE_POOL_SIZE", S_INT, offsetof(pp_config, pool_max), "0", 0, 10000, NULL, 0, 0,
	 "most database connections the pool opens; 0: twice this host's CPUs, 4 to 64"},
	{"PLANPIPE_POOL_MIN", S_INT, offsetof(pp_config, pool_min), "0", 0, 10000, NULL, 0, 0,
	 "connections the pool keeps open even when idle"},
	{"PLANPIPE_POOL_ACQUIRE_TIMEOUT_MS", S_INT, offsetof(pp_config, pool_acquire_timeout_ms),
	 "5000", 1, 600000, NULL, 0, 0, "milliseconds a request waits for a pooled connection"},
	{"PLANPIPE_POOL_MAX_LIFETIME", S_INT, offsetof(pp_config, pool_max_lifetime_s), "1800", 0,
	 604800, NULL, 0, 0,
	 "seconds before a pooled connection is replaced (less jitter); 0: never"},
	{"PLANPIPE_POOL_IDLE_TIMEOUT", S_INT, offsetof(pp_config, pool_idle_timeout_s), "600", 0,
	 604800, NULL, 0, 0,
	 "seconds an idle connection above PLANPIPE_POOL_MIN is kept; 0: always"},
	{"PLANPIPE_POOL_STATEMENTS", S_ENUM, offsetof(pp_config, pool_prepared), "unnamed", 0, 0,
	 statement_kinds, 0, 0,
	 "unnamed (PQexecParams, any PgBouncer) or prepared (PgBouncer needs max_prepared_statements)"},
	/* The API service (`planpipe serve`, docs/api.md). */
	{"PLANPIPE_LISTEN", S_STRING, offsetof(pp_config, listen), "127.0.0.1:8080", 0, 0, NULL, 0,
	 0, "address `serve` listens on: HOST:PORT, [IPV6]:PORT or :PORT (all)"},
	{"PLANPIPE_MAX_BODY", S_INT, offsetof(pp_config, max_body), "1048576", 1024, 1073741824,
	 NULL, 0, 0, "largest request body `serve` accepts, in bytes (413 beyond)"},
	{"PLANPIPE_LOG_FORMAT", S_ENUM, offsetof(pp_config, log_format), "text", 0, 0, log_formats,
	 0, 0, "text or json (the access log lines of `serve`)"},
	{"PLANPIPE_MAX_CONNECTIONS", S_INT, offsetof(pp_config, max_connections), "4096", 1,
	 1000000, NULL, 0, 0, "most client connections `serve` holds open at once"},
	{"PLANPIPE_MAX_CONNECTIONS_PER_IP", S_INT, offsetof(pp_config, max_connections_per_ip),
	 "256", 0, 1000000, NULL, 0, 0,
	 "most connections `serve` holds open from one client address; 0: no limit"},
	{"PLANPIPE_REQUEST_TIMEOUT", S_INT, offsetof(pp_config, request_timeout_s), "30", 1, 3600,
	 NULL, 0, 0,
	 "seconds a request (headers and body) has to arrive whole, from the connection's "
	 "start or its previous response"},
	{"PLANPIPE_HTTP_THREADS", S_INT, offsetof(pp_config, http_threads), "2", 1, 64, NULL, 0, 0,
	 "event loop threads of `serve` (they read and write sockets, never wait on the database)"},
	{"PLANPIPE_REPORT_CONCURRENCY", S_INT, offsetof(pp_config, report_concurrency), "0", 0,
	 10000, NULL, 0, 0,
	 "reports `serve` runs at once, fewer than PLANPIPE_POOL_SIZE; 0: a quarter of the pool"},
	{"PLANPIPE_REPORT_WAIT_MS", S_INT, offsetof(pp_config, report_wait_ms), "1000", 1, 600000,
	 NULL, 0, 0, "milliseconds a report waits for its turn before a 503 with Retry-After"},
	/* Reads routed to a standby (docs/operations.md, "Reads on the standby"). */
	{"PLANPIPE_READ_DATABASE_URL", S_STRING, offsetof(pp_config, read_database_url), NULL, 0, 0,
	 NULL, 1, 0,
	 "a hot standby's connection string: `serve` runs reports, the cross-project story list "
	 "and history there; unset: everything on DATABASE_URL"},
	{"PLANPIPE_READ_MAX_LAG", S_INT, offsetof(pp_config, read_max_lag_s), "5", 0, 86400, NULL,
	 0, 0, "seconds of replay lag beyond which the standby's reads go to the primary"},
	/* status_history's partitions (docs/operations.md, "History partitions"). */
	{"PLANPIPE_HISTORY_MONTHS_AHEAD", S_INT, offsetof(pp_config, history_months_ahead), "12", 0,
	 120, NULL, 0, 0,
	 "months of status_history partitions `maintain` and `serve` keep ahead of this one"},
	{"PLANPIPE_HISTORY_MAINTAIN_INTERVAL", S_INT,
	 offsetof(pp_config, history_maintain_interval), "3600", 0, 604800, NULL, 0, 0,
	 "seconds between `serve`'s history partition maintenance runs (also at start); 0: never"},
};

#define N_SETTINGS (sizeof(settings) / sizeof(settings[0]))
_Static_assert(N_SETTINGS <= PP_CONFIG_MAX_SETTINGS, "raise PP_CONFIG_MAX_SETTINGS");

pp_rc pp_config_read_secret(const char *path, const char *var, char **out, pp_err *err)
{
	size_t len;
	char *data;
	pp_rc rc = pp_file_read(path, 64 * 1024, &data, &len, err);

	if (rc != PP_OK) {
		pp_err_prefix(err, "%s: ", var);
		return rc;
	}
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	if (len == 0 || strlen(data) != len) {
		free(data);
		return pp_err_set(err, PP_EINVAL, "%s: %s is empty or holds a NUL byte", var, path);
	}
	*out = data;
	return PP_OK;
}

static pp_rc parse_value(const setting *s, const char *value, void *field, pp_err *err)
{
	char *end;
	long n;
	int i;

	switch (s->kind) {
	case S_STRING:
		if (*value == '\0')
			return pp_err_set(err, PP_EINVAL, "%s is set but empty", s->name);
		*(char **)field = strdup(value);
		return *(char **)field ? PP_OK : PP_ENOMEM;
	case S_INT:
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || n < s->min || n > s->max)
			return pp_err_set(
				err, PP_EINVAL,
				"%s=\"%s\" is invalid: expected a whole number from %ld to %ld",
				s->name, value, s->min, s->max);
		*(int *)field = (int)n;
		return PP_OK;
	case S_ENUM:
		for (i = 0; s->choices[i]; i++) {
			if (strcasecmp(value, s->choices[i]) == 0) {
				*(int *)field = i;
				return PP_OK;
			}
		}
		return pp_err_set(err, PP_EINVAL, "%s=\"%s\" is invalid: expected %s", s->name,
				  value, s->help);
	}
	return pp_err_set(err, PP_EINVAL, "%s: unknown kind", s->name);
}

/* Reads NAME_FILE for a secret setting into *value (caller frees). */
static pp_rc read_file_variant(const setting *s, pp_config *cfg, size_t i, char **value,
			       pp_err *err)
{
	char var[128];
	const char *path;
	size_t size;
	pp_rc rc;

	snprintf(var, sizeof(var), "%s_FILE", s->name);
	path = getenv(var);
	if (path == NULL)
		return PP_OK;
	if (!s->file_only && getenv(s->name) != NULL)
		return pp_err_set(err, PP_EINVAL, "both %s and %s are set: set one of them",
				  s->name, var);
	rc = pp_config_read_secret(path, var, value, err);
	if (rc != PP_OK)
		return rc;
	size = strlen(var) + strlen(path) + 4;
	cfg->source_buf[i] = malloc(size);
	if (cfg->source_buf[i] == NULL)
		return PP_ENOMEM;
	snprintf(cfg->source_buf[i], size, "%s (%s)", var, path);
	cfg->source[i] = cfg->source_buf[i];
	return PP_OK;
}

pp_rc pp_config_load(pp_config *cfg, pp_err *err)
{
	size_t i;
	pp_rc rc;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < N_SETTINGS; i++) {
		const setting *s = &settings[i];
		void *field = (char *)cfg + s->offset;
		const char *value = s->file_only ? NULL : getenv(s->name);
		char *secret = NULL;

		cfg->source[i] = "default";
		if (s->secret) {
			rc = read_file_variant(s, cfg, i, &secret, err);
			if (rc != PP_OK)
				return rc;
		}
		if (secret != NULL) {
			rc = parse_value(s, secret, field, err);
			free(secret);
		} else if (value != NULL) {
			cfg->source[i] = "env";
			rc = parse_value(s, value, field, err);
		} else if (s->def != NULL) {
			rc = parse_value(s, s->def, field, err);
		} else {
			rc = PP_OK;
		}
		if (rc != PP_OK)
			return rc;
	}
	pp_log_set_level((pp_log_level)cfg->log_level);
	return PP_OK;
}

void pp_config_free(pp_config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < N_SETTINGS; i++) {
		if (settings[i].kind == S_STRING) {
			char **field = (char **)((char *)cfg + settings[i].offset);
			free(*field);
			*field = NULL;
		}
		free(cfg->source_buf[i]);
		cfg->source_buf[i] = NULL;
	}
}

void pp_config_print(const pp_config *cfg, FILE *out)
{
	size_t i;

	for (i = 0; i < N_SETTINGS; i++) {
		const setting *s = &settings[i];
		const void *field = (const char *)cfg + s->offset;
		const char *name = s->name;
		char namebuf[128];

		if (s->file_only) {
			snprintf(namebuf, sizeof(namebuf), "%s_FILE", s->name);
			name = namebuf;
		}
		switch (s->kind) {
		case S_STRING: {
			const char *v = *(char *const *)field;
			fprintf(out, "%s=%s", name, v == NULL ? "" : s->secret ? "********" : v);
			break;
		}
		case S_INT:
			fprintf(out, "%s=%d", name, *(const int *)field);
			break;
		case S_ENUM:
			fprintf(out, "%s=%s", name, s->choices[*(const int *)field]);
			break;
		}
		fprintf(out, "\t# %s; %s\n", cfg->source[i], s->help);
	}
}
