/*
 * backup_restore.c: `planpipe backup verify` and `planpipe restore` (see
 * backup.h). Both restore into a database of their own, check it against
 * the manifest, and only then either drop it (verify) or swap it in under
 * the target's name (restore), so a failure never touches the target.
 */
#include "db/backup_restore_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db/conn.h"
#include "db/sql.h"

typedef struct job {
	bk_env e;
	PGconn *admin;
	json_t *m;
	char dir[BK_PATH_MAX];
	char fresh[64]; /* the database restored into */
	int fresh_exists;
	int keep_owners;
	int roles_created;
	bk_files files;       /* db.dump and globals.sql as checked */
	pp_role_script roles; /* globals.sql, parsed */
} job;

/* A backup directory, or the directory of a file in it. */
pp_rc backup_restore_resolve_dir(const char *path, char *dir, pp_err *err)
{
	struct stat st;
	const char *slash;

	if (stat(path, &st) != 0)
		return pp_err_set(err, PP_EINVAL, "cannot open %s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		snprintf(dir, BK_PATH_MAX, "%s", path);
		return PP_OK;
	}
	slash = strrchr(path, '/');
	if (slash == NULL)
		snprintf(dir, BK_PATH_MAX, ".");
	else
		snprintf(dir, BK_PATH_MAX, "%.*s", (int)(slash - path ? slash - path : 1), path);
	return PP_OK;
}

/* Reads the manifest and checks the files: what needs no server. */
static pp_rc load_backup(job *j, const char *path, pp_backup_verdict *verdict, pp_backup_info *info,
			 pp_err *err)
{
	char manifest[BK_PATH_MAX], globals[BK_PATH_MAX];
	pp_rc rc;

	rc = backup_restore_resolve_dir(path, j->dir, err);
	if (rc != PP_OK)
		return rc;
	snprintf(info->path, sizeof(info->path), "%s", j->dir);
	rc = bk_manifest_load(j->dir, &j->m, err);
	if (rc == PP_OK && (rc = bk_path(manifest, j->dir, BK_MANIFEST, err)) == PP_OK)
		rc = bk_manifest_check_signature(&j->e, j->m, manifest, err);
	if (rc == PP_OK)
		rc = bk_manifest_check_files(&j->e, j->dir, j->m, &j->files, err);
	/* Every statement of globals.sql is checked before anything is touched. */
	if (rc == PP_OK && (rc = bk_path(globals, j->dir, BK_GLOBALS, err)) == PP_OK)
		rc = pp_role_script_parse(j->files.globals, j->files.globals_len, globals,
					  &j->roles, err);
	if (rc != PP_OK) {
		if (strcmp(err->msg, "interrupted") != 0)
			*verdict = PP_BACKUP_BAD;
		return rc;
	}
	info->tables = json_object_size(json_object_get(j->m, "tables"));
	info->rows = bk_manifest_rows(j->m);
	info->bytes =
		bk_json_int(json_object_get(json_object_get(j->m, "files"), BK_DUMP), "bytes");
	info->schema_version = (int)bk_json_int(j->m, "schema_version");
	return PP_OK;
}

/* A connection to a database other than avoid: the configured one, postgres or template1. */
static pp_rc connect_admin(job *j, const char *avoid, pp_err *err)
{
	const char *dbs[] = {j->e.dbname, "postgres", "template1"};
	pp_err first;
	size_t i;
	int tried = 0;

	pp_err_clear(&first);
	for (i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		if (avoid && strcmp(dbs[i], avoid) == 0)
			continue;
		if (bk_connect(&j->e, dbs[i], "planpipe restore", &j->admin,
			       tried++ ? err : &first) == PP_OK)
			return PP_OK;
	}
	*err = first;
	return first.rc ? first.rc : PP_ECONNECT;
}

