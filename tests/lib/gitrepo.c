/* gitrepo.c: see gitrepo.h. */
#include "gitrepo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"

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

int pp_t_tmp_group_setup(void **state)
{
	char exe[512];
	const char *slash;
	ssize_t n;

	(void)state;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	slash = strrchr(exe, '/');
	return pp_t_tmp_setup(slash != NULL ? slash + 1 : "unit");
}

int pp_t_tmp_group_teardown(void **state)
{
	(void)state;
	return pp_t_tmp_teardown();
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
	if (pclose(p) != 0)
		fail_msg("command failed: %s", cmd);
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

void pp_t_put(const char *dir, const char *rel, const char *text)
{
	char full[4096];
	FILE *f;

	snprintf(full, sizeof(full), "%s/%s", dir, rel);
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

void pp_t_story_file(const char *repo, const char *path, const char *key, const char *status,
		     const char *body)
{
	pp_buf text;

	pp_buf_init(&text, 1 << 24);
	assert_int_equal(pp_buf_printf(&text, "---\nid: %s\ntitle: Story %s\n", key, key), PP_OK);
	if (status != NULL)
		assert_int_equal(pp_buf_printf(&text, "status: %s\n", status), PP_OK);
	assert_int_equal(pp_buf_printf(&text, "---\n%s\n", body), PP_OK);
	pp_t_put(repo, path, pp_buf_str(&text));
	pp_buf_free(&text);
}

const pp_git_file *pp_t_git_file(const pp_git_history *h, const char *path)
{
	const pp_git_file *f = pp_git_history_find(h, path);

	if (f == NULL)
		fail_msg("no history for %s", path);
	return f;
}

const pp_git_status_change *pp_t_git_change(const pp_git_file *f, size_t i, const char *from,
					    const char *to)
{
	const pp_git_status_change *c;

	assert_true(i < f->n_changes);
	c = &f->changes[i];
	if (from == NULL)
		assert_null(c->from_status);
	else
		assert_string_equal(c->from_status, from);
	if (to == NULL)
		assert_null(c->to_status);
	else
		assert_string_equal(c->to_status, to);
	return c;
}
