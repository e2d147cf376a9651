/*
 * tests/unit/http/request.c: src/http/request.c's header and query access,
 * on real libmicrohttpd connections without a network: a daemon with no
 * listening socket is handed one end of a socket pair (MHD_add_connection)
 * and the test writes the raw request into the other. The handler runs the
 * accessors and writes what they return into a summary the test compares.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"
#include <microhttpd.h>

#include "core/buf.h"
#include "http/request.h"

/* What a test asks of the request, summarized into out. */
typedef void (*probe_fn)(const pp_http_req *r, pp_buf *out);

static struct MHD_Daemon *daemon_;
static probe_fn probe;
static pp_buf summary;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	static int marker;
	struct MHD_Response *resp;
	pp_http_req r;
	enum MHD_Result ret;

	(void)cls, (void)url, (void)method, (void)version, (void)upload, (void)upload_size;
	if (*con_cls == NULL) {
		*con_cls = &marker;
		return MHD_YES;
	}
	memset(&r, 0, sizeof(r));
	r.conn = mc;
	pp_buf_reset(&summary);
	probe(&r, &summary);
	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(mc, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Sends request (raw HTTP) over a socket pair, waits for the answer; what probe saw. */
static const char *ask(const char *request, probe_fn fn)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr = {htonl(INADDR_LOOPBACK)}};
	char answer[4096];
	size_t got = 0;
	ssize_t n;
	int sv[2];

	probe = fn;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(MHD_add_connection(daemon_, sv[0], (struct sockaddr *)&sin, sizeof(sin)),
			 MHD_YES);
	assert_int_equal(write(sv[1], request, strlen(request)), (ssize_t)strlen(request));
	while ((n = read(sv[1], answer + got, sizeof(answer) - 1 - got)) > 0)
		got += (size_t)n;
	close(sv[1]);
	answer[got] = '\0';
	if (strncmp(answer, "HTTP/1.1 200 ", 13) != 0)
		fail_msg("answer: %s", answer);
	return pp_buf_str(&summary);
}

/*
 * Appends to the summary. Runs on the daemon's thread, where cmocka cannot
 * fail a test: what is wrong shows in the summary the test compares.
 */
static void add(pp_buf *out, const char *fmt, ...) PP_PRINTF(2, 3);
static void add(pp_buf *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (pp_buf_vprintf(out, fmt, ap) != PP_OK)
		pp_buf_reset(out);
	va_end(ap);
}

/* Appends "name=value;" (value "(null)" for NULL). */
static void show(pp_buf *out, const char *name, const char *value)
{
	add(out, "%s=%s;", name, value ? value : "(null)");
}

static void probe_query(const pp_http_req *r, pp_buf *out)
{
	static const char *const names[] = {"a", "b", "c", "sp", "enc", "easy", "nope", "A"};

	for (size_t i = 0; i < UNIT_NELEM(names); i++)
		show(out, names[i], pp_http_query(r, names[i]));
}

/*
 * The first value wins; "a" without "=" reads as "" (not as absent); values
 * and names are percent-decoded ('+' as a space); names are case-sensitive.
 */
static void query_values(void **state)
{
	(void)state;
	assert_string_equal(ask("GET /x?a&b=&c=1&a=2&sp=a%20b+c&enc=%C3%A9%2F&e%61sy=k HTTP/1.1\r\n"
				"Host: t\r\nConnection: close\r\n\r\n",
				probe_query),
			    "a=;b=;c=1;sp=a b c;enc=\xc3\xa9/;easy=k;nope=(null);A=(null);");
}

typedef struct each_ctx {
	pp_buf *out;
	int calls, stop_at, ret;
} each_ctx;

static int each_fn(void *ctx, const char *key, const char *value)
{
	each_ctx *e = ctx;

	show(e->out, key, value);
	return ++e->calls == e->stop_at ? e->ret : 0;
}

static void probe_each(const pp_http_req *r, pp_buf *out)
{
	each_ctx all = {out, 0, 0, 0}, early = {out, 0, 3, 42};

	int ret_all = pp_http_query_each(r, each_fn, &all), ret_early;

	add(out, "|");
	ret_early = pp_http_query_each(r, each_fn, &early);
	add(out, "|calls %d %d, returned %d %d", all.calls, early.calls, ret_all, ret_early);
}

/* Every parameter in order, repeats included, "" for no "="; stops at fn's first non-zero. */
static void query_each_in_order(void **state)
{
	(void)state;
	assert_string_equal(ask("GET /x?z=1&a&z=2&m=%41 HTTP/1.1\r\nHost: t\r\n"
				"Connection: close\r\n\r\n",
				probe_each),
			    "z=1;a=;z=2;m=A;|z=1;a=;z=2;|calls 4 3, returned 0 42");
}

static void probe_empty(const pp_http_req *r, pp_buf *out)
{
	each_ctx e = {out, 0, 0, 0};
	int ret;

	show(out, "a", pp_http_query(r, "a"));
	ret = pp_http_query_each(r, each_fn, &e);
	add(out, "calls=%d returned=%d", e.calls, ret);
}

static void no_query(void **state)
{
	(void)state;
	assert_string_equal(
		ask("GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", probe_empty),
		"a=(null);calls=0 returned=0");
}

static void probe_headers(const pp_http_req *r, pp_buf *out)
{
	show(out, "x-custom", pp_http_header(r, "x-custom"));
	show(out, "X-CUSTOM", pp_http_header(r, "X-CUSTOM"));
	show(out, "X-Rep", pp_http_header(r, "X-Rep"));
	show(out, "X-Empty", pp_http_header(r, "X-Empty"));
	show(out, "X-Missing", pp_http_header(r, "X-Missing"));
	/* A query parameter is not a header, nor the other way round. */
	show(out, "q", pp_http_header(r, "q"));
	show(out, "?X-Custom", pp_http_query(r, "X-Custom"));
}

/* Names case-insensitive, the first of repeated headers, "" kept, absent NULL. */
static void headers(void **state)
{
	(void)state;
	assert_string_equal(ask("GET /x?q=1 HTTP/1.1\r\nHost: t\r\nX-Custom: one two\r\n"
				"X-Rep: 1\r\nX-Rep: 2\r\nX-Empty:\r\nConnection: close\r\n\r\n",
				probe_headers),
			    "x-custom=one two;X-CUSTOM=one two;X-Rep=1;X-Empty=;X-Missing=(null);"
			    "q=(null);?X-Custom=(null);");
}

static int never(void *ctx, const char *key, const char *value)
{
	(void)ctx, (void)key, (void)value;
	fail_msg("called without a connection");
	return 1;
}

/* A request without a connection (as handlers' own tests build them): nothing there. */
static void without_connection(void **state)
{
	pp_http_req r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_null(pp_http_header(&r, "Host"));
	assert_null(pp_http_query(&r, "a"));
	assert_int_equal(pp_http_query_each(&r, never, NULL), 0);
}

static int setup(void **state)
{
	(void)state;
	pp_buf_init(&summary, 1 << 16);
	daemon_ = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_NO_LISTEN_SOCKET |
					   MHD_USE_ITC,
				   0, NULL, NULL, on_request, NULL, MHD_OPTION_END);
	return daemon_ == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	MHD_stop_daemon(daemon_);
	pp_buf_free(&summary);
	return 0;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(query_values),       cmocka_unit_test(query_each_in_order),
	cmocka_unit_test(no_query),           cmocka_unit_test(headers),
	cmocka_unit_test(without_connection),
};

UNIT_MAIN_WITH("request", tests, setup, teardown)
