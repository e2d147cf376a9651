/* cmd_backup.c: `planpipe backup`, `planpipe backup verify` and `planpipe restore`. */
#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd_backup_int.h"
#include "cli/cmd_pitr.h"
#include "core/buf.h"
#include "db/backup.h"
#include "db/pitr.h"
#include "db/migration.h"

/* verify and restore: the backup is damaged or does not match its manifest. */
#define EXIT_BAD_BACKUP 1

const char backup_usage[] =
	"usage: planpipe backup [--out DIR] [--keep N] [--pg-bindir DIR]\n"
	"       planpipe backup verify BACKUP [--jobs N] [--allow-role-passwords]\n"
	"                                     [--pg-bindir DIR]\n"
	"       planpipe backup --pitr [--type full|diff|incr]\n"
	"\n"
	"backup          dumps the configured database (pg_dump, custom format) and the\n"
	"                cluster's roles into DIR/planpipe-YYYYMMDDTHHMMSSZ/ with a\n"
	"                manifest of checksums and row counts; prints the new directory\n"
	"                first\n"
	"  --out DIR     where backups go (default ./backups; created with mode 0700)\n"
	"  --keep N      afterwards keep the N newest good backups in DIR, remove older\n"
	"                ones\n"
	"verify BACKUP   the restore drill: checks the checksums, restores into a scratch\n"
	"                database, compares every table with the manifest, drops it.\n"
	"                Exit 0 good, 1 damaged or different, 2 could not check\n"
	"  --jobs N      pg_restore with N parallel jobs\n"
	"  --allow-role-passwords  give the roles it creates the backup's passwords\n"
	"--pitr          a pgBackRest backup of the whole cluster, run in the database\n"
	"                server (planpipe-pitr of the db image), for point-in-time\n"
	"                recovery with the WAL archive (planpipe restore --to-time)\n"
	"  --type T      full (default), diff or incr\n"
	"\n"
	"  --pg-bindir DIR  PostgreSQL's tools\n"
	"                 (default /usr/lib/postgresql/<server major>/bin)\n"
	"\n"
	"The database is DATABASE_URL or libpq's PG* variables. With PLANPIPE_BACKUP_KEY\n"
	"set, backups are signed and verify refuses unsigned ones. See docs/backup.md.\n";

const char backup_restore_usage[] =
	"usage: planpipe restore BACKUP [--target DB] [--jobs N] [--force] [--drop-old]\n"
	"                               [--terminate] [--allow-role-passwords]\n"
	"                               [--pg-bindir DIR]\n"
	"       planpipe restore --to-time TIMESTAMP | --to-lsn LSN [--no-switch]\n"
	"\n"
	"Restores BACKUP (a backup directory) into a fresh database, checks it against\n"
	"the manifest, and only then swaps it in as DB: a failure leaves DB untouched.\n"
	"  --target DB    the database to restore (default: the configured one)\n"
	"  --force        replace DB if it exists; it is kept as DB_old_YYYYMMDDTHHMMSS\n"
	"  --drop-old     drop the replaced database after the swap\n"
	"  --terminate    end other sessions on DB at the swap (default: refuse)\n"
	"  --jobs N       pg_restore with N parallel jobs\n"
	"  --allow-role-passwords  give the roles the restore creates the passwords\n"
	"                 globals.sql holds (default: created without; existing roles\n"
	"                 never change)\n"
	"  --pg-bindir DIR  PostgreSQL's tools\n"
	"                 (default /usr/lib/postgresql/<server major>/bin)\n"
	"\n"
	"--to-time TIMESTAMP, --to-lsn LSN: point-in-time recovery of the whole cluster\n"
	"with pgBackRest, run in the database server (planpipe-pitr of the db image):\n"
	"restores into a new data directory, replays the WAL archive up to the moment\n"
	"(a timestamp without a zone is the session's TimeZone), verifies it in a\n"
	"private server, and has the db container put it in place at its next start\n"
	"(--no-switch: verify only). The running cluster is not touched.\n"
	"\n"
	"globals.sql may only create roles (no SUPERUSER, CREATEROLE, REPLICATION or\n"
	"BYPASSRLS); anything else refuses the backup. With PLANPIPE_BACKUP_KEY set, an\n"
	"unsigned or wrongly signed backup is refused.\n"
	"Exit 0 restored; 1 the backup is damaged, does not restore or does not match its\n"
	"manifest; 2 any other error. DB is unchanged unless the exit status is 0.\n"
	"See docs/backup.md.\n";

