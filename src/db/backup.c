/*
 * backup.c: `planpipe backup`, a consistent logical backup with its
 * manifest, and --keep's pruning (see backup.h).
 *
 * Consistency: planpipe opens a REPEATABLE READ transaction, exports its
 * snapshot (pg_export_snapshot) and keeps the transaction open while
 * pg_dump --snapshot dumps exactly that snapshot; the row counts and
 * checksums of the manifest are computed in the same transaction, so a
 * backup taken while writes run matches its manifest.
 */
#define _GNU_SOURCE /* renameat2 */
#include "db/backup_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db/conn.h"
#include "db/sql.h"
#include "version.h"

typedef struct dump_tick {
	const bk_env *e;
	const char *path;
} dump_tick;

static void on_dump_tick(void *ctx)
{
	const dump_tick *t = ctx;
	struct stat st;

	if (stat(t->path, &st) == 0)
		bk_progress(t->e, "dumping", (long long)st.st_size, 0, 1);
}

void backup_remove_tmp_dir(const char *dir)
{
	char path[BK_PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (bk_path(path, dir, de->d_name, NULL) == PP_OK)
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static pp_rc ensure_dir(const char *dir, pp_err *err)
{
	struct stat st;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return pp_err_set(err, PP_EIO, "cannot create %s: %s", dir, strerror(errno));
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return pp_err_set(err, PP_EIO, "%s is not a directory", dir);
	return PP_OK;
}

/* Adds {"sha256", "bytes"} for dir/name to files. */
static pp_rc add_file(json_t *files, const char *dir, const char *name, long long *bytes,
		      pp_err *err)
{
	char path[BK_PATH_MAX], hex[65];

	if (bk_path(path, dir, name, err) != PP_OK)
		return PP_EINVAL;
	/* The tools create files as the umask says; a backup holds every row and role. */
	if (chmod(path, 0600) != 0)
		return pp_err_set(err, PP_EIO, "cannot chmod %s: %s", path, strerror(errno));
	if (bk_fsync_path(path, err) != PP_OK || bk_sha256_file(path, hex, bytes, err) != PP_OK)
		return PP_EIO;
	if (json_object_set_new(
		    files, name,
		    json_pack("{s:s, s:I}", "sha256", hex, "bytes", (json_int_t)*bytes)))
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	return PP_OK;
}

pp_rc backup_place(const char *tmp, const char *dir, const char *stamp, char *name, size_t size,
		   pp_err *err)
{
	char path[BK_PATH_MAX];
	int i;

	for (i = 1; i < 100; i++) {
		if (i == 1)
			snprintf(name, size, "planpipe-%s", stamp);
		else
			snprintf(name, size, "planpipe-%s-%d", stamp, i);
		if (bk_path(path, dir, name, err) != PP_OK)
			return PP_EINVAL;
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
			return PP_OK;
		if (errno == EEXIST)
			continue;
		/* A file system without RENAME_NOREPLACE: check, then rename. */
		if (errno == EINVAL || errno == ENOSYS) {
			struct stat st;
			if (lstat(path, &st) == 0)
				continue;
			if (rename(tmp, path) == 0)
				return PP_OK;
		}
		return pp_err_set(err, PP_EIO, "cannot rename %s to %s: %s", tmp, path,
				  strerror(errno));
	}
	return pp_err_set(err, PP_EIO, "too many backups named planpipe-%s in %s", stamp, dir);
}

/* ---- --keep ---- */

typedef struct candidate {
	char name[256];
	char created_at[64];
	int suffix;
	json_t *m;
} candidate;

int backup_dir_name(const char *s, int *suffix)
{
	static const char shape[] = "planpipe-########T######Z";
	size_t i;

	for (i = 0; shape[i]; i++) {
		if (shape[i] == '#' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return 0;
	}
	*suffix = 1;
	if (s[i] == '\0')
		return 1;
	if (s[i] != '-' || s[i + 1] == '\0' || strspn(s + i + 1, "0123456789") != strlen(s + i + 1))
		return 0;
	*suffix = (int)strtol(s + i + 1, NULL, 10);
	return 1;
}

/* Newest first: by the manifest's time, then by suffix. */
static int newest_first(const void *a, const void *b)
{
	const candidate *x = a, *y = b;
	int c = strcmp(y->created_at, x->created_at);

	return c ? c : y->suffix - x->suffix;
}

/* Only what the manifest lists may be in the directory; manifest first, so a half-removed
 * backup no longer looks like one. */
static pp_rc remove_backup(const bk_env *e, const char *dir, const json_t *m)
{
	json_t *files = json_object_get(m, "files");
	char path[BK_PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL)
		return PP_EIO;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, BK_MANIFEST) == 0 || json_object_get(files, de->d_name))
			continue;
		bk_warn(e, "%s holds %s, which is not part of a backup: left in place", dir,
			de->d_name);
		closedir(d);
		return PP_ECONFLICT;
	}
	closedir(d);
	if (bk_path(path, dir, BK_MANIFEST, NULL) != PP_OK || unlink(path) != 0)
		return PP_EIO;
	for (void *it = json_object_iter(files); it; it = json_object_iter_next(files, it)) {
		if (bk_path(path, dir, json_object_iter_key(it), NULL) == PP_OK)
			unlink(path);
	}
	return rmdir(dir) == 0 ? PP_OK : PP_EIO;
}

