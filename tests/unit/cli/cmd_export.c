/*
 * tests/unit/cli/cmd_export.c: src/cli/cmd_export.c's pure parts
 * (cmd_export_int.h): the command line (json or site, DIR, --project in
 * order, the exact refusals, --help within 80 columns), keys as file names
 * and in URLs as the page encodes them, the site's index.html and data.js,
 * the directories above a file, and files written under DIR never through
 * a symbolic link, whole or not at all (in mkdtemp directories). (The export
 * itself: tests/integration/test_api_web.c.)
 */
/* nftw() is an X/Open extension. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "capture.h"
#include "cli/cmd_export_int.h"

/* The parse, with the room and the JSON array pp_cli_export gives it. */
typedef struct call {
	const char *projects[16];
	export_args a;
} call;

static int parse(int argc, char **argv, void *ctx)
{
	call *c = ctx;

	memset(c, 0, sizeof(*c));
	c->a.projects = c->projects;
	c->a.keys = json_array();
	return export_parse_args(argc, argv, &c->a);
}

static void json_and_site_with_projects_in_order(void **state)
{
	const char *json[] = {"export", "json", "out", NULL};
	const char *site[] = {"export", "--project", "B", "site", "/srv/x", "--project=A", NULL};
	call c;
	char *keys;

	(void)state;
	pp_t_expect_argv(parse, json, &c, 0, "", "");
	assert_int_equal(c.a.site, 0);
	assert_string_equal(c.a.dir, "out");
	assert_string_equal(c.a.data_dir, "out");
	assert_int_equal(c.a.n, 0);
	json_decref(c.a.keys);
	pp_t_expect_argv(parse, site, &c, 0, "", "");
	assert_int_equal(c.a.site, 1);
	assert_string_equal(c.a.dir, "/srv/x");
	assert_string_equal(c.a.data_dir, "/srv/x/data");
	assert_int_equal(c.a.n, 2);
	assert_string_equal(c.projects[0], "B");
	assert_string_equal(c.projects[1], "A");
	keys = json_dumps(c.a.keys, JSON_COMPACT);
	assert_string_equal(keys, "[\"B\",\"A\"]");
	free(keys);
	json_decref(c.a.keys);
}

static void wrong_operands_are_refused(void **state)
{
	static const char want[] =
		"planpipe export: error: expected json DIR or site DIR (see planpipe export "
		"--help)\n";
	const char *none[] = {"export", NULL};
	const char *kind[] = {"export", "csv", "out", NULL};
	const char *no_dir[] = {"export", "json", NULL};
	const char *two[] = {"export", "site", "a", "b", NULL};
	const char *empty[] = {"export", "json", "", NULL};
	const char *const *cases[] = {none, kind, no_dir, two};
	call c;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		pp_t_expect_argv(parse, cases[i], &c, -1, "", want);
		json_decref(c.a.keys);
	}
	pp_t_expect_argv(parse, empty, &c, -1, "", "planpipe export: error: DIR is empty\n");
	json_decref(c.a.keys);
}

/* DIR must leave 512 bytes of a path for the files under it, with "/data" for a site. */
static void dir_leaves_room_for_the_files(void **state)
{
	char dir[4096];
	const char *fits[] = {"export", "json", dir, NULL};
	const char *site[] = {"export", "site", dir, NULL};
	call c;

	(void)state;
	memset(dir, 'd', 4096 - 512 - 1);
	dir[4096 - 512 - 1] = '\0';
	pp_t_expect_argv(parse, fits, &c, 0, "", "");
	json_decref(c.a.keys);
	dir[4096 - 512 - 1] = 'd';
	dir[4096 - 512] = '\0';
	pp_t_expect_argv(parse, fits, &c, -1, "", "planpipe export: error: DIR is too long\n");
	json_decref(c.a.keys);
	dir[4096 - 512 - 5] = '\0';
	pp_t_expect_argv(parse, site, &c, -1, "", "planpipe export: error: DIR is too long\n");
	json_decref(c.a.keys);
}

static void help_fits_80_columns(void **state)
{
	const char *args[] = {"export", "--help", NULL};
	char *out, *err;
	call c;

	(void)state;
	assert_int_equal(pp_t_capture_argv(parse, args, &c, &out, &err), 1);
	json_decref(c.a.keys);
	assert_string_equal(err, "");
	assert_ptr_equal(strstr(out, "usage: planpipe export json DIR [--project KEY]...\n"), out);
	pp_t_assert_width(out, 80);
	free(out);
	free(err);
}