/* The server and the tools must be able to take what the backup holds. */
static pp_rc check_versions(job *j, pp_err *err)
{
	int server = PQserverVersion(j->admin);
	int from = (int)bk_json_int(j->m, "server_version_num");
	int dumped = bk_version_rank(bk_json_str(j->m, "pg_dump_version"));

	if (from / 10000 > server / 10000)
		return pp_err_set(err, PP_ECONFLICT,
				  "the backup comes from PostgreSQL %s and this server runs %d: "
				  "restore it into PostgreSQL %d or later",
				  bk_json_str(j->m, "server_version"), server / 10000,
				  from / 10000);
	if (bk_tools_find(&j->e, server, err) != PP_OK)
		return PP_ECONFLICT;
	if (dumped > bk_major_rank(j->e.tools_major))
		return pp_err_set(err, PP_ECONFLICT,
				  "the backup was written by pg_dump %s and %s/pg_restore is %s: "
				  "it needs a pg_restore at least as new as that pg_dump "
				  "(--pg-bindir)",
				  bk_json_str(j->m, "pg_dump_version"), j->e.bindir,
				  j->e.tools_version);
	return PP_OK;
}

static void warn_leftovers(job *j)
{
	PGresult *res = NULL;
	pp_err err;

	if (pp_db_exec(j->admin, pp_db_sql("backup_restore.sql", "leftovers"), &res, &err) ==
		    PP_OK &&
	    !PQgetisnull(res, 0, 0))
		bk_warn(&j->e,
			"databases left by an interrupted restore or verify: %s (drop them once "
			"no restore runs)",
			PQgetvalue(res, 0, 0));
	PQclear(res);
}

/* "name" quoted as an identifier into out, or "" when it does not fit. */
static void quote_ident(PGconn *conn, const char *name, char *out, size_t size)
{
	char *q = PQescapeIdentifier(conn, name, strlen(name));

	snprintf(out, size, "%s", q && strlen(q) < size ? q : "\"\"");
	PQfreemem(q);
}

static pp_rc exec_buf(PGconn *conn, pp_buf *b, pp_err *err)
{
	pp_rc rc = b->data ? pp_db_exec(conn, pp_buf_str(b), NULL, err)
			   : pp_err_set(err, PP_ENOMEM, "out of memory");

	pp_buf_reset(b);
	return rc;
}

/* A fresh database with the source's encoding and locale, and its owner when possible. */
static pp_rc create_db(job *j, const char *name, pp_err *err)
{
	const json_t *db = json_object_get(j->m, "database");
	const char *owner = bk_json_str(db, "owner");
	char qname[160], qowner[160];
	pp_buf b;
	pp_rc rc = PP_OK;

	pp_buf_init(&b, 8192);
	quote_ident(j->admin, name, qname, sizeof(qname));
	quote_ident(j->admin, owner, qowner, sizeof(qowner));
	/* sql-in-c: a utility statement takes no parameters: the names are quoted in here. */
	if (pp_buf_printf(&b, "CREATE DATABASE %s TEMPLATE template0 ENCODING ", qname) ||
	    bk_add_literal(j->admin, &b, bk_json_str(db, "encoding")) ||
	    pp_buf_adds(&b, " LC_COLLATE ") ||
	    bk_add_literal(j->admin, &b, bk_json_str(db, "collate")) ||
	    pp_buf_adds(&b, " LC_CTYPE ") || bk_add_literal(j->admin, &b, bk_json_str(db, "ctype")))
		rc = PP_ENOMEM;
	if (rc == PP_OK && strcmp(bk_json_str(db, "locale_provider"), "i") == 0 &&
	    (pp_buf_adds(&b, " LOCALE_PROVIDER icu ICU_LOCALE ") ||
	     bk_add_literal(j->admin, &b, bk_json_str(db, "icu_locale"))))
		rc = PP_ENOMEM;
	if (rc == PP_OK && j->keep_owners && *owner && pp_buf_printf(&b, " OWNER %s", qowner))
		rc = PP_ENOMEM;
	bk_step(&j->e, "creating database %s", name);
	rc = rc == PP_OK ? exec_buf(j->admin, &b, err) : pp_err_set(err, rc, "out of memory");
	pp_buf_free(&b);
	if (rc != PP_OK) {
		pp_err_prefix(err, "creating database %s: ", name);
		return rc;
	}
	j->fresh_exists = 1;
	return PP_OK;
}

