/*
 * backup_manifest.c: what a backup's manifest records about a database, how
 * it is read back and checked, and the comparison a restore must pass (see
 * backup_int.h).
 *
 * A table's content checksum is computed in SQL, in the dump's snapshot:
 * each row becomes md5(ROW(columns in name order)::text), and the two
 * 64-bit halves of those digests are summed (as numeric) over the table.
 * A sum does not depend on row order, so no sort and no memory grow with
 * the table (unlike string_agg(... ORDER BY ...), which also stops at 1 GB),
 * and it works on any table, partitions included: the manifest lists the
 * leaf tables, which are the ones holding rows. Columns in name order and
 * fixed session settings make the text the same on any server.
 */
#include "db/backup_int.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sha256.h"
#include "db/conn.h"
#include "db/sql.h"
#include "db/migrate.h"

long long bk_json_int(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

const char *bk_json_str(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

long long bk_manifest_rows(const json_t *m)
{
	json_t *tables = json_object_get(m, "tables");
	long long rows = 0;

	for (void *it = json_object_iter(tables); it; it = json_object_iter_next(tables, it))
		rows += bk_json_int(json_object_iter_value(it), "rows");
	return rows;
}

pp_rc bk_session_setup(PGconn *conn, pp_err *err)
{
	return pp_db_exec(conn, pp_db_sql("backup_manifest.sql", "session"), NULL, err);
}

/* One table's row count and checksum into tables[name]. */
static pp_rc table_stats(PGconn *conn, const char *name, const char *cols, json_t *tables,
			 pp_err *err)
{
	PGresult *res = NULL;
	json_t *t;
	pp_buf q;
	pp_rc rc;

	pp_buf_init(&q, 1024 * 1024);
	/* sql-in-c: the table and its columns are named at run time (quoted by tables). */
	if (pp_buf_printf(&q,
			  "SELECT count(*), md5(coalesce(sum(('x' || left(h, 16))::bit(64)::bigint"
			  "::numeric), 0) || '/' || coalesce(sum(('x' || right(h, 16))::bit(64)"
			  "::bigint::numeric), 0))"
			  " FROM (SELECT md5(ROW(%s)::text) AS h FROM ONLY %s) s",
			  cols, name) != PP_OK) {
		pp_buf_free(&q);
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	}
	rc = pp_db_exec(conn, pp_buf_str(&q), &res, err);
	pp_buf_free(&q);
	if (rc != PP_OK) {
		pp_err_prefix(err, "checksumming %s: ", name);
		return rc;
	}
	t = json_pack("{s:I, s:s}", "rows", (json_int_t)strtoll(PQgetvalue(res, 0, 0), NULL, 10),
		      "checksum", PQgetvalue(res, 0, 1));
	PQclear(res);
	if (t == NULL || json_object_set_new(tables, name, t) != 0)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	return PP_OK;
}

pp_rc bk_stats_collect(const bk_env *e, PGconn *conn, json_t **out, pp_err *err)
{
	PGresult *list = NULL, *obj = NULL;
	json_t *st = json_object(), *tables = json_object(), *objects = NULL;
	json_error_t jerr;
	char what[320];
	pp_rc rc;
	int i, n, v;

	*out = NULL;
	if (st == NULL || tables == NULL) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	v = pp_mig_db_version(conn, err);
	if (v < 0) {
		rc = PP_EDB;
		goto out;
	}
	rc = pp_db_exec(conn, pp_db_sql("backup_manifest.sql", "objects"), &obj, err);
	if (rc != PP_OK)
		goto out;
	objects = json_loads(PQgetvalue(obj, 0, 0), 0, &jerr);
	rc = pp_db_exec(conn, pp_db_sql("backup_manifest.sql", "tables"), &list, err);
	if (rc != PP_OK)
		goto out;
	n = PQntuples(list);
	for (i = 0; i < n; i++) {
		if (bk_cancelled(e, err)) {
			rc = PP_EIO;
			goto out;
		}
		snprintf(what, sizeof(what), "checksumming %s", PQgetvalue(list, i, 0));
		bk_progress(e, what, i, n, 0);
		rc = table_stats(conn, PQgetvalue(list, i, 0), PQgetvalue(list, i, 1), tables, err);
		if (rc != PP_OK)
			goto out;
	}
	bk_progress(e, "checksummed the tables", n, n, 0);
	if (objects == NULL || json_object_set_new(st, "schema_version", json_integer(v)) != 0 ||
	    json_object_set(st, "objects", objects) != 0 ||
	    json_object_set(st, "tables", tables) != 0) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	*out = st;
	st = NULL;
out:
	PQclear(list);
	PQclear(obj);
	json_decref(objects);
	json_decref(tables);
	json_decref(st);
	return rc;
}

/*
 * Counts one difference and adds its line, up to 20 lines. Out of memory
 * only shortens the message, so callers need not check.
 */
static pp_rc differ(pp_buf *lines, int *count, const char *fmt, ...) PP_PRINTF(3, 4);
static pp_rc differ(pp_buf *lines, int *count, const char *fmt, ...)
{
	va_list ap;
	pp_rc rc;

	if (++*count > 20)
		return PP_OK;
	va_start(ap, fmt);
	rc = pp_buf_adds(lines, "\n  ");
	if (rc == PP_OK)
		rc = pp_buf_vprintf(lines, fmt, ap);
	va_end(ap);
	return rc;
}

static void compare_objects(json_t *want, json_t *got, pp_buf *lines, int *count)
{
	for (void *it = json_object_iter(want); it; it = json_object_iter_next(want, it)) {
		const char *key = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);
		json_t *g = json_object_get(got, key);

		if (json_equal(v, g))
			continue;
		if (json_is_string(v))
			differ(lines, count, "extensions: \"%s\" in the manifest, \"%s\" restored",
			       json_string_value(v), g ? json_string_value(g) : "");
		else
			differ(lines, count, "%s: %lld in the manifest, %lld restored", key,
			       (long long)json_integer_value(v), (long long)json_integer_value(g));
	}
}

pp_rc bk_stats_compare(const json_t *m, const json_t *stats, pp_err *err)
{
	json_t *want = json_object_get(m, "tables");
	json_t *got = json_object_get(stats, "tables");
	pp_buf lines;
	int count = 0;
	pp_rc rc = PP_OK;

	pp_buf_init(&lines, 8192);
	if (bk_json_int(m, "schema_version") != bk_json_int(stats, "schema_version"))
		differ(&lines, &count, "schema version: %lld in the manifest, %lld restored",
		       bk_json_int(m, "schema_version"), bk_json_int(stats, "schema_version"));
	compare_objects(json_object_get(m, "objects"), json_object_get(stats, "objects"), &lines,
			&count);
	for (void *it = json_object_iter(want); it; it = json_object_iter_next(want, it)) {
		const char *name = json_object_iter_key(it);
		json_t *t = json_object_iter_value(it);
		json_t *g = json_object_get(got, name);

		if (g == NULL)
			differ(&lines, &count, "%s: missing from the restored database", name);
		else if (bk_json_int(t, "rows") != bk_json_int(g, "rows"))
			differ(&lines, &count, "%s: %lld rows in the manifest, %lld restored", name,
			       bk_json_int(t, "rows"), bk_json_int(g, "rows"));
		else if (strcmp(bk_json_str(t, "checksum"), bk_json_str(g, "checksum")) != 0)
			differ(&lines, &count,
			       "%s: contents differ (checksum %s in the manifest, %s restored)",
			       name, bk_json_str(t, "checksum"), bk_json_str(g, "checksum"));
	}
	for (void *it = json_object_iter(got); it; it = json_object_iter_next(got, it)) {
		if (json_object_get(want, json_object_iter_key(it)) == NULL)
			differ(&lines, &count, "%s: restored but not in the manifest",
			       json_object_iter_key(it));
	}
	if (count > 0) {
		rc = pp_err_set(
			err, PP_ECONFLICT,
			"the restored database does not match the manifest (%d difference%s):"
			"%s%s",
			count, count == 1 ? "" : "s", pp_buf_str(&lines),
			count > 20 ? "\n  ..." : "");
	}
	pp_buf_free(&lines);
	return rc;
}

pp_rc bk_open_regular(const char *path, int *fd, long long *size, pp_err *err)
{
	struct stat st;

	*fd = -1;
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	*fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0) {
		if (errno == ELOOP)
			return pp_err_set(err, PP_EINVAL,
					  "%s is a symbolic link: a backup's files must be "
					  "regular files",
					  path);
		return pp_err_set(err, PP_EINVAL, "%s: %s", path,
				  errno == ENOENT ? "missing" : strerror(errno));
	}
	if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		return pp_err_set(err, PP_EINVAL,
				  "%s is not a regular file (a device, FIFO or directory): refused",
				  path);
	}
	*size = (long long)st.st_size;
	return PP_OK;
}

