/*
 * test_backup.c: `planpipe backup`, `backup verify` and `restore` against
 * real PostgreSQL servers: the throwaway cluster of scripts/with-pg.sh and,
 * for the restore into another cluster, a second one this test starts.
 *
 * Every comparison of contents here uses the test's own SQL checksum
 * (string_agg of the rows' text in a fixed order), not planpipe's, so a bug
 * in planpipe's checksum cannot hide a bug in its restore.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

extern char **environ;

/* Tables populate() must fill; a status_history partition is checked apart. */
static const char *const known_tables[] = {
	"backlogs",
	"planpipe_schema_migrations",
	"project_dependencies",
	"project_members",
	"projects",
	"statuses",
	"stories",
	"story_dependencies",
	"story_dependency_refs",
	"story_key_counters",
	"story_search",
	"users",
	NULL,
};

static const char populate_sql[] =
	"DO $$ BEGIN"
	"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pp_auditor') THEN"
	"    CREATE ROLE pp_auditor LOGIN PASSWORD 'auditor-secret';"
	"    GRANT planpipe_app TO pp_auditor;"
	"  END IF;"
	"END $$;"
	"GRANT SELECT ON projects TO pp_auditor;"
	"INSERT INTO users (handle, display_name, email, api_token_hash, is_admin)"
	"  SELECT 'user' || g, 'User ' || g || ' Ünïcødé', 'user' || g || '@example.com',"
	"         sha256(('token' || g)::bytea), g = 1"
	"    FROM generate_series(1, 20) g;"
	"INSERT INTO projects (key, name, description, git_remote_url, metadata, created_by)"
	"  SELECT 'P' || g, 'Project ' || g, E'line one\\nline \"two\", with \\\\ and ''quotes''',"
	"         'https://git.example.com/p' || g || '.git',"
	"         jsonb_build_object('team', 'team' || g % 3, 'n', g), 1"
	"    FROM generate_series(1, 6) g;"
	"INSERT INTO project_members (project_id, user_id, role)"
	"  SELECT p.id, u.id, (ARRAY['viewer', 'developer', 'maintainer', 'owner']::member_role[])"
	"                     [1 + u.id % 4]"
	"    FROM projects p, users u WHERE (p.id + u.id) % 2 = 0;"
	"INSERT INTO backlogs (project_id, name, kind, position, starts_on, ends_on)"
	"  SELECT p.id, k, k, i, DATE '2024-01-01', DATE '2024-01-14'"
	"    FROM projects p, unnest(ARRAY['backlog', 'sprint', 'kanban']) WITH ORDINALITY AS t(k, i);"
	"INSERT INTO stories (project_id, backlog_id, key, title, priority, estimate_points,"
	"                     estimate_raw, labels, owner, body, metadata)"
	"  SELECT p.id, CASE WHEN g % 4 = 0 THEN NULL ELSE b.id END, NULL,"
	"         'Story ' || g || ' of ' || p.key, (ARRAY['critical', 'high', 'medium', 'low'])[1 + g % 4],"
	"         (g % 8)::numeric / 2, (g % 8) || 'sp', ARRAY['db', 'label' || g % 5],"
	"         'owner' || g % 3,"
	"         repeat(E'Body with \"quotes\", commas, \\\\ and a newline\\n', 1 + g % 5),"
	"         jsonb_build_object('layer', 'api', 'n', g, 'nested', jsonb_build_array(g, 'x'))"
	"    FROM projects p JOIN backlogs b ON b.project_id = p.id AND b.kind = 'backlog',"
	"         generate_series(1, 40) g"
	"   ORDER BY p.id, g;"
	/* History through the triggers (this month), in the order the rules allow. */
	"UPDATE stories SET status = 'ready' WHERE id % 2 = 0;"
	"UPDATE stories SET status = 'in_progress' WHERE id % 4 = 0;"
	"UPDATE stories SET status = 'done' WHERE id % 8 = 0;"
	/* and in three past months, as an import of old history would write it. */
	"SELECT planpipe_create_history_partition("
	"         (date_trunc('month', now()) - make_interval(months => m))::date)"
	"  FROM generate_series(1, 3) m;"
	"INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_by,"
	"                            changed_at, source, note)"
	"  SELECT s.id, s.project_id, 'draft', 'ready', 1 + s.id % 20,"
	"         date_trunc('month', now()) - make_interval(months => m)"
	"           + make_interval(days => 3, mins => s.id::int), 'import', 'history of month -' || m"
	"    FROM stories s, generate_series(1, 3) m WHERE s.id % 3 = 0;"
	"INSERT INTO status_history (story_id, project_id, from_status, to_status, changed_at, source)"
	"  SELECT s.id, s.project_id, NULL, 'draft', TIMESTAMPTZ '2020-01-15 12:00:00+00', 'import'"
	"    FROM stories s WHERE s.id % 10 = 0;"
	/* Dependencies within a project (on a lower number) and across projects (on a
	 * higher project): no cycle either way. */
	"INSERT INTO story_dependencies (story_id, depends_on_id, kind)"
	"  SELECT a.id, b.id, 'blocks' FROM stories a JOIN stories b ON b.project_id = a.project_id"
	"     AND split_part(b.key, '-', 2)::int = split_part(a.key, '-', 2)::int - 1"
	"   WHERE split_part(a.key, '-', 2)::int % 5 = 1;"
	"INSERT INTO story_dependencies (story_id, depends_on_id, kind)"
	"  SELECT a.id, b.id, CASE WHEN a.id % 2 = 0 THEN 'blocks' ELSE 'relates' END"
	"    FROM stories a JOIN stories b ON b.project_id = a.project_id + 1"
	"     AND split_part(b.key, '-', 2) = split_part(a.key, '-', 2)"
	"   WHERE split_part(a.key, '-', 2)::int % 7 = 0;"
	"INSERT INTO project_dependencies (project_id, depends_on_project_id, kind, note)"
	"  SELECT p.id, p.id + 1, 'blocks', 'needs the next one' FROM projects p"
	"   WHERE p.id < (SELECT max(id) FROM projects);"
	"INSERT INTO project_dependencies (project_id, depends_on_project_id, kind)"
	"  SELECT max(id), min(id), 'relates' FROM projects;"
	"INSERT INTO story_dependency_refs (story_id, project_key, story_key)"
	"  SELECT id, 'LATER', 'LATER-' || id FROM stories WHERE id % 9 = 0;";