static void drop_fresh(job *j)
{
	char q[160], sql[256];
	pp_err err;

	if (!j->fresh_exists || j->admin == NULL)
		return;
	bk_step(&j->e, "dropping %s", j->fresh);
	quote_ident(j->admin, j->fresh, q, sizeof(q));
	/* sql-in-c: a utility statement takes no parameters: the names are quoted in here. */
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", q);
	if (pp_db_exec(j->admin, sql, NULL, &err) != PP_OK)
		bk_warn(&j->e, "could not drop %s: %s", j->fresh, err.msg);
	else
		j->fresh_exists = 0;
}

static void restore_tick(void *ctx)
{
	job *j = ctx;
	const char *params[1] = {j->fresh};
	PGresult *res = NULL;
	pp_err err;

	if (pp_db_execp(j->admin, pp_db_sql("backup_restore.sql", "database_size"), 1, params, &res,
			&err) == PP_OK)
		bk_progress(&j->e, "restoring", strtoll(PQgetvalue(res, 0, 0), NULL, 10),
			    bk_json_int(json_object_get(j->m, "database"), "size_bytes"), 1);
	PQclear(res);
}

/*
 * Index builds dominate a restore's time, and they are as fast as
 * maintenance_work_mem lets them be: on the large data set of
 * docs/backup.md, 64MB (PostgreSQL's default) to 512MB took pg_restore from
 * 654 s to 386 s. Raised to 256MB per restore session unless the server
 * gives more; PGOPTIONS overrides it.
 */
static pp_rc raise_maintenance_work_mem(job *j, pp_err *err)
{
	PGresult *res = NULL;
	long long bytes;

	if (pp_db_exec(j->admin, pp_db_sql("backup_restore.sql", "maintenance_work_mem"), &res,
		       err) != PP_OK)
		return PP_EDB;
	bytes = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (bytes >= 256LL * 1024 * 1024)
		return PP_OK;
	return bk_tool_options(&j->e, "-c maintenance_work_mem=256MB", err);
}

/*
 * pg_restore reads db.dump through the descriptor whose contents were
 * checked (/dev/fd/3, which its parallel workers open again), so a file
 * swapped in after the check is never read.
 */
static pp_rc run_pg_restore(job *j, pp_err *err)
{
	char jobs[32], *db_arg = NULL, *log = bk_temp_log("pg_restore");
	const char *args[12];
	pp_buf ci;
	size_t n = 0;
	pid_t pid;
	pp_rc rc;

	pp_buf_init(&ci, 64 * 1024);
	if (log == NULL || bk_tool_conninfo(&j->e, j->fresh, &ci) != PP_OK ||
	    (db_arg = malloc(ci.len + 16)) == NULL) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory or no temporary directory");
		goto out;
	}
	snprintf(db_arg, ci.len + 16, "--dbname=%s", pp_buf_str(&ci));
	snprintf(jobs, sizeof(jobs), "--jobs=%d", j->e.c->jobs > 1 ? j->e.c->jobs : 1);
	args[n++] = db_arg;
	args[n++] = "--exit-on-error";
	args[n++] = "--no-tablespaces";
	args[n++] = "--no-password";
	args[n++] = jobs;
	if (!j->keep_owners)
		args[n++] = "--no-owner";
	args[n++] = "/dev/fd/3";
	args[n] = NULL;
	bk_step(&j->e, "restoring into %s (pg_restore %s, %s)", j->fresh, j->e.tools_version,
		jobs + 2);
	rc = bk_spawn(&j->e, "pg_restore", args, log, j->files.dump_fd, &pid, err);
	if (rc == PP_OK)
		rc = bk_wait(&j->e, pid, "pg_restore", log, restore_tick, j, err);
out:
	if (log)
		unlink(log);
	free(log);
	free(db_arg);
	pp_buf_free(&ci);
	return rc;
}

