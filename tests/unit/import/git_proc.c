/*
 * tests/unit/import/git_proc.c: src/import/git_proc.c. The reader and the
 * parsing of `git cat-file --batch` answers run over files with crafted
 * bytes (no git); the process helpers run sh, and cat-file runs against a
 * real throwaway repository in a temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "import/git_proc_int.h"

#include "gitrepo.h"

/* A file holding len bytes, opened for reading at its start (removed already). */
static int bytes_fd(const void *data, size_t len)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/bytes-XXXXXX", pp_t_tmp);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/*
 * A reader over a copy of data (heap: a reader holds 64 KiB), and out, the
 * buffer what it reads goes into, initialised with cap; reader_free frees both.
 */
static git_reader *reader_of(const void *data, size_t len, pp_buf *out, size_t cap)
{
	git_reader *r = malloc(sizeof(*r));

	assert_non_null(r);
	git_reader_init(r, bytes_fd(data, len));
	pp_buf_init(out, cap);
	return r;
}

static void reader_free(git_reader *r, pp_buf *out)
{
	pp_buf_free(out);
	close(r->fd);
	free(r);
}

/* Lines by delimiter; the last without one comes with 0; then 0 and nothing. */
static void reader_until(void **state)
{
	static const char in[] = "one\ntwo\0three\n\nlast";
	static const struct {
		int delim, rc;
		const char *line;
	} steps[] = {
		{'\n', 1, "one"}, {'\0', 1, "two"},  {'\n', 1, "three"},
		{'\n', 1, ""},    {'\n', 0, "last"}, {'\n', 0, ""},
	};
	pp_buf b;
	git_reader *r = reader_of(in, sizeof(in) - 1, &b, 1024);
	char step[32];
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(steps); i++) {
		snprintf(step, sizeof(step), "step %zu", i);
		unit_int_equal(step, git_reader_until(r, steps[i].delim, &b), steps[i].rc);
		unit_int_equal(step, b.len, strlen(steps[i].line));
		unit_str_equal(step, pp_buf_str(&b), steps[i].line);
		pp_buf_reset(&b);
	}
	assert_int_equal(git_reader_peek(r), -1);
	reader_free(r, &b);
}

/* delim -1 reads everything; past out's cap is -1. */
static void reader_until_end_and_cap(void **state)
{
	static const char in[] = "a\nb\0c";
	pp_buf b;
	git_reader *r = reader_of(in, sizeof(in) - 1, &b, 1024);

	(void)state;
	assert_int_equal(git_reader_until(r, -1, &b), 0);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.data, "a\nb\0c", 5);
	reader_free(r, &b);

	r = reader_of("0123456789\n", 11, &b, 4);
	assert_int_equal(git_reader_until(r, '\n', &b), -1);
	reader_free(r, &b);
}

/* take: exactly n bytes (NULL: skipped), -1 when the input ends first; peek does not consume. */
static void reader_take_and_peek(void **state)
{
	static const char in[] = "abcdef\xff";
	pp_buf b;
	git_reader *r = reader_of(in, sizeof(in) - 1, &b, 1024);

	(void)state;
	assert_int_equal(git_reader_peek(r), 'a');
	assert_int_equal(git_reader_peek(r), 'a');
	assert_int_equal(git_reader_take(r, 3, &b), 1);
	assert_string_equal(pp_buf_str(&b), "abc");
	assert_int_equal(git_reader_take(r, 2, NULL), 1);
	assert_int_equal(git_reader_take(r, 0, &b), 1);
	assert_string_equal(pp_buf_str(&b), "abc");
	assert_int_equal(git_reader_peek(r), 'f');
	assert_int_equal(git_reader_take(r, 1, &b), 1);
	/* A byte above 127 is not the end of the input. */
	assert_int_equal(git_reader_peek(r), 0xff);
	assert_int_equal(git_reader_take(r, 2, &b), -1);
	reader_free(r, &b);
}

