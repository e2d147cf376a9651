/*
 * parse_only.c: the import benchmark's floor without a database
 * (bench/import/run): walks DIR as the importer reads it (*.md files, no
 * hidden directories), reads each file, computes its git blob id and parses
 * it with the importer's own parser (pp_story_parse). With OUT, writes one
 * COPY text row per story (path, blob, key, title, status, body) there, for
 * the `psql \copy` baseline of the same rows.
 *
 *   bench-import-parse DIR [OUT]
 */
#define _GNU_SOURCE /* FTW_ACTIONRETVAL */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "import/story.h"

static FILE *out;
static size_t root_len, n_files, n_failed;

static void field(const char *s)
{
	if (s == NULL) {
		fputs("\\N", out);
		return;
	}
	for (; *s; s++) {
		switch (*s) {
		case '\\':
			fputs("\\\\", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		default:
			putc(*s, out);
		}
	}
}

static int one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	char blob[PP_GIT_OID_HEX_LEN + 1];
	const char *rel = path + root_len + 1;
	size_t len = strlen(path);
	pp_story s;
	pp_err err;
	char *data;
	FILE *f;

	if (type == FTW_D && ftw->level > 0 && path[ftw->base] == '.')
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F || len < 3 || strcmp(path + len - 3, ".md") != 0)
		return 0;
	if ((data = malloc((size_t)st->st_size + 1)) == NULL || (f = fopen(path, "rb")) == NULL)
		return -1;
	len = fread(data, 1, (size_t)st->st_size, f);
	fclose(f);
	data[len] = '\0';
	pp_git_blob_id(data, len, blob);
	n_files++;
	if (pp_story_parse(rel, data, len, &s, &err) != PP_OK) {
		n_failed++;
		free(data);
		return 0;
	}
	if (out) {
		field(rel);
		fprintf(out, "\t%s\t", blob);
		field(s.key);
		putc('\t', out);
		field(s.title);
		putc('\t', out);
		field(s.status);
		putc('\t', out);
		field(s.body);
		putc('\n', out);
	}
	pp_story_free(&s);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s DIR [OUT]\n", argv[0]);
		return 2;
	}
	if (argc == 3 && (out = fopen(argv[2], "w")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	root_len = strlen(argv[1]);
	if (nftw(argv[1], one, 64, FTW_PHYS | FTW_ACTIONRETVAL) != 0) {
		perror(argv[1]);
		return 1;
	}
	if (out && fclose(out) != 0)
		return 1;
	printf("%zu files, %zu not parsed\n", n_files, n_failed);
	return n_failed ? 1 : 0;
}
