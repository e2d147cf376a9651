/* test_api_util.c: see test_api.h. */
#include "test_api.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char *api_setup_db(void)
{
	return pp_t_new_migrated_db();
}

char *api_user_add(const char *handle, int admin)
{
	pp_t_result r = admin ? pp_t_run("user", "add", handle, "--admin", NULL)
			      : pp_t_run("user", "add", handle, NULL);
	char *token;
	size_t n;

	if (r.status != 0)
		fail_msg("user add %s failed:\n%s", handle, r.err);
	n = strlen(r.out);
	if (n < 4 || r.out[n - 1] != '\n' || strncmp(r.out, "pp_", 3) != 0)
		fail_msg("user add printed \"%s\", not a token and a newline", r.out);
	token = strndup(r.out, n - 1);
	pp_t_result_free(&r);
	return token;
}

/* The port from "listening on http://HOST:PORT" in the log, or 0. */
static int listening_port(const char *log)
{
	const char *p = strstr(log, "listening on http://");

	if (p == NULL)
		return 0;
	p = strchr(p + 20, ':');
	return p ? (int)strtol(p + 1, NULL, 10) : 0;
}

void api_server_start(api_server *s, const char *const *env)
{
	static int seq;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	const char *argv[] = {pp_t_bin(), "serve", "--drain-timeout", "10", NULL};
	char **envp;
	size_t n = 0, i, extra = 0;
	posix_spawn_file_actions_t fa;
	long long deadline;
	int rc;

	memset(s, 0, sizeof(*s));
	seq++;
	snprintf(s->out_path, sizeof(s->out_path), "%s/pp-api-%ld-%d.out", tmp, (long)getpid(),
		 seq);
	snprintf(s->err_path, sizeof(s->err_path), "%s/pp-api-%ld-%d.err", tmp, (long)getpid(),
		 seq);
	while (environ[n])
		n++;
	while (env && env[extra])
		extra++;
	envp = calloc(n + extra + 2, sizeof(*envp));
	assert_non_null(envp);
	/* getenv takes the first of duplicate names: ours go first. */
	envp[0] = "PLANPIPE_LISTEN=127.0.0.1:0";
	for (i = 0; i < extra; i++)
		envp[1 + i] = (char *)env[i];
	for (i = 0; i < n; i++)
		envp[1 + extra + i] = environ[i];
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, s->out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, s->err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	rc = posix_spawn(&s->pid, argv[0], &fa, NULL, (char *const *)argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	free(envp);
	if (rc != 0)
		fail_msg("cannot run %s: %s", argv[0], strerror(rc));
	deadline = pp_t_now_ms() + 30000;
	while (pp_t_now_ms() < deadline) {
		char *log = pp_t_slurp(s->err_path, 1);
		int st;

		s->port = listening_port(log);
		if (s->port == 0 && waitpid(s->pid, &st, WNOHANG) == s->pid)
			fail_msg("planpipe serve exited at start-up:\n%s", log);
		free(log);
		if (s->port)
			break;
		usleep(20000);
	}
	if (s->port == 0)
		fail_msg("planpipe serve did not start listening within 30 s");
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
}

char *api_server_log(const api_server *s, int err)
{
	return pp_t_slurp(err ? s->err_path : s->out_path, 1);
}

char *api_server_log_wait(const api_server *s, int err, const char *const *needles)
{
	long long deadline = pp_t_now_ms() + 5000;
	char *log = api_server_log(s, err);

	for (;;) {
		size_t i = 0;

		while (needles[i] != NULL && strstr(log, needles[i]) != NULL)
			i++;
		if (needles[i] == NULL || pp_t_now_ms() >= deadline)
			return log;
		free(log);
		usleep(20000);
		log = api_server_log(s, err);
	}
}

void api_server_stop(api_server *s)
{
	long long deadline = pp_t_now_ms() + 60000;
	int st = 0;

	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	while (waitpid(s->pid, &st, WNOHANG) != s->pid) {
		if (pp_t_now_ms() > deadline) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &st, 0);
			fail_msg("planpipe serve did not stop within 60 s of SIGTERM");
		}
		usleep(10000);
	}
	s->pid = 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		char *log = api_server_log(s, 1);
		fail_msg("planpipe serve ended with status %d (signal %d):\n%s",
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1, WIFSIGNALED(st) ? WTERMSIG(st) : 0,
			 log);
	}
	unlink(s->out_path);
	unlink(s->err_path);
}