typedef backup_args args;

typedef struct ui {
	const char *cmd;
	int tty;
	int progress_shown; /* a progress line is on the terminal, without newline */
	pp_buf pruned;      /* "pruned DIR" lines, printed after the new backup's path */
} ui;

static volatile sig_atomic_t cancelled;

static void on_signal(int sig)
{
	(void)sig;
	cancelled = 1;
}

static void clear_progress(ui *u)
{
	if (u->progress_shown) {
		fputs("\r\033[K", stderr);
		u->progress_shown = 0;
	}
}

void backup_human(long long n, char *out, size_t size)
{
	if (n >= 1024LL * 1024 * 1024)
		snprintf(out, size, "%.2f GB", (double)n / (1024.0 * 1024 * 1024));
	else if (n >= 1024 * 1024)
		snprintf(out, size, "%.1f MB", (double)n / (1024.0 * 1024));
	else
		snprintf(out, size, "%.1f kB", (double)n / 1024.0);
}

static void on_event(void *ctx, const pp_backup_event *ev)
{
	ui *u = ctx;
	char done[32], total[32];

	switch (ev->kind) {
	case PP_BACKUP_EV_STEP:
		if (u->tty) {
			clear_progress(u);
			fprintf(stderr, "planpipe %s: %s\n", u->cmd, ev->text);
		}
		break;
	case PP_BACKUP_EV_PROGRESS:
		if (!u->tty)
			break;
		if (ev->in_bytes) {
			backup_human(ev->done, done, sizeof(done));
			backup_human(ev->total, total, sizeof(total));
			fprintf(stderr, "\r\033[Kplanpipe %s: %s: %s%s%s", u->cmd, ev->text, done,
				ev->total ? " of about " : "", ev->total ? total : "");
		} else {
			fprintf(stderr, "\r\033[Kplanpipe %s: %s: %lld/%lld", u->cmd, ev->text,
				ev->done, ev->total);
		}
		u->progress_shown = 1;
		break;
	case PP_BACKUP_EV_WARNING:
		clear_progress(u);
		fprintf(stderr, "planpipe %s: warning: %s\n", u->cmd, ev->text);
		break;
	case PP_BACKUP_EV_PRUNED:
		if (pp_buf_printf(&u->pruned, "  pruned %s\n", ev->text) != PP_OK)
			printf("  pruned %s\n", ev->text);
		break;
	}
	fflush(stderr);
}

static int parse_count(const char *cmd, const char *s, const char *what, int *out)
{
	long v;

	if (pp_cli_whole(s, 1, 1000, &v) != 0) {
		char msg[256];
		snprintf(msg, sizeof(msg), "%s \"%s\" is not a whole number from 1 to 1000", what,
			 s);
		pp_cli_error(cmd, msg);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* --keep, --jobs: a whole number from 1 to 1000 into the int field. */
static int take_count(void *ctx, const pp_cli_opt *opt, const char *arg)
{
	char what[32];

	snprintf(what, sizeof(what), "--%s", opt->name);
	return parse_count(((args *)ctx)->cmd, arg, what, pp_cli_target(ctx, opt));
}

/* clang-format off */
#define COUNT(n, field) {.name = (n), .kind = PP_CLI_TAKE, .target = offsetof(args, field), .take = take_count}
/* clang-format on */

/* backup's, backup verify's and restore's: each refuses the others' (refuse below). */
static const pp_cli_opt opts[] = {
	PP_CLI_STRING_OPT("out", args, out),
	COUNT("keep", keep),
	COUNT("jobs", jobs),
	PP_CLI_STRING_OPT("target", args, target),
	PP_CLI_FLAG_OPT("force", args, force),
	PP_CLI_FLAG_OPT("drop-old", args, drop_old),
	PP_CLI_FLAG_OPT("terminate", args, terminate),
	PP_CLI_STRING_OPT("pg-bindir", args, bindir),
	PP_CLI_FLAG_OPT("allow-role-passwords", args, allow_passwords),
	PP_CLI_FLAG_OPT("pitr", args, pitr),
	PP_CLI_STRING_OPT("type", args, type),
	PP_CLI_STRING_OPT("to-time", args, to_time),
	PP_CLI_STRING_OPT("to-lsn", args, to_lsn),
	PP_CLI_FLAG_OPT("no-switch", args, no_switch),
	{0},
};

int backup_parse_args(const char *cmd, const char *usage, int argc, char **argv, args *a)
{
	const pp_cli_spec spec = {.cmd = cmd, .opts = opts, .usage_text = usage, .own_message = 1};
	int r;

	memset(a, 0, sizeof(*a));
	a->cmd = cmd;
	r = pp_cli_parse(argc, argv, &spec, a);
	if (r != 0)
		return r;
	a->out_given = a->out != NULL;
	if (a->out == NULL)
		a->out = "backups";
	if (optind < argc)
		a->operand = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "planpipe %s: unexpected argument '%s'\n\n%s", cmd, argv[optind],
			usage);
		return -1;
	}
	return 0;
}

