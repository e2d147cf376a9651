/*
 * replay.c: runs LLVMFuzzerTestOneInput on every file of the directories (or
 * files) named on the command line, so that CI replays a fuzz corpus under
 * ASan+UBSan with the ordinary compiler and without libFuzzer. A crash or
 * sanitizer report fails the run; otherwise it prints how many inputs it fed.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int feed(const char *path)
{
	pp_err err;
	char *data = NULL;
	size_t len;

	if (pp_file_read(path, 64u << 20, &data, &len, &err) != PP_OK) {
		fprintf(stderr, "replay: %s\n", err.msg);
		return -1;
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	free(data);
	return 0;
}

/* Feeds path, or each regular file directly in it; returns the count or -1. */
static long feed_all(const char *path)
{
	struct dirent *de;
	struct stat st;
	char child[4096];
	long n = 0;
	DIR *d;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return feed(path) == 0 ? 1 : -1;
	d = opendir(path);
	if (d == NULL) {
		perror(path);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
		if (stat(child, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (feed(child) != 0) {
			n = -1;
			break;
		}
		n++;
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	long total = 0, n;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		n = feed_all(argv[i]);
		if (n < 0)
			return 1;
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "replay: no inputs found\n");
		return 1;
	}
	printf("replay: %ld inputs, no crash\n", total);
	return 0;
}
