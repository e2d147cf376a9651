/*
 * tests/unit/core/file.c: src/core/file.c against real files in a temporary
 * directory: whole reads (empty, NUL bytes, exactly the cap), the cap as its
 * own error (PP_EINVAL "larger than", never PP_ENOMEM), a missing file and
 * one that is not a regular file; creation that never overwrites and leaves
 * no temporary file behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "core/file.h"

static char tmp[256]; /* this test program's directory, removed at the end */

/* tmp/name into out. */
static void at(char *out, size_t size, const char *name)
{
	assert_true(snprintf(out, size, "%s/%s", tmp, name) < (int)size);
}

/* Writes len bytes to tmp/name (replacing it); its path in out. */
static void put(const char *name, const void *data, size_t len, char *out, size_t size)
{
	FILE *f;

	at(out, size, name);
	f = fopen(out, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Reads path, which must succeed, into *data and *len. */
static void read_ok(const char *path, size_t max, char **data, size_t *len)
{
	pp_err err;

	pp_err_clear(&err);
	if (pp_file_read(path, max, data, len, &err) != PP_OK)
		fail_msg("read %s: %s", path, err.msg);
	assert_non_null(*data);
}

static void reads_whole_file(void **state)
{
	char path[512], *data;
	size_t len;

	(void)state;
	put("plain", "hello\nworld\n", 12, path, sizeof(path));
	read_ok(path, 1024, &data, &len);
	assert_int_equal(len, 12);
	assert_string_equal(data, "hello\nworld\n");
	free(data);
	/* A cap far above any file: no overflow in the size check. */
	read_ok(path, SIZE_MAX, &data, &len);
	assert_int_equal(len, 12);
	free(data);
}

/* NUL bytes are content: len counts them and the terminator comes after. */
static void keeps_nul_bytes(void **state)
{
	static const char bytes[] = {'a', '\0', 'b', '\0', '\0', 'c'};
	char path[512], *data;
	size_t len;

	(void)state;
	put("nul", bytes, sizeof(bytes), path, sizeof(path));
	read_ok(path, 64, &data, &len);
	assert_int_equal(len, sizeof(bytes));
	assert_memory_equal(data, bytes, sizeof(bytes));
	assert_int_equal(data[len], '\0');
	free(data);
}

/* An empty file is "" (not NULL), length 0. */
static void empty_file(void **state)
{
	char path[512], *data;
	size_t len = 99;

	(void)state;
	put("empty", "", 0, path, sizeof(path));
	read_ok(path, 0, &data, &len);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);
}

/* Exactly max bytes is allowed; one more is "too large", which is not ENOMEM. */
static void cap_is_its_own_error(void **state)
{
	char path[512], big[4097], *data = (char *)1;
	size_t len = 99;
	pp_err err;

	(void)state;
	memset(big, 'x', sizeof(big));
	put("big", big, sizeof(big), path, sizeof(path));
	read_ok(path, sizeof(big), &data, &len);
	assert_int_equal(len, sizeof(big));
	free(data);

	pp_err_clear(&err);
	assert_int_equal(pp_file_read(path, sizeof(big) - 1, &data, &len, &err), PP_EINVAL);
	assert_int_equal(err.rc, PP_EINVAL);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "larger than 4096 bytes"));
	assert_null(data);
	assert_int_equal(len, 0);
}

static void missing_file(void **state)
{
	char path[512], *data = (char *)1;
	size_t len = 99;
	pp_err err;

	(void)state;
	at(path, sizeof(path), "no-such-file");
	pp_err_clear(&err);
	assert_int_equal(pp_file_read(path, 1024, &data, &len, &err), PP_EIO);
	assert_non_null(strstr(err.msg, path));
	assert_non_null(strstr(err.msg, "No such file"));
	assert_null(data);
	assert_int_equal(len, 0);
}

/* A directory or a device is refused, not read (a device has no size to cap). */
static void not_a_regular_file(void **state)
{
	char fifo[300];
	const char *paths[] = {tmp, "/dev/null", fifo};
	char *data = (char *)1;
	size_t len = 99;
	pp_err err;

	(void)state;
	/* A FIFO with no writer: refused at once, never waited on. */
	snprintf(fifo, sizeof(fifo), "%s/a-fifo", tmp);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	for (size_t i = 0; i < UNIT_NELEM(paths); i++) {
		pp_err_clear(&err);
		unit_int_equal(paths[i], pp_file_read(paths[i], 1024, &data, &len, &err), PP_EIO);
		unit_str_has(paths[i], err.msg, "is not a regular file");
		unit_str_has(paths[i], err.msg, paths[i]);
		unit_true(paths[i], data == NULL);
	}
	unlink(fifo);
}

/* The number of entries of tmp whose name starts with prefix. */
static int entries(const char *prefix)
{
	struct dirent *de;
	DIR *d = opendir(tmp);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void create_writes_contents(void **state)
{
	static const char bytes[] = {'1', '\0', '2', '\n'};
	char path[512], *data;
	struct stat st;
	size_t len;
	pp_err err;

	(void)state;
	at(path, sizeof(path), "created");
	pp_err_clear(&err);
	assert_int_equal(pp_file_create(path, bytes, sizeof(bytes), &err), PP_OK);
	read_ok(path, 64, &data, &len);
	assert_int_equal(len, sizeof(bytes));
	assert_memory_equal(data, bytes, sizeof(bytes));
	free(data);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644 & ~(mode_t)0022);
	/* Only the file itself: the temporary name is gone. */
	assert_int_equal(entries("created"), 1);

	at(path, sizeof(path), "created-empty");
	assert_int_equal(pp_file_create(path, "", 0, &err), PP_OK);
	read_ok(path, 64, &data, &len);
	assert_int_equal(len, 0);
	free(data);
}

/* An existing file is never overwritten: PP_ECONFLICT, its contents kept. */
static void create_refuses_existing(void **state)
{
	char path[512], *data;
	size_t len;
	pp_err err;

	(void)state;
	put("existing", "old", 3, path, sizeof(path));
	pp_err_clear(&err);
	assert_int_equal(pp_file_create(path, "new contents", 12, &err), PP_ECONFLICT);
	assert_non_null(strstr(err.msg, path));
	read_ok(path, 64, &data, &len);
	assert_string_equal(data, "old");
	free(data);
	assert_int_equal(entries("existing"), 1);
}

static void create_errors(void **state)
{
	char path[512], *long_path;
	pp_err err;

	(void)state;
	at(path, sizeof(path), "no-such-dir/file");
	pp_err_clear(&err);
	assert_int_equal(pp_file_create(path, "x", 1, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "no-such-dir/file"));

	long_path = malloc(5000);
	assert_non_null(long_path);
	memset(long_path, 'a', 4999);
	long_path[4999] = '\0';
	pp_err_clear(&err);
	assert_int_equal(pp_file_create(long_path, "x", 1, &err), PP_EINVAL);
	assert_non_null(strstr(err.msg, "path too long"));
	free(long_path);
}

static int setup(void **state)
{
	(void)state;
	umask(0022);
	snprintf(tmp, sizeof(tmp), "%s/pp-file-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmp) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : -1;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(reads_whole_file),
	cmocka_unit_test(keeps_nul_bytes),
	cmocka_unit_test(empty_file),
	cmocka_unit_test(cap_is_its_own_error),
	cmocka_unit_test(missing_file),
	cmocka_unit_test(not_a_regular_file),
	cmocka_unit_test(create_writes_contents),
	cmocka_unit_test(create_refuses_existing),
	cmocka_unit_test(create_errors),
};

UNIT_MAIN_WITH("file", tests, setup, teardown)