static void file_names_keep_safe_characters(void **state)
{
	char s[160];

	(void)state;
	export_file_name(s, sizeof(s), "API-2_x");
	assert_string_equal(s, "API-2_x");
	export_file_name(s, sizeof(s), "a/b c\\d");
	assert_string_equal(s, "a_b_c_d");
	/* A leading dot would hide the file, and ".." climb out. */
	export_file_name(s, sizeof(s), "..");
	assert_string_equal(s, "_.");
	export_file_name(s, sizeof(s), "v1.2");
	assert_string_equal(s, "v1.2");
	export_file_name(s, 4, "ABCDEF");
	assert_string_equal(s, "ABC");
}

static void uri_encode_is_encode_uri_component(void **state)
{
	pp_buf b;

	(void)state;
	pp_buf_init(&b, 1024);
	assert_int_equal(export_uri_encode(&b, "Az09-_.!~*'()"), PP_OK);
	assert_string_equal(pp_buf_str(&b), "Az09-_.!~*'()");
	pp_buf_reset(&b);
	assert_int_equal(export_uri_encode(&b, "a b&c=d/e?f#\xc3\xa9"), PP_OK);
	assert_string_equal(pp_buf_str(&b), "a%20b%26c%3Dd%2Fe%3Ff%23%C3%A9");
	/* Appends: the caller builds "KEY&backlog=NAME" in one buffer. */
	assert_int_equal(export_uri_encode(&b, "+"), PP_OK);
	assert_string_equal(pp_buf_str(&b), "a%20b%26c%3Dd%2Fe%3Ff%23%C3%A9%2B");
	pp_buf_free(&b);
}

static void site_index_gets_the_policy_and_data_js(void **state)
{
	static const char page[] = "<html><head>\n<meta charset=\"utf-8\">\n<title>t</title>\n"
				   "<script defer src=\"ui/app.js\"></script>\n</head></html>\n";
	static const char early[] = "<script defer src=\"a.js\"></script>\n"
				    "<meta charset=\"utf-8\">\n";
	const char *s, *csp, *tag, *script;
	pp_buf b;

	(void)state;
	pp_buf_init(&b, 1 << 16);
	assert_int_equal(export_site_index(&b, page), PP_OK);
	s = pp_buf_str(&b);
	assert_memory_equal(s,
			    "<html><head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-"
			    "Security-Policy\" content=\"default-src 'self';",
			    91);
	csp = strstr(s, "form-action 'none'\">\n<title>t</title>\n");
	tag = strstr(s, "<title>t</title>\n<script src=\"data.js\"></script>\n<script defer");
	script = strstr(s, "<script defer src=\"ui/app.js\"></script>\n</head></html>\n");
	assert_non_null(csp);
	assert_non_null(tag);
	assert_non_null(script);
	assert_true(csp < tag && tag < script);
	assert_non_null(strstr(s, "connect-src 'none'"));
	/* Without the charset, without a deferred script, or with it first: unchanged. */
	assert_int_equal(export_site_index(&b, "<p>no head</p>\n"), PP_OK);
	assert_string_equal(pp_buf_str(&b), "<p>no head</p>\n");
	assert_int_equal(export_site_index(&b, "<meta charset=\"utf-8\">\n"), PP_OK);
	assert_string_equal(pp_buf_str(&b), "<meta charset=\"utf-8\">\n");
	assert_int_equal(export_site_index(&b, early), PP_OK);
	assert_string_equal(pp_buf_str(&b), early);
	pp_buf_free(&b);
}

static void data_js_never_closes_the_script(void **state)
{
	pp_buf b;

	(void)state;
	pp_buf_init(&b, 1 << 16);
	assert_int_equal(export_data_js(&b, "{\"a\":\"</script><script>x</script>\",\"b\":\"<\"}"),
			 PP_OK);
	assert_string_equal(pp_buf_str(&b),
			    "/* Written by planpipe export site: the dashboard's data. */\n"
			    "window.PP_STATIC = {\"a\":\"<\\/script><script>x<\\/script>\",\"b\":"
			    "\"<\"};\n");
	assert_int_equal(export_data_js(&b, "{}"), PP_OK);
	assert_non_null(strstr(pp_buf_str(&b), "\nwindow.PP_STATIC = {};\n"));
	/* A buffer too small says so, and is not "out of memory". */
	pp_buf_free(&b);
	pp_buf_init(&b, 16);
	assert_int_equal(export_data_js(&b, "{}"), PP_ETOOBIG);
	pp_buf_free(&b);
}

