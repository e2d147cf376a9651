/* cmd_migrate.c: `planpipe migrate up|status|verify|plan|baseline|new|wait`. */
#include <getopt.h>
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd_migrate_int.h"
#include "db/conn.h"
#include "db/migrate.h"
#include "db/migration.h"
#include "db/sql.h"

const char migrate_usage[] =
	"usage: planpipe migrate SUBCOMMAND [OPTIONS]\n"
	"\n"
	"  up [--to N] [--allow-out-of-order]\n"
	"                          apply pending migrations, one runner at a time\n"
	"  status [--json]         compare the database with the migrations;\n"
	"                          exit 0 up to date, 1 pending, 2 error or drift\n"
	"  verify                  check applied migrations against their files\n"
	"  plan [--to N] [--allow-out-of-order]\n"
	"                          print what up would apply; runs nothing\n"
	"  baseline N              record 1..N as applied without running them\n"
	"  new NAME                create the next migration file in --dir\n"
	"  wait [--timeout SECONDS]\n"
	"                          wait until a real login and query succeed\n"
	"\n"
	"options for all:\n"
	"  --dir DIR               read migrations from DIR, not the ones built into\n"
	"                          planpipe (default for new: PLANPIPE_MIGRATIONS_DIR or\n"
	"                          ./migrations)\n"
	"  --lock-timeout SECONDS  wait this long for another runner\n"
	"                          (PLANPIPE_MIGRATE_LOCK_TIMEOUT)\n"
	"\n"
	"The database is DATABASE_URL or libpq's PG* variables. See docs/migrations.md.\n";

typedef migrate_args args;

int migrate_parse_int(const char *s, const char *what, int min, int *out)
{
	long v;

	if (pp_cli_whole(s, min, 1000000000, &v) != 0) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%s \"%s\" is not a whole number of at least %d", what,
			 s, min);
		pp_cli_error("migrate", msg);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* --to, --lock-timeout, --timeout: a whole number of at least opt->key into the int field. */
static int take_int(void *ctx, const pp_cli_opt *opt, const char *arg)
{
	char what[32];

	snprintf(what, sizeof(what), "--%s", opt->name);
	return migrate_parse_int(arg, what, opt->key, pp_cli_target(ctx, opt));
}

/* clang-format off */
#define INT_OPT(n, field, min) \
	{.name = (n), .kind = PP_CLI_TAKE, .target = offsetof(args, field), .take = take_int, .key = (min)}
/* clang-format on */

static const pp_cli_opt opts[] = {
	PP_CLI_STRING_OPT("dir", args, dir),
	INT_OPT("to", to, 1),
	PP_CLI_FLAG_OPT("allow-out-of-order", args, allow_out_of_order),
	PP_CLI_FLAG_OPT("json", args, json),
	INT_OPT("lock-timeout", lock_timeout_s, 0),
	INT_OPT("timeout", wait_timeout_s, 0),
	{0},
};

static const pp_cli_spec spec = {.cmd = "migrate", .opts = opts, .usage_text = migrate_usage};

int migrate_parse_args(int argc, char **argv, const pp_config *cfg, args *a)
{
	int r;

	memset(a, 0, sizeof(*a));
	a->dir = cfg->migrations_dir;
	a->lock_timeout_s = cfg->lock_timeout_s;
	a->wait_timeout_s = 60;
	if (argc < 2) {
		fputs(migrate_usage, stderr);
		return -1;
	}
	a->sub = argv[1];
	if (strcmp(a->sub, "--help") == 0 || strcmp(a->sub, "-h") == 0 ||
	    strcmp(a->sub, "help") == 0) {
		fputs(migrate_usage, stdout);
		return 1;
	}
	/* The options follow the subcommand: argv + 1 reads as a command line of its own. */
	r = pp_cli_parse(argc - 1, argv + 1, &spec, a);
	if (r != 0)
		return r;
	if (optind + 1 < argc)
		a->operand = argv[optind + 1];
	if (optind + 2 < argc) {
		pp_cli_error("migrate", "too many arguments (see planpipe migrate --help)");
		return -1;
	}
	return 0;
}

static int fail(const pp_err *err)
{
	pp_cli_error("migrate", err->msg);
	return PP_EXIT_ERROR;
}

