/*
 * gen_files.c: a tree of story files for the import benchmark (bench/import/run).
 *
 *   bench-import-gen DIR N [TOUCH_PERCENT GENERATION]
 *
 * Writes DIR/dNNN/IMP-<i>.md for i = 1..N (1,000 files a directory): YAML
 * front matter (id, title, status, priority, estimate, epic, owner, labels,
 * created, dependencies) and a markdown body of about 3 KB, all from a fixed
 * seed. Story i depends on one or two stories with lower numbers (1.5 on
 * average), so the graph has no cycle. With TOUCH_PERCENT, only every file
 * whose number falls in that share (i % 100 < TOUCH_PERCENT) is rewritten,
 * its status and body marked with GENERATION: a "1% changed" tree.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static const char *const words[] = {
	"queue",  "index",    "backlog", "report", "import", "status", "owner",   "review",
	"schema", "endpoint", "cache",   "token",  "commit", "branch", "release", "metric",
	"story",  "epic",     "rank",    "label",  "export", "parser", "worker",  "budget",
};
static const char *const statuses[] = {"draft", "ready", "in_progress", "review", "done"};
static const char *const priorities[] = {"critical", "high", "medium", "low"};

static void sentence(FILE *f, uint64_t *s, int n)
{
	int k;

	for (k = 0; k < n; k++)
		fprintf(f, "%s%s", k ? " " : "", words[next(s) % (sizeof(words) / sizeof(*words))]);
}

static int write_story(const char *dir, long i, int generation)
{
	char path[4096];
	uint64_t s = 0x9e3779b97f4a7c15ULL ^ (uint64_t)i * 0x100000001b3ULL;
	long d1, d2;
	int k;
	FILE *f;

	next(&s);
	snprintf(path, sizeof(path), "%s/d%03ld", dir, (i - 1) / 1000);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return -1;
	snprintf(path, sizeof(path), "%s/d%03ld/IMP-%ld.md", dir, (i - 1) / 1000, i);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fprintf(f, "---\nid: IMP-%ld\ntitle: ", i);
	sentence(f, &s, 6);
	fprintf(f, "\nstatus: %s\npriority: %s\nestimate: \"%dsp\"\nepic: epic-%ld\n",
		statuses[(next(&s) + (uint64_t)generation) % 5], priorities[next(&s) % 4],
		(int)(next(&s) % 8) + 1, i % 50);
	fprintf(f, "owner: user%ld\nlabels: [%s, %s]\ncreated: 2025-0%ld-1%ld\n", i % 97,
		words[i % 24], words[(i / 24) % 24], 1 + i % 9, i % 10);
	d1 = i > 1 ? 1 + (long)(next(&s) % (uint64_t)(i - 1)) : 0;
	d2 = i > 2 && i % 2 == 0 ? 1 + (long)(next(&s) % (uint64_t)(i - 1)) : 0;
	if (d2 == d1)
		d2 = 0;
	fprintf(f, "dependencies: [");
	if (d1)
		fprintf(f, "IMP-%ld", d1);
	if (d2)
		fprintf(f, ", IMP-%ld", d2);
	fprintf(f, "]\n---\n\n# IMP-%ld: the story\n\n", i);
	if (generation)
		fprintf(f, "Changed in generation %d.\n\n", generation);
	for (k = 0; k < 24; k++) {
		fputs(k % 6 == 0 ? "\n## " : "", f);
		sentence(f, &s, 14 + (int)(next(&s) % 6));
		fputs(".\n", f);
	}
	fputs("\n## Acceptance Criteria\n", f);
	for (k = 0; k < 6; k++) {
		fputs(next(&s) % 2 ? "- [x] " : "- [ ] ", f);
		sentence(f, &s, 8);
		fputs("\n", f);
	}
	return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	long n, i, touch = -1;
	int generation = 0;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: %s DIR N [TOUCH_PERCENT GENERATION]\n", argv[0]);
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	if (argc == 5) {
		touch = strtol(argv[3], NULL, 10);
		generation = (int)strtol(argv[4], NULL, 10);
	}
	if (mkdir(argv[1], 0755) != 0 && errno != EEXIST) {
		perror(argv[1]);
		return 1;
	}
	for (i = 1; i <= n; i++) {
		if (touch >= 0 && i % 100 >= touch)
			continue;
		if (write_story(argv[1], i, generation) != 0) {
			perror(argv[1]);
			return 1;
		}
	}
	return 0;
}
