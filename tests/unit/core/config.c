/*
 * tests/unit/core/config.c: src/core/config.c, the settings table read from
 * the environment: defaults, values and their sources, each kind of bad
 * value named with what it accepts, the NAME_FILE secrets, and the printout
 * with secrets masked.
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

#include "core/config.h"
#include "core/log.h"

static const char *const vars[] = {"DATABASE_URL",
				   "DATABASE_URL_FILE",
				   "PGPASSWORD_FILE",
				   "PLANPIPE_CONNECT_TIMEOUT",
				   "PLANPIPE_LOG_LEVEL",
				   "PLANPIPE_MIGRATE_LOCK_TIMEOUT",
				   "PLANPIPE_MIGRATIONS_DIR",
				   "PLANPIPE_BACKUP_KEY",
				   "PLANPIPE_BACKUP_KEY_FILE",
				   "PLANPIPE_BACKUP_TOOL_TIMEOUT",
				   "PLANPIPE_POOL_SIZE",
				   "PLANPIPE_POOL_MIN",
				   "PLANPIPE_POOL_ACQUIRE_TIMEOUT_MS",
				   "PLANPIPE_POOL_MAX_LIFETIME",
				   "PLANPIPE_POOL_IDLE_TIMEOUT",
				   "PLANPIPE_POOL_STATEMENTS",
				   "PLANPIPE_LISTEN",
				   "PLANPIPE_MAX_BODY",
				   "PLANPIPE_LOG_FORMAT",
				   "PLANPIPE_HISTORY_MONTHS_AHEAD",
				   "PLANPIPE_HISTORY_MAINTAIN_INTERVAL",
				   "PLANPIPE_READ_DATABASE_URL",
				   "PLANPIPE_READ_DATABASE_URL_FILE",
				   "PLANPIPE_READ_MAX_LAG"};

static int clean_env(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(vars); i++)
		unsetenv(vars[i]);
	return 0;
}

/* A temporary file holding text; the caller unlinks and frees the path. */
static char *temp_file(const char *text)
{
	char *path = strdup("/tmp/pp-config-XXXXXX");
	int fd;

	assert_non_null(path);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static char *printed(const pp_config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	pp_config_print(cfg, f);
	fclose(f);
	return text;
}

static void defaults(void **state)
{
	pp_config cfg;
	pp_err err;
	char *text;

	(void)state;
	assert_int_equal(pp_config_load(&cfg, &err), PP_OK);
	assert_null(cfg.database_url);
	assert_null(cfg.password);
	assert_int_equal(cfg.connect_timeout_s, 10);
	assert_int_equal(cfg.log_level, PP_LOG_INFO);
	assert_int_equal(cfg.lock_timeout_s, 60);
	assert_int_equal(cfg.pool_max, 0);
	assert_int_equal(cfg.pool_acquire_timeout_ms, 5000);
	assert_int_equal(cfg.pool_prepared, 0);
	assert_string_equal(cfg.listen, "127.0.0.1:8080");
	assert_int_equal(cfg.max_body, 1048576);
	assert_int_equal(cfg.log_format, 0);
	assert_int_equal(cfg.history_months_ahead, 12);
	text = printed(&cfg);
	assert_non_null(strstr(text, "PLANPIPE_LISTEN=127.0.0.1:8080\t# default; "));
	assert_non_null(strstr(text, "PGPASSWORD_FILE=\t# default; "));
	assert_non_null(strstr(text, "PLANPIPE_POOL_STATEMENTS=unnamed\t# default"));
	free(text);
	pp_config_free(&cfg);
	pp_config_free(NULL);
}

static void values_from_the_environment(void **state)
{
	pp_config cfg;
	pp_err err;
	char *text;

	(void)state;
	setenv("DATABASE_URL", "postgresql://u:hunter2@db/planpipe", 1);
	setenv("PLANPIPE_CONNECT_TIMEOUT", "3600", 1);
	setenv("PLANPIPE_LOG_LEVEL", "DEBUG", 1);
	setenv("PLANPIPE_POOL_STATEMENTS", "prepared", 1);
	setenv("PLANPIPE_LISTEN", "[::1]:9000", 1);
	assert_int_equal(pp_config_load(&cfg, &err), PP_OK);
	assert_string_equal(cfg.database_url, "postgresql://u:hunter2@db/planpipe");
	assert_int_equal(cfg.connect_timeout_s, 3600);
	assert_int_equal(cfg.log_level, PP_LOG_DEBUG);
	assert_int_equal(cfg.pool_prepared, 1);
	assert_string_equal(cfg.listen, "[::1]:9000");
	text = printed(&cfg);
	/* Secrets are masked; the source says where the value came from. */
	assert_null(strstr(text, "hunter2"));
	assert_non_null(strstr(text, "DATABASE_URL=********\t# env; "));
	assert_non_null(strstr(text, "PLANPIPE_LOG_LEVEL=debug\t# env; "));
	free(text);
	pp_config_free(&cfg);
	pp_log_set_level(PP_LOG_INFO);
}

/* var=value alone in the environment is refused with a message holding want. */
typedef struct refusal {
	const char *var, *value, *want;
} refusal;

static void refused(const refusal *cases, size_t n)
{
	char what[256];
	pp_config cfg;
	pp_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		const refusal *c = &cases[i];

		snprintf(what, sizeof(what), "%s=%s", c->var, c->value);
		clean_env(NULL);
		setenv(c->var, c->value, 1);
		pp_err_clear(&err);
		if (pp_config_load(&cfg, &err) != PP_EINVAL)
			fail_msg("%s: accepted", what);
		unit_str_has(what, err.msg, c->want);
		pp_config_free(&cfg);
		unsetenv(c->var);
	}
}