/* Records and fields that straddle the reader's 64 KiB buffer come out whole. */
static void reader_across_refills(void **state)
{
	const size_t n = 50000;
	char *in = malloc(n * 8), line[16];
	git_reader *r;
	size_t len = 0, i;
	pp_buf b;

	(void)state;
	assert_non_null(in);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(in + len, 16, "%zu\n", i);
	r = reader_of(in, len, &b, 64);
	for (i = 0; i < n; i++) {
		pp_buf_reset(&b);
		assert_int_equal(git_reader_until(r, '\n', &b), 1);
		snprintf(line, sizeof(line), "%zu", i);
		assert_string_equal(pp_buf_str(&b), line);
	}
	assert_int_equal(git_reader_until(r, '\n', &b), 0);
	reader_free(r, &b);

	/* One take of more than the buffer holds. */
	r = reader_of(in, len, &b, len);
	assert_int_equal(git_reader_take(r, len - 1, &b), 1);
	assert_memory_equal(b.data, in, len - 1);
	assert_int_equal(git_reader_peek(r), '\n');
	reader_free(r, &b);
	free(in);
}

typedef struct seen {
	size_t n;
	size_t index[16];
	char *data[16]; /* NULL: fn was given NULL */
	size_t len[16];
	size_t fail_at; /* fn fails (PP_EINVAL) at this index; SIZE_MAX: never */
} seen;

static pp_rc record(void *ctx, size_t i, const char *data, size_t len)
{
	seen *s = ctx;

	assert_true(s->n < 16);
	s->index[s->n] = i;
	s->len[s->n] = len;
	s->data[s->n] = NULL;
	if (data != NULL) {
		s->data[s->n] = malloc(len + 1);
		assert_non_null(s->data[s->n]);
		memcpy(s->data[s->n], data, len + 1);
	}
	s->n++;
	return i == s->fail_at ? PP_EINVAL : PP_OK;
}

static void seen_free(seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->data[i]);
}

/*
 * git_proc_cat over crafted answers: its requests go to /dev/null, the
 * answers come from a file. Returns its rc; err's message in err.
 */
static pp_rc cat_answers(const char *answers, size_t len, const char *const *ids, size_t n,
			 size_t max, seen *s, pp_err *err)
{
	git_proc cat = {0, -1, -1, NULL};
	pp_buf blob;
	git_reader *r = reader_of(answers, len, &blob, max + 1);
	pp_rc rc;

	cat.in = open("/dev/null", O_WRONLY);
	assert_true(cat.in >= 0);
	pp_err_clear(err);
	rc = git_proc_cat(&cat, r, ids, n, max, &blob, record, s, err);
	close(cat.in);
	reader_free(r, &blob);
	return rc;
}

/*
 * A blob's contents (NUL bytes kept); a tree, a missing object or a blob over
 * max give NULL, and their bodies are skipped so the next answer still parses.
 */
static void cat_parses_answers(void **state)
{
	static const char answers[] = "aaaa blob 5\nhello\n"
				      "bbbb tree 3\nT\0T\n"
				      "cccc missing\n"
				      "dddd blob 10\n0123456789\n"
				      "eeee blob 3\nx\0y\n"
				      "ffff blob 0\n\n"
				      "gggg ambiguous\n"
				      "hhhh blob 5 extra\n";
	const char *const ids[] = {"aaaa", "bbbb", "cccc", "dddd", "eeee", "ffff", "gggg", "hhhh"};
	seen s = {.fail_at = SIZE_MAX};
	pp_err err;

	(void)state;
	assert_int_equal(cat_answers(answers, sizeof(answers) - 1, ids, 8, 5, &s, &err), PP_OK);
	assert_int_equal(s.n, 8);
	for (size_t i = 0; i < UNIT_NELEM(ids); i++)
		unit_int_equal(ids[i], s.index[i], i);
	assert_string_equal(s.data[0], "hello");
	assert_int_equal(s.len[0], 5);
	assert_null(s.data[1]);
	assert_null(s.data[2]);
	assert_null(s.data[3]); /* 10 bytes, over max 5 */
	assert_int_equal(s.len[4], 3);
	assert_memory_equal(s.data[4], "x\0y", 4);
	assert_non_null(s.data[5]);
	assert_string_equal(s.data[5], "");
	assert_null(s.data[6]);
	/* Not exactly "<id> <type> <size>": no size to trust, so no contents. */
	assert_null(s.data[7]);
	seen_free(&s);
}

