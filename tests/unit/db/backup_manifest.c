/*
 * tests/unit/db/backup_manifest.c: tests src/db/backup_manifest.c without a
 * server: reading and validating manifest.json (a backup directory is
 * hostile input: a tampered or truncated manifest must be refused, naming
 * what is wrong), the files' checksums, the signature, and the comparison
 * of a manifest with restored contents.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/sha256.h"
#include "db/backup_int.h"
#include "gitrepo.h"

#define DUMP_TEXT    "PGDMP fake dump contents\n"
#define GLOBALS_TEXT "CREATE ROLE \"pp_app\";\n"

static void put(const char *name, const char *data, size_t len)
{
	char path[BK_PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", pp_t_tmp, name);
	unlink(path);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void put_str(const char *name, const char *text)
{
	put(name, text, strlen(text));
}

static void put_json(const char *name, const json_t *m)
{
	char *text = json_dumps(m, JSON_SORT_KEYS | JSON_INDENT(2));

	assert_non_null(text);
	put_str(name, text);
	free(text);
}

static json_t *file_entry(const char *data)
{
	char hex[PP_SHA256_HEX_LEN + 1];

	pp_sha256_hex(data, strlen(data), hex);
	return json_pack("{s:s, s:I}", "sha256", hex, "bytes", (json_int_t)strlen(data));
}

/* A manifest as planpipe writes one, for the files DUMP_TEXT and GLOBALS_TEXT. */
static json_t *good_manifest(void)
{
	json_t *m = json_pack("{s:s, s:i, s:i, s:i, s:{s:s}, s:{s:o, s:o}, s:{s:i, s:i},"
			      " s:{s:{s:i, s:s}, s:{s:i, s:s}}}",
			      "format", BK_FORMAT, "format_version", BK_FORMAT_VERSION,
			      "schema_version", 17, "server_version_num", 150004, "database",
			      "name", "planpipe", "files", BK_DUMP, file_entry(DUMP_TEXT),
			      BK_GLOBALS, file_entry(GLOBALS_TEXT), "objects", "tables", 2,
			      "functions", 5, "tables", "public.projects", "rows", 3, "checksum",
			      "c1", "public.stories", "rows", 40, "checksum", "c2");

	assert_non_null(m);
	return m;
}

static void put_backup(const json_t *m)
{
	put_str(BK_DUMP, DUMP_TEXT);
	put_str(BK_GLOBALS, GLOBALS_TEXT);
	put_json(BK_MANIFEST, m);
}

/* bk_manifest_load must refuse pp_t_tmp's manifest with PP_EINVAL and a message holding want. */
static void load_refused(const char *want)
{
	json_t *m = (json_t *)1;
	pp_err err;

	pp_err_clear(&err);
	if (bk_manifest_load(pp_t_tmp, &m, &err) != PP_EINVAL)
		fail_msg("accepted, should be refused (%s)", want);
	assert_null(m);
	unit_str_has("message", err.msg, want);
}

/* m, written as the manifest, must be refused with want in the message. */
static void manifest_refused(json_t *m, const char *want)
{
	put_json(BK_MANIFEST, m);
	json_decref(m);
	load_refused(want);
}

static void loads_a_good_manifest(void **state)
{
	json_t *m = good_manifest(), *got = NULL;
	pp_err err;

	(void)state;
	put_backup(m);
	pp_err_clear(&err);
	assert_int_equal(bk_manifest_load(pp_t_tmp, &got, &err), PP_OK);
	assert_true(json_equal(m, got));
	assert_int_equal(bk_manifest_rows(got), 43);
	assert_int_equal(bk_json_int(got, "schema_version"), 17);
	assert_string_equal(bk_json_str(got, "format"), BK_FORMAT);
	/* Absent or of another type: 0 and "". */
	assert_int_equal(bk_json_int(got, "nosuch"), 0);
	assert_int_equal(bk_json_int(got, "format"), 0);
	assert_string_equal(bk_json_str(got, "schema_version"), "");
	assert_int_equal(bk_manifest_rows(json_object_get(got, "objects")), 0);
	json_decref(got);
	json_decref(m);
}

