/*
 * backup_tools.c: reaching the server and running PostgreSQL's tools for
 * backup and restore (see backup_int.h).
 *
 * The tools get a connection string built from DATABASE_URL's options with
 * the password left out, and the password (DATABASE_URL's, else
 * PGPASSWORD_FILE's) as PGPASSWORD in their environment only: a command line
 * is visible to every user of the machine, an environment only to its owner.
 */
#include "db/backup_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db/conn.h"

extern char **environ;

static const char *const required_tools[] = {"pg_dump", "pg_restore", NULL};

pp_rc bk_path(char *out, const char *dir, const char *name, pp_err *err)
{
	int n = snprintf(out, BK_PATH_MAX, "%s/%s", dir, name);

	if (n < 0 || n >= BK_PATH_MAX)
		return pp_err_set(err, PP_EINVAL, "path too long: %s/%s", dir, name);
	return PP_OK;
}

static const char *opt_val(const PQconninfoOption *opts, const char *key)
{
	for (; opts && opts->keyword; opts++)
		if (strcmp(opts->keyword, key) == 0 && opts->val && *opts->val)
			return opts->val;
	return NULL;
}

/* The environment for the tools: ours, with PGPASSWORD replaced when we know the password. */
static pp_rc build_tool_env(bk_env *e, pp_err *err)
{
	size_t n = 0, i, k = 0;
	pp_buf pw;

	while (environ[n])
		n++;
	e->tool_env = calloc(n + 3, sizeof(char *)); /* + PGPASSWORD, PGOPTIONS, NULL */
	if (e->tool_env == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if (e->password && strncmp(environ[i], "PGPASSWORD=", 11) == 0)
			continue;
		e->tool_env[k] = strdup(environ[i]);
		if (e->tool_env[k++] == NULL)
			return pp_err_set(err, PP_ENOMEM, "out of memory");
	}
	if (e->password) {
		pp_buf_init(&pw, 64 * 1024);
		if (pp_buf_printf(&pw, "PGPASSWORD=%s", e->password) != PP_OK) {
			pp_buf_free(&pw);
			return pp_err_set(err, PP_ENOMEM, "out of memory");
		}
		e->tool_env[k++] = pp_buf_take(&pw);
	}
	e->tool_env[k] = NULL;
	return PP_OK;
}

pp_rc bk_env_init(bk_env *e, const pp_config *cfg, const pp_backup_common *c, pp_err *err)
{
	PQconninfoOption *defs = NULL;
	const char *db, *pw;
	char *msg = NULL;
	pp_rc rc = PP_OK;

	memset(e, 0, sizeof(*e));
	e->cfg = cfg;
	e->c = c;
	e->started_ms = pp_now_ms();
	if (cfg->database_url) {
		e->url = PQconninfoParse(cfg->database_url, &msg);
		if (e->url == NULL) {
			rc = pp_err_set(err, PP_EINVAL,
					"DATABASE_URL is not a valid connection string");
			goto out;
		}
	}
	if (cfg->backup_key && strlen(cfg->backup_key) < 16) {
		rc = pp_err_set(err, PP_EINVAL,
				"PLANPIPE_BACKUP_KEY is too short: use 16 bytes or more (e.g. "
				"openssl rand -hex 32)");
		goto out;
	}
	pw = opt_val(e->url, "password");
	if (pw == NULL)
		pw = cfg->password;
	if (pw && (e->password = strdup(pw)) == NULL) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	/* libpq's default database: the URL's, PGDATABASE, else the user's name. */
	defs = PQconndefaults();
	db = opt_val(e->url, "dbname");
	if (db == NULL)
		db = opt_val(defs, "dbname");
	if (db == NULL)
		db = opt_val(e->url, "user");
	if (db == NULL)
		db = opt_val(defs, "user");
	if (db == NULL || strlen(db) >= sizeof(e->dbname)) {
		rc = pp_err_set(err, PP_EINVAL, "cannot tell which database is configured");
		goto out;
	}
	snprintf(e->dbname, sizeof(e->dbname), "%s", db);
	rc = build_tool_env(e, err);
out:
	PQfreemem(msg);
	PQconninfoFree(defs);
	return rc;
}