/* Roles, a fresh database, pg_restore, and the comparison with the manifest. */
static pp_rc restore_and_check(job *j, pp_backup_verdict *verdict, pp_backup_info *info,
			       pp_err *err)
{
	PGconn *conn = NULL;
	json_t *stats = NULL;
	long long started;
	pp_rc rc;

	bk_step(&j->e, "creating missing roles from globals.sql");
	rc = bk_globals_apply(&j->e, j->admin, &j->roles, &j->roles_created, err);
	if (rc == PP_EINVAL)
		*verdict = PP_BACKUP_BAD;
	if (rc == PP_OK)
		rc = bk_roles_check(&j->e, j->admin, j->m, &j->keep_owners, err);
	if (rc == PP_OK)
		rc = raise_maintenance_work_mem(j, err);
	if (rc == PP_OK)
		rc = create_db(j, j->fresh, err);
	if (rc != PP_OK || bk_cancelled(&j->e, err))
		return rc ? rc : PP_EIO;
	started = pp_now_ms();
	rc = run_pg_restore(j, err);
	info->tool_ms = pp_now_ms() - started;
	if (rc != PP_OK) {
		/* Not the backup's fault: a cancel, or the tool timeout. */
		if (rc != PP_ETIMEDOUT && strcmp(err->msg, "interrupted") != 0) {
			*verdict = PP_BACKUP_BAD;
			pp_err_prefix(err, "%s could not be restored: ", j->dir);
		}
		return rc;
	}
	bk_step(&j->e, "comparing %s with the manifest", j->fresh);
	started = pp_now_ms();
	rc = bk_connect(&j->e, j->fresh, "planpipe restore", &conn, err);
	if (rc == PP_OK)
		rc = bk_session_setup(conn, err);
	if (rc == PP_OK)
		rc = bk_stats_collect(&j->e, conn, &stats, err);
	info->check_ms = pp_now_ms() - started;
	PQfinish(conn);
	if (rc == PP_OK && (rc = bk_stats_compare(j->m, stats, err)) != PP_OK)
		*verdict = PP_BACKUP_BAD;
	json_decref(stats);
	return rc;
}

/*
 * pg_restore leaves the planner without statistics: until autovacuum gets
 * to each table (and it never analyzes a partitioned table's parent), the
 * restored database plans with guesses. ANALYZE before the swap, so the
 * API's first queries after it are planned as they were before.
 */
static pp_rc analyze_fresh(job *j, pp_restore_info *info, pp_err *err)
{
	long long started = pp_now_ms();
	PGconn *conn = NULL;
	pp_rc rc;

	bk_step(&j->e, "analyzing %s (planner statistics)", j->fresh);
	rc = bk_connect(&j->e, j->fresh, "planpipe restore", &conn, err);
	if (rc == PP_OK &&
	    (rc = pp_db_exec(conn, pp_db_sql("backup_restore.sql", "analyze"), NULL, err)) != PP_OK)
		pp_err_prefix(err, "ANALYZE of %s: ", j->fresh);
	PQfinish(conn);
	info->analyze_ms = pp_now_ms() - started;
	return rc;
}

static void job_free(job *j, pp_backup_info *info)
{
	drop_fresh(j);
	PQfinish(j->admin);
	json_decref(j->m);
	if (j->files.dump_fd >= 0)
		close(j->files.dump_fd);
	free(j->files.globals);
	pp_role_script_free(&j->roles);
	info->ms = pp_now_ms() - j->e.started_ms;
	bk_env_free(&j->e);
}