static void refuses_a_missing_or_unreadable_manifest(void **state)
{
	char path[BK_PATH_MAX];

	(void)state;
	load_refused("not a planpipe backup (no manifest.json)");

	/* A symbolic link is not followed, even to a good manifest. */
	{
		json_t *m = good_manifest();

		put_json("real.json", m);
		json_decref(m);
	}
	snprintf(path, sizeof(path), "%s/%s", pp_t_tmp, BK_MANIFEST);
	assert_int_equal(symlink("real.json", path), 0);
	load_refused("manifest.json is a symbolic link");
	unlink(path);

	/* A directory, and a FIFO (opened without waiting for a writer). */
	assert_int_equal(mkdir(path, 0700), 0);
	load_refused("is not a regular file");
	rmdir(path);
	assert_int_equal(mkfifo(path, 0600), 0);
	load_refused("is not a regular file");
	unlink(path);
}

static void refuses_truncated_or_malformed_json(void **state)
{
	json_t *m = good_manifest();
	char *text = json_dumps(m, JSON_SORT_KEYS | JSON_INDENT(2));

	(void)state;
	json_decref(m);
	put(BK_MANIFEST, text, strlen(text) / 2);
	load_refused("manifest.json:");
	load_refused("invalid JSON");
	put(BK_MANIFEST, "", 0);
	load_refused("invalid JSON");
	free(text);

	/* A duplicate key could make two readers see two manifests. */
	put_str(BK_MANIFEST, "{\"format\": \"planpipe-backup\", \"format\": \"other\"}");
	load_refused("invalid JSON");

	put_str(BK_MANIFEST, "[\"planpipe-backup\"]");
	load_refused("not a planpipe backup manifest");
}

static void refuses_another_format_or_version(void **state)
{
	json_t *m;

	(void)state;
	m = good_manifest();
	json_object_set_new(m, "format", json_string("pg_dump"));
	manifest_refused(m, "not a planpipe backup manifest");

	m = good_manifest();
	json_object_del(m, "format");
	manifest_refused(m, "not a planpipe backup manifest");

	m = good_manifest();
	json_object_set_new(m, "format_version", json_integer(BK_FORMAT_VERSION + 1));
	manifest_refused(m, "format version 2, this planpipe reads version 1 (the backup was "
			    "written by a newer planpipe)");

	m = good_manifest();
	json_object_set_new(m, "format_version", json_integer(0));
	put_json(BK_MANIFEST, m);
	json_decref(m);
	load_refused("format version 0, this planpipe reads version 1");
	{
		json_t *got = NULL;
		pp_err err;

		assert_int_equal(bk_manifest_load(pp_t_tmp, &got, &err), PP_EINVAL);
		assert_null(strstr(err.msg, "newer"));
	}

	m = good_manifest();
	json_object_set_new(m, "format_version", json_string("1"));
	manifest_refused(m, "format version 0");
}

/* A file list that could make a restore read outside the directory, or skip a check. */
static void refuses_a_tampered_file_list(void **state)
{
	static const char *const bad_names[] = {"../etc/passwd", "/etc/passwd", "sub/db.dump",
						".hidden",       "..",          ""};
	json_t *m;
	size_t i;

	(void)state;
	m = good_manifest();
	json_object_del(json_object_get(m, "files"), BK_GLOBALS);
	manifest_refused(m, "\"files\" must list db.dump and globals.sql");

	m = good_manifest();
	json_object_del(json_object_get(m, "files"), BK_DUMP);
	manifest_refused(m, "\"files\" must list db.dump and globals.sql");

	m = good_manifest();
	json_object_set_new(m, "files", json_string("db.dump"));
	manifest_refused(m, "\"files\" must list db.dump and globals.sql");

	for (i = 0; i < UNIT_NELEM(bad_names); i++) {
		char want[128];

		m = good_manifest();
		json_object_set_new(json_object_get(m, "files"), bad_names[i], file_entry("x"));
		snprintf(want, sizeof(want), "files.%s needs a plain name and a sha256",
			 bad_names[i]);
		manifest_refused(m, want);
	}
	{
		char longname[300];

		memset(longname, 'a', sizeof(longname) - 1);
		longname[sizeof(longname) - 1] = '\0';
		m = good_manifest();
		json_object_set_new(json_object_get(m, "files"), longname, file_entry("x"));
		manifest_refused(m, "needs a plain name and a sha256");
	}
}