/* An answer cat-file cannot have given: PP_EIO naming the id; fn not called for it. */
static void cat_refuses_bad_answers(void **state)
{
	static const char *const bad[] = {
		"aaaa blob 10\nshort\n", /* the body ends early */
		"aaaa blob 5\nhello",    /* no LF after the body */
		"aaaa blob 5",           /* the header never ends */
		"",                      /* no answer at all */
	};
	const char *const ids[] = {"aaaa"};
	seen s = {.fail_at = SIZE_MAX};
	pp_err err;

	(void)state;
	for (size_t i = 0; i < UNIT_NELEM(bad); i++) {
		s.n = 0;
		unit_int_equal(bad[i], cat_answers(bad[i], strlen(bad[i]), ids, 1, 64, &s, &err),
			       PP_EIO);
		unit_str_has(bad[i], err.msg, "unexpected answer for aaaa");
		unit_int_equal(bad[i], s.n, 0);
	}
}

/* fn's first error stops the reading and is returned as it is. */
static void cat_stops_at_fn_error(void **state)
{
	static const char answers[] = "a blob 1\n1\nb blob 1\n2\nc blob 1\n3\n";
	const char *const ids[] = {"a", "b", "c"};
	seen s = {.fail_at = 1};
	pp_err err;

	(void)state;
	assert_int_equal(cat_answers(answers, sizeof(answers) - 1, ids, 3, 64, &s, &err),
			 PP_EINVAL);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.data[1], "2");
	seen_free(&s);
}

typedef struct real {
	const char *a, *b; /* the ids of the blobs "first\n" and "x\0y" */
	size_t n;
	int ok;
} real;

/* Checks answer i of cat_real_git's requests (see there). */
static pp_rc check_real(void *ctx, size_t i, const char *data, size_t len)
{
	real *c = ctx;

	if (i != c->n++)
		c->ok = 0;
	else if (i % 4 == 0)
		c->ok &= data != NULL && len == 6 && strcmp(data, "first\n") == 0;
	else if (i % 4 == 1)
		c->ok &= data != NULL && len == 3 && memcmp(data, "x\0y", 4) == 0;
	else
		c->ok &= data == NULL;
	return PP_OK;
}

/* Checks that answer i of cat_many_large_blobs is the 8192 "z"s. */
static pp_rc count_big(void *ctx, size_t i, const char *data, size_t len)
{
	real *c = ctx;

	c->ok &= i == c->n++ && data != NULL && len == 8192 && data[0] == 'z' && data[8191] == 'z';
	return PP_OK;
}

/*
 * A repository pp_t_tmp/name (its path in dir) with one commit of the files
 * that the shell command files writes there.
 */
static void committed_repo(char *dir, size_t size, const char *name, const char *files)
{
	snprintf(dir, size, "%s/%s", pp_t_tmp, name);
	pp_t_sh(pp_t_tmp,
		"git init -q %s && cd %s && { %s; } && git add -A && "
		"git -c user.name=t -c user.email=t@example.com commit -q -m m",
		name, name, files);
}

/*
 * `git cat-file --batch` in the repository dir, asked for the n ids with
 * blobs of up to max bytes: fn sees every answer, and every one of them.
 */
