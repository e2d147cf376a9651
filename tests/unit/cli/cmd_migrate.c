/*
 * tests/unit/cli/cmd_migrate.c: src/cli/cmd_migrate.c's pure parts
 * (cmd_migrate_int.h): the command line (the subcommand first, its options
 * after it, the settings as defaults, one operand, the help forms, the
 * exact refusals), the whole numbers it takes, and migrate status's exit
 * code and --json document. (Migrating: tests/integration/test_migrate.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "capture.h"
#include "cli/cmd_migrate_int.h"

/* The settings the parse starts from. */
static pp_config cfg;

static int parse(int argc, char **argv, void *ctx)
{
	return migrate_parse_args(argc, argv, &cfg, ctx);
}

static int setup(void **state)
{
	static char dir[] = "/srv/migrations";

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.migrations_dir = dir;
	cfg.lock_timeout_s = 45;
	return 0;
}

/* a and b are both NULL or the same string. */
static void same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

/* args parse without a word into exactly want. */
static void parses_to(const char *const *args, const migrate_args *want)
{
	migrate_args a;

	pp_t_expect_argv(parse, args, &a, 0, "", "");
	same_string(a.sub, want->sub);
	same_string(a.dir, want->dir);
	same_string(a.operand, want->operand);
	assert_int_equal(a.to, want->to);
	assert_int_equal(a.allow_out_of_order, want->allow_out_of_order);
	assert_int_equal(a.json, want->json);
	assert_int_equal(a.lock_timeout_s, want->lock_timeout_s);
	assert_int_equal(a.wait_timeout_s, want->wait_timeout_s);
}

static void defaults_come_from_the_settings(void **state)
{
	const char *args[] = {"migrate", "up", NULL};

	(void)state;
	parses_to(args, &(migrate_args){.sub = "up",
					.dir = "/srv/migrations",
					.lock_timeout_s = 45,
					.wait_timeout_s = 60});
}

static void options_follow_the_subcommand(void **state)
{
	const char *plan[] = {
		"migrate",      "plan",           "--to", "12", "--allow-out-of-order",
		"--dir=/tmp/m", "--lock-timeout", "0",    NULL};
	const char *wait[] = {"migrate", "wait", "--timeout", "5", NULL};
	const char *status[] = {"migrate", "status", "--json", NULL};
	const char *base[] = {"migrate", "baseline", "7", NULL};

	(void)state;
	parses_to(plan, &(migrate_args){.sub = "plan",
					.dir = "/tmp/m",
					.to = 12,
					.allow_out_of_order = 1,
					.wait_timeout_s = 60});
	parses_to(wait, &(migrate_args){.sub = "wait",
					.dir = "/srv/migrations",
					.lock_timeout_s = 45,
					.wait_timeout_s = 5});
	parses_to(status, &(migrate_args){.sub = "status",
					  .dir = "/srv/migrations",
					  .json = 1,
					  .lock_timeout_s = 45,
					  .wait_timeout_s = 60});
	parses_to(base, &(migrate_args){.sub = "baseline",
					.dir = "/srv/migrations",
					.operand = "7",
					.lock_timeout_s = 45,
					.wait_timeout_s = 60});
}

static void one_operand_at_most(void **state)
{
	const char *two[] = {"migrate", "new", "a", "b", NULL};
	migrate_args a;

	(void)state;
	pp_t_expect_argv(parse, two, &a, -1, "",
			 "planpipe migrate: error: too many arguments (see planpipe migrate "
			 "--help)\n");
}

/* --help, -h and help print the usage on standard output; nothing prints it on standard error. */
static void help_forms_and_no_subcommand(void **state)
{
	const char *helps[][3] = {{"migrate", "--help", NULL},
				  {"migrate", "-h", NULL},
				  {"migrate", "help", NULL},
				  {"migrate", "up", "--help"}};
	const char *none[] = {"migrate", NULL};
	migrate_args a;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		const char *args[] = {helps[i][0], helps[i][1], helps[i][2], NULL};

		pp_t_expect_argv(parse, args, &a, 1, migrate_usage, "");
	}
	pp_t_expect_argv(parse, none, &a, -1, "", migrate_usage);
	assert_ptr_equal(strstr(migrate_usage, "usage: planpipe migrate SUBCOMMAND"),
			 migrate_usage);
	pp_t_assert_width(migrate_usage, 80);
}

/* Each number option names itself and its minimum when refused. */
static const struct {
	const char *args[5];
	const char *err; /* NULL: any message */
} refusals[] = {
	{{"migrate", "up", "--to", "0"},
	 "planpipe migrate: error: --to \"0\" is not a whole number of at least 1\n"},
	{{"migrate", "up", "--lock-timeout", "-1"},
	 "planpipe migrate: error: --lock-timeout \"-1\" is not a whole number of at least 0\n"},
	{{"migrate", "wait", "--timeout", "5s"},
	 "planpipe migrate: error: --timeout \"5s\" is not a whole number of at least 0\n"},
	{{"migrate", "up", "--to", "1000000001"}, NULL},
};

static void numbers_are_refused_by_name(void **state)
{
	migrate_args a;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(refusals); i++)
		pp_t_expect_argv(parse, refusals[i].args, &a, -1, "", refusals[i].err);
}

/* For pp_t_expect_call: migrate_parse_int of what, "version" and a minimum of 1. */
typedef struct int_call {
	const char *s;
	int v;
} int_call;

static int parse_version(void *ctx)
{
	int_call *c = ctx;

	return migrate_parse_int(c->s, "baseline version", 1, &c->v);
}