static void make_parents_creates_the_directories_above(void **state)
{
	char tmp[] = "/tmp/pp-export-XXXXXX", path[256], sub[300];
	struct stat st;
	pp_err err;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(tmp));
	pp_err_clear(&err);
	snprintf(path, sizeof(path), "%s/a/b/c.json", tmp);
	assert_int_equal(export_make_parents(path, &err), PP_OK);
	snprintf(sub, sizeof(sub), "%s/a/b", tmp);
	assert_int_equal(stat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(stat(path, &st), -1);
	/* Again: the directories exist already. */
	assert_int_equal(export_make_parents(path, &err), PP_OK);
	/* A file where a directory must go. */
	snprintf(sub, sizeof(sub), "%s/file", tmp);
	f = fopen(sub, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/file/x/y.json", tmp);
	assert_int_equal(export_make_parents(path, &err), PP_EIO);
	snprintf(path, sizeof(path), "cannot create %s/file/x: %s", tmp, strerror(ENOTDIR));
	assert_string_equal(err.msg, path);
	assert_int_equal(unlink(sub), 0);
	snprintf(sub, sizeof(sub), "%s/a/b", tmp);
	assert_int_equal(rmdir(sub), 0);
	snprintf(sub, sizeof(sub), "%s/a", tmp);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(tmp), 0);
}