static pp_rc load(const args *a, pp_mig_set *set, pp_err *err)
{
	if (a->dir)
		return pp_mig_load_dir(a->dir, set, err);
	return pp_mig_load_embedded(set, err);
}

static void on_event(void *ctx, const pp_mig_event *ev)
{
	(void)ctx;
	switch (ev->kind) {
	case PP_MIG_EV_WAITING:
		fprintf(stderr, "planpipe migrate: waiting for the migration lock, held by %s\n",
			ev->text);
		break;
	case PP_MIG_EV_LOCKED:
		if (ev->ms >= 1000)
			fprintf(stderr, "planpipe migrate: got the lock after %lld ms\n", ev->ms);
		break;
	case PP_MIG_EV_APPLYING:
		printf("applying %s%s\n", ev->m->filename,
		       ev->m->no_transaction ? " (without a transaction)" : "");
		fflush(stdout);
		break;
	case PP_MIG_EV_APPLIED:
		printf("applied  %s in %lld ms\n", ev->m->filename, ev->ms);
		fflush(stdout);
		break;
	case PP_MIG_EV_NOTICE:
		fprintf(stderr, "planpipe migrate: %s%s%s\n", ev->m ? ev->m->filename : "",
			ev->m ? ": " : "", ev->text);
		break;
	case PP_MIG_EV_MAINTENANCE:
		if (ev->text[0])
			printf("maintenance: %s\n", ev->text);
		break;
	}
}

static void fill_opts(const args *a, pp_mig_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->to_version = a->to;
	o->allow_out_of_order = a->allow_out_of_order;
	o->lock_timeout_ms = a->lock_timeout_s * 1000;
	o->on_event = on_event;
}

static int cmd_up(PGconn *conn, const pp_mig_set *set, const args *a)
{
	pp_mig_opts o;
	pp_err err;
	int applied = 0, v;

	fill_opts(a, &o);
	pp_err_clear(&err);
	if (pp_mig_up(conn, set, &o, &applied, &err) != PP_OK)
		return fail(&err);
	v = pp_mig_db_version(conn, &err);
	if (applied == 0)
		printf("database is at version %d: nothing to apply\n", v);
	else
		printf("database is at version %d: applied %d migration%s\n", v, applied,
		       applied == 1 ? "" : "s");
	return PP_EXIT_OK;
}

json_t *migrate_status_json(const pp_mig_status *st)
{
	json_t *root = json_object(), *rows = json_array();
	size_t i;

	for (i = 0; i < st->count; i++) {
		const pp_mig_row *r = &st->rows[i];
		json_t *o = json_object();
		json_object_set_new(o, "version", json_integer(r->version));
		json_object_set_new(o, "name", json_string(r->name));
		json_object_set_new(o, "state", json_string(pp_mig_state_str(r->state)));
		json_object_set_new(o, "file",
				    r->file ? json_string(r->file->filename) : json_null());
		json_object_set_new(o, "checksum",
				    r->file ? json_string(r->file->checksum) : json_null());
		json_object_set_new(o, "applied_at",
				    r->applied_at[0] ? json_string(r->applied_at) : json_null());
		json_object_set_new(o, "applied_by",
				    r->applied_at[0] ? json_string(r->applied_by) : json_null());
		json_object_set_new(o, "applied_checksum",
				    r->applied_at[0] ? json_string(r->applied_checksum)
						     : json_null());
		json_object_set_new(o, "kind",
				    r->applied_at[0] ? json_string(r->kind) : json_null());
		json_array_append_new(rows, o);
	}
	json_object_set_new(root, "database_version", json_integer(st->db_version));
	json_object_set_new(root, "latest_version", json_integer(st->file_version));
	json_object_set_new(root, "pending", json_integer((json_int_t)st->n_pending));
	json_object_set_new(root, "out_of_order", json_integer((json_int_t)st->n_out_of_order));
	json_object_set_new(root, "changed", json_integer((json_int_t)st->n_changed));
	json_object_set_new(root, "missing", json_integer((json_int_t)st->n_missing));
	json_object_set_new(root, "migrations", rows);
	return root;
}

int migrate_status_exit(const pp_mig_status *st)
{
	if (st->n_changed || st->n_missing || st->n_out_of_order)
		return PP_EXIT_ERROR;
	return st->n_pending ? PP_EXIT_PENDING : PP_EXIT_OK;
}