/* ---- helpers ---- */

/* Runs argv (no shell), standard output into out_path (may be NULL); returns its status. */
static int run_cmd(const char *const *argv, const char *out_path)
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int st = 0;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null",
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
		fail_msg("cannot run %s", argv[0]);
	posix_spawn_file_actions_destroy(&fa);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void rm_rf(const char *path)
{
	const char *argv[] = {"/bin/rm", "-rf", path, NULL};

	run_cmd(argv, NULL);
}

static void migrate_and_populate(void)
{
	PGconn *c;

	pp_t_expect(0, NULL, NULL, "migrate", "up", NULL);
	c = pp_t_connect();
	free(pp_t_query(c, populate_sql));
	PQfinish(c);
}

/* A fresh database, migrated and populated, and a connection to it; its name in *db unless NULL. */
static PGconn *populated_db(const char **db)
{
	const char *name = pp_t_new_db();

	if (db)
		*db = name;
	migrate_and_populate();
	return pp_t_connect();
}

/* The leaf tables of public, ordered. Caller PQclear()s. */
static PGresult *leaf_tables(PGconn *c)
{
	PGresult *res = PQexec(c, "SELECT c.relname FROM pg_class c"
				  " JOIN pg_namespace n ON n.oid = c.relnamespace"
				  " WHERE n.nspname = 'public' AND c.relkind = 'r'"
				  " ORDER BY c.relname COLLATE \"C\"");

	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("listing tables: %s", PQerrorMessage(c));
	return res;
}

/*
 * "table rows md5\n" for every leaf table: the test's own checksum, with
 * the session settings pinned so that two servers print rows alike.
 */