static void cat_all(const char *dir, const char *const *ids, size_t n, size_t max, git_blob_fn fn,
		    real *c)
{
	const char *argv[] = {"git", "-C", dir, "cat-file", "--batch", NULL};
	git_reader *r = malloc(sizeof(*r));
	git_sigpipe sp;
	git_proc cat;
	pp_buf blob;
	pp_err err;
	pp_rc rc;

	assert_non_null(r);
	pp_err_clear(&err);
	assert_int_equal(git_proc_start(argv, 1, &cat, &err), PP_OK);
	git_reader_init(r, cat.out);
	pp_buf_init(&blob, max);
	git_proc_sigpipe_block(&sp);
	rc = git_proc_cat(&cat, r, ids, n, max, &blob, fn, c, &err);
	git_proc_sigpipe_restore(&sp);
	pp_buf_free(&blob);
	assert_int_equal(git_proc_wait(&cat, NULL, 0), 0);
	free(r);
	if (rc != PP_OK)
		fail_msg("cat: %s", err.msg);
	assert_int_equal(c->n, n);
	assert_true(c->ok);
}

/*
 * A real `git cat-file --batch`, with more ids than the 64 it keeps in
 * flight: every answer in order, blobs whole, a tree and a missing id NULL.
 */
static void cat_real_git(void **state)
{
	enum { N = 200 };
	char a[64], b[64], tree[64], dir[600];
	const char *ids[N];
	real c = {a, b, 0, 1};

	(void)state;
	committed_repo(dir, sizeof(dir), "repo", "printf 'first\\n' >a && printf 'x\\0y' >b");
	pp_t_sh_line(dir, a, sizeof(a), "git rev-parse HEAD:a");
	pp_t_sh_line(dir, b, sizeof(b), "git rev-parse HEAD:b");
	pp_t_sh_line(dir, tree, sizeof(tree), "git rev-parse HEAD^{tree}");
	for (size_t i = 0; i < N; i++)
		ids[i] = i % 4 == 0 ? a : i % 4 == 1 ? b : i % 4 == 2 ? tree : "0123abc";
	cat_all(dir, ids, N, 1024, check_real, &c);
}

/*
 * Many large blobs: cat-file's answers fill its output pipe long before the
 * 2000 requests (80 KiB) are all written, so git_proc_cat must read while it
 * writes (at most 64 requests in flight); without that both sides block and
 * this test hangs until its timeout.
 */
static void cat_many_large_blobs(void **state)
{
	enum { N = 2000 };
	char dir[600], big[64];
	const char *ids[N];
	real c = {NULL, NULL, 0, 1};

	(void)state;
	committed_repo(dir, sizeof(dir), "big", "head -c 8192 /dev/zero | tr '\\0' z >big");
	pp_t_sh_line(dir, big, sizeof(big), "git rev-parse HEAD:big");
	for (size_t i = 0; i < N; i++)
		ids[i] = big;
	cat_all(dir, ids, N, 8192, count_big, &c);
}

/* Standard output a pipe, the first line of standard error kept, the exit status returned. */
static void start_and_wait(void **state)
{
	const char *const argv[] = {"sh", "-c",
				    "echo out; echo 'first\r' >&2; echo second >&2; exit 5", NULL};
	const char *const quiet[] = {"sh", "-c", "echo first >&2; exit 5", NULL};
	char errline[64], small[4];
	git_reader *r = malloc(sizeof(*r));
	git_proc p;
	pp_buf b;
	pp_err err;

	(void)state;
	assert_non_null(r);
	pp_err_clear(&err);
	assert_int_equal(git_proc_start(argv, 0, &p, &err), PP_OK);
	assert_true(p.pid > 0);
	assert_int_equal(p.in, -1);
	git_reader_init(r, p.out);
	pp_buf_init(&b, 64);
	assert_int_equal(git_reader_until(r, -1, &b), 0);
	assert_string_equal(pp_buf_str(&b), "out\n");
	assert_int_equal(git_proc_wait(&p, errline, sizeof(errline)), 5);
	assert_string_equal(errline, "first");
	assert_int_equal(p.pid, 0);
	assert_null(p.errf);

	/* errline is cut to its size, still terminated. */
	assert_int_equal(git_proc_start(quiet, 0, &p, &err), PP_OK);
	assert_int_equal(git_proc_wait(&p, small, sizeof(small)), 5);
	assert_string_equal(small, "fir");
	pp_buf_free(&b);
	free(r);
}