static int cmd_status(PGconn *conn, const pp_mig_set *set, const args *a)
{
	pp_mig_status st;
	pp_err err;
	size_t i;
	int code;

	pp_err_clear(&err);
	if (pp_mig_status_read(conn, set, &st, &err) != PP_OK) {
		pp_mig_status_free(&st);
		return fail(&err);
	}
	code = migrate_status_exit(&st);
	if (a->json) {
		json_t *j = migrate_status_json(&st);
		json_object_set_new(j, "exit_code", json_integer(code));
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(j);
	} else {
		printf("%-8s %-13s %-21s %s\n", "VERSION", "STATE", "APPLIED AT", "NAME");
		for (i = 0; i < st.count; i++) {
			const pp_mig_row *r = &st.rows[i];
			printf("%04d     %-13s %-21s %s\n", r->version, pp_mig_state_str(r->state),
			       r->applied_at, r->name);
		}
		printf("database version %d, latest %d: %zu pending", st.db_version,
		       st.file_version, st.n_pending);
		if (st.n_out_of_order)
			printf(", %zu out of order", st.n_out_of_order);
		if (st.n_changed)
			printf(", %zu changed after they were applied", st.n_changed);
		if (st.n_missing)
			printf(", %zu applied but unknown here", st.n_missing);
		putchar('\n');
	}
	pp_mig_status_free(&st);
	return code;
}

static int cmd_verify(PGconn *conn, const pp_mig_set *set)
{
	const pp_mig **todo = NULL;
	pp_mig_opts o;
	pp_mig_status st;
	size_t n = 0, i, applied = 0;
	pp_err err;
	int code = PP_EXIT_OK;

	memset(&o, 0, sizeof(o));
	o.allow_out_of_order = 1; /* verify judges what was applied, not what is to come */
	pp_err_clear(&err);
	if (pp_mig_status_read(conn, set, &st, &err) != PP_OK ||
	    pp_mig_plan(&st, &o, &todo, &n, &err) != PP_OK) {
		code = fail(&err);
	} else {
		for (i = 0; i < st.count; i++)
			applied += st.rows[i].state == PP_MIG_APPLIED;
		if (applied == 1)
			printf("ok: the 1 applied migration matches its file\n");
		else
			printf("ok: the %zu applied migrations match their files\n", applied);
	}
	free(todo);
	pp_mig_status_free(&st);
	return code;
}

static int cmd_plan(PGconn *conn, const pp_mig_set *set, const args *a)
{
	const pp_mig **todo = NULL;
	pp_mig_opts o;
	pp_mig_status st;
	size_t n = 0, i;
	pp_err err;
	int code = PP_EXIT_OK;

	fill_opts(a, &o);
	pp_err_clear(&err);
	if (pp_mig_status_read(conn, set, &st, &err) != PP_OK ||
	    pp_mig_plan(&st, &o, &todo, &n, &err) != PP_OK) {
		code = fail(&err);
	} else if (n == 0) {
		printf("nothing to apply: the database is at version %d\n", st.db_version);
	} else {
		printf("would apply %zu migration%s to the database at version %d:\n", n,
		       n == 1 ? "" : "s", st.db_version);
		for (i = 0; i < n; i++) {
			const pp_mig *m = todo[i];
			printf("  %s  %zu statement%s, %s", m->filename, m->script.count,
			       m->script.count == 1 ? "" : "s",
			       m->no_transaction ? "without a transaction" : "in one transaction");
			if (m->lock_timeout)
				printf(", lock_timeout=%s", m->lock_timeout);
			if (m->statement_timeout)
				printf(", statement_timeout=%s", m->statement_timeout);
			putchar('\n');
		}
	}
	free(todo);
	pp_mig_status_free(&st);
	return code;
}

static int cmd_baseline(PGconn *conn, const pp_mig_set *set, const args *a)
{
	pp_mig_opts o;
	pp_err err;
	int v;

	if (a->operand == NULL) {
		pp_cli_error("migrate", "baseline needs a version: planpipe migrate baseline N");
		return PP_EXIT_ERROR;
	}
	if (migrate_parse_int(a->operand, "baseline version", 1, &v) != 0)
		return PP_EXIT_ERROR;
	fill_opts(a, &o);
	pp_err_clear(&err);
	if (pp_mig_baseline(conn, set, v, &o, &err) != PP_OK)
		return fail(&err);
	printf("recorded migrations up to %04d as applied (baseline); nothing was run\n", v);
	return PP_EXIT_OK;
}