static char *fingerprint(PGconn *c)
{
	PGresult *tables;
	size_t cap = 1 << 16, len = 0;
	char *out = calloc(1, cap);
	int i;

	assert_non_null(out);
	free(pp_t_query(c,
			"SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; SET extra_float_digits = 1"));
	tables = leaf_tables(c);
	for (i = 0; i < PQntuples(tables); i++) {
		char sql[512], *v;
		snprintf(sql, sizeof(sql),
			 "SELECT count(*) || ' ' || coalesce(md5(string_agg(t::text, E'\\n'"
			 " ORDER BY t::text COLLATE \"C\")), '-') FROM ONLY public.%s t",
			 PQgetvalue(tables, i, 0));
		v = pp_t_query(c, sql);
		len += (size_t)snprintf(out + len, cap - len, "%s %s\n", PQgetvalue(tables, i, 0),
					v);
		assert_true(len < cap);
		free(v);
	}
	PQclear(tables);
	return out;
}

/* Every known table has rows, and status_history rows sit in at least 4 partitions. */
static void assert_populated(PGconn *c)
{
	char sql[256];
	size_t i;

	for (i = 0; known_tables[i]; i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", known_tables[i]);
		if (pp_t_query_long(c, sql) == 0)
			fail_msg("table %s is empty: populate() must fill it", known_tables[i]);
	}
	assert_true(pp_t_query_long(c, "SELECT count(DISTINCT tableoid) FROM status_history") >= 4);
	assert_true(pp_t_query_long(c, "SELECT count(*) FROM story_dependencies d"
				       " JOIN stories a ON a.id = d.story_id"
				       " JOIN stories b ON b.id = d.depends_on_id"
				       " WHERE a.project_id <> b.project_id") > 0);
}

static int exists(const char *dir, const char *name)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

/* Entries of dir, sorted and joined with spaces (caller frees). */
static char *list_dir(const char *dir)
{
	struct dirent **names;
	char *out = calloc(1, 8192);
	int n, i;

	size_t len = 0;

	assert_non_null(out);
	n = scandir(dir, &names, NULL, alphasort);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0)
			len += (size_t)snprintf(out + len, 8192 - len, "%s ", names[i]->d_name);
		assert_true(len < 8192);
		free(names[i]);
	}
	free(names);
	return out;
}

/* Flips bytes in the middle of dir/name. */
static void damage(const char *dir, const char *name)
{
	char path[1024], buf[16];
	struct stat st;
	int fd, i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(pread(fd, buf, sizeof(buf), st.st_size / 2), (ssize_t)sizeof(buf));
	for (i = 0; i < (int)sizeof(buf); i++)
		buf[i] = (char)~buf[i];
	assert_int_equal(pwrite(fd, buf, sizeof(buf), st.st_size / 2), (ssize_t)sizeof(buf));
	close(fd);
}

static long count_dbs(PGconn *c, const char *like)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM pg_database WHERE datname LIKE '%s'",
		 like);
	return pp_t_query_long(c, sql);
}

/* ---- a second cluster ---- */

typedef struct cluster {
	char *dir;
	char host[512];
	char port[16];
	char password[64];
} cluster;

static void cluster_start(cluster *cl)
{
	const char *root = getenv("PP_SOURCE_ROOT");
	char script[1024], data[1024], envfile[1024], *env, *line;
	const char *argv[4];

	assert_non_null(root);
	cl->dir = pp_t_tempdir();
	chmod(cl->dir, 0755); /* pg-cluster.sh runs the server as postgres when we are root */
	snprintf(script, sizeof(script), "%s/scripts/pg-cluster.sh", root);
	snprintf(data, sizeof(data), "%s/c", cl->dir);
	snprintf(envfile, sizeof(envfile), "%s/env", cl->dir);
	argv[0] = script;
	argv[1] = "start";
	argv[2] = data;
	argv[3] = NULL;
	setenv("PP_PG_FAST", "1", 1);
	if (run_cmd(argv, envfile) != 0)
		fail_msg("could not start a second cluster in %s", data);
	env = pp_t_slurp(envfile, 1);
	for (line = env; *line;) {
		char *nl = strchr(line, '\n');
		int n = nl ? (int)(nl - line) : (int)strlen(line);

		if (strncmp(line, "PGHOST=", 7) == 0)
			snprintf(cl->host, sizeof(cl->host), "%.*s", n - 7, line + 7);
		else if (strncmp(line, "PGPORT=", 7) == 0)
			snprintf(cl->port, sizeof(cl->port), "%.*s", n - 7, line + 7);
		else if (strncmp(line, "PP_TEST_PASSWORD=", 17) == 0)
			snprintf(cl->password, sizeof(cl->password), "%.*s", n - 17, line + 17);
		line += n + (nl != NULL);
	}
	free(env);
	assert_true(cl->host[0] && cl->port[0]);
}

