/*
 * tests/unit/web/web.c: src/web/web.c's pure parts: the embedded dashboard
 * files (every file under web/, sorted, byte for byte, each with its own
 * strong ETag) found by path, and the Content-Type by extension. The
 * handlers are tested over HTTP (tests/integration/test_api_web.c).
 */
/* nftw() is an X/Open extension. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "core/file.h"
#include "web/assets.h"

static void content_type_by_extension(void **state)
{
	static const struct {
		const char *path, *type;
	} cases[] = {
		{"index.html", "text/html; charset=utf-8"},
		{"ui/app.js", "text/javascript; charset=utf-8"},
		{"ui/app.css", "text/css; charset=utf-8"},
		{"data/index.json", "application/json"},
		{"ui/vendor/README.md", "text/markdown; charset=utf-8"},
		{"ui/icon.svg", "image/svg+xml"},
		{"shot.png", "image/png"},
		{"favicon.ico", "image/x-icon"},
		{"archive.tar.gz", "application/octet-stream"},
		{"js", "application/octet-stream"}, /* a name, not an extension */
		{"", "application/octet-stream"},
		{"ui/app.JS", "application/octet-stream"}, /* the files' own case only */
		{"app.js.map", "application/octet-stream"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++)
		unit_str_equal(cases[i].path, pp_web_content_type(cases[i].path), cases[i].type);
}

static void find_by_exact_path(void **state)
{
	static const struct {
		const char *path;
		int found;
	} cases[] = {
		{"index.html", 1},  {"ui/app.js", 1},        {"ui/vendor/chart.umd.min.js", 1},
		{"/index.html", 0}, {"ui/../index.html", 0}, {"ui", 0},
		{"ui/", 0},         {"INDEX.HTML", 0},       {"", 0},
	};
	const pp_web_asset *a;
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		a = pp_web_asset_find(cases[i].path);
		if ((a != NULL) != cases[i].found)
			fail_msg("\"%s\" %s", cases[i].path, a ? "found" : "not found");
		if (a != NULL)
			unit_str_equal(cases[i].path, a->path, cases[i].path);
	}
}

/* Sorted, NUL-terminated, as on disk; strong ETags, all different. */
static void assets_are_the_files_under_web(void **state)
{
	const char *root = getenv("PP_SOURCE_ROOT");
	char path[4096];
	size_t i, j;

	(void)state;
	assert_non_null(root);
	assert_true(pp_web_assets_count > 3);
	assert_null(pp_web_assets[pp_web_assets_count].path);
	for (i = 0; i < pp_web_assets_count; i++) {
		const pp_web_asset *a = &pp_web_assets[i];
		char *data = NULL;
		size_t len = 0;
		pp_err err;

		if (i > 0 && strcmp(pp_web_assets[i - 1].path, a->path) >= 0)
			fail_msg("not sorted: %s before %s", pp_web_assets[i - 1].path, a->path);
		unit_true(a->path, pp_web_asset_find(a->path) == a);
		unit_int_equal(a->path, a->data[a->len], '\0');
		snprintf(path, sizeof(path), "%s/web/%s", root, a->path);
		if (pp_file_read(path, 64 << 20, &data, &len, &err) != PP_OK)
			fail_msg("%s", err.msg);
		if (len != a->len || memcmp(data, a->data, len) != 0)
			fail_msg("web/%s differs from its embedded copy", a->path);
		free(data);
		unit_int_equal(a->path, strlen(a->etag), 18);
		unit_int_equal(a->path, a->etag[0], '"');
		unit_int_equal(a->path, a->etag[17], '"');
		unit_int_equal(a->path, strspn(a->etag + 1, "0123456789abcdef"), 16);
		for (j = 0; j < i; j++)
			if (strcmp(pp_web_assets[j].etag, a->etag) == 0)
				fail_msg("%s and %s share the ETag %s", pp_web_assets[j].path,
					 a->path, a->etag);
	}
}

static size_t web_dir_len, files_on_disk;

static int on_disk(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag != FTW_F)
		return 0;
	files_on_disk++;
	if (pp_web_asset_find(path + web_dir_len) == NULL)
		fail_msg("%s is not embedded", path);
	return 0;
}

/* Every file under web/ is embedded, none left out. */
static void every_file_under_web_is_embedded(void **state)
{
	const char *root = getenv("PP_SOURCE_ROOT");
	char dir[4096];

	(void)state;
	assert_non_null(root);
	snprintf(dir, sizeof(dir), "%s/web/", root);
	web_dir_len = strlen(dir);
	files_on_disk = 0;
	assert_int_equal(nftw(dir, on_disk, 16, FTW_PHYS), 0);
	assert_int_equal(files_on_disk, pp_web_assets_count);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(content_type_by_extension),
	cmocka_unit_test(find_by_exact_path),
	cmocka_unit_test(assets_are_the_files_under_web),
	cmocka_unit_test(every_file_under_web_is_embedded),
};

UNIT_MAIN("web", tests)