static void refuses_a_file_without_a_proper_sha256(void **state)
{
	static const char *const bad[] = {
		"", "abc",
		/* upper case, 63 and 65 digits, a non-hex letter */
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0",
		"ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"};
	json_t *m, *f;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(bad); i++) {
		m = good_manifest();
		f = json_object_get(json_object_get(m, "files"), BK_DUMP);
		json_object_set_new(f, "sha256", json_string(bad[i]));
		manifest_refused(m, "files.db.dump needs a plain name and a sha256");
	}
	m = good_manifest();
	json_object_del(json_object_get(json_object_get(m, "files"), BK_GLOBALS), "sha256");
	manifest_refused(m, "files.globals.sql needs a plain name and a sha256");

	m = good_manifest();
	json_object_set_new(json_object_get(m, "files"), BK_DUMP, json_integer(1));
	manifest_refused(m, "files.db.dump needs a plain name and a sha256");
}

static void refuses_an_incomplete_manifest(void **state)
{
	static const char *const required[] = {"tables", "objects", "schema_version",
					       "server_version_num", "database"};
	json_t *m;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(required); i++) {
		m = good_manifest();
		json_object_del(m, required[i]);
		manifest_refused(m, "incomplete (tables, objects, schema_version, "
				    "server_version_num and database are required)");
		/* Of the wrong type is no better than absent. */
		m = good_manifest();
		json_object_set_new(m, required[i], json_real(1.5));
		manifest_refused(m, "incomplete");
	}

	m = good_manifest();
	json_object_del(json_object_get(json_object_get(m, "tables"), "public.stories"), "rows");
	manifest_refused(m, "tables.public.stories needs rows and checksum");

	m = good_manifest();
	json_object_set_new(json_object_get(json_object_get(m, "tables"), "public.projects"),
			    "checksum", json_integer(7));
	manifest_refused(m, "tables.public.projects needs rows and checksum");

	m = good_manifest();
	json_object_set_new(json_object_get(json_object_get(m, "tables"), "public.projects"),
			    "rows", json_string("3"));
	manifest_refused(m, "tables.public.projects needs rows and checksum");
}

static void refuses_an_oversized_manifest(void **state)
{
	char path[BK_PATH_MAX];
	int fd;

	(void)state;
	/* Sparse: the size alone must refuse it, before anything is read. */
	snprintf(path, sizeof(path), "%s/%s", pp_t_tmp, BK_MANIFEST);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 256L * 1024 * 1024 + 1), 0);
	close(fd);
	load_refused("manifest.json: too large for a manifest");
}

/* bk_manifest_check_files must refuse with PP_EINVAL and want in the message. */
static void check_refused(const json_t *m, const char *want)
{
	pp_err err;

	pp_err_clear(&err);
	if (bk_manifest_check_files(NULL, pp_t_tmp, m, NULL, &err) != PP_EINVAL)
		fail_msg("files accepted, should be refused (%s)", want);
	unit_str_has("message", err.msg, want);
}