/* Killed by signal N: 128+N. */
static void wait_killed(void **state)
{
	const char *const argv[] = {"sh", "-c", "kill -TERM $$", NULL};
	char errline[16];
	git_proc p;
	pp_err err;

	(void)state;
	pp_err_clear(&err);
	assert_int_equal(git_proc_start(argv, 0, &p, &err), PP_OK);
	assert_int_equal(git_proc_wait(&p, errline, sizeof(errline)), 128 + 15);
}

/* with_stdin: what is written reaches the child's standard input. */
static void start_with_stdin(void **state)
{
	const char *const argv[] = {"sh", "-c", "tr a-z A-Z", NULL};
	char errline[64] = "stale";
	git_reader *r = malloc(sizeof(*r));
	git_proc p;
	pp_buf b;
	pp_err err;

	(void)state;
	assert_non_null(r);
	pp_err_clear(&err);
	assert_int_equal(git_proc_start(argv, 1, &p, &err), PP_OK);
	assert_true(p.in >= 0);
	assert_int_equal(git_proc_write(p.in, "hello\n", 6, &err), PP_OK);
	close(p.in);
	p.in = -1;
	git_reader_init(r, p.out);
	pp_buf_init(&b, 64);
	assert_int_equal(git_reader_until(r, -1, &b), 0);
	assert_string_equal(pp_buf_str(&b), "HELLO\n");
	assert_int_equal(git_proc_wait(&p, errline, sizeof(errline)), 0);
	assert_string_equal(errline, "");
	pp_buf_free(&b);
	free(r);
}

/* A program that is not there: PP_EIO with the hint; nothing left to wait for. */
static void start_missing_program(void **state)
{
	const char *const argv[] = {"pp-no-such-git-for-test", NULL};
	char errline[16] = "stale";
	git_proc p;
	pp_err err;

	(void)state;
	pp_err_clear(&err);
	assert_int_equal(git_proc_start(argv, 1, &p, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "cannot run pp-no-such-git-for-test"));
	assert_non_null(strstr(err.msg, "(is git installed and in PATH?)"));
	assert_int_equal(p.pid, 0);
	assert_null(p.errf);
	/* Waiting for a process never started: -1, errline "". */
	assert_int_equal(git_proc_wait(&p, errline, sizeof(errline)), -1);
	assert_string_equal(errline, "");
}

static void capture(void **state)
{
	const char *const version[] = {"git", "--version", NULL};
	const char *const fails[] = {"git", "-C", pp_t_tmp, "rev-parse", "HEAD", NULL};
	const char *const flood[] = {"head", "-c", "1000000", "/dev/zero", NULL};
	char errline[256];
	int status = -2;
	pp_buf out;
	pp_err err;

	(void)state;
	pp_err_clear(&err);
	assert_int_equal(
		git_proc_capture(version, 4096, &out, &status, errline, sizeof(errline), &err),
		PP_OK);
	assert_int_equal(status, 0);
	assert_int_equal(strncmp(pp_buf_str(&out), "git version ", 12), 0);
	pp_buf_free(&out);

	/* Not a repository (GIT_CEILING_DIRECTORIES stops the search at pp_t_tmp). */
	assert_int_equal(
		git_proc_capture(fails, 4096, &out, &status, errline, sizeof(errline), &err),
		PP_OK);
	assert_int_equal(status, 128);
	assert_int_equal(strncmp(errline, "fatal: ", 7), 0);
	assert_null(strchr(errline, '\n'));
	pp_buf_free(&out);

	/* Over max: PP_EIO, and the child drained to its end (0, not SIGPIPE's 141). */
	assert_int_equal(
		git_proc_capture(flood, 100, &out, &status, errline, sizeof(errline), &err),
		PP_EIO);
	assert_non_null(strstr(err.msg, "head printed more than 100 bytes"));
	assert_int_equal(status, 0);
	pp_buf_free(&out);
}

