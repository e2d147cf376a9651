/*
 * test_backup_trust.c: what `planpipe restore` and `backup verify` do with a
 * backup someone else could write to (docs/backup.md, "Threat model"):
 * globals.sql runs only role statements, signed manifests, regular files
 * only, and tools that end on SIGTERM and on a timeout. Against the real
 * cluster of scripts/with-pg.sh.
 */
#include "harness.h"

#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char key[] = "test-key-0123456789abcdef";

/* A migrated database holding a marker table; returns its name. */
static const char *marker_db(void)
{
	const char *db = pp_t_new_migrated_db();
	PGconn *c = pp_t_connect();

	free(pp_t_query(c, "CREATE TABLE marker (v text);"
			   "INSERT INTO marker VALUES ('before the restore'), ('second row')"));
	PQfinish(c);
	return db;
}

/*
 * Replaces dir/name with text and, as anyone who can write the directory
 * could, puts its SHA-256 and size into the manifest.
 */
static void forge(const char *dir, const char *name, const char *text)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	char hex[65], path[1024];
	json_error_t jerr;
	json_t *m, *f;

	pp_t_write(dir, name, text);
	EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	m = json_load_file(path, 0, &jerr);
	assert_non_null(m);
	f = json_object_get(json_object_get(m, "files"), name);
	assert_non_null(f);
	json_object_set_new(f, "sha256", json_string(hex));
	json_object_set_new(f, "bytes", json_integer((json_int_t)strlen(text)));
	assert_int_equal(json_dump_file(m, path, JSON_INDENT(2)), 0);
	json_decref(m);
}

static char *marker_rows(void)
{
	PGconn *c = pp_t_connect();
	char *v = pp_t_query(c, "SELECT string_agg(v, ',' ORDER BY v) FROM marker");

	PQfinish(c);
	return v;
}

/* A value from the postgres database (roles are the cluster's). */
static char *cluster_query(const char *sql)
{
	char *db = strdup(getenv("PGDATABASE")), *v;
	PGconn *c;

	setenv("PGDATABASE", "postgres", 1);
	c = pp_t_connect();
	v = pp_t_query(c, sql);
	PQfinish(c);
	setenv("PGDATABASE", db, 1);
	free(db);
	return v;
}

/* cluster_query(sql) must be want; the failure names the query. */
#define cluster_query_is(sql, want)                                                                \
	pp_t_string_is_at(cluster_query(sql), (want), (sql), __FILE__, __LINE__)

/*
 * A tampered globals.sql with a correct checksum is refused by verify and
 * restore before anything changes: the program never runs, no role is
 * created or changed, the target keeps its rows.
 */
static void tampered_globals_are_refused(void **state)
{
	static const struct {
		const char *sql; /* %s: the marker file */
		const char *want;
	} cases[] = {
		{"COPY (SELECT 1) TO PROGRAM 'touch %s';\n", "COPY is not accepted"},
		{"ALTER USER postgres PASSWORD 'hacked';\n", "ALTER USER is not accepted"},
		{"CREATE ROLE pp_evil SUPERUSER LOGIN PASSWORD 'evil';\n",
		 "the SUPERUSER attribute is refused"},
		{"CREATE ROLE pp_evil LOGIN PASSWORD 'x'; COPY (SELECT 1) TO PROGRAM 'touch %s'\n",
		 "COPY is not accepted"},
		{"CREATE ROLE pp_evil LOGIN PASSWORD $$x$$;\n", "a dollar-quoted string"},
		{"CREATE ROLE pp_evil LOGIN;\nGRANT postgres TO pp_evil;\n",
		 "GRANT postgres TO pp_evil: only memberships"},
		{"ALTER ROLE postgres PASSWORD 'x';\n", "only a role created earlier"},
	};
	char *out = pp_t_tempdir(), *marks = pp_t_tempdir(), *b, *orig, *rows, *pw, *now;
	char mark[1200], extra[2048], *text;
	pp_t_result r;
	size_t i;

	(void)state;
	chmod(marks, 0777); /* the server's OS user could write there, were it asked to */
	snprintf(mark, sizeof(mark), "%s/program-ran", marks);
	marker_db();
	b = pp_t_backup(out, NULL);
	orig = pp_t_slurp_in(b, "globals.sql");
	rows = marker_rows();
	pw = cluster_query("SELECT coalesce(rolpassword, '-') FROM pg_authid"
			   " WHERE rolname = 'postgres'");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(extra, sizeof(extra), cases[i].sql, mark);
		text = malloc(strlen(orig) + strlen(extra) + 1);
		assert_non_null(text);
		snprintf(text, strlen(orig) + strlen(extra) + 1, "%s%s", orig, extra);
		forge(b, "globals.sql", text);
		free(text);

		r = pp_t_run("backup", "verify", b, NULL);
		if (r.status != 1 || !strstr(r.err, cases[i].want))
			fail_msg("verify of tampered globals.sql (%s): status %d\n%s%s", extra,
				 r.status, r.out, r.err);
		pp_t_assert_contains(r.err, "globals.sql:");
		pp_t_result_free(&r);
		r = pp_t_run("restore", b, "--force", "--terminate", "--allow-role-passwords",
			     NULL);
		if (r.status != 1 || !strstr(r.err, cases[i].want))
			fail_msg("restore of tampered globals.sql (%s): status %d\n%s%s", extra,
				 r.status, r.out, r.err);
		pp_t_assert_contains(r.err, "was not changed");
		pp_t_result_free(&r);
	}
	assert_int_equal(access(mark, F_OK), -1);
	now = marker_rows();
	assert_string_equal(rows, now);
	free(now);
	cluster_query_is("SELECT count(*) FROM pg_roles WHERE rolname LIKE 'pp\\_evil%'", "0");
	now = cluster_query("SELECT coalesce(rolpassword, '-') FROM pg_authid"
			    " WHERE rolname = 'postgres'");
	assert_string_equal(pw, now);
	free(now);
	cluster_query_is("SELECT count(*) FROM pg_database WHERE datname LIKE '%\\_old\\_%'"
			 " OR datname LIKE 'planpipe\\_%'",
			 "0");
	free(orig);
	free(rows);
	free(pw);
	free(b);
	free(out);
	free(marks);
}