static void checks_every_file_against_the_manifest(void **state)
{
	json_t *m = good_manifest();
	char hex[65], want[BK_PATH_MAX + 256], path[BK_PATH_MAX];
	bk_files kept = {-1, NULL, 0};
	char buf[64];
	pp_err err;

	(void)state;
	put_backup(m);
	pp_err_clear(&err);
	assert_int_equal(bk_manifest_check_files(NULL, pp_t_tmp, m, NULL, &err), PP_OK);

	/* What was checked is what the caller gets: the dump rewound, globals in memory. */
	assert_int_equal(bk_manifest_check_files(NULL, pp_t_tmp, m, &kept, &err), PP_OK);
	assert_true(kept.dump_fd >= 0);
	assert_int_equal(read(kept.dump_fd, buf, sizeof(buf)), strlen(DUMP_TEXT));
	assert_memory_equal(buf, DUMP_TEXT, strlen(DUMP_TEXT));
	close(kept.dump_fd);
	assert_int_equal(kept.globals_len, strlen(GLOBALS_TEXT));
	assert_string_equal(kept.globals, GLOBALS_TEXT);
	free(kept.globals);

	/* One byte changed, same size. */
	put_str(BK_DUMP, "PGDMP fake dump contentS\n");
	pp_sha256_hex("PGDMP fake dump contentS\n", strlen(DUMP_TEXT), hex);
	snprintf(want, sizeof(want), "%s/db.dump: checksum mismatch (expected %s, found %s)",
		 pp_t_tmp,
		 bk_json_str(json_object_get(json_object_get(m, "files"), BK_DUMP), "sha256"), hex);
	check_refused(m, want);

	/* Truncated, or grown: not read at all. */
	put_str(BK_DUMP, "PGDMP");
	snprintf(want, sizeof(want),
		 "%s/db.dump: 5 bytes, the manifest says %zu: damaged or replaced", pp_t_tmp,
		 strlen(DUMP_TEXT));
	check_refused(m, want);
	put_str(BK_DUMP, DUMP_TEXT "more");
	check_refused(m, "damaged or replaced");

	/* Missing, or replaced by a link to the very same contents. */
	put_str(BK_DUMP, DUMP_TEXT);
	put_str(BK_GLOBALS, GLOBALS_TEXT "GRANT x TO y;\n");
	check_refused(m, "globals.sql:");
	snprintf(path, sizeof(path), "%s/%s", pp_t_tmp, BK_GLOBALS);
	unlink(path);
	check_refused(m, "globals.sql: missing");
	put_str("elsewhere", GLOBALS_TEXT);
	assert_int_equal(symlink("elsewhere", path), 0);
	check_refused(m, "globals.sql is a symbolic link");
	json_decref(m);
}

/* A globals.sql over its cap is refused even when the manifest agrees on its size. */
static void refuses_an_oversized_globals(void **state)
{
	json_t *m = good_manifest();
	char path[BK_PATH_MAX];
	bk_files kept = {-1, NULL, 0};
	pp_err err;
	int fd;

	(void)state;
	put_backup(m);
	snprintf(path, sizeof(path), "%s/%s", pp_t_tmp, BK_GLOBALS);
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, BK_GLOBALS_MAX + 1), 0);
	close(fd);
	json_object_set_new(json_object_get(json_object_get(m, "files"), BK_GLOBALS), "bytes",
			    json_integer(BK_GLOBALS_MAX + 1));
	pp_err_clear(&err);
	assert_int_equal(bk_manifest_check_files(NULL, pp_t_tmp, m, &kept, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "(too large for a globals.sql)"));
	assert_null(kept.globals);
	if (kept.dump_fd >= 0)
		close(kept.dump_fd);
	json_decref(m);
}

static void hashes_regular_files_only(void **state)
{
	char hex[65], path[BK_PATH_MAX];
	long long bytes = -1, size = -1;
	pp_err err;
	int fd;

	(void)state;
	put_str("abc", "abc");
	snprintf(path, sizeof(path), "%s/abc", pp_t_tmp);
	pp_err_clear(&err);
	assert_int_equal(bk_sha256_file(path, hex, &bytes, &err), PP_OK);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(bytes, 3);

	put_str("empty", "");
	snprintf(path, sizeof(path), "%s/empty", pp_t_tmp);
	assert_int_equal(bk_sha256_file(path, hex, &bytes, &err), PP_OK);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(bytes, 0);

	assert_int_equal(bk_open_regular("/dev/zero", &fd, &size, &err), PP_EINVAL);
	assert_int_equal(fd, -1);
	assert_string_equal(
		err.msg, "/dev/zero is not a regular file (a device, FIFO or directory): refused");
	assert_int_equal(bk_sha256_file("/dev/zero", hex, &bytes, &err), PP_EINVAL);
	assert_int_equal(bytes, 0);
	snprintf(path, sizeof(path), "%s/nosuch", pp_t_tmp);
	assert_int_equal(bk_open_regular(path, &fd, &size, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "nosuch: missing"));

	snprintf(path, sizeof(path), "%s/abc", pp_t_tmp);
	assert_int_equal(bk_open_regular(path, &fd, &size, &err), PP_OK);
	assert_true(fd >= 0);
	assert_int_equal(size, 3);
	close(fd);
}