/* ---- HTTP ---- */

typedef struct sink {
	char *data;
	size_t len;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	sink *k = ctx;
	size_t add = size * n;
	char *grown = realloc(k->data, k->len + add + 1);

	if (grown == NULL)
		return 0;
	k->data = grown;
	memcpy(k->data + k->len, p, add);
	k->len += add;
	k->data[k->len] = '\0';
	return add;
}

api_res api_call(const api_server *s, const char *method, const char *path, const char *token,
		 const char *body, const char *const *headers)
{
	struct curl_slist *hl = NULL;
	sink b = {NULL, 0}, h = {NULL, 0};
	char url[2048], auth[512];
	api_res r = {0};
	CURLcode rc;
	CURL *c = curl_easy_init();
	size_t i;

	assert_non_null(c);
	snprintf(url, sizeof(url), "%s%s", s->url, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
		hl = curl_slist_append(hl, auth);
	}
	if (body) {
		hl = curl_slist_append(hl, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	for (i = 0; headers && headers[i]; i++)
		hl = curl_slist_append(hl, headers[i]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(hl);
	curl_easy_cleanup(c);
	r.body = b.data ? b.data : strdup("");
	r.headers = h.data ? h.data : strdup("");
	r.json = json_loads(r.body, JSON_DECODE_ANY, NULL);
	r.req = malloc(strlen(method) + strlen(path) + 2);
	assert_non_null(r.req);
	snprintf(r.req, strlen(method) + strlen(path) + 2, "%s %s", method, path);
	return r;
}

/* What failure messages call the request of r. */
static const char *req_of(const api_res *r)
{
	return r->req ? r->req : "the request";
}

api_res api_expect_at(long want, api_res r, const char *file, int line)
{
	if (r.status != want) {
		print_error("%s:%d: %s: expected HTTP %ld, got %ld:\n%s%s\n", file, line,
			    req_of(&r), want, r.status, r.headers, r.body);
		_fail(file, line);
	}
	return r;
}

char *api_header(const api_res *r, const char *name)
{
	size_t n = strlen(name);
	const char *p = r->headers;

	while (p && *p) {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol ? (size_t)(eol - p) : strlen(p);

		if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			return strndup(v, (size_t)(p + len - v));
		}
		p = eol ? eol + 2 : NULL;
	}
	return NULL;
}

void api_header_is_at(const api_res *r, const char *name, const char *want, const char *file,
		      int line)
{
	char what[128];

	snprintf(what, sizeof(what), "header %s", name);
	pp_t_string_is_at(api_header(r, name), want, what, file, line);
}

const char *api_str(const api_res *r, const char *name)
{
	return json_string_value(json_object_get(r->json, name));
}

void api_res_free(api_res *r)
{
	free(r->body);
	free(r->headers);
	free(r->req);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

void api_problem_at(const api_res *r, long status, const char *type, const char *file, int line)
{
	char want[256];
	char *ct = api_header(r, "Content-Type");
	int ok;

	snprintf(want, sizeof(want), "https://planpipe.dev/problems/%s", type);
	ok = r->status == status && ct && strcmp(ct, "application/problem+json") == 0 &&
	     api_str(r, "type") && strcmp(api_str(r, "type"), want) == 0 &&
	     json_integer_value(json_object_get(r->json, "status")) == status &&
	     api_str(r, "title") && api_str(r, "request_id");
	free(ct);
	if (!ok) {
		print_error("%s:%d: %s: expected a %ld problem of type %s, got %ld:\n%s%s\n", file,
			    line, req_of(r), status, type, r->status, r->headers, r->body);
		_fail(file, line);
	}
}

void api_res_free_value(api_res r)
{
	api_res_free(&r);
}

void api_refused_at(long status, const char *type, api_res r, const char *file, int line)
{
	api_problem_at(&r, status, type, file, line);
	api_res_free(&r);
}

void api_refused_member_at(long status, const char *type, const char *member, const char *want,
			   int contains, api_res r, const char *file, int line)
{
	const char *got;

	api_problem_at(&r, status, type, file, line);
	got = member ? api_str(&r, member) : r.body;
	if (got == NULL || (contains ? strstr(got, want) == NULL : strcmp(got, want) != 0)) {
		print_error("%s:%d: %s: expected %s %s\"%s\" in\n%s\n", file, line, req_of(&r),
			    member ? member : "the body", contains ? "containing " : "", want,
			    r.body);
		api_res_free(&r);
		_fail(file, line);
	}
	api_res_free(&r);
}

void api_ok_member_at(long want, const char *member, const char *value, api_res r, const char *file,
		      int line)
{
	const char *got;

	r = api_expect_at(want, r, file, line);
	got = api_str(&r, member);
	if (got == NULL || strcmp(got, value) != 0) {
		print_error("%s:%d: %s: expected %s \"%s\", got %s%s%s in\n%s\n", file, line,
			    req_of(&r), member, value, got ? "\"" : "", got ? got : "none",
			    got ? "\"" : "", r.body);
		api_res_free(&r);
		_fail(file, line);
	}
	api_res_free(&r);
}

/* at after snprintf wrote n bytes there: at most the last byte of a buffer of size. */
static size_t advanced(size_t at, int n, size_t size)
{
	return n < 0 || at + (size_t)n >= size ? size - 1 : at + (size_t)n;
}

/*
 * Whether got is like want (api_json_is); else where holds the path to the
 * first difference (where_size bytes, written from at), *got_at and *want_at
 * the values there (*got_at NULL: missing).
 */
static int json_like(json_t *got, json_t *want, char *where, size_t where_size, size_t at,
		     json_t **got_at, json_t **want_at)
{
	const char *name;
	json_t *w;
	size_t i, next;

	*got_at = got;
	*want_at = want;
	if (json_is_object(want) && json_is_object(got)) {
		json_object_foreach(want, name, w)
		{
			next = advanced(at, snprintf(where + at, where_size - at, ".%s", name),
					where_size);
			if (!json_like(json_object_get(got, name), w, where, where_size, next,
				       got_at, want_at))
				return 0;
		}
	} else if (json_is_array(want) && json_is_array(got) &&
		   json_array_size(got) == json_array_size(want)) {
		json_array_foreach(want, i, w)
		{
			next = advanced(at, snprintf(where + at, where_size - at, "[%zu]", i),
					where_size);
			if (!json_like(json_array_get(got, i), w, where, where_size, next, got_at,
				       want_at))
				return 0;
		}
	} else if (json_is_string(want) && strcmp(json_string_value(want), "#notnull") == 0) {
		if (got == NULL || json_is_null(got))
			return 0;
	} else if (got == NULL || !json_equal(got, want)) {
		return 0;
	}
	where[at] = '\0';
	return 1;
}

void api_json_like_at(json_t *got, const char *like, const char *what, const char *text,
		      const char *file, int line)
{
	json_t *want = json_loads(like, JSON_DECODE_ANY, NULL), *got_at, *want_at;
	char where[256] = "";
	char *g, *w, *t = NULL;

	if (want == NULL)
		fail_msg("%s:%d: not JSON: %s", file, line, like);
	if (json_like(got, want, where, sizeof(where), 0, &got_at, &want_at)) {
		json_decref(want);
		return;
	}
	g = got_at ? json_dumps(got_at, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	w = json_dumps(want_at, JSON_ENCODE_ANY | JSON_COMPACT);
	if (text == NULL)
		t = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	print_error("%s:%d: %s: expected %s%s to be %s, got %s in\n%s\n", file, line, what,
		    *where ? "the answer's " : "the answer", where, w ? w : "?", g ? g : "none",
		    text ? text
		    : t  ? t
			 : "(nothing)");
	free(g);
	free(w);
	free(t);
	json_decref(want);
	_fail(file, line);
}

void api_json_is_at(const api_res *r, const char *like, const char *file, int line)
{
	api_json_like_at(r->json, like, req_of(r), r->body, file, line);
}

void api_ok_json_at(long want, const char *like, api_res r, const char *file, int line)
{
	r = api_expect_at(want, r, file, line);
	api_json_is_at(&r, like, file, line);
	api_res_free(&r);
}

json_t *api_all_pages_at(const api_server *s, const char *token, const char *path, size_t *pages,
			 const char *file, int line)
{
	json_t *all = json_array();
	char *url = strdup(path);
	size_t n = 0;

	assert_non_null(all);
	assert_non_null(url);
	for (;;) {
		api_res r =
			api_expect_at(200, api_call(s, "GET", url, token, NULL, NULL), file, line);
		const char *next = api_str(&r, "next_cursor");
		size_t size;

		n++;
		json_array_extend(all, json_object_get(r.json, "items"));
		free(url);
		url = NULL;
		if (next != NULL) {
			size = strlen(path) + strlen(next) + sizeof("&cursor=");
			url = malloc(size);
			assert_non_null(url);
			snprintf(url, size, "%s&cursor=%s", path, next);
		}
		api_res_free(&r);
		if (url == NULL)
			break;
	}
	if (pages != NULL)
		*pages = n;
	return all;
}

void api_steps_at(const api_server *s, const char *token, const api_step *steps, size_t n,
		  const char *file, int line)
{
	for (size_t i = 0; i < n; i++) {
		api_res r = api_call(s, steps[i].method, steps[i].path, token, steps[i].body, NULL);

		if (r.status != steps[i].want) {
			print_error("%s:%d: step %zu, %s %s: expected %ld, got %ld\n%s\n", file,
				    line, i + 1, steps[i].method, steps[i].path, steps[i].want,
				    r.status, r.body);
			api_res_free(&r);
			_fail(file, line);
		}
		api_res_free(&r);
	}
}

void api_items_are_at(size_t n, const api_server *s, const char *token, const char *path,
		      const char *file, int line)
{
	api_res r = api_expect_at(200, api_call(s, "GET", path, token, NULL, NULL), file, line);
	size_t got = json_array_size(json_object_get(r.json, "items"));

	if (got != n) {
		print_error("%s:%d: GET %s: %zu items, expected %zu\n%s\n", file, line, path, got,
			    n, r.body);
		api_res_free(&r);
		_fail(file, line);
	}
	api_res_free(&r);
}

void api_users_add_n(const api_user *users, size_t n)
{
	for (size_t i = 0; i < n; i++)
		*users[i].token = api_user_add(users[i].handle, users[i].admin);
}

void api_world_start_n(api_server *s, const char *const *env, const api_user *users, size_t n)
{
	api_setup_db();
	api_users_add_n(users, n);
	api_server_start(s, env);
}

void api_world_stop_n(api_server *s, const api_user *users, size_t n)
{
	api_server_stop(s);
	for (size_t i = 0; i < n; i++) {
		free(*users[i].token);
		*users[i].token = NULL;
	}
}

static const api_world *group_world;
static const char *group_file;
static int group_line;

static int world_setup(void **state)
{
	const api_world *w = group_world;

	(void)state;
	api_world_start_n(w->srv, w->env, w->users, w->n_users);
	if (w->n_steps > 0)
		api_steps_at(w->srv, *w->as, w->steps, w->n_steps, group_file, group_line);
	return 0;
}

static int world_teardown(void **state)
{
	(void)state;
	api_world_stop_n(group_world->srv, group_world->users, group_world->n_users);
	return 0;
}

int api_world_run_at(const struct CMUnitTest *tests, size_t n, const api_world *w, const char *file,
		     int line)
{
	group_world = w;
	group_file = file;
	group_line = line;
	return _cmocka_run_group_tests(file, tests, n, world_setup, world_teardown);
}

int api_dial(const api_server *s, const char *from)
{
	struct sockaddr_in sa, src;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	if (from != NULL) {
		memset(&src, 0, sizeof(src));
		src.sin_family = AF_INET;
		inet_pton(AF_INET, from, &src.sin_addr);
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0)
			fail_msg("bind %s: %s", from, strerror(errno));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)s->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int api_can_connect(const api_server *s)
{
	int fd = api_dial(s, NULL);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

int api_read_to_close(int fd, int timeout_ms, char **got)
{
	sink b = {NULL, 0};
	long long deadline = pp_t_now_ms() + timeout_ms;
	int closed = 0;

	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		long long left = deadline - pp_t_now_ms();
		char buf[4096];
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0) {
			closed = 1;
			break;
		}
		on_data(buf, 1, (size_t)n, &b);
	}
	if (got != NULL)
		*got = b.data ? b.data : strdup("");
	else
		free(b.data);
	return closed;
}

char *api_raw(const api_server *s, const char *data, size_t len, int timeout_ms)
{
	char *got;
	int fd = api_dial(s, NULL);

	if (fd < 0)
		fail_msg("connect: %s", strerror(errno));
	if (len > 0 && send(fd, data, len, MSG_NOSIGNAL) < 0 && errno != EPIPE &&
	    errno != ECONNRESET)
		fail_msg("send: %s", strerror(errno));
	/* Half-close: a truncated request ends here, as a client that gave up would. */
	shutdown(fd, SHUT_WR);
	api_read_to_close(fd, timeout_ms, &got);
	close(fd);
	return got;
}