/* name=value beside name_FILE (set already): refused, naming both. */
static void both_refused(const char *name, const char *value)
{
	char want[256];
	pp_config cfg;
	pp_err err;

	setenv(name, value, 1);
	snprintf(want, sizeof(want), "both %s and %s_FILE are set: set one of them", name, name);
	pp_err_clear(&err);
	unit_int_equal(name, pp_config_load(&cfg, &err), PP_EINVAL);
	unit_str_equal(name, err.msg, want);
	pp_config_free(&cfg);
}

static void bad_values_name_the_variable(void **state)
{
	static const refusal cases[] = {
		{"PLANPIPE_CONNECT_TIMEOUT", "0",
		 "PLANPIPE_CONNECT_TIMEOUT=\"0\" is invalid: expected a whole number from 1 to 3600"},
		{"PLANPIPE_CONNECT_TIMEOUT", "3601", "from 1 to 3600"},
		{"PLANPIPE_CONNECT_TIMEOUT", "10s", "PLANPIPE_CONNECT_TIMEOUT=\"10s\" is invalid"},
		{"PLANPIPE_CONNECT_TIMEOUT", "", "PLANPIPE_CONNECT_TIMEOUT=\"\" is invalid"},
		{"PLANPIPE_POOL_SIZE", "99999999999999999999", "PLANPIPE_POOL_SIZE="},
		{"PLANPIPE_LOG_LEVEL", "loud",
		 "PLANPIPE_LOG_LEVEL=\"loud\" is invalid: expected error, warn, info or debug"},
		{"PLANPIPE_LOG_FORMAT", "xml", "expected text or json"},
		{"PLANPIPE_LISTEN", "", "PLANPIPE_LISTEN is set but empty"},
	};

	(void)state;
	refused(cases, UNIT_NELEM(cases));
}

static void secrets_from_files(void **state)
{
	char *path = temp_file("s3cret-key-of-32-bytes-or-so!!\n\n");
	pp_config cfg;
	pp_err err;
	char *text;

	(void)state;
	setenv("PLANPIPE_BACKUP_KEY_FILE", path, 1);
	setenv("PGPASSWORD_FILE", path, 1);
	assert_int_equal(pp_config_load(&cfg, &err), PP_OK);
	assert_string_equal(cfg.backup_key, "s3cret-key-of-32-bytes-or-so!!");
	assert_string_equal(cfg.password, "s3cret-key-of-32-bytes-or-so!!");
	text = printed(&cfg);
	assert_null(strstr(text, "s3cret"));
	assert_non_null(strstr(text, "PLANPIPE_BACKUP_KEY=********\t# PLANPIPE_BACKUP_KEY_FILE ("));
	free(text);
	pp_config_free(&cfg);

	/* Both spellings of one secret: refused, naming both. */
	both_refused("PLANPIPE_BACKUP_KEY", "inline");
	unsetenv("PLANPIPE_BACKUP_KEY");
	unlink(path);
	free(path);
}