typedef struct events {
	int warnings;
	char last[PP_ERR_MSG_MAX];
} events;

static void on_event(void *ctx, const pp_backup_event *ev)
{
	events *seen = ctx;

	if (ev->kind == PP_BACKUP_EV_WARNING) {
		seen->warnings++;
		snprintf(seen->last, sizeof(seen->last), "%s", ev->text);
	}
}

/* sig_check(m, key) with an environment carrying key (NULL: none). */
static pp_rc sig_check(const json_t *m, const char *key, events *seen, pp_err *err)
{
	pp_backup_common c;
	pp_config cfg;
	bk_env e;

	memset(&c, 0, sizeof(c));
	memset(&cfg, 0, sizeof(cfg));
	memset(&e, 0, sizeof(e));
	cfg.backup_key = (char *)key;
	c.on_event = on_event;
	c.ctx = seen;
	e.cfg = &cfg;
	e.c = &c;
	pp_err_clear(err);
	return bk_manifest_check_signature(&e, m, "B/manifest.json", err);
}

static void signature_holds_the_manifest_together(void **state)
{
	const char *key = "0123456789abcdef-the-key";
	json_t *m = good_manifest(), *sig;
	events seen = {0, ""};
	pp_err err;

	(void)state;
	pp_err_clear(&err);
	assert_int_equal(bk_manifest_sign(m, key, &err), PP_OK);
	sig = json_object_get(m, "signature");
	assert_string_equal(bk_json_str(sig, "algorithm"), "hmac-sha256");
	assert_int_equal(strlen(bk_json_str(sig, "hmac")), 64);
	assert_int_equal(sig_check(m, key, &seen, &err), PP_OK);
	assert_int_equal(seen.warnings, 0);

	/* Signing again (the old signature is not part of the text) gives the same. */
	{
		json_t *again = json_deep_copy(m);

		assert_int_equal(bk_manifest_sign(again, key, &err), PP_OK);
		assert_true(json_equal(again, m));
		json_decref(again);
	}

	/* Any change to what is signed is caught: a row count, a checksum, a file's hash. */
	{
		json_t *t = json_deep_copy(m);

		json_object_set_new(json_object_get(json_object_get(t, "tables"), "public.stories"),
				    "rows", json_integer(41));
		assert_int_equal(sig_check(t, key, &seen, &err), PP_EINVAL);
		assert_string_equal(err.msg,
				    "B/manifest.json: the signature does not match "
				    "PLANPIPE_BACKUP_KEY: refused (the manifest was changed, or "
				    "signed with another key)");
		json_decref(t);
		t = json_deep_copy(m);
		json_object_set_new(
			json_object_get(json_object_get(t, "files"), BK_DUMP), "sha256",
			json_string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff"
				    "61f20015ad"));
		assert_int_equal(sig_check(t, key, &seen, &err), PP_EINVAL);
		json_decref(t);
		t = json_deep_copy(m);
		json_object_set_new(t, "added", json_true());
		assert_int_equal(sig_check(t, key, &seen, &err), PP_EINVAL);
		json_decref(t);
	}

	/* Another key, even one differing in its last byte. */
	assert_int_equal(sig_check(m, "0123456789abcdef-the-kez", &seen, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "does not match PLANPIPE_BACKUP_KEY"));
	assert_null(strstr(err.msg, key));
	json_decref(m);
}