static void make_parents_refuses_a_path_too_long(void **state)
{
	char path[5000];
	pp_err err;

	(void)state;
	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	pp_err_clear(&err);
	assert_int_equal(export_make_parents(path, &err), PP_EINVAL);
	assert_memory_equal(err.msg, "path too long: ppp", 17);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* rm -rf dir, never through a link (FTW_PHYS). */
static void remove_tree(const char *dir)
{
	assert_int_equal(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* The names in dir, sorted, one per line, into out (size bytes). */
static const char *listing(const char *dir, char *out, size_t size)
{
	struct dirent **names;
	int i, n = scandir(dir, &names, NULL, alphasort);
	size_t len = 0;

	assert_true(n >= 0);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0)
			len += (size_t)snprintf(out + len, size - len, "%s\n", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return out;
}

static const char *slurp(const char *dir, const char *rel, char *out, size_t size)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "rb");
	if (f == NULL)
		return "(missing)";
	n = fread(out, 1, size - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

/* A new directory from the template tmp ("...XXXXXX"), opened: its descriptor. */
static int temp_dir(char *tmp)
{
	int fd;

	assert_non_null(mkdtemp(tmp));
	fd = open(tmp, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

static void write_at_creates_then_replaces(void **state)
{
	char tmp[] = "/tmp/pp-export-XXXXXX", sub[300], got[256];
	pp_err err;
	int fd;

	(void)state;
	fd = temp_dir(tmp);
	pp_err_clear(&err);
	assert_int_equal(export_write_at(fd, "DIR", "a/b/c.json", "first\n", 6, &err), PP_OK);
	unit_str_equal("a/b/c.json", slurp(tmp, "a/b/c.json", got, sizeof(got)), "first\n");
	/* Replaced whole, and the temporary file gone. */
	assert_int_equal(export_write_at(fd, "DIR", "a/b/c.json", "2\n", 2, &err), PP_OK);
	unit_str_equal("a/b/c.json again", slurp(tmp, "a/b/c.json", got, sizeof(got)), "2\n");
	snprintf(sub, sizeof(sub), "%s/a/b", tmp);
	unit_str_equal("a/b holds", listing(sub, got, sizeof(got)), "c.json\n");
	assert_int_equal(export_write_at(fd, "DIR", "top.json", "", 0, &err), PP_OK);
	unit_str_equal("DIR holds", listing(tmp, got, sizeof(got)), "a\ntop.json\n");
	close(fd);
	remove_tree(tmp);
}

/* A link where the export writes, and what it leads to in the outside directory. */
typedef struct link_case {
	const char *link;   /* under DIR */
	const char *target; /* under the outside directory; "" the directory itself */
	const char *rel;    /* what the export writes */
	const char *shown;  /* the path the message names, under DIR */
} link_case;

static void write_at_refuses_links(void **state)
{
	static const link_case cases[] = {
		{"x.json", "precious", "x.json", "x.json"},
		{"new.json", "new.json", "new.json", "new.json"},
		{"a", "", "a/x.json", "a"},
		{"a/b", "", "a/b/c/x.json", "a/b"},
		{"a/b/x.json", "precious", "a/b/x.json", "a/b/x.json"},
	};
	char want[600], got[256], path[512];
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		const link_case *c = &cases[i];
		char dir[] = "/tmp/pp-export-XXXXXX", out[] = "/tmp/pp-export-XXXXXX";
		char *slash;
		pp_err err;
		FILE *f;
		int fd;

		assert_non_null(mkdtemp(dir));
		assert_non_null(mkdtemp(out));
		snprintf(path, sizeof(path), "%s/precious", out);
		f = fopen(path, "w");
		assert_non_null(f);
		fputs("precious\n", f);
		fclose(f);
		snprintf(path, sizeof(path), "%s/%s", dir, c->link);
		for (slash = strchr(path + strlen(dir) + 1, '/'); slash;
		     slash = strchr(slash + 1, '/')) {
			*slash = '\0';
			assert_int_equal(mkdir(path, 0755), 0);
			*slash = '/';
		}
		snprintf(want, sizeof(want), "%s%s%s", out, c->target[0] ? "/" : "", c->target);
		assert_int_equal(symlink(want, path), 0);
		fd = open(dir, O_RDONLY | O_DIRECTORY);
		assert_true(fd >= 0);
		pp_err_clear(&err);
		unit_int_equal(c->link, export_write_at(fd, "DIR", c->rel, "evil\n", 5, &err),
			       PP_EINVAL);
		snprintf(want, sizeof(want),
			 "DIR/%s is a symbolic link: export writes only regular files it creates",
			 c->shown);
		unit_str_equal(c->link, err.msg, want);
		/* The outside as it was; beside the link, no temporary file. */
		unit_str_equal(c->link, listing(out, got, sizeof(got)), "precious\n");
		unit_str_equal(c->link, slurp(out, "precious", got, sizeof(got)), "precious\n");
		snprintf(path, sizeof(path), "%s/%s", dir, c->link);
		*strrchr(path, '/') = '\0';
		snprintf(want, sizeof(want), "%s\n",
			 strrchr(c->link, '/') ? strrchr(c->link, '/') + 1 : c->link);
		unit_str_equal(c->link, listing(path, got, sizeof(got)), want);
		close(fd);
		remove_tree(dir);
		remove_tree(out);
	}
}

/* A file where a directory goes, a directory where a file goes: the reason, nothing left. */
static void write_at_names_what_is_in_the_way(void **state)
{
	char tmp[] = "/tmp/pp-export-XXXXXX", path[300], got[256];
	pp_err err;
	int fd;

	(void)state;
	fd = temp_dir(tmp);
	pp_err_clear(&err);
	assert_int_equal(export_write_at(fd, "DIR", "f", "x", 1, &err), PP_OK);
	assert_int_equal(export_write_at(fd, "DIR", "f/x.json", "x", 1, &err), PP_EIO);
	snprintf(path, sizeof(path), "cannot open DIR/f: %s", strerror(ENOTDIR));
	unit_str_equal("a file where a directory goes", err.msg, path);
	snprintf(path, sizeof(path), "%s/d", tmp);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(export_write_at(fd, "DIR", "d", "x", 1, &err), PP_EIO);
	snprintf(path, sizeof(path), "cannot write DIR/d: %s", strerror(EISDIR));
	unit_str_equal("a directory where a file goes", err.msg, path);
	unit_str_equal("DIR holds", listing(tmp, got, sizeof(got)), "d\nf\n");
	close(fd);
	remove_tree(tmp);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(json_and_site_with_projects_in_order),
	cmocka_unit_test(wrong_operands_are_refused),
	cmocka_unit_test(dir_leaves_room_for_the_files),
	cmocka_unit_test(help_fits_80_columns),
	cmocka_unit_test(file_names_keep_safe_characters),
	cmocka_unit_test(uri_encode_is_encode_uri_component),
	cmocka_unit_test(site_index_gets_the_policy_and_data_js),
	cmocka_unit_test(data_js_never_closes_the_script),
	cmocka_unit_test(make_parents_creates_the_directories_above),
	cmocka_unit_test(make_parents_refuses_a_path_too_long),
	cmocka_unit_test(write_at_creates_then_replaces),
	cmocka_unit_test(write_at_refuses_links),
	cmocka_unit_test(write_at_names_what_is_in_the_way),
};

UNIT_MAIN("cmd_export", tests)
