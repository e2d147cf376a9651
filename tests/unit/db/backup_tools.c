/*
 * tests/unit/db/backup_tools.c: tests src/db/backup_tools.c without a
 * server: the tools' environment and connection string (no password on a
 * command line), finding pg_dump and pg_restore and reading their versions,
 * and running a tool, with stand-in shell scripts in a temporary directory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/backup_int.h"
#include "gitrepo.h"

/* pp_t_tmp/name, an executable shell script running body. */
static void script(const char *name, const char *body)
{
	char path[BK_PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", pp_t_tmp, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static char *slurp(const char *path)
{
	static char buf[65536];
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* An environment with cfg and c, as bk_env_init makes it. */
static void env_init(bk_env *e, pp_config *cfg, pp_backup_common *c)
{
	pp_err err;

	pp_err_clear(&err);
	if (bk_env_init(e, cfg, c, &err) != PP_OK)
		fail_msg("bk_env_init: %s", err.msg);
}

static int count_env(const bk_env *e, const char *prefix, const char **last)
{
	int n = 0;

	for (size_t i = 0; e->tool_env[i]; i++) {
		if (strncmp(e->tool_env[i], prefix, strlen(prefix)) == 0) {
			n++;
			if (last)
				*last = e->tool_env[i];
		}
	}
	return n;
}

static void joins_paths_within_the_limit(void **state)
{
	char out[BK_PATH_MAX], longdir[BK_PATH_MAX];
	pp_err err;

	(void)state;
	pp_err_clear(&err);
	assert_int_equal(bk_path(out, "/b/2026", BK_DUMP, &err), PP_OK);
	assert_string_equal(out, "/b/2026/db.dump");
	memset(longdir, 'd', BK_PATH_MAX - 1);
	longdir[BK_PATH_MAX - 8] = '\0';
	assert_int_equal(bk_path(out, longdir, "db.dump", &err), PP_EINVAL);
	assert_int_equal(strncmp(err.msg, "path too long: ddd", 18), 0);
	/* Exactly BK_PATH_MAX - 1 characters still fit. */
	longdir[BK_PATH_MAX - 8] = 'd';
	longdir[BK_PATH_MAX - 3] = '\0';
	assert_int_equal(bk_path(out, longdir, "d", &err), PP_OK);
	assert_int_equal(strlen(out), BK_PATH_MAX - 1);
	assert_int_equal(bk_path(out, longdir, "db", &err), PP_EINVAL);
}

/* cfg and c zeroed but for cfg's database_url, url. */
static void clean_cfg(pp_config *cfg, pp_backup_common *c, char *url)
{
	memset(cfg, 0, sizeof(*cfg));
	memset(c, 0, sizeof(*c));
	cfg->database_url = url;
}

static void the_password_goes_to_the_environment_only(void **state)
{
	pp_config cfg;
	pp_backup_common c;
	const char *pw = NULL;
	bk_env e;
	pp_buf ci;

	(void)state;
	setenv("PGPASSWORD", "from-the-shell", 1);
	clean_cfg(&cfg, &c, "postgresql://app:s3cr%27et@db.example:5433/ppdb?sslmode=disable");
	env_init(&e, &cfg, &c);
	assert_string_equal(e.dbname, "ppdb");
	assert_string_equal(e.password, "s3cr'et");
	/* The tools' PGPASSWORD is the URL's, once; the shell's is not passed on. */
	assert_int_equal(count_env(&e, "PGPASSWORD=", &pw), 1);
	assert_string_equal(pw, "PGPASSWORD=s3cr'et");

	pp_buf_init(&ci, 4096);
	assert_int_equal(bk_tool_conninfo(&e, "other db", &ci), PP_OK);
	assert_null(strstr(pp_buf_str(&ci), "s3cr"));
	assert_null(strstr(pp_buf_str(&ci), "password"));
	assert_non_null(strstr(pp_buf_str(&ci), "host='db.example'"));
	assert_non_null(strstr(pp_buf_str(&ci), "port='5433'"));
	assert_non_null(strstr(pp_buf_str(&ci), "sslmode='disable'"));
	/* The database named, not the URL's; quoted as libpq reads it. */
	assert_null(strstr(pp_buf_str(&ci), "ppdb"));
	{
		const char *s = pp_buf_str(&ci);
		size_t len = strlen(s);

		assert_true(len > 18);
		assert_string_equal(s + len - 18, " dbname='other db'");
	}
	pp_buf_free(&ci);
	bk_env_free(&e);
	assert_null(e.tool_env);
	assert_null(e.password);
	bk_env_free(&e); /* twice is harmless */
	bk_env_free(NULL);

	/* Without one in the URL, PGPASSWORD_FILE's; without either, the shell's stays. */
	cfg.database_url = "postgresql://app@db.example/ppdb";
	cfg.password = "from-file";
	env_init(&e, &cfg, &c);
	assert_int_equal(count_env(&e, "PGPASSWORD=", &pw), 1);
	assert_string_equal(pw, "PGPASSWORD=from-file");
	bk_env_free(&e);
	cfg.password = NULL;
	env_init(&e, &cfg, &c);
	assert_null(e.password);
	assert_int_equal(count_env(&e, "PGPASSWORD=", &pw), 1);
	assert_string_equal(pw, "PGPASSWORD=from-the-shell");
	bk_env_free(&e);
	unsetenv("PGPASSWORD");
}

static void quotes_values_as_libpq_reads_them(void **state)
{
	pp_config cfg;
	pp_backup_common c;
	PQconninfoOption *back, *o;
	char *msg = NULL;
	bk_env e;
	pp_buf ci;

	(void)state;
	clean_cfg(&cfg, &c, "host=db user='it\\'s \\\\me' dbname=x");
	env_init(&e, &cfg, &c);
	assert_string_equal(e.dbname, "x");
	pp_buf_init(&ci, 4096);
	assert_int_equal(bk_tool_conninfo(&e, "d'b \\ x", &ci), PP_OK);
	back = PQconninfoParse(pp_buf_str(&ci), &msg);
	if (back == NULL)
		fail_msg("libpq cannot read %s: %s", pp_buf_str(&ci), msg);
	for (o = back; o->keyword; o++) {
		if (strcmp(o->keyword, "user") == 0)
			unit_str_equal(o->keyword, o->val, "it's \\me");
		if (strcmp(o->keyword, "dbname") == 0)
			unit_str_equal(o->keyword, o->val, "d'b \\ x");
		if (strcmp(o->keyword, "host") == 0)
			unit_str_equal(o->keyword, o->val, "db");
	}
	PQconninfoFree(back);
	pp_buf_free(&ci);
	bk_env_free(&e);
}

static void refuses_a_bad_url_or_a_short_key(void **state)
{
	pp_config cfg;
	pp_backup_common c;
	pp_err err;
	bk_env e;

	(void)state;
	clean_cfg(&cfg, &c, "postgresql://app:topsecret@db/pp?nosuchoption=1");
	pp_err_clear(&err);
	assert_int_equal(bk_env_init(&e, &cfg, &c, &err), PP_EINVAL);
	assert_string_equal(err.msg, "DATABASE_URL is not a valid connection string");
	bk_env_free(&e);

	cfg.database_url = "postgresql://app@db/pp";
	cfg.backup_key = "fifteen-bytes!!";
	assert_int_equal(bk_env_init(&e, &cfg, &c, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "PLANPIPE_BACKUP_KEY is too short: use 16 bytes or more"));
	assert_null(strstr(err.msg, "fifteen"));
	bk_env_free(&e);
	cfg.backup_key = "sixteen-bytes!!!";
	assert_int_equal(bk_env_init(&e, &cfg, &c, &err), PP_OK);
	bk_env_free(&e);

	/* No database in the URL: libpq's (PGDATABASE), as the tools would pick. */
	setenv("PGDATABASE", "from_pgdatabase", 1);
	cfg.database_url = "postgresql://app@db";
	env_init(&e, &cfg, &c);
	assert_string_equal(e.dbname, "from_pgdatabase");
	bk_env_free(&e);
	unsetenv("PGDATABASE");
	env_init(&e, &cfg, &c);
	assert_string_equal(e.dbname, "app");
	bk_env_free(&e);
}

static void options_go_before_the_users_own(void **state)
{
	pp_config cfg;
	pp_backup_common c;
	const char *got = NULL;
	pp_err err;
	bk_env e;

	(void)state;
	clean_cfg(&cfg, &c, "postgresql://app@db/pp");
	unsetenv("PGOPTIONS");
	env_init(&e, &cfg, &c);
	assert_int_equal(count_env(&e, "PGOPTIONS=", NULL), 0);
	pp_err_clear(&err);
	assert_int_equal(bk_tool_options(&e, "-c work_mem=64MB", &err), PP_OK);
	assert_int_equal(count_env(&e, "PGOPTIONS=", &got), 1);
	assert_string_equal(got, "PGOPTIONS=-c work_mem=64MB");
	/* A second call replaces the first. */
	assert_int_equal(bk_tool_options(&e, "-c maintenance_work_mem=1GB", &err), PP_OK);
	assert_int_equal(count_env(&e, "PGOPTIONS=", &got), 1);
	assert_string_equal(got, "PGOPTIONS=-c maintenance_work_mem=1GB");
	bk_env_free(&e);

	setenv("PGOPTIONS", "-c work_mem=1MB", 1);
	env_init(&e, &cfg, &c);
	assert_int_equal(bk_tool_options(&e, "-c work_mem=64MB", &err), PP_OK);
	assert_int_equal(count_env(&e, "PGOPTIONS=", &got), 1);
	assert_string_equal(got, "PGOPTIONS=-c work_mem=64MB -c work_mem=1MB");
	bk_env_free(&e);
	unsetenv("PGOPTIONS");
}

typedef struct seen {
	int n[8];
	char text[1024];
	long long done, total;
	int in_bytes;
} seen;

static void on_event(void *ctx, const pp_backup_event *ev)
{
	seen *s = ctx;

	s->n[ev->kind]++;
	snprintf(s->text, sizeof(s->text), "%s", ev->text);
	s->done = ev->done;
	s->total = ev->total;
	s->in_bytes = ev->in_bytes;
}

static void reports_events_and_cancellation(void **state)
{
	volatile sig_atomic_t cancel = 0;
	pp_backup_common c;
	seen s;
	bk_env e;
	pp_err err;

	(void)state;
	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	memset(&e, 0, sizeof(e));
	e.c = &c;
	bk_step(&e, "no listener: %d", 1); /* nothing to call */
	c.on_event = on_event;
	c.ctx = &s;
	bk_step(&e, "checking %s", "x");
	assert_int_equal(s.n[PP_BACKUP_EV_STEP], 1);
	assert_string_equal(s.text, "checking x");
	bk_warn(&e, "careful: %d", 2);
	assert_int_equal(s.n[PP_BACKUP_EV_WARNING], 1);
	assert_string_equal(s.text, "careful: 2");
	bk_progress(&e, "dumping", 5, 10, 1);
	assert_int_equal(s.n[PP_BACKUP_EV_PROGRESS], 1);
	assert_string_equal(s.text, "dumping");
	assert_int_equal(s.done, 5);
	assert_int_equal(s.total, 10);
	assert_int_equal(s.in_bytes, 1);
	bk_pruned(&e, "/b/old");
	assert_int_equal(s.n[PP_BACKUP_EV_PRUNED], 1);
	assert_string_equal(s.text, "/b/old");

	pp_err_clear(&err);
	assert_int_equal(bk_cancelled(&e, &err), 0);
	c.cancel = &cancel;
	assert_int_equal(bk_cancelled(&e, &err), 0);
	assert_string_equal(err.msg, "");
	cancel = 1;
	assert_int_equal(bk_cancelled(&e, &err), 1);
	assert_string_equal(err.msg, "interrupted");
}

/* An environment running tools from pp_t_tmp, with the process's environment. */
static void tool_env(bk_env *e, pp_config *cfg, pp_backup_common *c)
{
	clean_cfg(cfg, c, "postgresql://app@db/pp");
	c->pg_bindir = pp_t_tmp;
	env_init(e, cfg, c);
	snprintf(e->bindir, sizeof(e->bindir), "%s", pp_t_tmp);
}

/* Runs pp_t_tmp/tool with args to its end; returns bk_wait's result, the log in *log. */
static pp_rc run(const bk_env *e, const char *tool, const char *const *args, int in_fd, char **log,
		 pp_err *err)
{
	pid_t pid;
	pp_rc rc;

	*log = bk_temp_log(tool);
	assert_non_null(*log);
	pp_err_clear(err);
	rc = bk_spawn(e, tool, args, *log, in_fd, &pid, err);
	if (rc != PP_OK)
		return rc;
	return bk_wait(e, pid, tool, *log, NULL, NULL, err);
}

static void runs_a_tool_with_its_arguments(void **state)
{
	static const char *const args[] = {"--file", "a b", "it's", NULL};
	pp_backup_common c;
	pp_config cfg;
	char *log, path[BK_PATH_MAX];
	int fd, in_fd;
	pp_err err;
	bk_env e;
	FILE *f;

	(void)state;
	script("pg_dump", "for a in \"$@\"; do echo \"arg[$a]\"; done\n"
			  "echo \"stdin[$(cat)]\"\necho \"fd3[$(cat <&3)]\"\n"
			  "echo \"pw[${PGPASSWORD:-none}]\"\necho err >&2");
	setenv("TMPDIR", pp_t_tmp, 1);
	tool_env(&e, &cfg, &c);
	snprintf(path, sizeof(path), "%s/input", pp_t_tmp);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("from fd 3", f);
	fclose(f);
	/* Close-on-exec and not 3: only bk_spawn can make it the tool's descriptor 3. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	in_fd = fcntl(fd, F_DUPFD_CLOEXEC, 20);
	assert_true(in_fd >= 20);
	close(fd);
	assert_int_equal(run(&e, "pg_dump", args, in_fd, &log, &err), PP_OK);
	close(in_fd);
	/* The log is in TMPDIR, named after the tool. */
	assert_int_equal(strncmp(log, pp_t_tmp, strlen(pp_t_tmp)), 0);
	assert_non_null(strstr(log, "/planpipe-pg_dump-"));
	assert_string_equal(slurp(log), "arg[--file]\narg[a b]\narg[it's]\nstdin[]\n"
					"fd3[from fd 3]\npw[none]\nerr\n");
	unlink(log);
	free(log);
	bk_env_free(&e);
	unsetenv("TMPDIR");
}

/* Runs pp_t_tmp/tool without arguments, which must end in rc; its log is removed. */
static void run_fails(const bk_env *e, const char *tool, pp_rc rc, pp_err *err)
{
	static const char *const args[] = {NULL};
	char *log;

	assert_int_equal(run(e, tool, args, -1, &log, err), rc);
	unlink(log);
	free(log);
}

static void a_failing_tool_reports_the_end_of_its_log(void **state)
{
	pp_backup_common c;
	pp_config cfg;
	pp_err err;
	bk_env e;

	(void)state;
	/* 20,000 lines: only the last ones fit the message. */
	script("pg_restore", "i=0\nwhile [ $i -lt 20000 ]; do echo \"pg_restore: line $i\"; "
			     "i=$((i+1)); done\necho 'pg_restore: error: the last words   '\n"
			     "echo\necho\nexit 3");
	tool_env(&e, &cfg, &c);
	run_fails(&e, "pg_restore", PP_EIO, &err);
	assert_int_equal(strncmp(err.msg, "pg_restore failed (exit status 3)\n", 34), 0);
	/* Trailing blanks and empty lines removed; the first lines gone; whole lines only. */
	{
		const char *want = "\n  pg_restore: error: the last words";
		const char *p = strchr(err.msg, '\n');

		assert_string_equal(err.msg + strlen(err.msg) - strlen(want), want);
		for (; p; p = strchr(p + 1, '\n'))
			if (strncmp(p, "\n  pg_restore: ", 15) != 0)
				fail_msg("not a whole line of the log: %.40s", p);
	}
	assert_non_null(strstr(err.msg, "\n  pg_restore: line 19999\n"));
	assert_null(strstr(err.msg, "line 0\n"));
	/* About 1200 bytes of log, each line indented by two. */
	assert_true(strlen(err.msg) < 1500);

	script("pg_restore", "echo 'about to die'\nkill -9 $$");
	run_fails(&e, "pg_restore", PP_EIO, &err);
	assert_string_equal(err.msg, "pg_restore was killed by signal 9\n  about to die");

	/* Not there at all. */
	run_fails(&e, "pg_nosuch", PP_EIO, &err);
	assert_non_null(strstr(err.msg, "cannot run"));
	assert_non_null(strstr(err.msg, "pg_nosuch"));
	bk_env_free(&e);
}

static void a_cancelled_or_overlong_tool_is_ended(void **state)
{
	volatile sig_atomic_t cancel = 1;
	pp_backup_common c;
	pp_config cfg;
	pp_err err;
	bk_env e;

	(void)state;
	script("pg_dump", "exec sleep 60");
	tool_env(&e, &cfg, &c);
	c.cancel = &cancel;
	run_fails(&e, "pg_dump", PP_EIO, &err);
	assert_string_equal(err.msg, "interrupted");
	/* Reaped: no child is left. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);

	c.cancel = NULL;
	cfg.backup_tool_timeout_s = 1;
	run_fails(&e, "pg_dump", PP_ETIMEDOUT, &err);
	assert_string_equal(err.msg, "pg_dump ran longer than PLANPIPE_BACKUP_TOOL_TIMEOUT (1 s) "
				     "and was ended");
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	bk_env_free(&e);
}

/* Stand-ins for both tools printing version (pg_restore: rversion, NULL: the same). */
static void tools(const char *version, const char *rversion)
{
	char body[256];

	snprintf(body, sizeof(body), "echo '%s'", version);
	script("pg_dump", body);
	snprintf(body, sizeof(body), "echo '%s'", rversion ? rversion : version);
	script("pg_restore", body);
}

static pp_rc find(int server, bk_env *e, pp_err *err)
{
	static pp_backup_common c;
	static pp_config cfg;

	clean_cfg(&cfg, &c, "postgresql://app@db/pp");
	c.pg_bindir = pp_t_tmp;
	env_init(e, &cfg, &c);
	pp_err_clear(err);
	return bk_tools_find(e, server, err);
}

static void finds_the_tools_and_reads_their_version(void **state)
{
	pp_err err;
	bk_env e;

	(void)state;
	tools("pg_dump (PostgreSQL) 15.4 (Debian 15.4-1.pgdg120+1)",
	      "pg_restore (PostgreSQL) 15.4 (Debian 15.4-1.pgdg120+1)");
	assert_int_equal(find(150004, &e, &err), PP_OK);
	assert_string_equal(e.bindir, pp_t_tmp);
	assert_int_equal(e.tools_major, 15);
	assert_string_equal(e.tools_version, "15.4");
	bk_env_free(&e);

	/* Newer tools serve an older server. */
	tools("pg_dump (PostgreSQL) 16.1", NULL);
	assert_int_equal(find(150004, &e, &err), PP_OK);
	assert_int_equal(e.tools_major, 16);
	assert_string_equal(e.tools_version, "16.1");
	bk_env_free(&e);

	/* A development version still has its major number. */
	tools("pg_dump (PostgreSQL) 17devel", NULL);
	assert_int_equal(find(150004, &e, &err), PP_OK);
	assert_int_equal(e.tools_major, 17);
	assert_string_equal(e.tools_version, "17");
	bk_env_free(&e);
}

static void refuses_older_tools(void **state)
{
	pp_err err;
	bk_env e;
	char want[512];

	(void)state;
	tools("pg_dump (PostgreSQL) 14.10", NULL);
	assert_int_equal(find(150004, &e, &err), PP_ECONFLICT);
	snprintf(want, sizeof(want),
		 "%s/pg_dump is version 14.10, older than the server (PostgreSQL 15.4): it "
		 "cannot back it up or restore into it faithfully. Install the PostgreSQL 15 "
		 "client tools (Debian: postgresql-client-15) or point --pg-bindir at them",
		 pp_t_tmp);
	assert_string_equal(err.msg, want);
	bk_env_free(&e);

	/* pg_restore is checked as well. */
	tools("pg_dump (PostgreSQL) 16.0", "pg_restore (PostgreSQL) 15.9");
	assert_int_equal(find(160002, &e, &err), PP_ECONFLICT);
	assert_non_null(strstr(err.msg, "/pg_restore is version 15.9, older than the server "
					"(PostgreSQL 16.2)"));
	bk_env_free(&e);

	/*
	 * Before 10 a major version was two numbers (9.6): 9.x tools are older
	 * than a server of 10 or later, and newer than 9.5.
	 */
	tools("pg_dump (PostgreSQL) 9.6.24", NULL);
	assert_int_equal(find(150004, &e, &err), PP_ECONFLICT);
	assert_non_null(
		strstr(err.msg, "is version 9.6.24, older than the server (PostgreSQL 15.4)"));
	bk_env_free(&e);
	assert_int_equal(find(100000, &e, &err), PP_ECONFLICT);
	bk_env_free(&e);
	assert_int_equal(find(90624, &e, &err), PP_OK);
	assert_int_equal(e.tools_major, 906);
	bk_env_free(&e);
	assert_int_equal(find(90500, &e, &err), PP_OK);
	bk_env_free(&e);
	tools("pg_dump (PostgreSQL) 9.5.25", NULL);
	assert_int_equal(find(90624, &e, &err), PP_ECONFLICT);
	assert_non_null(strstr(err.msg, "older than the server (PostgreSQL 9.6.24)"));
	bk_env_free(&e);
	/* And newer tools serve an older server across the change. */
	tools("pg_dump (PostgreSQL) 15.4", NULL);
	assert_int_equal(find(90624, &e, &err), PP_OK);
	bk_env_free(&e);
}

/* Ranks order versions across the change of numbering at 10. */
static void version_ranks(void **state)
{
	(void)state;
	assert_int_equal(bk_major_rank(906), 906);
	assert_int_equal(bk_major_rank(15), 1500);
	assert_true(bk_major_rank(906) < bk_major_rank(10));
	assert_int_equal(bk_version_rank("9.6.24"), 906);
	assert_int_equal(bk_version_rank("15.4"), 1500);
	assert_int_equal(bk_version_rank("17devel"), 1700);
	assert_int_equal(bk_version_rank(""), 0);
	assert_int_equal(bk_version_rank("x"), 0);
	assert_true(bk_version_rank("9.6") < bk_version_rank("10.1"));
	assert_true(bk_version_rank("15.4") == bk_major_rank(15));
}

static void refuses_tools_that_are_not_there_or_say_nothing(void **state)
{
	char path[BK_PATH_MAX], want[512];
	pp_err err;
	bk_env e;

	(void)state;
	tools("no version here", NULL);
	assert_int_equal(find(150004, &e, &err), PP_EIO);
	snprintf(want, sizeof(want), "%s/pg_dump --version printed no version: no version here",
		 pp_t_tmp);
	assert_string_equal(err.msg, want);
	bk_env_free(&e);

	tools("pg_dump (PostgreSQL) 0.0", NULL);
	assert_int_equal(find(150004, &e, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "printed no version"));
	bk_env_free(&e);

	/* A tool that fails. */
	script("pg_dump", "echo 'pg_dump: fatal: broken install' >&2; exit 1");
	assert_int_equal(find(150004, &e, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "pg_dump failed (exit status 1)"));
	assert_non_null(strstr(err.msg, "broken install"));
	bk_env_free(&e);

	/* pg_restore missing, or not executable. */
	tools("pg_dump (PostgreSQL) 15.4", NULL);
	snprintf(path, sizeof(path), "%s/pg_restore", pp_t_tmp);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(find(150004, &e, &err), PP_EINVAL);
	snprintf(want, sizeof(want), "--pg-bindir %s does not hold pg_dump and pg_restore",
		 pp_t_tmp);
	assert_string_equal(err.msg, want);
	bk_env_free(&e);
	unlink(path);
	assert_int_equal(find(150004, &e, &err), PP_EINVAL);
	assert_string_equal(err.msg, want);
	bk_env_free(&e);
}

/* Without --pg-bindir: /usr/lib/postgresql/MAJOR/bin, a newer one there, else PATH. */
static void looks_in_path_for_a_version_not_installed(void **state)
{
	static pp_backup_common c;
	static pp_config cfg;
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	char path[3 * BK_PATH_MAX], want[512], half[BK_PATH_MAX];
	pp_err err;
	bk_env e;

	(void)state;
	/* A first directory with pg_dump alone does not count. */
	snprintf(half, sizeof(half), "%s/half", pp_t_tmp);
	assert_int_equal(mkdir(half, 0700), 0);
	tools("pg_dump (PostgreSQL) 99.1", NULL);
	snprintf(path, sizeof(path), "%s/pg_dump", half);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("#!/bin/sh\necho 'pg_dump (PostgreSQL) 99.1'\n", f);
		fclose(f);
		assert_int_equal(chmod(path, 0755), 0);
	}
	clean_cfg(&cfg, &c, "postgresql://app@db/pp");
	env_init(&e, &cfg, &c);
	snprintf(path, sizeof(path), "/nonexistent-pp-unit::%s:%s", half, pp_t_tmp);
	setenv("PATH", path, 1);
	pp_err_clear(&err);
	assert_int_equal(bk_tools_find(&e, 990000, &err), PP_OK);
	assert_string_equal(e.bindir, pp_t_tmp);
	assert_int_equal(e.tools_major, 99);
	bk_env_free(&e);

	env_init(&e, &cfg, &c);
	setenv("PATH", half, 1);
	assert_int_equal(bk_tools_find(&e, 990000, &err), PP_EINVAL);
	snprintf(
		want, sizeof(want),
		"PostgreSQL's pg_dump and pg_restore were not found in /usr/lib/postgresql/99/bin "
		"or PATH: install the PostgreSQL 99 client tools (Debian: postgresql-client-99) or "
		"pass --pg-bindir");
	assert_string_equal(err.msg, want);
	bk_env_free(&e);
	if (old)
		setenv("PATH", old, 1);
	else
		unsetenv("PATH");
	free(old);
}

/* The server's own major version under /usr/lib/postgresql comes first (where installed). */
static void prefers_the_servers_debian_directory(void **state)
{
	static pp_backup_common c;
	static pp_config cfg;
	pp_err err;
	bk_env e;

	(void)state;
	if (access("/usr/lib/postgresql/15/bin/pg_dump", X_OK) != 0 ||
	    access("/usr/lib/postgresql/15/bin/pg_restore", X_OK) != 0)
		skip();
	clean_cfg(&cfg, &c, "postgresql://app@db/pp");
	env_init(&e, &cfg, &c);
	pp_err_clear(&err);
	assert_int_equal(bk_tools_find(&e, 150004, &err), PP_OK);
	assert_string_equal(e.bindir, "/usr/lib/postgresql/15/bin");
	assert_int_equal(e.tools_major, 15);
	bk_env_free(&e);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(joins_paths_within_the_limit),
	cmocka_unit_test(the_password_goes_to_the_environment_only),
	cmocka_unit_test(quotes_values_as_libpq_reads_them),
	cmocka_unit_test(refuses_a_bad_url_or_a_short_key),
	cmocka_unit_test(options_go_before_the_users_own),
	cmocka_unit_test(reports_events_and_cancellation),
	cmocka_unit_test_setup_teardown(runs_a_tool_with_its_arguments, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(a_failing_tool_reports_the_end_of_its_log,
					pp_t_tmp_group_setup, pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(a_cancelled_or_overlong_tool_is_ended, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(finds_the_tools_and_reads_their_version,
					pp_t_tmp_group_setup, pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(refuses_older_tools, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
	cmocka_unit_test(version_ranks),
	cmocka_unit_test_setup_teardown(refuses_tools_that_are_not_there_or_say_nothing,
					pp_t_tmp_group_setup, pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(looks_in_path_for_a_version_not_installed,
					pp_t_tmp_group_setup, pp_t_tmp_group_teardown),
	cmocka_unit_test(prefers_the_servers_debian_directory),
};

UNIT_MAIN("backup_tools", tests)