static void refuses_unsigned_or_oddly_signed_with_a_key(void **state)
{
	const char *key = "0123456789abcdef-the-key";
	json_t *m = good_manifest();
	events seen = {0, ""};
	pp_err err;

	(void)state;
	assert_int_equal(sig_check(m, key, &seen, &err), PP_EINVAL);
	assert_string_equal(err.msg,
			    "B/manifest.json is not signed and PLANPIPE_BACKUP_KEY is set: "
			    "refused (a backup made without the key, or a manifest "
			    "replaced)");

	assert_int_equal(bk_manifest_sign(m, key, &err), PP_OK);
	json_object_set_new(json_object_get(m, "signature"), "algorithm", json_string("md5"));
	assert_int_equal(sig_check(m, key, &seen, &err), PP_EINVAL);
	assert_string_equal(err.msg, "B/manifest.json: signature is not an hmac-sha256: refused");

	json_object_set_new(json_object_get(m, "signature"), "algorithm",
			    json_string("hmac-sha256"));
	json_object_set_new(json_object_get(m, "signature"), "hmac", json_string("abcd"));
	assert_int_equal(sig_check(m, key, &seen, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "signature is not an hmac-sha256"));

	json_object_set_new(m, "signature", json_string("x"));
	assert_int_equal(sig_check(m, key, &seen, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "signature is not an hmac-sha256"));
	assert_int_equal(seen.warnings, 0);
	json_decref(m);
}

static void without_a_key_a_signature_is_not_checked_but_said(void **state)
{
	json_t *m = good_manifest();
	events seen = {0, ""};
	pp_err err;

	(void)state;
	assert_int_equal(sig_check(m, NULL, &seen, &err), PP_OK);
	assert_int_equal(seen.warnings, 0);
	assert_int_equal(bk_manifest_sign(m, "0123456789abcdef-the-key", &err), PP_OK);
	json_object_set_new(m, "tampered", json_true());
	assert_int_equal(sig_check(m, NULL, &seen, &err), PP_OK);
	assert_int_equal(seen.warnings, 1);
	assert_string_equal(seen.last, "B/manifest.json is signed, but PLANPIPE_BACKUP_KEY is not "
				       "set: the signature was not checked");
	json_decref(m);
}

static json_t *stats_like(const json_t *m)
{
	json_t *s = json_pack(
		"{s:O, s:O, s:O}", "schema_version", json_object_get(m, "schema_version"),
		"objects", json_object_get(m, "objects"), "tables", json_object_get(m, "tables"));

	assert_non_null(s);
	return s;
}

/* bk_stats_compare(m, s) must be PP_ECONFLICT with every want in its message. */
static void differs(const json_t *m, const json_t *s, ...)
{
	const char *want;
	va_list ap;
	pp_err err;

	pp_err_clear(&err);
	assert_int_equal(bk_stats_compare(m, s, &err), PP_ECONFLICT);
	va_start(ap, s);
	while ((want = va_arg(ap, const char *)) != NULL) {
		unit_str_has("message", err.msg, want);
	}
	va_end(ap);
}

static void compares_restored_contents_with_the_manifest(void **state)
{
	json_t *m = good_manifest(), *s, *tables;
	pp_err err;

	(void)state;
	s = stats_like(m);
	pp_err_clear(&err);
	assert_int_equal(bk_stats_compare(m, s, &err), PP_OK);
	json_decref(s);

	s = json_deep_copy(m);
	tables = json_object_get(s, "tables");
	json_object_set_new(json_object_get(tables, "public.stories"), "rows", json_integer(39));
	differs(m, s,
		"the restored database does not match the manifest (1 difference):\n"
		"  public.stories: 40 rows in the manifest, 39 restored",
		NULL);
	json_decref(s);

	s = json_deep_copy(m);
	tables = json_object_get(s, "tables");
	json_object_set_new(json_object_get(tables, "public.projects"), "checksum",
			    json_string("zz"));
	differs(m, s, "public.projects: contents differ (checksum c1 in the manifest, zz restored)",
		NULL);
	json_decref(s);

	s = json_deep_copy(m);
	tables = json_object_get(s, "tables");
	json_object_del(tables, "public.projects");
	json_object_set_new(tables, "public.extra",
			    json_pack("{s:i, s:s}", "rows", 0, "checksum", "c"));
	json_object_set_new(s, "schema_version", json_integer(16));
	json_object_set_new(json_object_get(s, "objects"), "functions", json_integer(4));
	differs(m, s, "(4 differences):", "schema version: 17 in the manifest, 16 restored",
		"functions: 5 in the manifest, 4 restored",
		"public.projects: missing from the restored database",
		"public.extra: restored but not in the manifest", NULL);
	json_decref(s);

	s = json_deep_copy(m);
	json_object_set_new(json_object_get(m, "objects"), "extensions",
			    json_string("pgcrypto 1.3"));
	json_object_set_new(json_object_get(s, "objects"), "extensions",
			    json_string("pgcrypto 1.2"));
	differs(m, s, "extensions: \"pgcrypto 1.3\" in the manifest, \"pgcrypto 1.2\" restored",
		NULL);
	json_decref(s);
	json_decref(m);
}

