/* file.c: whole-file reads and atomic writes (see file.h). */
#include "core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

pp_rc pp_file_read(const char *path, size_t max, char **data, size_t *len, pp_err *err)
{
	pp_rc rc = PP_OK;
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd;

	*data = NULL;
	*len = 0;
	/* O_NONBLOCK: a FIFO put where a file was opens at once, and fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return pp_err_set(err, PP_EIO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = pp_err_set(err, PP_EIO, "%s is not a regular file", path);
		goto out;
	}
	if ((size_t)st.st_size > max) {
		rc = pp_err_set(err, PP_EINVAL, "%s is larger than %zu bytes", path, max);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory reading %s", path);
		goto out;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = pp_err_set(err, PP_EIO, "cannot read %s: %s", path,
					n == 0 ? "file shrank while read" : strerror(errno));
			goto out;
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*data = buf;
	*len = got;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

pp_rc pp_file_create(const char *path, const char *data, size_t len, pp_err *err)
{
	char tmp[4096];
	pp_rc rc = PP_OK;
	size_t off = 0;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return pp_err_set(err, PP_EINVAL, "path too long: %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return pp_err_set(err, PP_EIO, "cannot create %s: %s", tmp, strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = pp_err_set(err, PP_EIO, "cannot write %s: %s", tmp, strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (rc == PP_OK && fsync(fd) != 0)
		rc = pp_err_set(err, PP_EIO, "cannot sync %s: %s", tmp, strerror(errno));
	close(fd);
	/* link() fails when path exists, where rename() would overwrite it. */
	if (rc == PP_OK && link(tmp, path) != 0)
		rc = pp_err_set(err, errno == EEXIST ? PP_ECONFLICT : PP_EIO,
				"cannot create %s: %s", path, strerror(errno));
	unlink(tmp);
	return rc;
}