void bk_env_free(bk_env *e)
{
	size_t i;

	if (e == NULL)
		return;
	PQconninfoFree(e->url);
	e->url = NULL;
	if (e->password)
		memset(e->password, 0, strlen(e->password));
	free(e->password);
	e->password = NULL;
	for (i = 0; e->tool_env && e->tool_env[i]; i++) {
		if (strncmp(e->tool_env[i], "PGPASSWORD=", 11) == 0)
			memset(e->tool_env[i], 0, strlen(e->tool_env[i]));
		free(e->tool_env[i]);
	}
	free(e->tool_env);
	e->tool_env = NULL;
}

/* Appends key='value' with libpq's quoting. */
static pp_rc add_kv(pp_buf *b, const char *key, const char *val)
{
	const char *p;

	if (pp_buf_printf(b, "%s%s='", b->len ? " " : "", key) != PP_OK)
		return PP_ENOMEM;
	for (p = val; *p; p++) {
		if ((*p == '\'' || *p == '\\') && pp_buf_add(b, "\\", 1) != PP_OK)
			return PP_ENOMEM;
		if (pp_buf_add(b, p, 1) != PP_OK)
			return PP_ENOMEM;
	}
	return pp_buf_adds(b, "'");
}

/* DATABASE_URL's options (the password only if with_password) and dbname. */
static pp_rc conninfo(const bk_env *e, const char *dbname, int with_password, pp_buf *out,
		      pp_err *err)
{
	const PQconninfoOption *o;

	for (o = e->url; o && o->keyword; o++) {
		if (o->val == NULL || *o->val == '\0' || strcmp(o->keyword, "dbname") == 0)
			continue;
		if (!with_password && strcmp(o->keyword, "password") == 0)
			continue;
		if (add_kv(out, o->keyword, o->val) != PP_OK)
			return pp_err_set(err, PP_ENOMEM, "out of memory");
	}
	if (add_kv(out, "dbname", dbname) != PP_OK)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	return PP_OK;
}

pp_rc bk_tool_conninfo(const bk_env *e, const char *dbname, pp_buf *out)
{
	return conninfo(e, dbname, 0, out, NULL);
}

/* Notices (a role that is already a member, a database that does not exist) are not ours to print.
 */
static void quiet_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

pp_rc bk_tool_options(bk_env *e, const char *options, pp_err *err)
{
	const char *old = getenv("PGOPTIONS");
	size_t i;
	pp_buf b;

	pp_buf_init(&b, 64 * 1024);
	if (pp_buf_printf(&b, "PGOPTIONS=%s%s%s", options, old ? " " : "", old ? old : "") !=
	    PP_OK) {
		pp_buf_free(&b);
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	}
	for (i = 0; e->tool_env[i]; i++) {
		if (strncmp(e->tool_env[i], "PGOPTIONS=", 10) == 0) {
			free(e->tool_env[i]);
			e->tool_env[i] = pp_buf_take(&b);
			return PP_OK;
		}
	}
	/* build_tool_env left room for one more entry. */
	e->tool_env[i] = pp_buf_take(&b);
	e->tool_env[i + 1] = NULL;
	return PP_OK;
}

pp_rc bk_connect(const bk_env *e, const char *dbname, const char *appname, PGconn **out,
		 pp_err *err)
{
	pp_config cfg = *e->cfg;
	pp_buf ci;
	pp_rc rc;

	pp_buf_init(&ci, 64 * 1024);
	rc = conninfo(e, dbname, 1, &ci, err);
	if (rc == PP_OK) {
		cfg.database_url = ci.data;
		rc = pp_db_connect(&cfg, appname, e->cfg->connect_timeout_s * 1000, out, err);
	}
	if (rc == PP_OK)
		PQsetNoticeProcessor(*out, quiet_notice, NULL);
	if (ci.data)
		memset(ci.data, 0, ci.len);
	pp_buf_free(&ci);
	return rc;
}