static void lists_twenty_differences_and_counts_all(void **state)
{
	json_t *m = good_manifest(), *s = json_deep_copy(m);
	json_t *tables = json_object_get(m, "tables");
	char name[32];
	pp_err err;
	int i;

	(void)state;
	for (i = 0; i < 25; i++) {
		snprintf(name, sizeof(name), "public.t%02d", i);
		json_object_set_new(tables, name,
				    json_pack("{s:i, s:s}", "rows", 1, "checksum", "c"));
	}
	pp_err_clear(&err);
	assert_int_equal(bk_stats_compare(m, s, &err), PP_ECONFLICT);
	assert_non_null(strstr(err.msg, "(25 differences):"));
	{
		int lines = 0;

		for (const char *p = err.msg; (p = strstr(p, "\n  ")) != NULL; p++)
			lines++;
		assert_int_equal(lines, 21); /* 20 differences and "..." */
	}
	assert_non_null(strstr(err.msg, "\n  ..."));
	json_decref(s);
	json_decref(m);
}

static void writes_synced_files_once(void **state)
{
	char path[BK_PATH_MAX], buf[32];
	pp_err err;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/written", pp_t_tmp);
	pp_err_clear(&err);
	assert_int_equal(bk_write_synced(path, "hello\n", 6, &err), PP_OK);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf), f), 6);
	fclose(f);
	assert_memory_equal(buf, "hello\n", 6);
	/* Never over an existing file. */
	assert_int_equal(bk_write_synced(path, "x", 1, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "cannot create"));
	assert_int_equal(bk_fsync_path(path, &err), PP_OK);
	assert_int_equal(bk_fsync_path(pp_t_tmp, &err), PP_OK);
	snprintf(path, sizeof(path), "%s/nosuch", pp_t_tmp);
	assert_int_equal(bk_fsync_path(path, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "cannot open"));
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test_setup_teardown(loads_a_good_manifest, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(refuses_a_missing_or_unreadable_manifest,
					pp_t_tmp_group_setup, pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(refuses_truncated_or_malformed_json, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(refuses_another_format_or_version, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(refuses_a_tampered_file_list, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(refuses_a_file_without_a_proper_sha256,
					pp_t_tmp_group_setup, pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(refuses_an_incomplete_manifest, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(refuses_an_oversized_manifest, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(checks_every_file_against_the_manifest,
					pp_t_tmp_group_setup, pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(refuses_an_oversized_globals, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
	cmocka_unit_test_setup_teardown(hashes_regular_files_only, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
	cmocka_unit_test(signature_holds_the_manifest_together),
	cmocka_unit_test(refuses_unsigned_or_oddly_signed_with_a_key),
	cmocka_unit_test(without_a_key_a_signature_is_not_checked_but_said),
	cmocka_unit_test(compares_restored_contents_with_the_manifest),
	cmocka_unit_test(lists_twenty_differences_and_counts_all),
	cmocka_unit_test_setup_teardown(writes_synced_files_once, pp_t_tmp_group_setup,
					pp_t_tmp_group_teardown),
};

UNIT_MAIN("backup_manifest", tests)
