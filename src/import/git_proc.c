/* git_proc.c: see git_proc_int.h. */
#include "import/git_proc_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* A pipe whose ends the other children do not inherit. */
static int cloexec_pipe(int fds[2])
{
	if (pipe(fds) != 0)
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

pp_rc git_proc_start(const char *const *argv, int with_stdin, git_proc *p, pp_err *err)
{
	posix_spawn_file_actions_t fa;
	int out[2] = {-1, -1}, in[2] = {-1, -1}, r;

	p->pid = 0;
	p->in = p->out = -1;
	p->errf = tmpfile();
	if (p->errf == NULL)
		return pp_err_set(err, PP_EIO, "cannot create a temporary file: %s",
				  strerror(errno));
	if (cloexec_pipe(out) != 0 || (with_stdin && cloexec_pipe(in) != 0)) {
		r = errno;
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	if (with_stdin)
		posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	else
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fileno(p->errf), 2);
	r = posix_spawnp(&p->pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (r != 0) {
		p->pid = 0;
		goto fail;
	}
	close(out[1]);
	p->out = out[0];
	if (with_stdin) {
		close(in[0]);
		p->in = in[1];
	}
	return PP_OK;
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (in[i] >= 0)
			close(in[i]);
	}
	fclose(p->errf);
	p->errf = NULL;
	return pp_err_set(err, PP_EIO, "cannot run %s: %s%s", argv[0], strerror(r),
			  r == ENOENT ? " (is git installed and in PATH?)" : "");
}

int git_proc_wait(git_proc *p, char *errline, size_t size)
{
	int st = 0, status = -1;

	if (size > 0)
		errline[0] = '\0';
	if (p->in >= 0)
		close(p->in);
	if (p->out >= 0)
		close(p->out);
	p->in = p->out = -1;
	if (p->pid > 0) {
		while (waitpid(p->pid, &st, 0) < 0 && errno == EINTR)
			;
		status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	p->pid = 0;
	if (p->errf != NULL) {
		rewind(p->errf);
		if (size > 0 && fgets(errline, (int)size, p->errf) != NULL)
			errline[strcspn(errline, "\r\n")] = '\0';
		fclose(p->errf);
		p->errf = NULL;
	}
	return status;
}

pp_rc git_proc_capture(const char *const *argv, size_t max, pp_buf *out, int *status, char *errline,
		       size_t size, pp_err *err)
{
	git_reader *r;
	git_proc p;
	pp_rc rc;
	int got;

	*status = -1;
	pp_buf_init(out, max);
	r = malloc(sizeof(*r));
	if (r == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	rc = git_proc_start(argv, 0, &p, err);
	if (rc == PP_OK) {
		git_reader_init(r, p.out);
		got = git_reader_until(r, -1, out);
		/* Drain the rest so that git is not blocked on a full pipe. */
		while (got < 0 && git_reader_take(r, 1, NULL) == 1)
			;
		*status = git_proc_wait(&p, errline, size);
		if (got < 0)
			rc = pp_err_set(err, PP_EIO, "%s printed more than %zu bytes", argv[0],
					max);
	}
	free(r);
	return rc;
}

void git_reader_init(git_reader *r, int fd)
{
	r->fd = fd;
	r->pos = r->len = 0;
	r->eof = 0;
}

/* Refills an empty buffer. 1: bytes available, 0: end of input, -1: error. */
static int fill(git_reader *r)
{
	ssize_t n;

	if (r->pos < r->len)
		return 1;
	if (r->eof)
		return 0;
	do
		n = read(r->fd, r->buf, sizeof(r->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	r->pos = 0;
	r->len = (size_t)n;
	if (n == 0)
		r->eof = 1;
	return n > 0;
}

int git_reader_until(git_reader *r, int delim, pp_buf *out)
{
	for (;;) {
		const char *start, *hit;
		size_t avail;
		int f = fill(r);

		if (f <= 0)
			return f;
		start = r->buf + r->pos;
		avail = r->len - r->pos;
		hit = delim < 0 ? NULL : memchr(start, delim, avail);
		if (hit != NULL) {
			if (pp_buf_add(out, start, (size_t)(hit - start)) != PP_OK)
				return -1;
			r->pos += (size_t)(hit - start) + 1;
			return 1;
		}
		if (pp_buf_add(out, start, avail) != PP_OK)
			return -1;
		r->pos = r->len;
	}
}

int git_reader_take(git_reader *r, size_t n, pp_buf *out)
{
	while (n > 0) {
		size_t k;
		int f = fill(r);

		if (f <= 0)
			return -1;
		k = r->len - r->pos < n ? r->len - r->pos : n;
		if (out != NULL && pp_buf_add(out, r->buf + r->pos, k) != PP_OK)
			return -1;
		r->pos += k;
		n -= k;
	}
	return 1;
}

int git_reader_peek(git_reader *r)
{
	if (fill(r) <= 0)
		return -1;
	return (unsigned char)r->buf[r->pos];
}

void git_proc_sigpipe_block(git_sigpipe *g)
{
	sigset_t pending;

	sigemptyset(&g->set);
	sigaddset(&g->set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &g->set, &g->old);
	sigpending(&pending);
	g->was_pending = sigismember(&pending, SIGPIPE);
}

void git_proc_sigpipe_restore(git_sigpipe *g)
{
	static const struct timespec zero = {0, 0};
	sigset_t pending;

	sigpending(&pending);
	if (!g->was_pending && sigismember(&pending, SIGPIPE))
		sigtimedwait(&g->set, NULL, &zero);
	pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

pp_rc git_proc_write(int fd, const void *data, size_t len, pp_err *err)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return pp_err_set(err, PP_EIO, "git cat-file stopped reading: %s",
					  strerror(n < 0 ? errno : EIO));
		p += n;
		len -= (size_t)n;
	}
	return PP_OK;
}

/* Requests in flight at most: their ids stay far below a pipe's 64 KiB. */
#define CAT_WINDOW 64

pp_rc git_proc_cat(git_proc *cat, git_reader *rd, const char *const *ids, size_t n, size_t max,
		   pp_buf *blob, git_blob_fn fn, void *ctx, pp_err *err)
{
	char line[256];
	size_t sent = 0;
	pp_buf hdr;
	pp_rc rc = PP_OK;

	pp_buf_init(&hdr, sizeof(line));
	for (size_t i = 0; rc == PP_OK && i < n; i++) {
		unsigned long long size = 0;
		int got, k = 0, has_body, is_blob;
		char type[16];

		/* Keep cat-file busy while the answers are parsed. */
		while (rc == PP_OK && sent < n && sent < i + CAT_WINDOW) {
			snprintf(line, sizeof(line), "%.200s\n", ids[sent++]);
			rc = git_proc_write(cat->in, line, strlen(line), err);
		}
		if (rc != PP_OK)
			break;
		pp_buf_reset(&hdr);
		got = git_reader_until(rd, '\n', &hdr);
		/* "<id> blob <size>", "<id> tree <size>", "<id> missing" */
		has_body = got == 1 &&
			   sscanf(pp_buf_str(&hdr), "%*s %15s %llu%n", type, &size, &k) == 2 &&
			   (size_t)k == hdr.len;
		is_blob = has_body && strcmp(type, "blob") == 0;
		pp_buf_reset(blob);
		if (has_body) {
			got = git_reader_take(rd, size, is_blob && size <= max ? blob : NULL);
			if (got == 1)
				got = git_reader_take(rd, 1, NULL); /* the LF after the content */
		}
		if (got != 1)
			rc = pp_err_set(err, PP_EIO,
					"git cat-file --batch: unexpected answer for %.80s",
					ids[i]);
		else
			rc = fn(ctx, i, is_blob && size <= max ? pp_buf_str(blob) : NULL,
				blob->len);
	}
	pp_buf_free(&hdr);
	return rc;
}