char *bk_temp_log(const char *tool)
{
	const char *tmp = getenv("TMPDIR");
	char path[BK_PATH_MAX];
	int fd;

	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if (snprintf(path, sizeof(path), "%s/planpipe-%s-XXXXXX", tmp, tool) >= (int)sizeof(path))
		return NULL;
	fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	close(fd);
	return strdup(path);
}

pp_rc bk_spawn(const bk_env *e, const char *tool, const char *const *args, const char *log,
	       int in_fd, pid_t *pid, pp_err *err)
{
	char path[BK_PATH_MAX];
	const char *argv[64];
	posix_spawn_file_actions_t fa;
	size_t n = 0;
	int rc, moved = -1;

	if (bk_path(path, e->bindir, tool, err) != PP_OK)
		return PP_EINVAL;
	/* dup2 onto 3 clears close-on-exec, unless the descriptor is 3 already. */
	if (in_fd == 3) {
		moved = fcntl(in_fd, F_DUPFD_CLOEXEC, 10);
		if (moved < 0)
			return pp_err_set(err, PP_EIO, "cannot run %s: %s", path, strerror(errno));
		in_fd = moved;
	}
	argv[n++] = path;
	for (; *args && n < 63; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	if (in_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, in_fd, 3);
	rc = posix_spawn(pid, path, &fa, NULL, (char *const *)argv, e->tool_env);
	posix_spawn_file_actions_destroy(&fa);
	if (moved >= 0)
		close(moved);
	if (rc != 0)
		return pp_err_set(err, PP_EIO, "cannot run %s: %s", path, strerror(rc));
	return PP_OK;
}

/* The last bytes of a log, from a line start, trailing blanks removed. */
static void log_tail(const char *log, char *out, size_t size)
{
	struct stat st;
	ssize_t n;
	off_t from;
	char *p;
	int fd = open(log, O_RDONLY | O_CLOEXEC);

	out[0] = '\0';
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0) {
		from = st.st_size > (off_t)size - 1 ? st.st_size - (off_t)size + 1 : 0;
		n = pread(fd, out, size - 1, from);
		out[n > 0 ? n : 0] = '\0';
		if (from > 0 && (p = strchr(out, '\n')) != NULL)
			memmove(out, p + 1, strlen(p + 1) + 1);
	}
	close(fd);
	n = (ssize_t)strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
}

int bk_cancelled(const bk_env *e, pp_err *err)
{
	if (e->c && e->c->cancel && *e->c->cancel) {
		pp_err_set(err, PP_EIO, "interrupted");
		return 1;
	}
	return 0;
}

void bk_stop(pid_t pid)
{
	struct timespec pause = {0, 50 * 1000000L};
	long long kill_at = pp_now_ms() + 5000;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (waitpid(pid, NULL, WNOHANG) == 0) {
		if (pp_now_ms() >= kill_at) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return;
		}
		nanosleep(&pause, NULL);
	}
}