static int cmd_new(const args *a)
{
	const char *dir = a->dir ? a->dir : "migrations";
	char *path = NULL;
	pp_err err;

	if (a->operand == NULL) {
		pp_cli_error("migrate", "new needs a name: planpipe migrate new add_story_labels");
		return PP_EXIT_ERROR;
	}
	pp_err_clear(&err);
	if (pp_mig_new_file(dir, a->operand, &path, &err) != PP_OK)
		return fail(&err);
	printf("%s\n", path);
	free(path);
	return PP_EXIT_OK;
}

/* Waits for a real login and a query: PQping passes while logins are still refused. */
static int cmd_wait(const pp_config *cfg, const args *a)
{
	long long deadline = pp_now_ms() + (long long)a->wait_timeout_s * 1000;
	long long next_report = pp_now_ms() + 5000;
	pp_err err;

	pp_err_clear(&err);
	for (;;) {
		long long left = deadline - pp_now_ms();
		PGconn *conn = NULL;
		struct timespec pause = {0, 250 * 1000000L};
		pp_rc rc;

		rc = pp_db_connect(cfg, "planpipe migrate wait",
				   (int)(left < 1000    ? 1000
					 : left > 10000 ? 10000
							: left),
				   &conn, &err);
		if (rc == PP_OK)
			rc = pp_db_exec(conn, pp_db_sql("health.sql", "ping"), NULL, &err);
		PQfinish(conn);
		if (rc == PP_OK) {
			printf("the database accepts logins and queries\n");
			return PP_EXIT_OK;
		}
		if (pp_now_ms() >= deadline) {
			char msg[PP_ERR_MSG_MAX + 128];
			snprintf(msg, sizeof(msg),
				 "the database was not ready within %d s; last error: %s",
				 a->wait_timeout_s, err.msg);
			pp_cli_error("migrate", msg);
			return PP_EXIT_ERROR;
		}
		if (pp_now_ms() >= next_report) {
			fprintf(stderr, "planpipe migrate: still waiting: %s\n", err.msg);
			next_report = pp_now_ms() + 5000;
		}
		nanosleep(&pause, NULL);
	}
}

int pp_cli_migrate(int argc, char **argv, const pp_config *cfg)
{
	static const char *const db_subs[] = {"up", "status", "verify", "plan", "baseline", NULL};
	pp_mig_set set = {NULL, 0};
	PGconn *conn = NULL;
	pp_err err;
	args a;
	int code, r, i, known = 0;

	r = migrate_parse_args(argc, argv, cfg, &a);
	if (r != 0)
		return pp_cli_parse_exit(r);
	if (strcmp(a.sub, "new") == 0)
		return cmd_new(&a);
	if (strcmp(a.sub, "wait") == 0)
		return cmd_wait(cfg, &a);
	for (i = 0; db_subs[i]; i++)
		known |= strcmp(a.sub, db_subs[i]) == 0;
	if (!known) {
		fprintf(stderr, "planpipe migrate: unknown subcommand '%s'\n\n%s", a.sub,
			migrate_usage);
		return PP_EXIT_ERROR;
	}
	srand((unsigned)(getpid() ^ time(NULL)));
	pp_err_clear(&err);
	if (load(&a, &set, &err) != PP_OK) {
		pp_mig_set_free(&set);
		return fail(&err);
	}
	if (pp_db_connect(cfg, "planpipe migrate", cfg->connect_timeout_s * 1000, &conn, &err) !=
	    PP_OK) {
		pp_mig_set_free(&set);
		return fail(&err);
	}
	if (strcmp(a.sub, "up") == 0)
		code = cmd_up(conn, &set, &a);
	else if (strcmp(a.sub, "status") == 0)
		code = cmd_status(conn, &set, &a);
	else if (strcmp(a.sub, "verify") == 0)
		code = cmd_verify(conn, &set);
	else if (strcmp(a.sub, "plan") == 0)
		code = cmd_plan(conn, &set, &a);
	else
		code = cmd_baseline(conn, &set, &a);
	PQfinish(conn);
	pp_mig_set_free(&set);
	return code;
}