int backup_refuse(const char *cmd, int given, const char *option)
{
	char msg[128];

	if (!given)
		return 0;
	snprintf(msg, sizeof(msg), "%s does not take %s", cmd, option);
	pp_cli_error(cmd, msg);
	return 1;
}

static void setup(ui *u, const char *cmd, const args *a, pp_backup_common *c,
		  struct sigaction *old_int, struct sigaction *old_term)
{
	struct sigaction sa;

	u->cmd = cmd;
	u->tty = isatty(STDERR_FILENO);
	u->progress_shown = 0;
	pp_buf_init(&u->pruned, 1024 * 1024);
	memset(c, 0, sizeof(*c));
	c->pg_bindir = a->bindir;
	c->jobs = a->jobs;
	c->allow_role_passwords = a->allow_passwords;
	c->on_event = on_event;
	c->ctx = u;
	c->cancel = &cancelled;
	cancelled = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
}

static void teardown(ui *u, const struct sigaction *old_int, const struct sigaction *old_term)
{
	clear_progress(u);
	pp_buf_free(&u->pruned);
	sigaction(SIGINT, old_int, NULL);
	sigaction(SIGTERM, old_term, NULL);
}

static int cmd_verify(const args *a, const pp_config *cfg)
{
	struct sigaction old_int, old_term;
	pp_backup_verdict verdict;
	pp_backup_common c;
	pp_backup_info info;
	pp_err err;
	pp_rc rc;
	ui u;

	setup(&u, "backup verify", a, &c, &old_int, &old_term);
	pp_err_clear(&err);
	rc = pp_backup_verify(cfg, a->operand, &c, &verdict, &info, &err);
	teardown(&u, &old_int, &old_term);
	if (rc != PP_OK) {
		pp_cli_error("backup verify", err.msg);
		if (verdict == PP_BACKUP_BAD)
			fprintf(stderr, "planpipe backup verify: %s FAILED verification\n",
				info.path);
		return verdict == PP_BACKUP_BAD ? EXIT_BAD_BACKUP : PP_EXIT_ERROR;
	}
	printf("backup verified: %s\n", info.path);
	printf("  %zu tables, %lld rows and schema version %d match the manifest\n", info.tables,
	       info.rows, info.schema_version);
	printf("  %.1f s: pg_restore %.1f s, comparison %.1f s\n", (double)info.ms / 1000.0,
	       (double)info.tool_ms / 1000.0, (double)info.check_ms / 1000.0);
	return PP_EXIT_OK;
}