pp_rc bk_wait(const bk_env *e, pid_t pid, const char *tool, const char *log,
	      void (*tick)(void *ctx), void *ctx, pp_err *err)
{
	struct timespec pause = {0, 50 * 1000000L};
	long long next_tick = pp_now_ms() + 500;
	int limit_s = e->cfg ? e->cfg->backup_tool_timeout_s : 0;
	long long deadline = limit_s > 0 ? pp_now_ms() + limit_s * 1000LL : 0;
	char tail[1200];
	int st = 0;
	const char *p;

	for (;;) {
		pid_t got = waitpid(pid, &st, WNOHANG);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			return pp_err_set(err, PP_EIO, "waiting for %s: %s", tool, strerror(errno));
		if (e->c && e->c->cancel && *e->c->cancel) {
			bk_stop(pid);
			return pp_err_set(err, PP_EIO, "interrupted");
		}
		if (deadline && pp_now_ms() >= deadline) {
			bk_stop(pid);
			return pp_err_set(err, PP_ETIMEDOUT,
					  "%s ran longer than PLANPIPE_BACKUP_TOOL_TIMEOUT (%d s) "
					  "and was ended",
					  tool, limit_s);
		}
		if (tick && pp_now_ms() >= next_tick) {
			tick(ctx);
			next_tick = pp_now_ms() + 500;
		}
		nanosleep(&pause, NULL);
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return PP_OK;
	if (WIFEXITED(st))
		pp_err_set(err, PP_EIO, "%s failed (exit status %d)", tool, WEXITSTATUS(st));
	else
		pp_err_set(err, PP_EIO, "%s was killed by signal %d", tool,
			   WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	log_tail(log, tail, sizeof(tail));
	for (p = tail; *p;) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		if (len > 0)
			pp_err_append(err, "  %.*s", len, p);
		p += len + (nl != NULL);
	}
	return PP_EIO;
}

/* Runs `dir/tool --version` and parses "pg_dump (PostgreSQL) 15.4 (...)". */
static pp_rc tool_version(bk_env *e, const char *tool, char *ver, size_t size, int *major,
			  pp_err *err)
{
	static const char *const args[] = {"--version", NULL};
	char *log = bk_temp_log(tool);
	char out[512];
	const char *p;
	size_t n;
	pid_t pid;
	pp_rc rc;

	if (log == NULL)
		return pp_err_set(err, PP_EIO, "cannot create a temporary file: %s",
				  strerror(errno));
	rc = bk_spawn(e, tool, args, log, -1, &pid, err);
	if (rc == PP_OK)
		rc = bk_wait(e, pid, tool, log, NULL, NULL, err);
	if (rc == PP_OK) {
		log_tail(log, out, sizeof(out));
		p = strstr(out, "PostgreSQL)");
		p = p ? p + 11 : out;
		p += strcspn(p, "0123456789");
		n = strspn(p, "0123456789.");
		*major = (int)strtol(p, NULL, 10);
		if (n == 0 || *major <= 0) {
			rc = pp_err_set(err, PP_EIO, "%s/%s --version printed no version: %s",
					e->bindir, tool, out);
		} else {
			snprintf(ver, size, "%.*s", (int)(n < size ? n : size - 1), p);
			/* Before 10 the major version was two numbers (9.6). */
			if (*major < 10)
				*major = *major * 100 +
					 (int)strtol(p + strcspn(p, ".") + 1, NULL, 10);
		}
	}
	unlink(log);
	free(log);
	return rc;
}

static int has_tools(const char *dir)
{
	char path[BK_PATH_MAX];
	size_t i;

	for (i = 0; required_tools[i]; i++)
		if (bk_path(path, dir, required_tools[i], NULL) != PP_OK || access(path, X_OK) != 0)
			return 0;
	return 1;
}

/* The highest /usr/lib/postgresql/N/bin above major holding the tools, or "". */
static void newer_debian_bindir(int major, char *out)
{
	DIR *d = opendir("/usr/lib/postgresql");
	struct dirent *de;
	char path[BK_PATH_MAX];
	int best = 0;

	out[0] = '\0';
	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		if (*end != '\0' || v <= major || v <= best || v > 1000)
			continue;
		snprintf(path, sizeof(path), "/usr/lib/postgresql/%ld/bin", v);
		if (has_tools(path)) {
			best = (int)v;
			snprintf(out, BK_PATH_MAX, "%s", path);
		}
	}
	closedir(d);
}

/* The first directory of PATH holding the tools, or "". */
static void path_bindir(char *out)
{
	const char *path = getenv("PATH");
	char dir[BK_PATH_MAX];

	out[0] = '\0';
	while (path && *path) {
		size_t n = strcspn(path, ":");
		if (n > 0 && n < sizeof(dir)) {
			memcpy(dir, path, n);
			dir[n] = '\0';
			if (has_tools(dir)) {
				snprintf(out, BK_PATH_MAX, "%s", dir);
				return;
			}
		}
		path += n + (path[n] == ':');
	}
}

