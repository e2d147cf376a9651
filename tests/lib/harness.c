/* harness.c: see harness.h. */
/* nftw() is an X/Open extension. */
#define _XOPEN_SOURCE 700
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

long long pp_t_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *pp_t_bin(void)
{
	const char *bin = getenv("PLANPIPE_BIN");

	if (bin == NULL)
		fail_msg("PLANPIPE_BIN is not set: run the tests through meson");
	return bin;
}

char *pp_t_slurp(const char *path, int missing_ok)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL) {
		if (!missing_ok)
			fail_msg("cannot read %s", path);
		buf = strdup("");
		assert_non_null(buf);
		return buf;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	if (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)
		fail_msg("short read of %s", path);
	fclose(f);
	return buf;
}

char *pp_t_slurp_in(const char *dir, const char *name)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return pp_t_slurp(path, 0);
}

static void out_paths(const char *tag, char *out, char *err, size_t size)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(out, size, "%s/pp-test-%ld-%s.out", tmp, (long)getpid(), tag);
	snprintf(err, size, "%s/pp-test-%ld-%s.err", tmp, (long)getpid(), tag);
}

pid_t pp_t_spawn(const char *const *args, const char *tag)
{
	char outp[512], errp[512];
	const char *argv[64];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	size_t i;
	int rc;

	out_paths(tag, outp, errp, sizeof(outp));
	argv[0] = pp_t_bin();
	for (i = 0; args[i] && i < 62; i++)
		argv[i + 1] = args[i];
	argv[i + 1] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		fail_msg("cannot run %s: %s", argv[0], strerror(rc));
	return pid;
}

char *pp_t_spawned_output(const char *tag, int err)
{
	char outp[512], errp[512];

	out_paths(tag, outp, errp, sizeof(outp));
	return pp_t_slurp(err ? errp : outp, 1);
}

pp_t_result pp_t_wait(pid_t pid, const char *tag, int timeout_ms)
{
	long long start = pp_t_now_ms();
	char outp[512], errp[512];
	pp_t_result r = {0, NULL, NULL, 0, NULL};
	int st = 0;

	for (;;) {
		pid_t got = waitpid(pid, &st, WNOHANG);
		if (got == pid)
			break;
		if (pp_t_now_ms() - start > timeout_ms) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			r.status = -1;
			break;
		}
		usleep(10000);
	}
	r.ms = pp_t_now_ms() - start;
	if (r.status == 0)
		r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	out_paths(tag, outp, errp, sizeof(outp));
	r.out = pp_t_slurp(outp, 1);
	r.err = pp_t_slurp(errp, 1);
	unlink(outp);
	unlink(errp);
	return r;
}

pp_t_result pp_t_runv(const char *const *args)
{
	long long start = pp_t_now_ms();
	pp_t_result r = pp_t_wait(pp_t_spawn(args, "run"), "run", 120000);
	size_t size = sizeof("planpipe"), n;

	r.ms = pp_t_now_ms() - start;
	for (size_t i = 0; args[i]; i++)
		size += 1 + strlen(args[i]);
	r.cmd = malloc(size);
	assert_non_null(r.cmd);
	n = (size_t)snprintf(r.cmd, size, "planpipe");
	for (size_t i = 0; args[i]; i++)
		n += (size_t)snprintf(r.cmd + n, size - n, " %s", args[i]);
	return r;
}

/* Appends first and the rest of ap, up to a NULL, to args[n..63); NULL-terminates. */
static void collect(const char *args[64], size_t n, const char *first, va_list ap)
{
	for (const char *a = first; a && n < 63; a = va_arg(ap, const char *))
		args[n++] = a;
	args[n] = NULL;
}

pp_t_result pp_t_run(const char *arg, ...)
{
	const char *args[64];
	va_list ap;

	va_start(ap, arg);
	collect(args, 0, arg, ap);
	va_end(ap);
	return pp_t_runv(args);
}

void pp_t_result_free(pp_t_result *r)
{
	free(r->out);
	free(r->err);
	free(r->cmd);
	r->out = r->err = r->cmd = NULL;
}

/* Fails the test at file:line, with the command and its output, unless r exited status. */
static void expect_status(const char *file, int line, int status, pp_t_result *r)
{
	if (r->status == status)
		return;
	print_error("%s:%d: %s exited %d, expected %d\nstdout:\n%s\nstderr:\n%s\n", file, line,
		    r->cmd ? r->cmd : "planpipe", r->status, status, r->out ? r->out : "",
		    r->err ? r->err : "");
	pp_t_result_free(r);
	_fail(file, line);
}

void pp_t_result_is_at(const char *file, int line, pp_t_result *r, int status, const char *out_has)
{
	expect_status(file, line, status, r);
	if (out_has)
		pp_t_assert_contains_at(r->out, out_has, file, line);
	pp_t_result_free(r);
}

