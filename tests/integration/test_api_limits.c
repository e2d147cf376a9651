/*
 * test_api_limits.c: `planpipe serve` under clients that try to starve it,
 * over raw sockets against the real server and a real PostgreSQL: thousands
 * of slow connections and slow bodies while a normal client keeps its p99
 * under 100 ms, the reports budget (slow reports never take story reads'
 * connections), the whole-request deadline, and strict HTTP/1.1 framing
 * (problem+json 400, never a 500 or an HTML page).
 */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "test_api.h"

#define SLOW_HEADERS 2000
#define SLOW_BODIES  200

/* The normal client's p99 bound; ThreadSanitizer slows the server several times over. */
#if defined(__SANITIZE_THREAD__)
#define P99_MAX_MS 500
#else
#define P99_MAX_MS 100
#endif

static struct {
	char *admin;
} W;

static int setup(void **state)
{
	struct rlimit rl;
	api_server s;

	(void)state;
	/* Thousands of sockets in this process; the server raises its own limit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	api_setup_db();
	W.admin = api_user_add("admin", 1);
	api_server_start(&s, NULL);
	api_ok_free(201, &s, "POST", "/v1/projects", W.admin, "{\"key\":\"PLAN\",\"name\":\"P\"}",
		    NULL);
	api_ok_free(201, &s, "POST", "/v1/projects/PLAN/stories", W.admin,
		    "{\"key\":\"PLAN-1\",\"title\":\"One\"}", NULL);
	api_server_stop(&s);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(W.admin);
	return 0;
}

static void send_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n <= 0)
			fail_msg("send: %s", strerror(errno));
		data += n;
		len -= (size_t)n;
	}
}

static void send_str(int fd, const char *s)
{
	send_all(fd, s, strlen(s));
}

/*
 * Reads one response (headers, then Content-Length bytes of body) within
 * timeout_ms; returns it (caller frees) or NULL when the connection closed or
 * timed out first.
 */
static char *read_response(int fd, int timeout_ms)
{
	long long deadline = pp_t_now_ms() + timeout_ms;
	size_t len = 0, cap = 65536;
	char *buf = malloc(cap);

	assert_non_null(buf);
	for (;;) {
		struct pollfd p = {fd, POLLIN, 0};
		long long left = deadline - pp_t_now_ms();
		char *end;
		ssize_t n;

		buf[len] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end) {
			const char *cl = strcasestr(buf, "\r\nContent-Length:");
			size_t want =
				(size_t)(end + 4 - buf) + (cl ? strtoul(cl + 17, NULL, 10) : 0);
			if (len >= want)
				return buf;
		}
		if (left <= 0 || poll(&p, 1, (int)left) <= 0 || len + 1 >= cap)
			break;
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	free(buf);
	return NULL;
}

/* Whether the server closed fd (EOF or reset) within timeout_ms; what it sent lands in *got. */
static int closed_within(int fd, int timeout_ms, char *got, size_t got_size)
{
	char *all;
	int closed = api_read_to_close(fd, timeout_ms, &all);

	snprintf(got, got_size, "%s", all);
	free(all);
	return closed;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

/* ---- (a) Slow connections and slow bodies do not starve a normal client. ---- */

static void slow_clients_do_not_starve(void **state)
{
	const char *env[] = {"PLANPIPE_MAX_CONNECTIONS=4096",
			     "PLANPIPE_MAX_CONNECTIONS_PER_IP=2500", "PLANPIPE_REQUEST_TIMEOUT=120",
			     NULL};
	static int fds[SLOW_HEADERS + SLOW_BODIES];
	enum { N_NORMAL = 300 };
	long long lat[N_NORMAL], t_next_byte, p99, p50;
	char req[512], got[256];
	api_server s;
	int i, n_open = 0, still_open = 0;

	(void)state;
	api_server_start(&s, env);
	/* Slow headers: a request line and one header, then a byte every so often. */
	for (i = 0; i < SLOW_HEADERS; i++) {
		fds[i] = api_dial(&s, "127.0.0.1");
		if (fds[i] < 0)
			fail_msg("slow connection %d was refused: %s", i, strerror(errno));
		send_str(fds[i], "GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ");
	}
	/* Slow bodies: whole headers announcing 1000 bytes, then a byte every so often. */
	for (i = SLOW_HEADERS; i < SLOW_HEADERS + SLOW_BODIES; i++) {
		fds[i] = api_dial(&s, "127.0.0.1");
		if (fds[i] < 0)
			fail_msg("slow body %d was refused: %s", i, strerror(errno));
		snprintf(req, sizeof(req),
			 "POST /v1/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
			 "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
			 W.admin);
		send_all(fds[i], req, strlen(req));
	}
	n_open = SLOW_HEADERS + SLOW_BODIES;
	/* The normal client, from another address: a new connection per request. */
	snprintf(req, sizeof(req),
		 "GET /v1/projects/PLAN/stories/PLAN-1 HTTP/1.1\r\nHost: x\r\n"
		 "Authorization: Bearer %s\r\nConnection: close\r\n\r\n",
		 W.admin);
	/*
	 * The server accepts the slow clients from its listen backlog first:
	 * one request with time to spare (not measured) waits for that, so
	 * what is measured is a normal client while they are all held.
	 */
	{
		int fd = api_dial(&s, "127.0.0.2");
		char *resp;

		assert_true(fd >= 0);
		send_str(fd, req);
		resp = read_response(fd, 60000);
		close(fd);
		if (resp == NULL)
			fail_msg("no answer within 60 s beside %d slow clients", n_open);
		free(resp);
	}
	t_next_byte = pp_t_now_ms() + 2000;
	for (i = 0; i < N_NORMAL; i++) {
		long long t0 = pp_t_now_ms();
		int fd = api_dial(&s, "127.0.0.2");
		char *resp;

		if (fd < 0)
			fail_msg("normal request %d: connection refused", i);
		send_all(fd, req, strlen(req));
		resp = read_response(fd, 5000);
		lat[i] = pp_t_now_ms() - t0;
		close(fd);
		if (resp == NULL || strncmp(resp, "HTTP/1.1 200 ", 13) != 0)
			fail_msg("normal request %d: %s", i, resp ? resp : "no answer in 5 s");
		free(resp);
		/* Every slow client sends its next byte every 2 s. */
		if (pp_t_now_ms() >= t_next_byte) {
			int k;
			for (k = 0; k < n_open; k++)
				send_all(fds[k], "a", 1);
			t_next_byte = pp_t_now_ms() + 2000;
		}
		usleep(20000);
	}
	qsort(lat, N_NORMAL, sizeof(lat[0]), cmp_ll);
	p50 = lat[N_NORMAL / 2];
	p99 = lat[N_NORMAL * 99 / 100];
	print_message("normal client beside %d slow connections and %d slow bodies: p50 %lld ms, "
		      "p99 %lld ms, max %lld ms\n",
		      SLOW_HEADERS, SLOW_BODIES, p50, p99, lat[N_NORMAL - 1]);
	/* The slow clients were held open all along, not dropped to make room. */
	for (i = 0; i < n_open; i++) {
		char b;
		ssize_t n = recv(fds[i], &b, 1, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			still_open++;
	}
	for (i = 0; i < n_open; i++)
		close(fds[i]);
	assert_int_equal(still_open, n_open);
	assert_true(p99 < P99_MAX_MS);
	/* /livez too, and the server still stops cleanly. */
	{
		api_res r = api_ok(200, &s, "GET", "/livez", NULL, NULL, NULL);
		api_res_free(&r);
	}
	(void)got;
	api_server_stop(&s);
}

/* ---- (b) The reports budget. ---- */

typedef struct report_call {
	const api_server *s;
	long status;
	char *retry_after;
	char *type;
	long long ms;
} report_call;

static void *call_report(void *arg)
{
	report_call *rc = arg;
	long long t0 = pp_t_now_ms();
	api_res r = api_call(rc->s, "GET", "/v1/reports/status-summary?project=PLAN", W.admin, NULL,
			     NULL);

	rc->ms = pp_t_now_ms() - t0;
	rc->status = r.status;
	rc->retry_after = api_header(&r, "Retry-After");
	rc->type = api_str(&r, "type") ? strdup(api_str(&r, "type")) : NULL;
	api_res_free(&r);
	return NULL;
}

static void reports_budget_leaves_story_reads(void **state)
{
	/* A pool of 4 of which 1 for reports; each report holds a connection 3 s. */
	const char *env[] = {"PLANPIPE_POOL_SIZE=4", "PLANPIPE_REPORT_CONCURRENCY=1",
			     "PLANPIPE_REPORT_WAIT_MS=300", "PLANPIPE_TEST_REPORT_HOLD_MS=3000",
			     NULL};
	enum { N_REPORTS = 4 };
	report_call calls[N_REPORTS];
	pthread_t th[N_REPORTS];
	api_server s;
	int i, ok = 0, busy = 0;
	long long t_end;

	(void)state;
	api_server_start(&s, env);
	for (i = 0; i < N_REPORTS; i++) {
		calls[i] = (report_call){.s = &s};
		assert_int_equal(pthread_create(&th[i], NULL, call_report, &calls[i]), 0);
	}
	usleep(100000);
	/* While reports run and wait: story reads and writes are answered, and fast. */
	t_end = pp_t_now_ms() + 2000;
	while (pp_t_now_ms() < t_end) {
		long long t0 = pp_t_now_ms();
		api_res r = api_ok(200, &s, "GET", "/v1/projects/PLAN/stories/PLAN-1", W.admin,
				   NULL, NULL);
		long long ms = pp_t_now_ms() - t0;

		api_res_free(&r);
		if (ms > 1000)
			fail_msg("a story read took %lld ms while reports were running", ms);
		usleep(50000);
	}
	for (i = 0; i < N_REPORTS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		if (calls[i].status == 200) {
			ok++;
			assert_true(calls[i].ms >= 3000);
		} else {
			busy++;
			assert_int_equal(calls[i].status, 503);
			assert_non_null(calls[i].retry_after);
			assert_non_null(calls[i].type);
			pp_t_assert_contains(calls[i].type, "/problems/busy");
			/* Waited briefly, not for the running report. */
			assert_true(calls[i].ms >= 300 && calls[i].ms < 2500);
		}
		free(calls[i].retry_after);
		free(calls[i].type);
	}
	assert_int_equal(ok, 1);
	assert_int_equal(busy, N_REPORTS - 1);
	api_server_stop(&s);
}

/* ---- (c) Strict framing: problem+json 400 over a raw socket. ---- */

static void assert_problem_400(const char *got, const char *what, const char *detail)
{
	if (strncmp(got, "HTTP/1.1 400 ", 13) != 0 ||
	    strstr(got, "Content-Type: application/problem+json") == NULL ||
	    strstr(got, "/problems/bad-request") == NULL || strstr(got, detail) == NULL)
		fail_msg("%s: expected a problem+json 400 naming \"%s\", got:\n%s", what, detail,
			 got);
}

static void framing_is_strict(void **state)
{
	static const struct {
		const char *what, *req, *detail;
	} cases[] = {
		{"conflicting Content-Length",
		 "POST /v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
		 "Content-Length: 6\r\n\r\n{\"a\":1",
		 "Content-Length is given more than once"},
		{"Content-Length with Transfer-Encoding",
		 "POST /v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n0\r\n\r\n",
		 "Content-Length and Transfer-Encoding together"},
		{"Transfer-Encoding other than chunked",
		 "POST /v1/projects HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
		 "0\r\n\r\n",
		 "Transfer-Encoding must be exactly"},
		{"%00 in a path segment", "GET /v1/projects/PLAN%00X HTTP/1.1\r\nHost: x\r\n\r\n",
		 "%00"},
		{"%00 in a query value",
		 "GET /v1/projects?cursor=a%00b HTTP/1.1\r\nHost: x\r\n\r\n", "%00"},
		/* Decoded, these would be a separator: another route ran. */
		{"%2F in a path segment",
		 "GET /v1/projects/PLAN%2Fstories HTTP/1.1\r\nHost: x\r\n\r\n", "%2F"},
		{"%2f in a write's path",
		 "PUT /v1/projects/PLAN%2fmembers%2fbob HTTP/1.1\r\nHost: x\r\n"
		 "Content-Length: 2\r\n\r\n{}",
		 "%2F"},
		{"not UTF-8 in a path segment",
		 "GET /v1/projects/PLAN/stories/%ff HTTP/1.1\r\nHost: x\r\n\r\n", "not UTF-8"},
		{"not UTF-8 in a query value",
		 "GET /v1/stories?q=%C0%AE HTTP/1.1\r\nHost: x\r\n\r\n", "not UTF-8"},
		/* Who calls, which version, which write: never the first of two. */
		{"Authorization twice",
		 "GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\n"
		 "authorization: Bearer b\r\n\r\n",
		 "Authorization is given more than once"},
		{"If-Match twice",
		 "DELETE /v1/projects/PLAN HTTP/1.1\r\nHost: x\r\nIf-Match: \"1\"\r\n"
		 "If-Match: \"2\"\r\n\r\n",
		 "If-Match is given more than once"},
		{"Idempotency-Key twice",
		 "POST /v1/projects HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a1\r\n"
		 "Idempotency-Key: a2\r\nContent-Length: 2\r\n\r\n{}",
		 "Idempotency-Key is given more than once"},
	};
	api_server s;
	size_t i;

	(void)state;
	api_server_start(&s, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = api_raw(&s, cases[i].req, strlen(cases[i].req), 5000);
		assert_problem_400(got, cases[i].what, cases[i].detail);
		/* The framing cannot be trusted: the connection ends after the answer. */
		pp_t_assert_contains(got, "Connection: close");
		free(got);
	}
	api_server_stop(&s);
}

/*
 * A chunk line longer than libmicrohttpd's read buffer (about 32 KB) must be
 * a problem+json 400 like the framing cases above, and the server must stay
 * up. Debian 12's libmicrohttpd 0.9.75 answers it itself with an HTML 500
 * before any callback of ours runs (docs/decisions.md, "Known gap"), so this
 * case fails today: it runs alone as the test api-chunk-extension, which
 * tests/meson.build marks should_fail, so that the gap shows as an expected
 * failure (never a pass) and a libmicrohttpd that fixes it shows as an
 * unexpected pass, which fails the run until the mark goes. api-limits
 * leaves it out (PP_T_SKIP).
 */
static void oversized_chunk_extension(void **state)
{
	static const char head[] = "POST /v1/projects HTTP/1.1\r\nHost: x\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n5;ext=";
	static const char tail[] = "\r\n{\"a\":\r\n0\r\n\r\n";
	size_t n = sizeof(head) - 1 + 40000 + sizeof(tail) - 1;
	char *req = malloc(n + 1), *got, head_of[2048];
	api_server s;

	(void)state;
	assert_non_null(req);
	memcpy(req, head, sizeof(head) - 1);
	memset(req + sizeof(head) - 1, 'a', 40000);
	memcpy(req + sizeof(head) - 1 + 40000, tail, sizeof(tail));
	api_server_start(&s, NULL);
	got = api_raw(&s, req, n, 5000);
	/* Whatever the answer, the server is still up for the next client. */
	api_ok_free(200, &s, "GET", "/livez", NULL, NULL, NULL);
	api_server_stop(&s);
	free(req);
	/* Checked once everything is freed: the expected failure is this check, not a leak. */
	snprintf(head_of, sizeof(head_of), "%s", got);
	free(got);
	assert_problem_400(head_of, "an oversized chunk extension", "chunk");
}

/* ---- (d) The whole-request deadline. ---- */

/*
 * Sends head on a new connection, then a byte every 250 ms until the server
 * closes it (6 s at the most); fails, naming what trickled, unless it was cut
 * at about 2000 ms. What the server answered is left in got.
 */
static void trickle_until_cut(const api_server *s, const char *head, const char *what, char *got,
			      size_t got_size)
{
	long long t0, took;
	int fd = api_dial(s, "127.0.0.1"), closed = 0;

	assert_true(fd >= 0);
	t0 = pp_t_now_ms();
	send_str(fd, head);
	while (!closed && pp_t_now_ms() - t0 < 6000) {
		if (send(fd, "a", 1, MSG_NOSIGNAL) != 1)
			break;
		closed = closed_within(fd, 250, got, got_size);
	}
	took = pp_t_now_ms() - t0;
	close(fd);
	if (took < 1900 || took > 3500)
		fail_msg("the trickling %s was cut after %lld ms, not at about 2000", what, took);
}

static void deadline_cuts_trickling_client(void **state)
{
	const char *env[] = {"PLANPIPE_REQUEST_TIMEOUT=2", NULL};
	const char *head = "GET /livez HTTP/1.1\r\nHost: x\r\nX-Trickle: ";
	char got[4096];
	api_server s;
	int fd;

	(void)state;
	api_server_start(&s, env);
	/* A byte every 250 ms: never idle, never done. */
	trickle_until_cut(&s, head, "client", got, sizeof(got));
	/* A slow body likewise; a client that only trickles is cut, whatever it sends. */
	trickle_until_cut(&s,
			  "POST /v1/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n",
			  "body", got, sizeof(got));
	if (got[0] && strstr(got, "HTTP/1.1 408 ") == NULL)
		fail_msg("a trickling body got an answer other than 408:\n%s", got);
	/* A prompt client on a kept-alive connection gets the whole deadline per request. */
	fd = api_dial(&s, "127.0.0.1");
	assert_true(fd >= 0);
	for (int k = 0; k < 3; k++) {
		char *resp;
		usleep(1200000);
		send_str(fd, "GET /livez HTTP/1.1\r\nHost: x\r\n\r\n");
		resp = read_response(fd, 2000);
		if (resp == NULL || strncmp(resp, "HTTP/1.1 200 ", 13) != 0)
			fail_msg("kept-alive request %d: %s", k, resp ? resp : "no answer");
		free(resp);
	}
	close(fd);
	api_server_stop(&s);
}

/* ---- The settings, and the connection limits. ---- */

static void settings_are_shown_and_checked(void **state)
{
	const char *const serve[] = {"serve", NULL};
	pp_t_result r;
	pid_t pid;

	(void)state;
	r = pp_t_run("config", NULL);
	assert_int_equal(r.status, 0);
	pp_t_assert_contains_all(r.out, "PLANPIPE_MAX_CONNECTIONS=4096",
				 "PLANPIPE_MAX_CONNECTIONS_PER_IP=256",
				 "PLANPIPE_REQUEST_TIMEOUT=30", "PLANPIPE_REPORT_CONCURRENCY=0",
				 "PLANPIPE_REPORT_WAIT_MS=1000", "PLANPIPE_HTTP_THREADS=2");
	pp_t_result_free(&r);

	pp_t_expect_env("PLANPIPE_REQUEST_TIMEOUT", "0", 2, NULL,
			"PLANPIPE_REQUEST_TIMEOUT=\"0\" is invalid", "config", NULL);

	/* Reports may never have the whole pool. */
	setenv("PLANPIPE_POOL_SIZE", "4", 1);
	setenv("PLANPIPE_REPORT_CONCURRENCY", "4", 1);
	setenv("PLANPIPE_LISTEN", "127.0.0.1:0", 1);
	pid = pp_t_spawn(serve, "serve-budget");
	r = pp_t_wait(pid, "serve-budget", 20000);
	unsetenv("PLANPIPE_POOL_SIZE");
	unsetenv("PLANPIPE_REPORT_CONCURRENCY");
	unsetenv("PLANPIPE_LISTEN");
	assert_true(r.status != 0 && r.status != -1);
	pp_t_assert_contains(r.err, "PLANPIPE_REPORT_CONCURRENCY=4 must be smaller than the pool "
				    "(PLANPIPE_POOL_SIZE=4)");
	pp_t_result_free(&r);
}

/* Opens n connections from from, each with part of a request; fails if one is refused. */
static void hold(const api_server *s, const char *from, int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		fds[i] = api_dial(s, from);
		assert_true(fds[i] >= 0);
		send_str(fds[i], "GET /livez HTTP/1.1\r\nHost: x\r\n");
	}
}

static void connection_limits(void **state)
{
	const char *env[] = {"PLANPIPE_MAX_CONNECTIONS=10", "PLANPIPE_MAX_CONNECTIONS_PER_IP=4",
			     NULL};
	const char *livez = "GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
	int a[4], b[4], c[2], fd, i;
	char got[1024], *resp;
	api_server s;

	(void)state;
	api_server_start(&s, env);
	/* Per address: the fifth connection from 127.0.0.1 is closed at once, unanswered. */
	hold(&s, "127.0.0.1", a, 4);
	usleep(300000);
	fd = api_dial(&s, "127.0.0.1");
	assert_true(fd >= 0);
	send_str(fd, livez);
	if (!closed_within(fd, 3000, got, sizeof(got)) || got[0] != '\0')
		fail_msg("a fifth connection from one address was served: \"%s\"", got);
	close(fd);
	/* Other addresses are not affected. */
	hold(&s, "127.0.0.2", b, 4);
	hold(&s, "127.0.0.3", c, 2);
	usleep(300000);
	/* In all: the eleventh connection waits until one of the ten closes. */
	fd = api_dial(&s, "127.0.0.4");
	assert_true(fd >= 0);
	send_str(fd, livez);
	resp = read_response(fd, 1000);
	if (resp != NULL)
		fail_msg("an eleventh connection was served at once:\n%s", resp);
	close(a[0]);
	resp = read_response(fd, 5000);
	if (resp == NULL || strncmp(resp, "HTTP/1.1 200 ", 13) != 0)
		fail_msg("the waiting connection: %s", resp ? resp : "no answer after one closed");
	free(resp);
	close(fd);
	for (i = 1; i < 4; i++)
		close(a[i]);
	for (i = 0; i < 4; i++)
		close(b[i]);
	for (i = 0; i < 2; i++)
		close(c[i]);
	api_server_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(settings_are_shown_and_checked),
		cmocka_unit_test(connection_limits),
		cmocka_unit_test(framing_is_strict),
		cmocka_unit_test(oversized_chunk_extension),
		cmocka_unit_test(deadline_cuts_trickling_client),
		cmocka_unit_test(reports_budget_leaves_story_reads),
		cmocka_unit_test(slow_clients_do_not_starve),
	};

	/* PP_T_ONLY runs one case, PP_T_SKIP leaves cases out (tests/meson.build). */
	if (getenv("PP_T_ONLY"))
		cmocka_set_test_filter(getenv("PP_T_ONLY"));
	if (getenv("PP_T_SKIP"))
		cmocka_set_skip_filter(getenv("PP_T_SKIP"));
	return cmocka_run_group_tests(tests, setup, teardown);
}