/*
 * A role the restore creates gets its password only with
 * --allow-role-passwords; without, it is created without one and a warning
 * says so.
 */
static void role_passwords_need_the_flag(void **state)
{
	char *out = pp_t_tempdir(), *b, *hash, target[128];
	const char *db;
	pp_t_result r;
	PGconn *c;

	(void)state;
	db = marker_db();
	c = pp_t_connect();
	free(pp_t_query(c, "CREATE ROLE pp_reader LOGIN PASSWORD 'reader-secret';"
			   "GRANT SELECT ON marker TO pp_reader"));
	PQfinish(c);
	hash = cluster_query("SELECT rolpassword FROM pg_authid WHERE rolname = 'pp_reader'");
	b = pp_t_backup(out, NULL);
	c = pp_t_connect();
	free(pp_t_query(c, "DROP OWNED BY pp_reader; DROP ROLE pp_reader"));
	PQfinish(c);

	snprintf(target, sizeof(target), "%s_nopw", db);
	r = pp_t_run("restore", b, "--target", target, NULL);
	if (r.status != 0)
		fail_msg("restore failed:\n%s%s", r.out, r.err);
	pp_t_assert_contains(r.err, "roles created without the passwords the backup holds "
				    "for them (pp_reader): pass --allow-role-passwords");
	pp_t_result_free(&r);
	cluster_query_is("SELECT coalesce(rolpassword, 'none') FROM pg_authid"
			 " WHERE rolname = 'pp_reader'",
			 "none");

	/* With the flag, a role the restore creates gets its password back. */
	c = pp_t_connect();
	free(pp_t_query(c, "DROP OWNED BY pp_reader"));
	PQfinish(c);
	setenv("PGDATABASE", target, 1);
	c = pp_t_connect();
	free(pp_t_query(c, "DROP OWNED BY pp_reader"));
	PQfinish(c);
	setenv("PGDATABASE", db, 1);
	free(cluster_query("DROP ROLE pp_reader"));
	snprintf(target, sizeof(target), "%s_pw", db);
	r = pp_t_run("restore", b, "--target", target, "--allow-role-passwords", NULL);
	if (r.status != 0)
		fail_msg("restore --allow-role-passwords failed:\n%s%s", r.out, r.err);
	assert_null(strstr(r.err, "created without the passwords"));
	pp_t_result_free(&r);
	cluster_query_is("SELECT rolpassword FROM pg_authid WHERE rolname = 'pp_reader'", hash);
	/* A role that exists is never changed, with the flag or without. */
	free(cluster_query("ALTER ROLE pp_reader PASSWORD 'changed-since'"));
	free(hash);
	hash = cluster_query("SELECT rolpassword FROM pg_authid WHERE rolname = 'pp_reader'");
	snprintf(target, sizeof(target), "%s_pw2", db);
	pp_t_expect(0, NULL, NULL, "restore", b, "--target", target, "--allow-role-passwords",
		    NULL);
	cluster_query_is("SELECT rolpassword FROM pg_authid WHERE rolname = 'pp_reader'", hash);
	free(hash);
	free(b);
	free(out);
}