static void cluster_stop(cluster *cl)
{
	const char *root = getenv("PP_SOURCE_ROOT");
	char script[1024], data[1024];
	const char *argv[4];

	snprintf(script, sizeof(script), "%s/scripts/pg-cluster.sh", root);
	snprintf(data, sizeof(data), "%s/c", cl->dir);
	argv[0] = script;
	argv[1] = "stop";
	argv[2] = data;
	argv[3] = NULL;
	run_cmd(argv, NULL);
	rm_rf(cl->dir);
	free(cl->dir);
}

/* Points libpq's variables (and so planpipe) at a cluster; returns the old ones. */
static void use_cluster(const char *host, const char *port)
{
	setenv("PGHOST", host, 1);
	setenv("PGPORT", port, 1);
}

/* ---- tests ---- */

/*
 * Backup, restore into another cluster, every row identical; roles come
 * along with their passwords (--allow-role-passwords); the other cluster's
 * own superuser is untouched.
 */
static void restore_into_another_cluster(void **state)
{
	char *out = pp_t_tempdir(), *b, *before, *after, conninfo[1024];
	char host1[512], port1[16];
	const char *db;
	pp_t_result r;
	cluster cl;
	PGconn *c;

	(void)state;
	c = populated_db(&db);
	assert_populated(c);
	before = fingerprint(c);
	PQfinish(c);
	b = pp_t_backup(out, NULL);
	assert_true(exists(b, "db.dump") && exists(b, "globals.sql") && exists(b, "manifest.json"));

	snprintf(host1, sizeof(host1), "%s", getenv("PGHOST"));
	snprintf(port1, sizeof(port1), "%s", getenv("PGPORT"));
	cluster_start(&cl);
	use_cluster(cl.host, cl.port);
	r = pp_t_run("restore", b, "--allow-role-passwords", NULL);
	if (r.status != 0)
		fail_msg("restore into the second cluster failed:\n%s%s", r.out, r.err);
	pp_t_assert_contains_all(r.out, "into database ", "created 2 roles from globals.sql",
				 ", ANALYZE ");
	pp_t_result_free(&r);

	c = pp_t_connect();
	after = fingerprint(c);
	assert_string_equal(before, after);
	assert_populated(c);
	/* Planner statistics exist, also for the partitioned parent autovacuum never analyzes. */
	{
		char *n = pp_t_query(c, "SELECT count(DISTINCT tablename) FROM pg_stats"
					" WHERE schemaname = 'public' AND tablename IN"
					" ('stories', 'story_dependencies', 'status_history')");
		assert_string_equal(n, "3");
		free(n);
	}
	/* Identity sequences came along: a new row does not collide. */
	free(pp_t_query(c, "INSERT INTO users (handle) VALUES ('after_restore')"));
	free(pp_t_query(c, "INSERT INTO stories (project_id, key, title) VALUES (1, NULL, 'new')"));
	PQfinish(c);

	/* The restored login role works with its old password; postgres kept its own. */
	snprintf(conninfo, sizeof(conninfo),
		 "host=127.0.0.1 port=%s dbname=%s user=pp_auditor password=auditor-secret",
		 cl.port, db);
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("pp_auditor cannot log in: %s", PQerrorMessage(c));
	PQfinish(c);
	snprintf(conninfo, sizeof(conninfo),
		 "host=127.0.0.1 port=%s dbname=%s user=postgres password=%s", cl.port, db,
		 cl.password);
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("the second cluster's postgres password changed: %s", PQerrorMessage(c));
	PQfinish(c);

	use_cluster(host1, port1);
	cluster_stop(&cl);
	rm_rf(out);
	free(out);
	free(b);
	free(before);
	free(after);
}