pp_t_result pp_t_expectv_at(const char *file, int line, int status, const char *const *args)
{
	pp_t_result r = pp_t_runv(args);

	expect_status(file, line, status, &r);
	return r;
}

void pp_t_expect_env_at(const char *file, int line, const char *name, const char *value, int status,
			const char *out_has, const char *err_has, const char *arg, ...)
{
	const char *args[64];
	pp_t_result r;
	va_list ap;

	va_start(ap, arg);
	collect(args, 0, arg, ap);
	va_end(ap);
	if (name)
		setenv(name, value, 1);
	r = pp_t_runv(args);
	if (name)
		unsetenv(name);
	expect_status(file, line, status, &r);
	if (out_has)
		pp_t_assert_contains_at(r.out, out_has, file, line);
	if (err_has)
		pp_t_assert_contains_at(r.err, err_has, file, line);
	pp_t_result_free(&r);
}

char *pp_t_backup(const char *out, ...)
{
	const char *args[64] = {"backup", "--out", out}, *first;
	pp_t_result r;
	va_list ap;
	char *nl, *path;

	va_start(ap, out);
	first = va_arg(ap, const char *);
	collect(args, 3, first, ap);
	va_end(ap);
	r = pp_t_runv(args);
	if (r.status != 0)
		fail_msg("backup failed (%d):\n%s%s", r.status, r.out, r.err);
	nl = strchr(r.out, '\n');
	assert_non_null(nl);
	path = strndup(r.out, (size_t)(nl - r.out));
	assert_non_null(path);
	pp_t_result_free(&r);
	return path;
}

PGconn *pp_t_connect(void)
{
	PGconn *c = PQconnectdb("");

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot connect: %s", PQerrorMessage(c));
	return c;
}

const char *pp_t_new_db(void)
{
	static char name[64];
	static int seq;
	char sql[128];
	PGconn *c;

	snprintf(name, sizeof(name), "t_%ld_%d", (long)getpid(), ++seq);
	setenv("PGDATABASE", "postgres", 1);
	c = pp_t_connect();
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	free(pp_t_query(c, sql));
	PQfinish(c);
	setenv("PGDATABASE", name, 1);
	return name;
}

const char *pp_t_new_migrated_db(void)
{
	const char *name = pp_t_new_db();

	pp_t_expect(0, NULL, NULL, "migrate", "up", NULL);
	return name;
}

void pp_t_cluster(const char *cmd)
{
	const char *sh = getenv("PP_PG_CLUSTER_SH");
	const char *root = getenv("PP_SOURCE_ROOT");
	const char *dir = getenv("PP_TEST_CLUSTER");
	char script[1024], line[2048];

	if ((sh == NULL && root == NULL) || dir == NULL)
		fail_msg("PP_PG_CLUSTER_SH or PP_SOURCE_ROOT, and PP_TEST_CLUSTER must be set "
			 "(run through meson)");
	if (sh)
		snprintf(script, sizeof(script), "%s", sh);
	else
		snprintf(script, sizeof(script), "%s/scripts/pg-cluster.sh", root);
	/* start needs the port: without one pg-cluster.sh would pick another. */
	snprintf(line, sizeof(line), "'%s' %s '%s' %s >/dev/null", script, cmd, dir,
		 strcmp(cmd, "start") == 0 ? getenv("PGPORT") : "");
	if (system(line) != 0)
		fail_msg("failed: %s", line);
}