static int cmd_backup(const args *a, const pp_config *cfg)
{
	struct sigaction old_int, old_term;
	pp_backup_opts o;
	pp_backup_info info;
	char size[32];
	pp_err err;
	pp_rc rc;
	ui u;

	memset(&o, 0, sizeof(o));
	setup(&u, "backup", a, &o.c, &old_int, &old_term);
	o.out_dir = a->out;
	o.keep = a->keep;
	pp_err_clear(&err);
	rc = pp_backup_create(cfg, &o, &info, &err);
	clear_progress(&u);
	if (rc != PP_OK) {
		pp_cli_error("backup", err.msg);
	} else {
		backup_human(info.bytes, size, sizeof(size));
		printf("%s\n", info.path);
		printf("  %zu tables, %lld rows, schema version %d, db.dump %s\n", info.tables,
		       info.rows, info.schema_version, size);
		printf("  %.1f s: pg_dump %.1f s, checksums %.1f s (alongside pg_dump)\n",
		       (double)info.ms / 1000.0, (double)info.tool_ms / 1000.0,
		       (double)info.check_ms / 1000.0);
		if (o.keep > 0)
			printf("  --keep %d: removed %d older backup%s\n%s", o.keep, info.pruned,
			       info.pruned == 1 ? "" : "s", pp_buf_str(&u.pruned));
	}
	teardown(&u, &old_int, &old_term);
	return rc == PP_OK ? PP_EXIT_OK : PP_EXIT_ERROR;
}

int backup_check_verify(const args *a)
{
	if (backup_refuse("backup verify", a->keep, "--keep") ||
	    backup_refuse("backup verify", a->pitr, "--pitr") ||
	    backup_refuse("backup verify", a->type != NULL, "--type") ||
	    backup_refuse("backup verify", a->to_time != NULL, "--to-time") ||
	    backup_refuse("backup verify", a->to_lsn != NULL, "--to-lsn") ||
	    backup_refuse("backup verify", a->no_switch, "--no-switch") ||
	    backup_refuse("backup verify", a->force, "--force") ||
	    backup_refuse("backup verify", a->target != NULL, "--target"))
		return -1;
	if (a->operand == NULL) {
		pp_cli_error("backup verify", "which backup? planpipe backup verify DIR");
		return -1;
	}
	return 0;
}

int backup_check_backup(const args *a)
{
	if (backup_refuse("backup", a->to_time != NULL, "--to-time") ||
	    backup_refuse("backup", a->to_lsn != NULL, "--to-lsn") ||
	    backup_refuse("backup", a->no_switch, "--no-switch") ||
	    backup_refuse("backup", a->type != NULL && !a->pitr, "--type without --pitr"))
		return -1;
	if (a->pitr) {
		if (backup_refuse("backup --pitr", a->operand != NULL, "a subcommand") ||
		    backup_refuse("backup --pitr", a->out_given, "--out") ||
		    backup_refuse(
			    "backup --pitr", a->keep,
			    "--keep (pgBackRest's retention is PGBACKREST_REPO1_RETENTION_FULL)") ||
		    backup_refuse("backup --pitr", a->bindir != NULL, "--pg-bindir"))
			return -1;
		return 0;
	}
	if (a->operand) {
		fprintf(stderr, "planpipe backup: unknown subcommand '%s'\n\n%s", a->operand,
			backup_usage);
		return -1;
	}
	if (backup_refuse("backup", a->target != NULL, "--target") ||
	    backup_refuse("backup", a->force, "--force") ||
	    backup_refuse("backup", a->drop_old, "--drop-old") ||
	    backup_refuse("backup", a->terminate, "--terminate") ||
	    backup_refuse("backup", a->jobs, "--jobs") ||
	    backup_refuse("backup", a->allow_passwords, "--allow-role-passwords"))
		return -1;
	return 0;
}

int pp_cli_backup(int argc, char **argv, const pp_config *cfg)
{
	args a;
	int r;

	if (argc > 1 && strcmp(argv[1], "verify") == 0) {
		r = backup_parse_args("backup verify", backup_usage, argc - 1, argv + 1, &a);
		if (r != 0)
			return pp_cli_parse_exit(r);
		if (backup_check_verify(&a) != 0)
			return PP_EXIT_ERROR;
		return cmd_verify(&a, cfg);
	}
	r = backup_parse_args("backup", backup_usage, argc, argv, &a);
	if (r != 0)
		return pp_cli_parse_exit(r);
	if (backup_check_backup(&a) != 0)
		return PP_EXIT_ERROR;
	if (a.pitr)
		return pp_cli_pitr("backup", cfg, PP_PITR_BACKUP, a.type, NULL, NULL, 0);
	return cmd_backup(&a, cfg);
}