pp_rc backup_prune(const bk_env *e, const char *out_dir, const char *newest, int keep, int *pruned,
		   pp_err *err)
{
	candidate *list = NULL;
	size_t n = 0, cap = 0, i;
	char path[BK_PATH_MAX];
	struct dirent *de;
	struct stat st;
	int good = 0, suffix;
	DIR *d;

	bk_step(e, "pruning: keeping the %d newest good backup%s", keep, keep == 1 ? "" : "s");
	d = opendir(out_dir);
	if (d == NULL)
		return pp_err_set(err, PP_EIO, "cannot read %s: %s", out_dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		pp_err lerr;
		json_t *m;

		if (!backup_dir_name(de->d_name, &suffix) ||
		    bk_path(path, out_dir, de->d_name, NULL) != PP_OK || lstat(path, &st) != 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (bk_manifest_load(path, &m, &lerr) != PP_OK) {
			bk_warn(e, "%s: left alone (%s)", path, lerr.msg);
			continue;
		}
		if (n == cap) {
			candidate *bigger =
				realloc(list, (cap = cap ? cap * 2 : 16) * sizeof(*list));
			if (bigger == NULL) {
				json_decref(m);
				break;
			}
			list = bigger;
		}
		snprintf(list[n].name, sizeof(list[n].name), "%s", de->d_name);
		snprintf(list[n].created_at, sizeof(list[n].created_at), "%s",
			 strcmp(de->d_name, newest) == 0 ? "~" : bk_json_str(m, "created_at"));
		list[n].suffix = suffix;
		list[n++].m = m;
	}
	closedir(d);
	if (n > 1)
		qsort(list, n, sizeof(*list), newest_first);
	for (i = 0; i < n; i++) {
		pp_err cerr;

		if (bk_path(path, out_dir, list[i].name, NULL) != PP_OK)
			continue;
		if (good >= keep) {
			if (remove_backup(e, path, list[i].m) == PP_OK) {
				++*pruned;
				bk_pruned(e, path);
			}
			continue;
		}
		/* The new backup was read back already; the others are checked now. */
		if (strcmp(list[i].name, newest) == 0 ||
		    bk_manifest_check_files(NULL, path, list[i].m, NULL, &cerr) == PP_OK)
			good++;
		else
			bk_warn(e, "%s is damaged, kept but not counted as good: %s", path,
				cerr.msg);
	}
	for (i = 0; i < n; i++)
		json_decref(list[i].m);
	free(list);
	return PP_OK;
}

/* ---- the backup ---- */

typedef struct work {
	bk_env e;
	PGconn *conn;
	pid_t dump_pid;
	json_t *m;
	char tmp[BK_PATH_MAX];
	char dump[BK_PATH_MAX];
	char globals[BK_PATH_MAX];
	char log[BK_PATH_MAX];
	char snapshot[64];
	char stamp[32];
	pp_buf conninfo;
} work;

/* Opens the snapshot transaction and records what the manifest says about the source. */
static pp_rc open_snapshot(work *w, const pp_backup_opts *o, pp_err *err)
{
	PGresult *res = NULL;
	json_t *db, *roles;
	json_error_t jerr;
	pp_rc rc;

	rc = bk_session_setup(w->conn, err);
	if (rc == PP_OK)
		rc = pp_db_exec(w->conn, pp_db_sql("backup.sql", "begin_snapshot"), NULL, err);
	if (rc == PP_OK)
		rc = pp_db_exec(w->conn, pp_db_sql("backup.sql", "snapshot"), &res, err);
	if (rc != PP_OK)
		return rc;
	snprintf(w->snapshot, sizeof(w->snapshot), "%s", PQgetvalue(res, 0, 0));
	snprintf(w->stamp, sizeof(w->stamp), "%s", PQgetvalue(res, 0, 2));
	db = json_loads(PQgetvalue(res, 0, 5), 0, &jerr);
	w->m = json_pack("{s:s, s:i, s:s, s:s, s:s, s:I, s:s, s:s, s:o*}", "format", BK_FORMAT,
			 "format_version", BK_FORMAT_VERSION, "planpipe_version", PP_VERSION,
			 "created_at", PQgetvalue(res, 0, 1), "server_version",
			 PQgetvalue(res, 0, 3), "server_version_num",
			 (json_int_t)strtoll(PQgetvalue(res, 0, 4), NULL, 10), "pg_dump_version",
			 w->e.tools_version, "snapshot", w->snapshot, "database", db);
	PQclear(res);
	if (w->m == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	rc = pp_db_exec(w->conn, pp_db_sql("backup.sql", "roles"), &res, err);
	if (rc != PP_OK)
		return rc;
	roles = json_loads(PQgetvalue(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (roles == NULL || json_object_set_new(w->m, "roles", roles) != 0)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	if (snprintf(w->tmp, sizeof(w->tmp), "%s/.planpipe-%s.tmp-%ld", o->out_dir, w->stamp,
		     (long)getpid()) >= (int)sizeof(w->tmp))
		return pp_err_set(err, PP_EINVAL, "path too long: %s", o->out_dir);
	if (mkdir(w->tmp, 0700) != 0)
		return pp_err_set(err, PP_EIO, "cannot create %s: %s", w->tmp, strerror(errno));
	if (bk_path(w->dump, w->tmp, BK_DUMP, err) != PP_OK ||
	    bk_path(w->globals, w->tmp, BK_GLOBALS, err) != PP_OK ||
	    bk_path(w->log, w->tmp, ".tools.log", err) != PP_OK)
		return PP_EINVAL;
	return bk_tool_conninfo(&w->e, PQdb(w->conn), &w->conninfo) == PP_OK
		       ? PP_OK
		       : pp_err_set(err, PP_ENOMEM, "out of memory");
}

/* pg_dump of the snapshot, while the manifest's statistics are taken in it. */
static pp_rc dump_and_count(work *w, pp_backup_info *info, pp_err *err)
{
	char file_arg[BK_PATH_MAX + 8], snap_arg[96], *db_arg;
	const char *args[] = {"--format=custom", "--no-password", NULL, NULL, NULL, NULL};
	dump_tick tick = {&w->e, w->dump};
	json_t *stats = NULL;
	long long started;
	pp_rc rc;

	db_arg = malloc(w->conninfo.len + 16);
	if (db_arg == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	snprintf(file_arg, sizeof(file_arg), "--file=%s", w->dump);
	snprintf(snap_arg, sizeof(snap_arg), "--snapshot=%s", w->snapshot);
	snprintf(db_arg, w->conninfo.len + 16, "--dbname=%s", pp_buf_str(&w->conninfo));
	args[2] = file_arg;
	args[3] = snap_arg;
	args[4] = db_arg;
	bk_step(&w->e, "dumping %s (pg_dump %s)", PQdb(w->conn), w->e.tools_version);
	started = pp_now_ms();
	rc = bk_spawn(&w->e, "pg_dump", args, w->log, -1, &w->dump_pid, err);
	free(db_arg);
	if (rc != PP_OK) {
		w->dump_pid = 0;
		return rc;
	}
	bk_step(&w->e, "counting and checksumming every table in the same snapshot");
	rc = bk_stats_collect(&w->e, w->conn, &stats, err);
	info->check_ms = pp_now_ms() - started;
	if (rc == PP_OK && json_object_update(w->m, stats) != 0)
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
	json_decref(stats);
	if (rc != PP_OK)
		return rc;
	bk_step(&w->e, "waiting for pg_dump");
	rc = bk_wait(&w->e, w->dump_pid, "pg_dump", w->log, on_dump_tick, &tick, err);
	info->tool_ms = pp_now_ms() - started;
	w->dump_pid = 0;
	if (rc != PP_OK)
		return rc;
	/* The snapshot is no longer needed: pg_dump has finished with it. */
	return pp_db_exec(w->conn, pp_db_sql("tx.sql", "commit"), NULL, err);
}

/* Files, manifest, fsync, and the rename that makes it a backup. */
static pp_rc seal(work *w, const pp_backup_opts *o, pp_backup_info *info, char *name, size_t size,
		  pp_err *err)
{
	json_t *files = json_object();
	char path[BK_PATH_MAX], *text;
	long long bytes = 0;
	int passwords = 1;
	pp_rc rc;

	if (files == NULL || json_object_set_new(w->m, "files", files) != 0)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	bk_step(&w->e, "writing the roles (globals.sql)");
	rc = bk_globals_write(&w->e, w->conn, w->globals, &passwords, err);
	if (rc != PP_OK)
		return rc;
	json_object_set_new(w->m, "role_passwords", json_boolean(passwords));
	bk_step(&w->e, "writing the manifest");
	if (add_file(files, w->tmp, BK_DUMP, &info->bytes, err) != PP_OK ||
	    add_file(files, w->tmp, BK_GLOBALS, &bytes, err) != PP_OK)
		return PP_EIO;
	json_object_set_new(w->m, "duration_ms", json_integer(pp_now_ms() - w->e.started_ms));
	if (w->e.cfg->backup_key && bk_manifest_sign(w->m, w->e.cfg->backup_key, err) != PP_OK)
		return err->rc;
	text = json_dumps(w->m, JSON_INDENT(2));
	if (text == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	unlink(w->log);
	rc = bk_path(path, w->tmp, BK_MANIFEST, err);
	if (rc == PP_OK)
		rc = bk_write_synced(path, text, strlen(text), err);
	free(text);
	if (rc == PP_OK)
		rc = bk_fsync_path(w->tmp, err);
	if (rc == PP_OK)
		rc = backup_place(w->tmp, o->out_dir, w->stamp, name, size, err);
	if (rc != PP_OK)
		return rc;
	w->tmp[0] = '\0';
	return bk_fsync_path(o->out_dir, err);
}

pp_rc pp_backup_create(const pp_config *cfg, const pp_backup_opts *o, pp_backup_info *info,
		       pp_err *err)
{
	char name[256];
	work w;
	pp_rc rc;
	int lock_fd = -1;

	memset(info, 0, sizeof(*info));
	memset(&w, 0, sizeof(w));
	pp_buf_init(&w.conninfo, 64 * 1024);
	rc = bk_env_init(&w.e, cfg, &o->c, err);
	if (rc == PP_OK)
		rc = ensure_dir(o->out_dir, err);
	if (rc != PP_OK)
		goto out;
	bk_step(&w.e, "connecting to %s", w.e.dbname);
	rc = bk_connect(&w.e, w.e.dbname, "planpipe backup", &w.conn, err);
	if (rc == PP_OK)
		rc = bk_tools_find(&w.e, PQserverVersion(w.conn), err);
	if (rc == PP_OK)
		rc = open_snapshot(&w, o, err);
	if (rc == PP_OK)
		rc = dump_and_count(&w, info, err);
	if (rc == PP_OK && bk_cancelled(&w.e, err))
		rc = PP_EIO;
	if (rc != PP_OK)
		goto out;
	/* Backups placed and pruned one at a time: a pruner never sees half a rename. */
	lock_fd = open(o->out_dir, O_RDONLY | O_CLOEXEC);
	if (lock_fd >= 0 && flock(lock_fd, LOCK_EX) != 0)
		bk_warn(&w.e, "cannot lock %s: %s", o->out_dir, strerror(errno));
	rc = seal(&w, o, info, name, sizeof(name), err);
	if (rc != PP_OK)
		goto out;
	rc = bk_path(info->path, o->out_dir, name, err);
	if (rc != PP_OK)
		goto out;
	/* Read back what was written before anything older may go. */
	bk_step(&w.e, "reading the backup back");
	rc = bk_manifest_check_files(&w.e, info->path, w.m, NULL, err);
	if (rc != PP_OK) {
		pp_err_prefix(err, "the new backup does not read back as written: ");
		goto out;
	}
	info->tables = json_object_size(json_object_get(w.m, "tables"));
	info->rows = bk_manifest_rows(w.m);
	info->schema_version = (int)bk_json_int(w.m, "schema_version");
	if (o->keep > 0)
		rc = backup_prune(&w.e, o->out_dir, name, o->keep, &info->pruned, err);
out:
	if (w.dump_pid > 0)
		bk_stop(w.dump_pid);
	if (w.tmp[0])
		backup_remove_tmp_dir(w.tmp);
	if (lock_fd >= 0)
		close(lock_fd);
	PQfinish(w.conn);
	json_decref(w.m);
	pp_buf_free(&w.conninfo);
	info->ms = pp_now_ms() - w.e.started_ms;
	bk_env_free(&w.e);
	return rc;
}