typedef struct writer {
	volatile int stop;
	volatile long done;
	char error[512];
} writer;

/* Each transaction: a story, its dependency and a status change, all or nothing. */
static void *write_loop(void *arg)
{
	writer *w = arg;
	PGconn *c = PQconnectdb("");

	if (PQstatus(c) != CONNECTION_OK) {
		snprintf(w->error, sizeof(w->error), "%s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	while (!w->stop) {
		PGresult *res = PQexec(
			c, "BEGIN;"
			   "WITH s AS (INSERT INTO stories (project_id, key, title)"
			   "           VALUES (1, NULL, 'written during the backup') RETURNING id)"
			   "INSERT INTO story_dependencies (story_id, depends_on_id, kind)"
			   "  SELECT id, 1, 'relates' FROM s;"
			   "UPDATE stories SET status = 'ready' WHERE id = currval("
			   "  pg_get_serial_sequence('stories', 'id'));"
			   "COMMIT");

		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			snprintf(w->error, sizeof(w->error), "%s", PQerrorMessage(c));
			PQclear(res);
			break;
		}
		PQclear(res);
		w->done++;
	}
	PQfinish(c);
	return NULL;
}

static long manifest_rows(const char *dir, const char *table)
{
	char path[1024];
	json_error_t jerr;
	json_t *m;
	long n;

	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	m = json_load_file(path, 0, &jerr);
	assert_non_null(m);
	n = (long)json_integer_value(
		json_object_get(json_object_get(json_object_get(m, "tables"), table), "rows"));
	json_decref(m);
	return n;
}

/* A backup taken while writes run matches its manifest, and the restore is consistent. */
static void consistent_while_writes_run(void **state)
{
	char *out = pp_t_tempdir(), *b, target[80];
	long before, during, in_backup;
	writer w = {0, 0, ""};
	pthread_t th;
	pp_t_result r;
	PGconn *c;

	(void)state;
	c = populated_db(NULL);
	before = pp_t_query_long(c, "SELECT count(*) FROM stories");
	PQfinish(c);
	assert_int_equal(pthread_create(&th, NULL, write_loop, &w), 0);
	while (w.done < 50 && !w.error[0])
		usleep(10000);
	b = pp_t_backup(out, NULL);
	during = w.done;
	while (w.done < during + 50 && !w.error[0])
		usleep(10000);
	w.stop = 1;
	pthread_join(th, NULL);
	if (w.error[0])
		fail_msg("the writer failed: %s", w.error);

	/* The backup saw some of the writes, not all of them. */
	in_backup = manifest_rows(b, "public.stories");
	assert_true(in_backup > before + 50);
	assert_true(in_backup < before + w.done);

	r = pp_t_run("backup", "verify", b, NULL);
	if (r.status != 0)
		fail_msg("verify of a backup taken under writes failed:\n%s%s", r.out, r.err);
	pp_t_result_free(&r);

	snprintf(target, sizeof(target), "%s_copy", getenv("PGDATABASE"));
	r = pp_t_run("restore", b, "--target", target, NULL);
	if (r.status != 0)
		fail_msg("restore failed:\n%s%s", r.out, r.err);
	pp_t_result_free(&r);
	setenv("PGDATABASE", target, 1);
	c = pp_t_connect();
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories"), in_backup);
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM story_dependencies"),
			 manifest_rows(b, "public.story_dependencies"));
	/* Whole transactions only: every written story has its dependency and both statuses. */
	assert_int_equal(pp_t_query_long(c, "SELECT count(*) FROM stories s"
					    " WHERE s.title = 'written during the backup' AND"
					    " (NOT EXISTS (SELECT FROM story_dependencies d"
					    "               WHERE d.story_id = s.id)"
					    "  OR (SELECT count(*) FROM status_history h"
					    "       WHERE h.story_id = s.id) <> 2)"),
			 0);
	PQfinish(c);
	rm_rf(out);
	free(out);
	free(b);
}