static void version_str(int num, char *out, size_t size)
{
	if (num >= 100000)
		snprintf(out, size, "%d.%d", num / 10000, num % 10000);
	else
		snprintf(out, size, "%d.%d.%d", num / 10000, num / 100 % 100, num % 100);
}

int bk_major_rank(int major)
{
	return major >= 100 ? major : major * 100;
}

int bk_version_rank(const char *ver)
{
	char *end;
	long major = strtol(ver, &end, 10);

	if (major <= 0 || major > 10000)
		return 0;
	if (major < 10)
		return (int)major * 100 + (*end == '.' ? (int)strtol(end + 1, NULL, 10) % 100 : 0);
	return (int)major * 100;
}

pp_rc bk_tools_find(bk_env *e, int server_version_num, pp_err *err)
{
	int server_major = server_version_num >= 100000 ? server_version_num / 10000
							: server_version_num / 100;
	char server[32], ver[64];
	size_t i;
	int major = 0;

	version_str(server_version_num, server, sizeof(server));
	if (e->c && e->c->pg_bindir) {
		snprintf(e->bindir, sizeof(e->bindir), "%s", e->c->pg_bindir);
		if (!has_tools(e->bindir))
			return pp_err_set(err, PP_EINVAL,
					  "--pg-bindir %s does not hold pg_dump and pg_restore",
					  e->bindir);
	} else {
		snprintf(e->bindir, sizeof(e->bindir), "/usr/lib/postgresql/%d/bin", server_major);
		if (!has_tools(e->bindir))
			newer_debian_bindir(server_major, e->bindir);
		if (e->bindir[0] == '\0')
			path_bindir(e->bindir);
		if (e->bindir[0] == '\0')
			return pp_err_set(
				err, PP_EINVAL,
				"PostgreSQL's pg_dump and pg_restore were not found in "
				"/usr/lib/postgresql/%d/bin or PATH: install the PostgreSQL %d "
				"client tools (Debian: postgresql-client-%d) or pass --pg-bindir",
				server_major, server_major, server_major);
	}
	for (i = 0; required_tools[i]; i++) {
		if (tool_version(e, required_tools[i], ver, sizeof(ver), &major, err) != PP_OK)
			return PP_EIO;
		/* 9.6 is 906 and 15 is 15: compared as ranks (bk_major_rank). */
		if (bk_major_rank(major) < bk_major_rank(server_major))
			return pp_err_set(
				err, PP_ECONFLICT,
				"%s/%s is version %s, older than the server (PostgreSQL "
				"%s): it cannot back it up or restore into it faithfully. "
				"Install the PostgreSQL %d client tools (Debian: "
				"postgresql-client-%d) or point --pg-bindir at them",
				e->bindir, required_tools[i], ver, server, server_major,
				server_major);
		if (i == 0) {
			e->tools_major = major;
			snprintf(e->tools_version, sizeof(e->tools_version), "%s", ver);
		}
	}
	return PP_OK;
}

static void emit(const bk_env *e, pp_backup_event_kind kind, const char *text, long long done,
		 long long total, int in_bytes)
{
	pp_backup_event ev;

	if (e->c == NULL || e->c->on_event == NULL)
		return;
	ev.kind = kind;
	ev.text = text;
	ev.done = done;
	ev.total = total;
	ev.in_bytes = in_bytes;
	e->c->on_event(e->c->ctx, &ev);
}

void bk_step(const bk_env *e, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	emit(e, PP_BACKUP_EV_STEP, text, 0, 0, 0);
}

void bk_warn(const bk_env *e, const char *fmt, ...)
{
	char text[PP_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	emit(e, PP_BACKUP_EV_WARNING, text, 0, 0, 0);
}

void bk_progress(const bk_env *e, const char *what, long long done, long long total, int in_bytes)
{
	emit(e, PP_BACKUP_EV_PROGRESS, what, done, total, in_bytes);
}

void bk_pruned(const bk_env *e, const char *path)
{
	emit(e, PP_BACKUP_EV_PRUNED, path, 0, 0, 0);
}
