/*
 * git_proc_int.h: running git as a child process with pipes, for
 * git_history.c only (core/proc.h captures a whole output; the history walk
 * streams `git log` and talks to `git cat-file --batch`). Not for other
 * modules: names carry the git_proc_ prefix, never pp_.
 */
#ifndef PP_IMPORT_GIT_PROC_INT_H
#define PP_IMPORT_GIT_PROC_INT_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct git_proc {
	pid_t pid;  /* 0 when not running */
	int in;     /* write end of its standard input; -1 when /dev/null */
	int out;    /* read end of its standard output */
	FILE *errf; /* its standard error, a temporary file (no pipe to fill up) */
} git_proc;

/* A buffered reader over a pipe. */
typedef struct git_reader {
	int fd;
	size_t pos, len;
	int eof;
	char buf[64 * 1024];
} git_reader;

/*
 * Starts git with argv (argv[0] is "git", looked up in PATH), standard
 * output a pipe, standard input a pipe when with_stdin, else /dev/null.
 * PP_EIO "cannot run git: ..." when git cannot be started (not installed).
 * On success the caller ends it with git_proc_wait.
 */
pp_rc git_proc_start(const char *const *argv, int with_stdin, git_proc *p, pp_err *err);

/*
 * Closes p's pipes, waits for it and returns its exit status (128+signal
 * when killed). The first line of what it printed on standard error goes
 * into errline (size bytes, "" when nothing). Accepts a p never started.
 */
int git_proc_wait(git_proc *p, char *errline, size_t size);

/*
 * Runs argv to its end: its standard output (at most max bytes) into out,
 * which this initializes (the caller frees it with pp_buf_free in every
 * case), its exit status into *status, and the first line of its standard
 * error into errline. PP_EIO when git could not be started or printed more
 * than max bytes.
 */
pp_rc git_proc_capture(const char *const *argv, size_t max, pp_buf *out, int *status, char *errline,
		       size_t size, pp_err *err);

void git_reader_init(git_reader *r, int fd);

/*
 * Appends bytes up to the next delim to out (delim not included) and
 * consumes delim. Returns 1 when delim was found, 0 at the end of the input
 * (what came before it is in out), -1 when out is full (its cap) or reading
 * failed.
 */
int git_reader_until(git_reader *r, int delim, pp_buf *out);

/* Appends exactly n bytes to out (out NULL: skips them). 1, or -1 as above. */
int git_reader_take(git_reader *r, size_t n, pp_buf *out);

/* The next byte without consuming it; -1 at the end of the input or on error. */
int git_reader_peek(git_reader *r);

/*
 * SIGPIPE blocked in this thread while talking to a child, so that a child
 * that died makes write fail with EPIPE instead of killing planpipe;
 * restore swallows the SIGPIPE such a write raised (not one pending before).
 */
typedef struct git_sigpipe {
	sigset_t set, old;
	int was_pending;
} git_sigpipe;

void git_proc_sigpipe_block(git_sigpipe *g);
void git_proc_sigpipe_restore(git_sigpipe *g);

/*
 * Writes all of data to fd. PP_EIO (with the reason) when the reader is
 * gone; call it between git_proc_sigpipe_block and _restore.
 */
pp_rc git_proc_write(int fd, const void *data, size_t len, pp_err *err);

/* Called with each blob read, in order; data NULL when missing or over max. */
typedef pp_rc (*git_blob_fn)(void *ctx, size_t i, const char *data, size_t len);

/*
 * Reads the objects ids[0..n) through cat (a running `git cat-file
 * --batch`, its output read by rd) and calls fn for each, in order, with
 * the contents (in blob, reused; at most max bytes). Keeps up to 64 requests
 * in flight. Stops at fn's first error. PP_EIO when cat-file fails.
 */
pp_rc git_proc_cat(git_proc *cat, git_reader *rd, const char *const *ids, size_t n, size_t max,
		   pp_buf *blob, git_blob_fn fn, void *ctx, pp_err *err);

#endif
