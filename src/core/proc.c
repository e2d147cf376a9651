/* proc.c: see proc.h. */
#include "core/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"

extern char **environ;

pp_rc pp_proc_capture(const char *const *argv, size_t max, char **out, size_t *len, int *status,
		      pp_err *err)
{
	posix_spawn_file_actions_t fa;
	pp_rc rc = PP_OK;
	char chunk[4096];
	int fds[2], st = 0, r;
	pp_buf buf;
	pid_t pid;

	*out = NULL;
	*len = 0;
	*status = -1;
	if (pipe(fds) != 0)
		return pp_err_set(err, PP_EIO, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	r = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r != 0) {
		close(fds[0]);
		return pp_err_set(err, PP_EIO, "cannot run %s: %s", argv[0], strerror(r));
	}
	pp_buf_init(&buf, max);
	for (;;) {
		ssize_t n = read(fds[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* Past max, keep draining so the child is not blocked on a full pipe. */
		if (rc == PP_OK && pp_buf_add(&buf, chunk, (size_t)n) != PP_OK)
			rc = pp_err_set(err, PP_EINVAL, "%s printed more than %zu bytes", argv[0],
					max);
	}
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (rc == PP_OK) {
		*len = buf.len;
		*out = pp_buf_take(&buf);
	}
	pp_buf_free(&buf);
	if (rc == PP_OK && *out == NULL)
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
	return rc;
}