/* The standby for reads: off unless set, a secret like DATABASE_URL, a validated bound. */
static void read_routing(void **state)
{
	static const refusal bad[] = {
		{"PLANPIPE_READ_MAX_LAG", "5s",
		 "PLANPIPE_READ_MAX_LAG=\"5s\" is invalid: expected a whole number from 0 to 86400"},
		{"PLANPIPE_READ_MAX_LAG", "-1", "PLANPIPE_READ_MAX_LAG=\"-1\" is invalid"},
		{"PLANPIPE_READ_MAX_LAG", "86401", "from 0 to 86400"},
		{"PLANPIPE_READ_DATABASE_URL", "", "PLANPIPE_READ_DATABASE_URL is set but empty"},
	};
	char *path = temp_file("postgresql://app:standby-pw@standby/planpipe\n");
	pp_config cfg;
	pp_err err;
	char *text;

	(void)state;
	assert_int_equal(pp_config_load(&cfg, &err), PP_OK);
	assert_null(cfg.read_database_url);
	assert_int_equal(cfg.read_max_lag_s, 5);
	pp_config_free(&cfg);

	setenv("PLANPIPE_READ_DATABASE_URL_FILE", path, 1);
	setenv("PLANPIPE_READ_MAX_LAG", "0", 1);
	assert_int_equal(pp_config_load(&cfg, &err), PP_OK);
	assert_string_equal(cfg.read_database_url, "postgresql://app:standby-pw@standby/planpipe");
	assert_int_equal(cfg.read_max_lag_s, 0);
	text = printed(&cfg);
	assert_null(strstr(text, "standby-pw"));
	assert_non_null(strstr(text, "PLANPIPE_READ_DATABASE_URL=********\t# "
				     "PLANPIPE_READ_DATABASE_URL_FILE ("));
	assert_non_null(strstr(text, "PLANPIPE_READ_MAX_LAG=0\t# env; "));
	free(text);
	pp_config_free(&cfg);

	both_refused("PLANPIPE_READ_DATABASE_URL", "postgresql://standby/planpipe");
	unsetenv("PLANPIPE_READ_DATABASE_URL_FILE");
	assert_int_equal(pp_config_load(&cfg, &err), PP_OK);
	assert_string_equal(cfg.read_database_url, "postgresql://standby/planpipe");
	pp_config_free(&cfg);
	unlink(path);
	free(path);

	refused(bad, UNIT_NELEM(bad));
}

static void bad_secret_files(void **state)
{
	char *empty = temp_file("\n");
	pp_config cfg;
	pp_err err;

	(void)state;
	setenv("DATABASE_URL_FILE", empty, 1);
	assert_int_equal(pp_config_load(&cfg, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "DATABASE_URL_FILE: "));
	assert_non_null(strstr(err.msg, "is empty or holds a NUL byte"));
	pp_config_free(&cfg);
	setenv("DATABASE_URL_FILE", "/nonexistent/planpipe-secret", 1);
	assert_int_not_equal(pp_config_load(&cfg, &err), PP_OK);
	assert_non_null(strstr(err.msg, "DATABASE_URL_FILE: "));
	pp_config_free(&cfg);
	unlink(empty);
	free(empty);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup(defaults, clean_env),
	cmocka_unit_test_setup(values_from_the_environment, clean_env),
	cmocka_unit_test_setup(bad_values_name_the_variable, clean_env),
	cmocka_unit_test_setup(secrets_from_files, clean_env),
	cmocka_unit_test_setup(bad_secret_files, clean_env),
	cmocka_unit_test_setup(read_routing, clean_env),
};

UNIT_MAIN("config", tests)
