/* gitrepo.c: see gitrepo.h. */
#include "gitrepo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char pp_t_tmp[256];
static int serial;

int pp_t_tmp_setup(const char *tag)
{
	snprintf(pp_t_tmp, sizeof(pp_t_tmp), "%s/pp-%s-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", tag);
	if (mkdtemp(pp_t_tmp) == NULL)
		return -1;
	/* Only the tests' settings: no user or system git configuration. */
	setenv("HOME", pp_t_tmp, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
	setenv("GIT_CEILING_DIRECTORIES", pp_t_tmp, 1);
	setenv("TZ", "UTC", 1);
	return 0;
}

int pp_t_tmp_teardown(void)
{
	char cmd[600];

	if (pp_t_tmp[0] == '\0')
		return 0;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", pp_t_tmp);
	return system(cmd) == 0 ? 0 : -1;
}

int pp_t_tmp_up(void **state)
{
	(void)state;
	return pp_t_tmp_setup("unit");
}

int pp_t_tmp_down(void **state)
{
	(void)state;
	return pp_t_tmp_teardown();
}

void pp_t_file(const char *dir, const char *rel, const char *text)
{
	char full[4096];
	FILE *f;

	assert_true(snprintf(full, sizeof(full), "%s/%s", dir, rel) < (int)sizeof(full));
	for (char *p = strchr(full + strlen(dir) + 1, '/'); p != NULL; p = strchr(p + 1, '/')) {
		*p = '\0';
		mkdir(full, 0700);
		*p = '/';
	}
	f = fopen(full, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* "cd 'dir' && { FMT; }" into cmd, redirect appended. */
static void build(char *cmd, size_t size, const char *dir, const char *redirect, const char *fmt,
		  va_list ap)
{
	int n;

	n = snprintf(cmd, size, "cd '%s' && { ", dir);
	n += vsnprintf(cmd + n, size - (size_t)n, fmt, ap);
	assert_true(n < (int)size - 32);
	snprintf(cmd + n, size - (size_t)n, "; } %s", redirect);
}

void pp_t_sh(const char *dir, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;

	va_start(ap, fmt);
	build(cmd, sizeof(cmd), dir, ">/dev/null 2>&1", fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

void pp_t_sh_line(const char *dir, char *out, size_t size, const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	FILE *p;

	va_start(ap, fmt);
	build(cmd, sizeof(cmd), dir, "2>/dev/null", fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(out, (int)size, p) == NULL) {
		pclose(p);
		fail_msg("no output from: %s", cmd);
	}
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
}

void pp_t_new_dir(char *out, size_t size)
{
	assert_true(snprintf(out, size, "%s/r%d", pp_t_tmp, ++serial) < (int)size);
	assert_int_equal(mkdir(out, 0700), 0);
}

void pp_t_new_repo(char *out, size_t size)
{
	pp_t_new_dir(out, size);
	/* A user's log.showRoot=false must not hide the first commit's files. */
	pp_t_sh(out, "git init -q -b main . && git config log.showRoot false");
}

void pp_t_story_file(const char *repo, const char *path, const char *key, const char *status,
		     const char *body)
{
	const char *fmt = "---\nid: %s\ntitle: Story %s\n%s%s%s---\n%s\n";
	const char *field = status ? "status: " : "", *value = status ? status : "";
	const char *nl = status ? "\n" : "";
	int n = snprintf(NULL, 0, fmt, key, key, field, value, nl, body);
	char *text = malloc((size_t)n + 1);

	assert_non_null(text);
	snprintf(text, (size_t)n + 1, fmt, key, key, field, value, nl, body);
	pp_t_file(repo, path, text);
	free(text);
}