char *pp_t_query(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	char *v = NULL;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("query failed: %s\n%s", sql, PQerrorMessage(conn));
	if (st == PGRES_TUPLES_OK && PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
		v = strdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

long pp_t_query_long(PGconn *conn, const char *sql)
{
	char *v = pp_t_query(conn, sql);
	long n;

	if (v == NULL)
		fail_msg("query returned NULL: %s", sql);
	n = strtol(v, NULL, 10);
	free(v);
	return n;
}

static char *tempdirs[256];
static size_t n_tempdirs;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Whatever a test made in /tmp goes when the test program ends, pass or fail. */
static void remove_tempdirs(void)
{
	while (n_tempdirs > 0) {
		char *d = tempdirs[--n_tempdirs];
		nftw(d, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(d);
	}
}

/* Makes a streaming standby of the test cluster; prints "DIR PORT". */
static const char standby_script[] =
	"set -e\n"
	"bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}\n"
	"if [ \"$(id -u)\" -eq 0 ]; then as_pg() { runuser -u postgres -- \"$@\"; }; else as_pg() { \"$@\"; }; fi\n"
	"dir=$(mktemp -d \"${TMPDIR:-/tmp}/pp-standby.XXXXXX\")\n"
	"chmod 755 \"$dir\"; mkdir \"$dir/run\"\n"
	"[ \"$(id -u)\" -ne 0 ] || chown -R postgres:postgres \"$dir\"\n"
	"as_pg \"$bindir/pg_basebackup\" -h \"$PGHOST\" -p \"$PGPORT\" -U postgres -D \"$dir/data\" -R -X stream -c fast >\"$dir/basebackup.log\" 2>&1\n"
	"for _ in 1 2 3 4 5 6 7 8 9 10; do\n"
	"  port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 ))\n"
	"  if as_pg \"$bindir/pg_ctl\" -D \"$dir/data\" -w -t 60 -l \"$dir/log\" \\\n"
	"       -o \"-p $port -k $dir/run -c listen_addresses=''\" start >/dev/null 2>&1; then\n"
	"    echo \"$dir $port\"; exit 0\n"
	"  fi\n"
	"done\n"
	"cat \"$dir/log\" >&2; exit 1\n";

int pp_t_standby_start(char *dir, size_t dir_size)
{
	char fmt[32];
	int port = 0;
	FILE *f = popen(standby_script, "r");

	assert_non_null(f);
	snprintf(fmt, sizeof(fmt), "%%%zus %%d", dir_size - 1);
	if (fscanf(f, fmt, dir, &port) != 2)
		port = 0;
	if (pclose(f) != 0 || port == 0)
		fail_msg("could not make a standby");
	return port;
}

/* Runs pg_ctl CMD on the standby in dir as the cluster's owner, then the shell's tail. */
static int standby_pg_ctl(const char *dir, const char *cmd, const char *tail)
{
	char line[2048];

	snprintf(line, sizeof(line),
		 "d='%s'; if [ \"$(id -u)\" -eq 0 ]; then p='runuser -u postgres --'; else p=; fi; "
		 "$p ${PG_BINDIR:-/usr/lib/postgresql/15/bin}/pg_ctl -D \"$d/data\" -w -t 60 "
		 "-l \"$d/log\" %s >/dev/null 2>&1%s",
		 dir, cmd, tail);
	return system(line);
}

int pp_t_standby_ctl(const char *dir, const char *cmd)
{
	return standby_pg_ctl(dir, cmd, "");
}

int pp_t_standby_remove(const char *dir)
{
	return standby_pg_ctl(dir, "-m immediate stop", "; rm -rf \"$d\"");
}

char *pp_t_tempdir(void)
{
	char tmpl[] = "/tmp/pp-test-XXXXXX";
	char *d = mkdtemp(tmpl);

	if (d == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	if (n_tempdirs == 0)
		atexit(remove_tempdirs);
	if (n_tempdirs < sizeof(tempdirs) / sizeof(tempdirs[0]))
		tempdirs[n_tempdirs++] = strdup(d);
	return strdup(d);
}

char *pp_t_pg_bindir(const char *tool, const char *body)
{
	static const char *const names[] = {"pg_dump", "pg_dumpall", "pg_restore"};
	char *dir = pp_t_tempdir(), *script, path[1200];
	size_t i, cap = 256 + (body ? strlen(body) : 0);

	script = malloc(cap);
	assert_non_null(script);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (tool && (strcmp(tool, "*") == 0 || strcmp(tool, names[i]) == 0))
			snprintf(script, cap, "#!/bin/sh\n%s\n", body);
		else
			snprintf(script, cap,
				 "#!/bin/sh\nexec /usr/lib/postgresql/15/bin/%s \"$@\"\n",
				 names[i]);
		pp_t_write(dir, names[i], script);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (chmod(path, 0755) != 0)
			fail_msg("chmod %s: %s", path, strerror(errno));
	}
	free(script);
	return dir;
}

void pp_t_write(const char *dir, const char *name, const char *contents)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	fputs(contents, f);
	fclose(f);
}

void pp_t_assert_contains_at(const char *haystack, const char *needle, const char *file, int line)
{
	if (haystack == NULL || strstr(haystack, needle) == NULL) {
		print_error("%s:%d: expected to find\n  %s\nin\n%s\n", file, line, needle,
			    haystack ? haystack : "(null)");
		_fail(file, line);
	}
}

void pp_t_assert_contains_all_at(const char *file, int line, const char *haystack, ...)
{
	const char *needle;
	va_list ap;

	va_start(ap, haystack);
	while ((needle = va_arg(ap, const char *)) != NULL) {
		if (haystack == NULL || strstr(haystack, needle) == NULL) {
			va_end(ap);
			pp_t_assert_contains_at(haystack, needle, file, line); /* fails */
		}
	}
	va_end(ap);
}

void pp_t_string_is_at(char *got, const char *want, const char *what, const char *file, int line)
{
	if (got == NULL || strcmp(got, want) != 0) {
		print_error("%s:%d: %s\n  gave \"%s\", expected \"%s\"\n", file, line, what,
			    got ? got : "(no value)", want);
		free(got);
		_fail(file, line);
	}
	free(got);
}

void pp_t_query_is_at(PGconn *conn, const char *sql, const char *want, const char *file, int line)
{
	pp_t_string_is_at(pp_t_query(conn, sql), want, sql, file, line);
}