pp_rc pp_backup_verify(const pp_config *cfg, const char *path, const pp_backup_common *c,
		       pp_backup_verdict *verdict, pp_backup_info *info, pp_err *err)
{
	job j;
	pp_rc rc;

	*verdict = PP_BACKUP_UNCHECKED;
	memset(info, 0, sizeof(*info));
	memset(&j, 0, sizeof(j));
	j.files.dump_fd = -1;
	rc = bk_env_init(&j.e, cfg, c, err);
	if (rc == PP_OK)
		rc = load_backup(&j, path, verdict, info, err);
	if (rc == PP_OK) {
		bk_step(&j.e, "connecting");
		rc = connect_admin(&j, NULL, err);
	}
	if (rc == PP_OK)
		rc = check_versions(&j, err);
	if (rc == PP_OK) {
		warn_leftovers(&j);
		snprintf(j.fresh, sizeof(j.fresh), "planpipe_verify_%ld_%lld", (long)getpid(),
			 (long long)time(NULL));
		rc = restore_and_check(&j, verdict, info, err);
	}
	if (rc == PP_OK)
		*verdict = PP_BACKUP_GOOD;
	job_free(&j, info);
	return rc;
}

/* ---- restore ---- */

/* Other sessions on db: their number, and who they are in list. */
static pp_rc other_sessions(job *j, const char *db, long *count, char *list, size_t size,
			    pp_err *err)
{
	const char *params[1] = {db};
	PGresult *res = NULL;

	if (pp_db_execp(j->admin, pp_db_sql("backup_restore.sql", "sessions"), 1, params, &res,
			err) != PP_OK)
		return PP_EDB;
	*count = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	snprintf(list, size, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return PP_OK;
}

/* Refuses (or, with --terminate, ends) other sessions on target. */
static pp_rc clear_sessions(job *j, const pp_restore_opts *o, const char *target, pp_err *err)
{
	const char *params[1] = {target};
	long long deadline = pp_now_ms() + 10000;
	char list[1024];
	long n = 0;

	if (other_sessions(j, target, &n, list, sizeof(list), err) != PP_OK)
		return PP_EDB;
	if (n == 0)
		return PP_OK;
	if (!o->terminate)
		return pp_err_set(err, PP_EBUSY,
				  "database %s has %ld other session%s: %s. Stop them (the API, "
				  "psql) or pass --terminate to end them",
				  target, n, n == 1 ? "" : "s", list);
	bk_step(&j->e, "ending %ld session%s on %s: %s", n, n == 1 ? "" : "s", target, list);
	while (n > 0) {
		struct timespec pause = {0, 100 * 1000000L};
		if (pp_db_execp(j->admin, pp_db_sql("backup_restore.sql", "terminate"), 1, params,
				NULL, err) != PP_OK ||
		    other_sessions(j, target, &n, list, sizeof(list), err) != PP_OK)
			return PP_EDB;
		if (n > 0 && pp_now_ms() > deadline)
			return pp_err_set(err, PP_EBUSY, "sessions on %s did not end: %s", target,
					  list);
		nanosleep(&pause, NULL);
	}
	return PP_OK;
}

void backup_restore_old_name(char *out, size_t size, const char *target, const char *stamp, int i)
{
	size_t base = strlen(target);

	if (base > 40)
		base = 40;
	while (base > 0 && ((unsigned char)target[base] & 0xC0) == 0x80)
		base--; /* not inside a UTF-8 character */
	snprintf(out, size, "%.*s_old_%s%s%.0d", (int)base, target, stamp, i > 1 ? "_" : "",
		 i > 1 ? i : 0);
}

/* TARGET_old_YYYYMMDDTHHMMSS, shortened to fit 63 bytes, and not taken. */
static pp_rc old_name(job *j, const char *target, char *out, size_t size, pp_err *err)
{
	PGresult *res = NULL;
	int i;

	if (pp_db_exec(j->admin, pp_db_sql("backup_restore.sql", "now_stamp"), &res, err) != PP_OK)
		return PP_EDB;
	for (i = 1; i < 10; i++) {
		const char *params[1] = {out};
		PGresult *ex = NULL;
		int taken;

		backup_restore_old_name(out, size, target, PQgetvalue(res, 0, 0), i);
		if (pp_db_execp(j->admin, pp_db_sql("backup_restore.sql", "database_exists"), 1,
				params, &ex, err) != PP_OK) {
			PQclear(res);
			return PP_EDB;
		}
		taken = PQntuples(ex) > 0;
		PQclear(ex);
		if (!taken)
			break;
	}
	PQclear(res);
	return PP_OK;
}

static pp_rc set_allow_connections(job *j, const char *db, int allow, pp_err *err)
{
	char q[160], sql[256];

	quote_ident(j->admin, db, q, sizeof(q));
	/* sql-in-c: a utility statement takes no parameters: the names are quoted in here. */
	snprintf(sql, sizeof(sql), "ALTER DATABASE %s WITH ALLOW_CONNECTIONS %s", q,
		 allow ? "true" : "false");
	return pp_db_exec(j->admin, sql, NULL, err);
}

static pp_rc rename_db(job *j, const char *from, const char *to, pp_err *err)
{
	char qf[160], qt[160], sql[384];

	quote_ident(j->admin, from, qf, sizeof(qf));
	quote_ident(j->admin, to, qt, sizeof(qt));
	/* sql-in-c: a utility statement takes no parameters: the names are quoted in here. */
	snprintf(sql, sizeof(sql), "ALTER DATABASE %s RENAME TO %s", qf, qt);
	return pp_db_exec(j->admin, sql, NULL, err);
}

/*
 * The swap: the target stops taking connections, its sessions are gone,
 * and both renames commit together, so the name never points at nothing.
 */
static pp_rc swap_in(job *j, const pp_restore_opts *o, const char *target, int allowconn,
		     pp_restore_info *info, pp_err *err)
{
	char old[64], q[160], sql[256];
	pp_err ignore;
	pp_rc rc;

	bk_step(&j->e, "swapping %s in as %s", j->fresh, target);
	rc = old_name(j, target, old, sizeof(old), err);
	if (rc == PP_OK)
		rc = set_allow_connections(j, target, 0, err);
	if (rc != PP_OK)
		return rc;
	rc = clear_sessions(j, o, target, err);
	if (rc == PP_OK)
		rc = pp_db_exec(j->admin, pp_db_sql("tx.sql", "begin"), NULL, err);
	if (rc == PP_OK) {
		rc = rename_db(j, target, old, err);
		if (rc == PP_OK)
			rc = rename_db(j, j->fresh, target, err);
		if (rc == PP_OK)
			rc = pp_db_exec(j->admin, pp_db_sql("tx.sql", "commit"), NULL, err);
		else
			pp_db_exec_quiet(j->admin, pp_db_sql("tx.sql", "rollback"));
	}
	if (rc != PP_OK) {
		if (allowconn && set_allow_connections(j, target, 1, &ignore) != PP_OK)
			pp_err_append(err, "and %s could not be opened to connections again: %s",
				      target, ignore.msg);
		return rc;
	}
	j->fresh_exists = 0;
	info->replaced = 1;
	snprintf(info->old_name, sizeof(info->old_name), "%s", old);
	if (o->drop_old) {
		bk_step(&j->e, "dropping %s", old);
		quote_ident(j->admin, old, q, sizeof(q));
		/* sql-in-c: a utility statement takes no parameters: the names are quoted in here.
		 */
		snprintf(sql, sizeof(sql), "DROP DATABASE %s", q);
		if (pp_db_exec(j->admin, sql, NULL, &ignore) == PP_OK) {
			info->dropped_old = 1;
			info->old_name[0] = '\0';
			return PP_OK;
		}
		bk_warn(&j->e, "the restore is in place, but %s could not be dropped: %s", old,
			ignore.msg);
	}
	if (allowconn && set_allow_connections(j, old, 1, &ignore) != PP_OK)
		bk_warn(&j->e, "%s does not take connections: %s", old, ignore.msg);
	return PP_OK;
}

pp_rc backup_restore_target_name(const char *target, pp_err *err)
{
	if (*target == '\0' || strlen(target) > 63)
		return pp_err_set(err, PP_EINVAL, "\"%s\" is not a database name (1 to 63 bytes)",
				  target);
	if (strcmp(target, "template0") == 0 || strcmp(target, "template1") == 0)
		return pp_err_set(err, PP_EINVAL, "restoring over %s is refused", target);
	return PP_OK;
}

/* Whether target exists, may be replaced, and who is on it: all before any work. */
static pp_rc check_target(job *j, const pp_restore_opts *o, const char *target, int *exists,
			  int *allowconn, pp_err *err)
{
	const char *params[1] = {target};
	PGresult *res = NULL;
	char list[1024];
	long n = 0;
	int may;

	if (backup_restore_target_name(target, err) != PP_OK)
		return PP_EINVAL;
	if (pp_db_execp(j->admin, pp_db_sql("backup_restore.sql", "target"), 1, params, &res,
			err) != PP_OK)
		return PP_EDB;
	*exists = PQntuples(res) > 0;
	*allowconn = *exists && PQgetvalue(res, 0, 0)[0] == 't';
	may = *exists && PQgetvalue(res, 0, 1)[0] == 't';
	PQclear(res);
	if (!*exists)
		return PP_OK;
	if (!o->force)
		return pp_err_set(err, PP_ECONFLICT,
				  "database %s exists: restore replaces a database only with "
				  "--force (it is then kept as %s_old_YYYYMMDDTHHMMSS, or dropped "
				  "with --drop-old)",
				  target, target);
	if (!may)
		return pp_err_set(err, PP_ECONFLICT,
				  "database %s belongs to another role: only its owner or a "
				  "superuser may replace it",
				  target);
	if (o->terminate)
		return PP_OK;
	if (other_sessions(j, target, &n, list, sizeof(list), err) != PP_OK)
		return PP_EDB;
	if (n > 0)
		return pp_err_set(err, PP_EBUSY,
				  "database %s has %ld other session%s: %s. Stop them (the API, "
				  "psql) or pass --terminate to end them at the swap",
				  target, n, n == 1 ? "" : "s", list);
	return PP_OK;
}

pp_rc pp_backup_restore(const pp_config *cfg, const char *path, const pp_restore_opts *o,
			pp_backup_verdict *verdict, pp_restore_info *info, pp_err *err)
{
	const char *target;
	int exists = 0, allowconn = 0;
	job j;
	pp_rc rc;

	*verdict = PP_BACKUP_UNCHECKED;
	memset(info, 0, sizeof(*info));
	memset(&j, 0, sizeof(j));
	j.files.dump_fd = -1;
	rc = bk_env_init(&j.e, cfg, &o->c, err);
	if (rc != PP_OK)
		goto out;
	target = o->target ? o->target : j.e.dbname;
	snprintf(info->target, sizeof(info->target), "%.63s", target);
	rc = load_backup(&j, path, verdict, &info->b, err);
	if (rc == PP_OK) {
		bk_step(&j.e, "connecting");
		rc = connect_admin(&j, target, err);
	}
	if (rc == PP_OK)
		rc = check_target(&j, o, target, &exists, &allowconn, err);
	if (rc == PP_OK)
		rc = check_versions(&j, err);
	if (rc != PP_OK)
		goto out;
	warn_leftovers(&j);
	snprintf(j.fresh, sizeof(j.fresh), "planpipe_restore_%ld_%lld", (long)getpid(),
		 (long long)time(NULL));
	rc = restore_and_check(&j, verdict, &info->b, err);
	if (rc == PP_OK && bk_cancelled(&j.e, err))
		rc = PP_EIO;
	if (rc != PP_OK)
		goto out;
	*verdict = PP_BACKUP_GOOD;
	rc = analyze_fresh(&j, info, err);
	if (rc != PP_OK)
		goto out;
	info->kept_owners = j.keep_owners;
	info->roles_created = j.roles_created;
	if (exists) {
		rc = swap_in(&j, o, target, allowconn, info, err);
	} else {
		bk_step(&j.e, "renaming %s to %s", j.fresh, target);
		rc = rename_db(&j, j.fresh, target, err);
		if (rc == PP_OK)
			j.fresh_exists = 0;
	}
	if (rc != PP_OK)
		pp_err_prefix(err,
			      "the backup restored and verified, but the swap failed (%s is "
			      "unchanged): ",
			      target);
out:
	job_free(&j, &info->b);
	return rc;
}