/*
 * SHA-256 of fd's contents from its current offset, and how many bytes it
 * read. keep (may be NULL): the contents are also copied there (up to its
 * max). A file that grows past max bytes (max < 0: no limit) while it is
 * read is PP_EINVAL. Stops at the first cancel.
 */
static pp_rc sha256_fd(const bk_env *e, int fd, const char *path, long long max, char hex[65],
		       long long *bytes, pp_buf *keep, pp_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	char *buf = malloc(1 << 20);
	pp_rc rc = PP_OK;
	ssize_t n;

	*bytes = 0;
	if (ctx == NULL || buf == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	while ((n = read(fd, buf, 1 << 20)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = pp_err_set(err, PP_EIO, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (e && bk_cancelled(e, err)) {
			rc = PP_EIO;
			goto out;
		}
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		*bytes += n;
		if (max >= 0 && *bytes > max) {
			rc = pp_err_set(err, PP_EINVAL, "%s grew past %lld bytes while it was read",
					path, max);
			goto out;
		}
		if (keep && pp_buf_add(keep, buf, (size_t)n) != PP_OK) {
			rc = pp_err_set(err, PP_EINVAL, "%s: too large to read", path);
			goto out;
		}
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	pp_hex(md, mdlen < 32 ? mdlen : 32, hex);
out:
	free(buf);
	EVP_MD_CTX_free(ctx);
	return rc;
}

pp_rc bk_sha256_file(const char *path, char hex[65], long long *bytes, pp_err *err)
{
	long long size;
	int fd;
	pp_rc rc = bk_open_regular(path, &fd, &size, err);

	*bytes = 0;
	if (rc != PP_OK)
		return rc;
	rc = sha256_fd(NULL, fd, path, -1, hex, bytes, NULL, err);
	close(fd);
	return rc;
}

/* A file name the manifest may list: plain, inside the directory. */
static int plain_name(const char *s)
{
	return *s && *s != '.' && strchr(s, '/') == NULL && strlen(s) < 256;
}

static int is_sha256(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

static pp_rc validate(const json_t *m, const char *path, pp_err *err)
{
	json_t *files = json_object_get(m, "files");
	json_t *tables = json_object_get(m, "tables");

	if (!json_is_object(m) || strcmp(bk_json_str(m, "format"), BK_FORMAT) != 0)
		return pp_err_set(err, PP_EINVAL, "%s: not a planpipe backup manifest", path);
	if (bk_json_int(m, "format_version") != BK_FORMAT_VERSION)
		return pp_err_set(err, PP_EINVAL,
				  "%s: format version %lld, this planpipe reads version %d%s", path,
				  bk_json_int(m, "format_version"), BK_FORMAT_VERSION,
				  bk_json_int(m, "format_version") > BK_FORMAT_VERSION
					  ? " (the backup was written by a newer planpipe)"
					  : "");
	if (!json_is_object(files) || !json_object_get(files, BK_DUMP) ||
	    !json_object_get(files, BK_GLOBALS))
		return pp_err_set(err, PP_EINVAL, "%s: \"files\" must list %s and %s", path,
				  BK_DUMP, BK_GLOBALS);
	for (void *it = json_object_iter(files); it; it = json_object_iter_next(files, it)) {
		const char *key = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);

		if (!plain_name(key) || !is_sha256(json_string_value(json_object_get(v, "sha256"))))
			return pp_err_set(err, PP_EINVAL,
					  "%s: files.%s needs a plain name and a sha256", path,
					  key);
	}
	if (!json_is_object(tables) || !json_is_object(json_object_get(m, "objects")) ||
	    !json_is_integer(json_object_get(m, "schema_version")) ||
	    !json_is_integer(json_object_get(m, "server_version_num")) ||
	    !json_is_object(json_object_get(m, "database")))
		return pp_err_set(err, PP_EINVAL,
				  "%s: incomplete (tables, objects, schema_version, "
				  "server_version_num and database are required)",
				  path);
	for (void *it = json_object_iter(tables); it; it = json_object_iter_next(tables, it)) {
		const char *key = json_object_iter_key(it);
		json_t *v = json_object_iter_value(it);

		if (!json_is_integer(json_object_get(v, "rows")) ||
		    !json_is_string(json_object_get(v, "checksum")))
			return pp_err_set(err, PP_EINVAL, "%s: tables.%s needs rows and checksum",
					  path, key);
	}
	return PP_OK;
}

pp_rc bk_manifest_load(const char *dir, json_t **out, pp_err *err)
{
	char path[BK_PATH_MAX];
	json_error_t jerr;
	long long size;
	json_t *m;
	int fd;

	*out = NULL;
	if (bk_path(path, dir, BK_MANIFEST, err) != PP_OK)
		return PP_EINVAL;
	if (bk_open_regular(path, &fd, &size, err) != PP_OK) {
		if (strstr(err->msg, ": missing") != NULL)
			return pp_err_set(err, PP_EINVAL, "%s: not a planpipe backup (no %s)", dir,
					  BK_MANIFEST);
		return PP_EINVAL;
	}
	if (size > 256L * 1024 * 1024) {
		close(fd);
		return pp_err_set(err, PP_EINVAL, "%s: too large for a manifest", path);
	}
	m = json_loadfd(fd, JSON_REJECT_DUPLICATES, &jerr);
	close(fd);
	if (m == NULL)
		return pp_err_set(err, PP_EINVAL, "%s:%d: invalid JSON: %s", path, jerr.line,
				  jerr.text);
	if (validate(m, path, err) != PP_OK) {
		json_decref(m);
		return PP_EINVAL;
	}
	*out = m;
	return PP_OK;
}

/* Checks dir/name against the manifest's entry f; keeps it in *out when asked. */
static pp_rc check_file(const bk_env *e, const char *dir, const char *name, const json_t *f,
			bk_files *out, pp_err *err)
{
	const char *want = bk_json_str(f, "sha256");
	long long size, bytes = 0, expect = bk_json_int(f, "bytes");
	int is_globals = out && strcmp(name, BK_GLOBALS) == 0;
	char path[BK_PATH_MAX], hex[65];
	pp_buf keep;
	pp_rc rc;
	int fd;

	if (bk_path(path, dir, name, err) != PP_OK)
		return PP_EINVAL;
	if (e)
		bk_step(e, "checking the checksum of %s", path);
	if (bk_open_regular(path, &fd, &size, err) != PP_OK)
		return PP_EINVAL;
	/* A file of another size is damaged: no need to read it (it may be huge). */
	if (size != expect || (is_globals && expect > BK_GLOBALS_MAX)) {
		close(fd);
		return pp_err_set(err, PP_EINVAL,
				  "%s: %lld bytes, the manifest says %lld: damaged or replaced%s",
				  path, size, expect,
				  size == expect ? " (too large for a globals.sql)" : "");
	}
	pp_buf_init(&keep, (size_t)expect + 1);
	rc = sha256_fd(e, fd, path, expect, hex, &bytes, is_globals ? &keep : NULL, err);
	if (rc == PP_OK && strcmp(hex, want) != 0) {
		rc = pp_err_set(err, PP_EINVAL, "%s: checksum mismatch (expected %s, found %s)",
				path, want, hex);
		if (bytes != expect)
			pp_err_append(err, "the file has %lld bytes, the manifest says %lld", bytes,
				      expect);
	}
	if (rc == PP_OK && is_globals) {
		out->globals_len = keep.len;
		out->globals = keep.len ? pp_buf_take(&keep) : strdup("");
		if (out->globals == NULL)
			rc = pp_err_set(err, PP_ENOMEM, "out of memory");
	}
	pp_buf_free(&keep);
	if (rc == PP_OK && out && strcmp(name, BK_DUMP) == 0 && lseek(fd, 0, SEEK_SET) == 0) {
		out->dump_fd = fd;
		return PP_OK;
	}
	close(fd);
	return rc == PP_OK ? PP_OK : PP_EINVAL;
}

pp_rc bk_manifest_check_files(const bk_env *e, const char *dir, const json_t *m, bk_files *out,
			      pp_err *err)
{
	json_t *files = json_object_get(m, "files");

	for (void *it = json_object_iter(files); it; it = json_object_iter_next(files, it)) {
		if (check_file(e, dir, json_object_iter_key(it), json_object_iter_value(it), out,
			       err) != PP_OK)
			return strcmp(err->msg, "interrupted") == 0 ? PP_EIO : PP_EINVAL;
	}
	if (out && out->dump_fd < 0)
		return pp_err_set(err, PP_EIO, "%s/%s: cannot rewind", dir, BK_DUMP);
	return PP_OK;
}

/* HMAC-SHA256 of m's canonical text, without "signature", into hex. */
static pp_rc manifest_hmac(const json_t *m, const char *key, char hex[65], pp_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	json_t *copy = json_copy((json_t *)m);
	char *text = NULL;
	pp_rc rc = PP_OK;

	if (copy != NULL)
		json_object_del(copy, "signature"); /* absent: nothing to remove */
	if (copy == NULL || (text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
	else if (HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)text,
		      strlen(text), md, &mdlen) == NULL ||
		 mdlen != 32)
		rc = pp_err_set(err, PP_EIO, "HMAC-SHA256 failed");
	else
		pp_hex(md, mdlen, hex);
	free(text);
	json_decref(copy);
	return rc;
}

pp_rc bk_manifest_sign(json_t *m, const char *key, pp_err *err)
{
	char hex[65];

	if (manifest_hmac(m, key, hex, err) != PP_OK)
		return err->rc;
	if (json_object_set_new(m, "signature",
				json_pack("{s:s, s:s}", "algorithm", "hmac-sha256", "hmac", hex)))
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	return PP_OK;
}

pp_rc bk_manifest_check_signature(const bk_env *e, const json_t *m, const char *path, pp_err *err)
{
	const json_t *sig = json_object_get(m, "signature");
	const char *key = e->cfg ? e->cfg->backup_key : NULL;
	const char *got = bk_json_str(sig, "hmac");
	char hex[65];

	if (key == NULL) {
		if (sig)
			bk_warn(e,
				"%s is signed, but PLANPIPE_BACKUP_KEY is not set: the signature "
				"was not checked",
				path);
		return PP_OK;
	}
	if (sig == NULL)
		return pp_err_set(err, PP_EINVAL,
				  "%s is not signed and PLANPIPE_BACKUP_KEY is set: refused (a "
				  "backup made without the key, or a manifest replaced)",
				  path);
	if (strcmp(bk_json_str(sig, "algorithm"), "hmac-sha256") != 0 || strlen(got) != 64)
		return pp_err_set(err, PP_EINVAL, "%s: signature is not an hmac-sha256: refused",
				  path);
	if (manifest_hmac(m, key, hex, err) != PP_OK)
		return err->rc;
	if (CRYPTO_memcmp(hex, got, 64) != 0)
		return pp_err_set(err, PP_EINVAL,
				  "%s: the signature does not match PLANPIPE_BACKUP_KEY: refused "
				  "(the manifest was changed, or signed with another key)",
				  path);
	return PP_OK;
}

pp_rc bk_write_synced(const char *path, const char *data, size_t len, pp_err *err)
{
	size_t off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0)
		return pp_err_set(err, PP_EIO, "cannot create %s: %s", path, strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			return pp_err_set(err, PP_EIO, "cannot write %s: %s", path,
					  strerror(errno));
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0) {
		close(fd);
		return pp_err_set(err, PP_EIO, "cannot fsync %s: %s", path, strerror(errno));
	}
	if (close(fd) != 0)
		return pp_err_set(err, PP_EIO, "cannot write %s: %s", path, strerror(errno));
	return PP_OK;
}

pp_rc bk_fsync_path(const char *path, pp_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return pp_err_set(err, PP_EIO, "cannot open %s: %s", path, strerror(errno));
	/* Some file systems cannot fsync a directory (EINVAL): nothing more to do there. */
	if (fsync(fd) != 0 && errno != EINVAL) {
		close(fd);
		return pp_err_set(err, PP_EIO, "cannot fsync %s: %s", path, strerror(errno));
	}
	close(fd);
	return PP_OK;
}