/* A damaged dump fails verify and restore with a clear message; the live database is untouched. */
static void corrupted_backup_is_refused(void **state)
{
	char *out = pp_t_tempdir(), *b, *before, *after, path[1024], *text, *p;
	pp_t_result r;
	PGconn *c;

	(void)state;
	c = populated_db(NULL);
	before = fingerprint(c);
	b = pp_t_backup(out, NULL);
	damage(b, "db.dump");

	r = pp_t_run("backup", "verify", b, NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains_all(r.err, "db.dump: checksum mismatch (expected ", ", found ");
	pp_t_result_free(&r);

	r = pp_t_run("restore", b, "--force", "--terminate", NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains_all(r.err, "db.dump: checksum mismatch (expected ", "was not changed");
	pp_t_result_free(&r);
	after = fingerprint(c);
	assert_string_equal(before, after);
	assert_int_equal(count_dbs(c, "planpipe\\_restore\\_%"), 0);
	assert_int_equal(count_dbs(c, "%\\_old\\_%"), 0);
	free(after);

	/* A manifest that disagrees with the dump fails the drill, and the scratch database goes.
	 */
	free(b);
	b = pp_t_backup(out, NULL);
	snprintf(path, sizeof(path), "%s/manifest.json", b);
	text = pp_t_slurp(path, 1);
	p = strstr(text, "\"public.stories\": {\n      \"rows\": ");
	assert_non_null(p);
	p += strlen("\"public.stories\": {\n      \"rows\": ");
	*p = *p == '9' ? '8' : (char)(*p + 1);
	pp_t_write(b, "manifest.json", text);
	free(text);
	r = pp_t_run("backup", "verify", b, NULL);
	assert_int_equal(r.status, 1);
	pp_t_assert_contains_all(r.err, "does not match the manifest",
				 "public.stories: ", "rows in the manifest");
	pp_t_result_free(&r);
	assert_int_equal(count_dbs(c, "planpipe\\_verify\\_%"), 0);
	PQfinish(c); /* restore --force refuses while other sessions are on the target */
	pp_t_expect(1, NULL, "does not match the manifest", "restore", b, "--force", NULL);
	c = pp_t_connect();
	after = fingerprint(c);
	assert_string_equal(before, after);
	assert_int_equal(count_dbs(c, "planpipe\\_restore\\_%"), 0);

	PQfinish(c);
	rm_rf(out);
	free(out);
	free(b);
	free(before);
	free(after);
}

/* Replacing a database needs --force and no other sessions; --jobs 4; --drop-old. */
static void restore_force_jobs_and_drop_old(void **state)
{
	char *out = pp_t_tempdir(), *b, *before, *after, like[128], copy[80];
	const char *db;
	pp_t_result r;
	PGconn *c, *holder;

	(void)state;
	c = populated_db(&db);
	before = fingerprint(c);
	PQfinish(c);
	b = pp_t_backup(out, NULL);

	pp_t_expect(2, NULL, "exists: restore replaces a database only with --force", "restore", b,
		    "--jobs", "4", NULL);

	holder = pp_t_connect();
	free(pp_t_query(holder, "SET application_name = 'the-api'"));
	r = pp_t_run("restore", b, "--force", "--jobs", "4", NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err, "other session", "the-api", "--terminate");
	pp_t_result_free(&r);

	/* Changed data, then a restore with --terminate brings the backup's rows back. */
	free(pp_t_query(holder, "DELETE FROM story_dependency_refs"));
	r = pp_t_run("restore", b, "--force", "--terminate", "--jobs", "4", NULL);
	if (r.status != 0)
		fail_msg("restore --force --terminate --jobs 4 failed:\n%s%s", r.out, r.err);
	pp_t_assert_contains(r.out, "the previous database is kept as ");
	pp_t_result_free(&r);
	{
		PGresult *res = PQexec(holder, "SELECT 1"); /* its session was ended */
		assert_true(PQresultStatus(res) != PGRES_TUPLES_OK);
		PQclear(res);
	}
	PQfinish(holder);

	setenv("PGDATABASE", "postgres", 1);
	c = pp_t_connect();
	snprintf(like, sizeof(like), "%s\\_old\\_%%", db);
	assert_int_equal(count_dbs(c, like), 1);
	PQfinish(c);
	setenv("PGDATABASE", db, 1);
	c = pp_t_connect();
	after = fingerprint(c);
	assert_string_equal(before, after);
	PQfinish(c);
	free(after);

	r = pp_t_run("restore", b, "--force", "--drop-old", "--jobs", "4", NULL);
	if (r.status != 0)
		fail_msg("restore --drop-old failed:\n%s%s", r.out, r.err);
	pp_t_assert_contains(r.out, "dropped");
	pp_t_result_free(&r);
	setenv("PGDATABASE", "postgres", 1);
	c = pp_t_connect();
	assert_int_equal(count_dbs(c, like), 1); /* the first one is still kept */
	PQfinish(c);

	snprintf(copy, sizeof(copy), "%s_jobs", db);
	r = pp_t_run("restore", b, "--target", copy, "--jobs", "4", NULL);
	if (r.status != 0)
		fail_msg("restore --target --jobs 4 failed:\n%s%s", r.out, r.err);
	pp_t_result_free(&r);
	setenv("PGDATABASE", copy, 1);
	c = pp_t_connect();
	after = fingerprint(c);
	assert_string_equal(before, after);
	PQfinish(c);

	setenv("PGDATABASE", db, 1);
	rm_rf(out);
	free(out);
	free(b);
	free(before);
	free(after);
}

/* --keep counts good backups only, never removes the new one or anything it does not know. */
static void keep_never_deletes_the_only_good_backup(void **state)
{
	char *out = pp_t_tempdir(), *b1, *b2, *b3, *b4, *b5, *fake, *ls, expect[512], d[1024];
	pp_t_result r;

	(void)state;
	pp_t_new_db();
	migrate_and_populate();
	b1 = pp_t_backup(out, NULL);

	/* A failing backup with --keep 1 leaves the only good one, and no temporary directory. */
	fake = pp_t_pg_bindir("pg_dump", "if [ \"$1\" = --version ]; then\n"
					 "  exec /usr/lib/postgresql/15/bin/pg_dump --version\n"
					 "fi\n"
					 "echo 'pg_dump: error: simulated failure' >&2\n"
					 "exit 1");
	r = pp_t_run("backup", "--out", out, "--keep", "1", "--pg-bindir", fake, NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err, "pg_dump failed (exit status 1)", "simulated failure");
	pp_t_result_free(&r);
	ls = list_dir(out);
	snprintf(expect, sizeof(expect), "%s ", strrchr(b1, '/') + 1);
	assert_string_equal(ls, expect); /* no temporary directory left either */
	free(ls);

	/* Things that are not backups, or not valid ones, are never touched. */
	snprintf(d, sizeof(d), "%s/planpipe-notes", out);
	mkdir(d, 0700);
	snprintf(d, sizeof(d), "%s/planpipe-20000101T000000Z", out);
	mkdir(d, 0700);
	pp_t_write(d, "manifest.json", "{}");
	pp_t_write(out, "planpipe-20000101T000001Z", "a file");

	b2 = pp_t_backup(out, NULL);
	b3 = pp_t_backup(out, NULL);
	damage(b3, "db.dump");
	b4 = pp_t_backup(out, "--keep", "2", NULL);
	/* b4 and b2 are the two good ones; damaged b3 between them is kept; b1 goes. */
	assert_true(exists(b4, "manifest.json"));
	assert_true(exists(b3, "manifest.json"));
	assert_true(exists(b2, "manifest.json"));
	assert_false(exists(b1, ""));
	assert_true(exists(out, "planpipe-notes"));
	assert_true(exists(out, "planpipe-20000101T000000Z/manifest.json"));
	assert_true(exists(out, "planpipe-20000101T000001Z"));

	r = pp_t_run("backup", "--out", out, "--keep", "1", NULL);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains(r.out, "pruned ");
	b5 = strndup(r.out, (size_t)(strchr(r.out, '\n') - r.out));
	pp_t_result_free(&r);
	assert_true(exists(b5, "db.dump"));
	assert_false(exists(b4, ""));
	assert_false(exists(b3, ""));
	assert_false(exists(b2, ""));
	assert_true(exists(out, "planpipe-20000101T000000Z/manifest.json"));

	rm_rf(fake);
	rm_rf(out);
	free(fake);
	free(out);
	free(b1);
	free(b2);
	free(b3);
	free(b4);
	free(b5);
}

/* Tools older than the server are refused before anything is written. */
static void old_tools_are_refused(void **state)
{
	char *out = pp_t_tempdir(), *fake, *ls;
	pp_t_result r;

	(void)state;
	pp_t_new_db();
	fake = pp_t_pg_bindir("pg_dump", "echo 'pg_dump (PostgreSQL) 14.10'");
	r = pp_t_run("backup", "--out", out, "--pg-bindir", fake, NULL);
	assert_int_equal(r.status, 2);
	pp_t_assert_contains_all(r.err, "pg_dump is version 14.10, older than the server",
				 "postgresql-client-15");
	pp_t_result_free(&r);
	ls = list_dir(out);
	assert_string_equal(ls, "");
	free(ls);
	rm_rf(fake);
	rm_rf(out);
	free(fake);
	free(out);
}

/* The password reaches the tools through their environment, never their command line. */
static void password_never_on_a_command_line(void **state)
{
	const char *password = getenv("PP_TEST_PASSWORD");
	char *out = pp_t_tempdir(), *fake, *logf, *b, *seen, url[1024], body[1024], pwfile[1024];
	const char *db;

	(void)state;
	assert_non_null(password);
	db = pp_t_new_db();
	migrate_and_populate();
	logf = pp_t_tempdir();
	snprintf(body, sizeof(body),
		 "echo \"$0 $*\" >> %s/args\n"
		 "[ -n \"$PGPASSWORD\" ] && echo PGPASSWORD-set >> %s/args\n"
		 "exec /usr/lib/postgresql/15/bin/$(basename \"$0\") \"$@\"",
		 logf, logf);
	fake = pp_t_pg_bindir("*", body);
	/* Over TCP with a password in DATABASE_URL ... */
	snprintf(url, sizeof(url), "postgresql://postgres:%s@127.0.0.1:%s/%s", password,
		 getenv("PGPORT"), db);
	setenv("DATABASE_URL", url, 1);
	b = pp_t_backup(out, "--pg-bindir", fake, NULL);
	pp_t_expect(0, NULL, NULL, "backup", "verify", b, "--pg-bindir", fake, NULL);
	unsetenv("DATABASE_URL");
	/* ... and from PGPASSWORD_FILE. */
	snprintf(url, sizeof(url), "postgresql://postgres@127.0.0.1:%s/%s", getenv("PGPORT"), db);
	setenv("DATABASE_URL", url, 1);
	pp_t_write(logf, "pw", password);
	snprintf(pwfile, sizeof(pwfile), "%s/pw", logf);
	setenv("PGPASSWORD_FILE", pwfile, 1);
	free(b);
	b = pp_t_backup(out, "--pg-bindir", fake, NULL);
	unsetenv("DATABASE_URL");
	unsetenv("PGPASSWORD_FILE");

	snprintf(pwfile, sizeof(pwfile), "%s/args", logf);
	seen = pp_t_slurp(pwfile, 1);
	pp_t_assert_contains(seen, "pg_dump ");
	assert_null(strstr(seen, "pg_dumpall")); /* planpipe writes globals.sql itself */
	pp_t_assert_contains_all(seen, "pg_restore ", "PGPASSWORD-set", "host='127.0.0.1'");
	if (strstr(seen, password))
		fail_msg("a tool saw the password on its command line:\n%s", seen);
	free(seen);
	rm_rf(fake);
	rm_rf(logf);
	rm_rf(out);
	free(fake);
	free(logf);
	free(out);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(restore_into_another_cluster),
		cmocka_unit_test(consistent_while_writes_run),
		cmocka_unit_test(corrupted_backup_is_refused),
		cmocka_unit_test(restore_force_jobs_and_drop_old),
		cmocka_unit_test(keep_never_deletes_the_only_good_backup),
		cmocka_unit_test(old_tools_are_refused),
		cmocka_unit_test(password_never_on_a_command_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