int backup_check_restore(const args *a)
{
	static const char pitr[] = "restore --to-time/--to-lsn";

	if (backup_refuse("restore", a->keep, "--keep") ||
	    backup_refuse("restore", a->pitr, "--pitr") ||
	    backup_refuse("restore", a->type != NULL, "--type") ||
	    backup_refuse("restore", a->out_given, "--out"))
		return -1;
	if (a->to_time || a->to_lsn) {
		if (backup_refuse(pitr, a->operand != NULL, "a backup directory") ||
		    backup_refuse(pitr, a->target != NULL, "--target") ||
		    backup_refuse(pitr, a->force, "--force") ||
		    backup_refuse(pitr, a->drop_old, "--drop-old") ||
		    backup_refuse(pitr, a->terminate, "--terminate") ||
		    backup_refuse(pitr, a->jobs, "--jobs") ||
		    backup_refuse(pitr, a->allow_passwords, "--allow-role-passwords") ||
		    backup_refuse(pitr, a->bindir != NULL, "--pg-bindir"))
			return -1;
		if (a->to_time && a->to_lsn) {
			pp_cli_error("restore", "give one of --to-time and --to-lsn, not both");
			return -1;
		}
		return 0;
	}
	if (backup_refuse("restore", a->no_switch, "--no-switch without --to-time or --to-lsn"))
		return -1;
	if (a->operand == NULL) {
		fprintf(stderr, "planpipe restore: which backup?\n\n%s", backup_restore_usage);
		return -1;
	}
	return 0;
}

int pp_cli_restore(int argc, char **argv, const pp_config *cfg)
{
	struct sigaction old_int, old_term;
	pp_backup_verdict verdict;
	pp_restore_opts o;
	pp_restore_info info;
	pp_err err;
	pp_rc rc;
	args a;
	ui u;
	int r;

	r = backup_parse_args("restore", backup_restore_usage, argc, argv, &a);
	if (r != 0)
		return pp_cli_parse_exit(r);
	if (backup_check_restore(&a) != 0)
		return PP_EXIT_ERROR;
	if (a.to_time || a.to_lsn)
		return pp_cli_pitr("restore", cfg, PP_PITR_RESTORE, NULL, a.to_time, a.to_lsn,
				   a.no_switch);
	memset(&o, 0, sizeof(o));
	setup(&u, "restore", &a, &o.c, &old_int, &old_term);
	o.target = a.target;
	o.force = a.force;
	o.drop_old = a.drop_old;
	o.terminate = a.terminate;
	pp_err_clear(&err);
	rc = pp_backup_restore(cfg, a.operand, &o, &verdict, &info, &err);
	teardown(&u, &old_int, &old_term);
	if (rc != PP_OK) {
		pp_cli_error("restore", err.msg);
		if (!info.replaced && info.target[0])
			fprintf(stderr, "planpipe restore: database %s was not changed\n",
				info.target);
		return verdict == PP_BACKUP_BAD ? EXIT_BAD_BACKUP : PP_EXIT_ERROR;
	}
	printf("restored %s into database %s\n", info.b.path, info.target);
	printf("  %zu tables, %lld rows, schema version %d, verified against the manifest\n",
	       info.b.tables, info.b.rows, info.b.schema_version);
	printf("  %.1f s: pg_restore %.1f s, comparison %.1f s, ANALYZE %.1f s\n",
	       (double)info.b.ms / 1000.0, (double)info.b.tool_ms / 1000.0,
	       (double)info.b.check_ms / 1000.0, (double)info.analyze_ms / 1000.0);
	if (info.replaced && info.dropped_old)
		printf("  the previous database was dropped (--drop-old)\n");
	else if (info.replaced)
		printf("  the previous database is kept as %s (drop it once satisfied)\n",
		       info.old_name);
	if (!info.kept_owners)
		printf("  objects are owned by the restoring role (the original owners are "
		       "missing or out of reach)\n");
	if (info.roles_created)
		printf("  created %d role%s from globals.sql\n", info.roles_created,
		       info.roles_created == 1 ? "" : "s");
	if (info.b.schema_version < pp_mig_required_version())
		printf("  the schema is at version %d; this planpipe needs %d: run planpipe "
		       "migrate up\n",
		       info.b.schema_version, pp_mig_required_version());
	return PP_EXIT_OK;
}