static int sigpipe_pending(void)
{
	sigset_t pending;

	sigpending(&pending);
	return sigismember(&pending, SIGPIPE);
}

static int sigpipe_blocked(void)
{
	sigset_t now;

	pthread_sigmask(SIG_BLOCK, NULL, &now);
	return sigismember(&now, SIGPIPE);
}

/*
 * A write to a reader that is gone fails with EPIPE instead of killing the
 * process; restore swallows that SIGPIPE and unblocks it again.
 */
static void write_to_gone_reader(void **state)
{
	git_sigpipe g;
	int fds[2];
	pp_err err;

	(void)state;
	assert_false(sigpipe_blocked());
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	git_proc_sigpipe_block(&g);
	assert_true(sigpipe_blocked());
	pp_err_clear(&err);
	assert_int_equal(git_proc_write(fds[1], "x", 1, &err), PP_EIO);
	assert_non_null(strstr(err.msg, "git cat-file stopped reading: Broken pipe"));
	assert_true(sigpipe_pending());
	git_proc_sigpipe_restore(&g);
	assert_false(sigpipe_blocked());
	assert_false(sigpipe_pending());
	close(fds[1]);
}

/* A SIGPIPE pending before block is not the helper's to swallow; the old mask comes back. */
static void sigpipe_pending_before_is_kept(void **state)
{
	static const struct timespec zero = {0, 0};
	sigset_t set;
	git_sigpipe g;
	int fds[2];
	pp_err err;

	(void)state;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	raise(SIGPIPE);
	assert_true(sigpipe_pending());
	assert_int_equal(pipe(fds), 0);
	close(fds[0]);
	git_proc_sigpipe_block(&g);
	pp_err_clear(&err);
	assert_int_equal(git_proc_write(fds[1], "x", 1, &err), PP_EIO);
	git_proc_sigpipe_restore(&g);
	assert_true(sigpipe_blocked());
	assert_true(sigpipe_pending());
	assert_int_equal(sigtimedwait(&set, NULL, &zero), SIGPIPE);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	close(fds[1]);
}

/* Writes more than a pipe holds (from a child process) to a reader that takes it all. */
static void write_all(void **state)
{
	const size_t len = 300000;
	char *data = malloc(len);
	git_reader *r = malloc(sizeof(*r));
	int fds[2], st = 0;
	pp_buf b;
	pp_err err;
	pid_t pid;

	(void)state;
	assert_non_null(data);
	assert_non_null(r);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)('a' + i % 26);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		_exit(git_proc_write(fds[1], data, len, &err) == PP_OK ? 0 : 1);
	}
	close(fds[1]);
	git_reader_init(r, fds[0]);
	pp_buf_init(&b, len);
	assert_int_equal(git_reader_until(r, -1, &b), 0);
	assert_int_equal(b.len, len);
	assert_memory_equal(b.data, data, len);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(fds[0]);
	pp_buf_free(&b);
	free(r);
	free(data);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(reader_until),
	cmocka_unit_test(reader_until_end_and_cap),
	cmocka_unit_test(reader_take_and_peek),
	cmocka_unit_test(reader_across_refills),
	cmocka_unit_test(cat_parses_answers),
	cmocka_unit_test(cat_refuses_bad_answers),
	cmocka_unit_test(cat_stops_at_fn_error),
	cmocka_unit_test(cat_real_git),
	cmocka_unit_test(cat_many_large_blobs),
	cmocka_unit_test(start_and_wait),
	cmocka_unit_test(wait_killed),
	cmocka_unit_test(start_with_stdin),
	cmocka_unit_test(start_missing_program),
	cmocka_unit_test(capture),
	cmocka_unit_test(write_to_gone_reader),
	cmocka_unit_test(sigpipe_pending_before_is_kept),
	cmocka_unit_test(write_all),
};

UNIT_MAIN_WITH("git_proc", tests, pp_t_tmp_group_setup, pp_t_tmp_group_teardown)