static void parse_int_keeps_the_value_untouched_when_refused(void **state)
{
	int_call ok = {"1000000000", 0}, empty = {"", 5}, blank = {" 3", 0};

	(void)state;
	pp_t_expect_call(parse_version, &ok, 0, "", "");
	assert_int_equal(ok.v, 1000000000);
	pp_t_expect_call(parse_version, &empty, -1, "",
			 "planpipe migrate: error: baseline version \"\" is not a whole number of "
			 "at least 1\n");
	assert_int_equal(empty.v, 5);
	/* strtol's leading blanks pass, as they always have. */
	pp_t_expect_call(parse_version, &blank, 0, "", "");
	assert_int_equal(blank.v, 3);
}

static pp_mig_status counts(size_t pending, size_t out_of_order, size_t changed, size_t missing)
{
	return (pp_mig_status){.n_pending = pending,
			       .n_out_of_order = out_of_order,
			       .n_changed = changed,
			       .n_missing = missing};
}

/* Drift wins over pending work; pending is 1; nothing is 0. */
static void status_exit_ranks_drift_over_pending(void **state)
{
	pp_mig_status st;

	(void)state;
	st = counts(0, 0, 0, 0);
	assert_int_equal(migrate_status_exit(&st), 0);
	st = counts(3, 0, 0, 0);
	assert_int_equal(migrate_status_exit(&st), 1);
	st = counts(3, 1, 0, 0);
	assert_int_equal(migrate_status_exit(&st), 2);
	st = counts(0, 0, 1, 0);
	assert_int_equal(migrate_status_exit(&st), 2);
	st = counts(1, 0, 0, 1);
	assert_int_equal(migrate_status_exit(&st), 2);
}

/* An applied row has its file and history; a pending one nulls; a missing one no file. */
static void status_json_has_every_key(void **state)
{
	static char name[] = "create_stories", file[] = "0001_create_stories.sql";
	pp_mig m;
	pp_mig_row rows[3];
	pp_mig_status st = counts(1, 0, 0, 1);
	json_t *j, *r;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.version = 1;
	m.name = name;
	m.filename = file;
	memset(m.checksum, 'a', PP_SHA256_HEX_LEN);
	memset(rows, 0, sizeof(rows));
	rows[0] = (pp_mig_row){.version = 1, .state = PP_MIG_APPLIED, .file = &m};
	snprintf(rows[0].name, sizeof(rows[0].name), "create_stories");
	snprintf(rows[0].applied_at, sizeof(rows[0].applied_at), "2026-12-04T10:00:00Z");
	snprintf(rows[0].applied_by, sizeof(rows[0].applied_by), "owner");
	snprintf(rows[0].applied_checksum, sizeof(rows[0].applied_checksum), "%s", m.checksum);
	snprintf(rows[0].kind, sizeof(rows[0].kind), "baseline");
	rows[1] = (pp_mig_row){.version = 2, .state = PP_MIG_PENDING, .file = &m};
	rows[2] = (pp_mig_row){.version = 3, .state = PP_MIG_MISSING};
	snprintf(rows[2].applied_at, sizeof(rows[2].applied_at), "2026-12-04T11:00:00Z");
	st.rows = rows;
	st.count = 3;
	st.db_version = 3;
	st.file_version = 2;
	j = migrate_status_json(&st);
	assert_int_equal(json_integer_value(json_object_get(j, "database_version")), 3);
	assert_int_equal(json_integer_value(json_object_get(j, "latest_version")), 2);
	assert_int_equal(json_integer_value(json_object_get(j, "pending")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "missing")), 1);
	assert_int_equal(json_integer_value(json_object_get(j, "changed")), 0);
	assert_int_equal(json_integer_value(json_object_get(j, "out_of_order")), 0);
	assert_int_equal(json_array_size(json_object_get(j, "migrations")), 3);
	r = json_array_get(json_object_get(j, "migrations"), 0);
	assert_string_equal(json_string_value(json_object_get(r, "state")),
			    pp_mig_state_str(PP_MIG_APPLIED));
	assert_string_equal(json_string_value(json_object_get(r, "file")), file);
	assert_string_equal(json_string_value(json_object_get(r, "checksum")), m.checksum);
	assert_string_equal(json_string_value(json_object_get(r, "applied_by")), "owner");
	assert_string_equal(json_string_value(json_object_get(r, "kind")), "baseline");
	r = json_array_get(json_object_get(j, "migrations"), 1);
	assert_int_equal(json_integer_value(json_object_get(r, "version")), 2);
	assert_true(json_is_null(json_object_get(r, "applied_at")));
	assert_true(json_is_null(json_object_get(r, "applied_checksum")));
	assert_true(json_is_null(json_object_get(r, "kind")));
	assert_string_equal(json_string_value(json_object_get(r, "file")), file);
	r = json_array_get(json_object_get(j, "migrations"), 2);
	assert_true(json_is_null(json_object_get(r, "file")));
	assert_true(json_is_null(json_object_get(r, "checksum")));
	assert_string_equal(json_string_value(json_object_get(r, "applied_at")),
			    "2026-12-04T11:00:00Z");
	json_decref(j);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(defaults_come_from_the_settings),
	cmocka_unit_test(options_follow_the_subcommand),
	cmocka_unit_test(one_operand_at_most),
	cmocka_unit_test(help_forms_and_no_subcommand),
	cmocka_unit_test(numbers_are_refused_by_name),
	cmocka_unit_test(parse_int_keeps_the_value_untouched_when_refused),
	cmocka_unit_test(status_exit_ranks_drift_over_pending),
	cmocka_unit_test(status_json_has_every_key),
};

UNIT_MAIN_WITH("cmd_migrate", tests, setup, NULL)