/* The manifest's sha256 of a file changed, and the manifest rewritten: the HMAC stops it. */
static void signed_backups(void **state)
{
	char *out = pp_t_tempdir(), *b, *unsigned_b, *m, *text, path[1200], target[128];
	const char *db;
	pp_t_result r;

	(void)state;
	db = marker_db();
	unsigned_b = pp_t_backup(out, NULL);
	setenv("PLANPIPE_BACKUP_KEY", key, 1);
	b = pp_t_backup(out, NULL);
	m = pp_t_slurp_in(b, "manifest.json");
	pp_t_assert_contains(m, "\"algorithm\": \"hmac-sha256\"");
	free(m);

	r = pp_t_run("backup", "verify", b, NULL);
	if (r.status != 0)
		fail_msg("verify of a signed backup failed:\n%s%s", r.out, r.err);
	pp_t_result_free(&r);
	snprintf(target, sizeof(target), "%s_signed", db);
	r = pp_t_run("restore", b, "--target", target, NULL);
	if (r.status != 0)
		fail_msg("restore of a signed backup failed:\n%s%s", r.out, r.err);
	pp_t_result_free(&r);

	/* The key from a file works as well; `config` never prints it. */
	unsetenv("PLANPIPE_BACKUP_KEY");
	pp_t_write(out, "key", key);
	snprintf(path, sizeof(path), "%s/key", out);
	setenv("PLANPIPE_BACKUP_KEY_FILE", path, 1);
	pp_t_expect(0, NULL, NULL, "backup", "verify", b, NULL);
	r = pp_t_run("config", NULL);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains(r.out, "PLANPIPE_BACKUP_KEY=********");
	assert_null(strstr(r.out, key));
	pp_t_result_free(&r);
	unsetenv("PLANPIPE_BACKUP_KEY_FILE");
	setenv("PLANPIPE_BACKUP_KEY", key, 1);

	/* With a key set, an unsigned backup is refused. */
	pp_t_expect(1, NULL, "is not signed and PLANPIPE_BACKUP_KEY is set: refused", "backup",
		    "verify", unsigned_b, NULL);

	/* Another key: refused. */
	setenv("PLANPIPE_BACKUP_KEY", "another-key-0123456789", 1);
	pp_t_expect(1, NULL, "the signature does not match PLANPIPE_BACKUP_KEY", "backup", "verify",
		    b, NULL);
	setenv("PLANPIPE_BACKUP_KEY", key, 1);

	/* Without the key, a signed backup restores, with a warning that nothing was checked. */
	unsetenv("PLANPIPE_BACKUP_KEY");
	pp_t_expect(0, NULL, "is signed, but PLANPIPE_BACKUP_KEY is not set", "backup", "verify", b,
		    NULL);
	setenv("PLANPIPE_BACKUP_KEY", key, 1);

	/* A forged globals.sql with its checksum fixed in the manifest: refused, untouched. */
	text = pp_t_slurp_in(b, "globals.sql");
	forge(b, "globals.sql", "CREATE ROLE pp_forged LOGIN;\n");
	r = pp_t_run("restore", b, "--force", "--terminate", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains_all(r.err, "the signature does not match PLANPIPE_BACKUP_KEY",
				 "was not changed");
	pp_t_result_free(&r);
	free(text);
	text = cluster_query("SELECT count(*) FROM pg_roles WHERE rolname = 'pp_forged'");
	assert_string_equal(text, "0");
	free(text);

	setenv("PLANPIPE_BACKUP_KEY", "short", 1);
	pp_t_expect(2, NULL, "PLANPIPE_BACKUP_KEY is too short", "backup", "--out", out, NULL);
	unsetenv("PLANPIPE_BACKUP_KEY");
	free(b);
	free(unsigned_b);
	free(out);
}

/* Runs a restore of b that must fail with want, and quickly. */
static void restore_refused_fast(const char *b, const char *want)
{
	const char *args[] = {"restore", b, "--force", "--terminate", NULL};
	pp_t_result r = pp_t_wait(pp_t_spawn(args, "fast"), "fast", 60000);

	if (r.status != 1 || !strstr(r.err, want))
		fail_msg("restore: status %d (after %lld ms), wanted 1 and \"%s\":\n%s%s", r.status,
			 r.ms, want, r.out, r.err);
	if (r.ms > 20000)
		fail_msg("restore took %lld ms to refuse: %s", r.ms, r.err);
	pp_t_assert_contains(r.err, "was not changed");
	pp_t_result_free(&r);
}

/* Links, devices, FIFOs and files of the wrong size are refused without reading them. */
static void only_regular_files_are_read(void **state)
{
	char *out = pp_t_tempdir(), *b, path[1200], copy[1200], *rows, *now;

	(void)state;
	marker_db();
	b = pp_t_backup(out, NULL);
	rows = marker_rows();
	snprintf(path, sizeof(path), "%s/db.dump", b);
	snprintf(copy, sizeof(copy), "%s/dump.copy", out);
	assert_int_equal(rename(path, copy), 0);

	assert_int_equal(symlink("/dev/zero", path), 0);
	restore_refused_fast(b, "db.dump is a symbolic link: a backup's files must be regular");
	unlink(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	restore_refused_fast(b, "db.dump is not a regular file");
	unlink(path);
	assert_int_equal(symlink(copy, path), 0); /* a link to the right contents: still not */
	restore_refused_fast(b, "db.dump is a symbolic link");
	unlink(path);
	assert_int_equal(rename(copy, path), 0);
	{
		FILE *f = fopen(path, "ab");
		assert_non_null(f);
		fputs("more bytes than the manifest says", f);
		fclose(f);
	}
	restore_refused_fast(b, "bytes, the manifest says");

	snprintf(path, sizeof(path), "%s/manifest.json", b);
	snprintf(copy, sizeof(copy), "%s/manifest.copy", out);
	assert_int_equal(rename(path, copy), 0);
	assert_int_equal(symlink(copy, path), 0);
	restore_refused_fast(b, "manifest.json is a symbolic link");
	now = marker_rows();
	assert_string_equal(rows, now);
	free(now);
	free(rows);
	free(b);
	free(out);
}

/* A pg_restore that ignores SIGTERM and never ends: planpipe still ends it. */
static char *stuck_bindir(const char *pidfile)
{
	char body[1400];

	snprintf(body, sizeof(body),
		 "if [ \"$1\" = --version ]; then\n"
		 "  exec /usr/lib/postgresql/15/bin/pg_restore --version\n"
		 "fi\n"
		 "trap '' TERM\n"
		 "echo $$ > %s\n"
		 "exec sleep 300",
		 pidfile);
	return pp_t_pg_bindir("pg_restore", body);
}

static pid_t read_pid(const char *pidfile, int timeout_ms)
{
	long long until = pp_t_now_ms() + timeout_ms;

	while (pp_t_now_ms() < until) {
		FILE *f = fopen(pidfile, "r");
		long pid = 0;
		if (f) {
			if (fscanf(f, "%ld", &pid) != 1)
				pid = 0;
			fclose(f);
			if (pid > 0)
				return (pid_t)pid;
		}
		usleep(50000);
	}
	fail_msg("the stand-in pg_restore never started");
	return 0;
}

static void tools_end_on_sigterm_and_timeout(void **state)
{
	char *out = pp_t_tempdir(), *b, *fake, pidfile[1200], target[128];
	const char *db, *args[8];
	pp_t_result r;
	pid_t pid, tool;

	(void)state;
	db = marker_db();
	b = pp_t_backup(out, NULL);
	snprintf(pidfile, sizeof(pidfile), "%s/pg_restore.pid", out);
	fake = stuck_bindir(pidfile);
	snprintf(target, sizeof(target), "%s_stuck", db);
	args[0] = "restore";
	args[1] = b;
	args[2] = "--target";
	args[3] = target;
	args[4] = "--pg-bindir";
	args[5] = fake;
	args[6] = NULL;
	pid = pp_t_spawn(args, "stuck");
	tool = read_pid(pidfile, 60000);
	assert_int_equal(kill(pid, SIGTERM), 0);
	r = pp_t_wait(pid, "stuck", 30000);
	if (r.status != 2 || !strstr(r.err, "interrupted"))
		fail_msg("SIGTERM: status %d after %lld ms:\n%s%s", r.status, r.ms, r.out, r.err);
	pp_t_result_free(&r);
	assert_int_equal(kill(tool, 0), -1); /* the tool is gone too */
	assert_int_equal(errno, ESRCH);
	free(cluster_query("SELECT 1")); /* the server is fine */

	unlink(pidfile);
	setenv("PLANPIPE_BACKUP_TOOL_TIMEOUT", "2", 1);
	r = pp_t_runv(args);
	unsetenv("PLANPIPE_BACKUP_TOOL_TIMEOUT");
	if (r.status != 2 ||
	    !strstr(r.err, "pg_restore ran longer than PLANPIPE_BACKUP_TOOL_TIMEOUT (2 s)"))
		fail_msg("timeout: status %d after %lld ms:\n%s%s", r.status, r.ms, r.out, r.err);
	assert_true(r.ms < 60000);
	pp_t_result_free(&r);
	tool = read_pid(pidfile, 1000);
	assert_int_equal(kill(tool, 0), -1);
	{
		char sql[256], *n;
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_database WHERE datname = '%s'",
			 target);
		n = cluster_query(sql);
		assert_string_equal(n, "0");
		free(n);
	}
	free(fake);
	free(b);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tampered_globals_are_refused),
		cmocka_unit_test(role_passwords_need_the_flag),
		cmocka_unit_test(signed_backups),
		cmocka_unit_test(only_regular_files_are_read),
		cmocka_unit_test(tools_end_on_sigterm_and_timeout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
