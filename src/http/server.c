/*
 * server.c: the libmicrohttpd server (see server.h): epoll event loop threads
 * that only read and write sockets, handlers on lanes of our own threads
 * (lane.c) while the connection is suspended, the whole-request deadline
 * (deadline.c), and the strict framing checks made before a body is read.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "http/deadline.h"
#include "http/lane.h"
#include "http/server_int.h"

/* Bytes of a chunked body past max_body read (and dropped) before answering 413 anyway. */
#define DROP_MAX ((size_t)8 << 20)

struct pp_http_server {
	struct MHD_Daemon *d;
	pp_http_opts o;
	int port;
	MHD_socket quiesced; /* the listen socket after MHD_quiesce_daemon */
	atomic_int draining;
	pp_http_lane *lane;    /* every route but the reports */
	pp_http_lane *reports; /* the reports: a smaller budget */
	pp_http_deadline *dl;

	pthread_mutex_t mu;
	pthread_cond_t idle; /* signalled when in_flight drops to 0 */
	int in_flight;
};

/* Where a request is: being read, waiting for or in a handler (suspended), answered. */
enum { ST_READING, ST_HANDLING, ST_HANDLED };

/* One request, from its request line to the end of its response. */
typedef struct request_ctx {
	pp_http_job job; /* first: the lane hands it back */
	pp_http_server *s;
	struct MHD_Connection *mc;
	atomic_int state;
	int report;            /* routed to the reports lane */
	const char *uri_fault; /* server_uri_fault of the URI as sent, or NULL */
	pp_http_resp out;      /* the handler's answer, sent once the connection resumes */
	pp_http_req req;
	char *uri; /* as sent, with the query string */
	char *method;
	char *path;
	pp_buf body;
	int seen;       /* the access handler has been called */
	int too_large;  /* the body passed max_body */
	size_t dropped; /* bytes of such a body read and dropped */
	int responded;
	int status;
	pp_route_result match; /* routed on the first call, so even a 413 counts under its route */
	const pp_route *route;
	char allow[128];
	size_t bytes;
	long long t0_us;
	char remote[INET6_ADDRSTRLEN];
} request_ctx;

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- Listen addresses. ---- */

pp_rc pp_http_parse_listen(const char *listen, void *storage, unsigned *len, pp_err *err)
{
	struct sockaddr_in *v4 = storage;
	struct sockaddr_in6 *v6 = storage;
	const char *colon = strrchr(listen, ':');
	char host[64], *end;
	size_t hl;
	long port;

	memset(storage, 0, sizeof(struct sockaddr_storage));
	if (colon == NULL || colon[1] == '\0')
		return pp_err_set(err, PP_EINVAL, "\"%s\" has no port: expected HOST:PORT", listen);
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || port < 0 || port > 65535)
		return pp_err_set(err, PP_EINVAL,
				  "\"%s\": the port must be a number from 0 to 65535", listen);
	hl = (size_t)(colon - listen);
	if (hl >= sizeof(host))
		return pp_err_set(err, PP_EINVAL, "\"%s\": the host is too long", listen);
	memcpy(host, listen, hl);
	host[hl] = '\0';
	if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) != 1)
			return pp_err_set(err, PP_EINVAL, "\"%s\": \"%s\" is not an IPv6 address",
					  listen, host + 1);
		*len = sizeof(*v6);
		return PP_OK;
	}
	v4->sin_family = AF_INET;
	v4->sin_port = htons((uint16_t)port);
	*len = sizeof(*v4);
	if (hl == 0 || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "*") == 0) {
		v4->sin_addr.s_addr = htonl(INADDR_ANY);
		return PP_OK;
	}
	if (strcmp(host, "localhost") == 0) {
		v4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return PP_OK;
	}
	if (inet_pton(AF_INET, host, &v4->sin_addr) != 1)
		return pp_err_set(err, PP_EINVAL,
				  "\"%s\": \"%s\" is not an IPv4 address (names are not resolved; "
				  "write [::1]:PORT for IPv6)",
				  listen, host);
	return PP_OK;
}

/* ---- Request ids and the access log. ---- */

/* The client's id when it is short and plain (so it can be logged as is), else a random one. */
static void set_request_id(request_ctx *c, struct MHD_Connection *mc)
{
	const char *given = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "X-Request-Id");
	unsigned char rnd[8];
	size_t i;

	if (given && *given && strlen(given) <= PP_HTTP_REQUEST_ID_MAX &&
	    strspn(given, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") ==
		    strlen(given)) {
		snprintf(c->req.request_id, sizeof(c->req.request_id), "%s", given);
		return;
	}
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		/* Unique enough without entropy: the clock and the address of c. */
		unsigned long long x = (unsigned long long)now_us() ^ (unsigned long long)(size_t)c;
		memcpy(rnd, &x, sizeof(rnd));
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(c->req.request_id + 2 * i, 3, "%02x", rnd[i]);
}

/* Copies s for a log line: printable ASCII kept, anything else as \xNN. */
static void log_safe(pp_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		pp_rc rc = (ch < 0x20 || ch >= 0x7f || ch == '\\' || ch == '"')
				   ? pp_buf_printf(b, "\\x%02x", ch)
				   : pp_buf_add(b, s, 1);
		if (rc != PP_OK)
			return;
	}
}

static void access_log(const pp_http_server *s, const request_ctx *c)
{
	double ms = (double)(now_us() - c->t0_us) / 1000.0;
	char when[PP_LOG_TIME_MAX];
	pp_buf uri, method, line;
	pp_rc rc;

	pp_log_time(when);
	pp_buf_init(&uri, 16384);
	pp_buf_init(&method, 256);
	pp_buf_init(&line, 32768);
	log_safe(&uri, c->uri);
	log_safe(&method, c->method);
	if (s->o.log_json) {
		json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:f,s:I,s:s?}", "time",
				      when, "level", "info", "msg", "request", "request_id",
				      c->req.request_id, "remote", c->remote, "method",
				      pp_buf_str(&method), "uri", pp_buf_str(&uri), "route",
				      c->req.route ? c->req.route : "", "status", c->status,
				      "duration_ms", ms, "bytes", (json_int_t)c->bytes, "user_id",
				      c->req.user_id[0] ? c->req.user_id : NULL);
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

		rc = text ? pp_buf_printf(&line, "%s\n", text) : PP_ENOMEM;
		free(text);
		json_decref(o);
	} else {
		rc = pp_buf_printf(&line,
				   "%s request request_id=%s remote=%s method=%s uri=\"%s\" "
				   "route=\"%s\" status=%d duration_ms=%.3f bytes=%zu user_id=%s\n",
				   when, c->req.request_id, c->remote, pp_buf_str(&method),
				   pp_buf_str(&uri), c->req.route ? c->req.route : "", c->status,
				   ms, c->bytes, c->req.user_id[0] ? c->req.user_id : "-");
	}
	if (rc == PP_OK) {
		flockfile(stdout);
		fputs(pp_buf_str(&line), stdout);
		fflush(stdout);
		funlockfile(stdout);
	}
	pp_buf_free(&uri);
	pp_buf_free(&method);
	pp_buf_free(&line);
}

/* ---- libmicrohttpd callbacks. ---- */

/* Methods are the client's: anything unusual counts as OTHER, so series stay few and plain. */
static const char *metric_method(const char *m)
{
	static const char *const known[] = {"GET",   "HEAD",   "POST",    "PUT",
					    "PATCH", "DELETE", "OPTIONS", NULL};
	size_t i;

	for (i = 0; m && known[i]; i++)
		if (strcmp(m, known[i]) == 0)
			return known[i];
	return "OTHER";
}

/* Whether the URI as sent holds %00, which decoding would turn into a truncating NUL. */
/* "%XY" at p, either case of hex digits. */
static int escape_is(const char *p, const char *xy)
{
	return p[0] == '%' && p[1] == xy[0] && p[2] && toupper((unsigned char)p[2]) == xy[1];
}

/*
 * Why the URI as sent is refused (a 400 with the framing faults), or NULL:
 * %00 anywhere (a NUL would cut a value short); an encoded / or \ in the path
 * (the path is split after libmicrohttpd decodes it, so %2F would become a
 * separator and change the route, while a proxy in front saw one segment);
 * bytes that are not UTF-8 once decoded (no key, handle or value is, and
 * they would reach the database as text).
 */
const char *server_uri_fault(const char *uri)
{
	const char *p, *query = strchr(uri, '?');
	const char *fault = NULL;
	json_t *utf8;
	char *copy;

	for (p = uri; (p = strchr(p, '%')) != NULL; p++) {
		if (escape_is(p, "00"))
			return "the URI holds %00 (a NUL byte), which no path or query value may hold";
		if ((query == NULL || p < query) && (escape_is(p, "2F") || escape_is(p, "5C")))
			return "the path holds an encoded / or \\ (%2F, %5C): a path segment never "
			       "holds one";
	}
	copy = strdup(uri);
	if (copy == NULL)
		return NULL;
	copy[MHD_http_unescape(copy)] = '\0';
	utf8 = json_string(copy);
	if (utf8 == NULL)
		fault = "the URI is not UTF-8 once its %XX escapes are decoded";
	json_decref(utf8);
	free(copy);
	return fault;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
	request_ctx *c = calloc(1, sizeof(*c));
	const union MHD_ConnectionInfo *info;

	if (c == NULL)
		return NULL;
	c->s = cls;
	c->mc = mc;
	c->t0_us = now_us();
	c->uri = strdup(uri ? uri : "");
	c->uri_fault = server_uri_fault(uri);
	atomic_init(&c->state, ST_READING);
	snprintf(c->remote, sizeof(c->remote), "-");
	info = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (info && info->client_addr) {
		const struct sockaddr *sa = info->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
				  &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
				  c->remote, sizeof(c->remote));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
				  c->remote, sizeof(c->remote));
	}
	return c;
}

/* The connection's deadline record (its socket context), or NULL. */
static pp_http_dl_conn *conn_deadline(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info ? info->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_ctx,
			  enum MHD_ConnectionNotificationCode code)
{
	pp_http_server *s = cls;
	const union MHD_ConnectionInfo *info;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		info = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_ctx = info ? pp_http_deadline_open(s->dl, info->connect_fd) : NULL;
		return;
	}
	/* Called before libmicrohttpd closes the socket. */
	pp_http_deadline_close(s->dl, *socket_ctx);
	*socket_ctx = NULL;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	pp_http_server *s = cls;
	request_ctx *c = *con_cls;

	(void)toe;
	/* The next request on this connection has the whole deadline again. */
	pp_http_deadline_restart_clock(s->dl, conn_deadline(mc));
	if (c == NULL)
		return;
	if (c->seen) {
		if (c->responded)
			pp_http_metrics_observe(s->o.metrics, metric_method(c->method),
						c->req.route, c->status,
						(double)(now_us() - c->t0_us) / 1e6);
		access_log(s, c);
		pp_http_metrics_in_flight(s->o.metrics, -1);
		pthread_mutex_lock(&s->mu);
		if (--s->in_flight == 0)
			pthread_cond_broadcast(&s->idle);
		pthread_mutex_unlock(&s->mu);
	}
	free(c->uri);
	free(c->method);
	free(c->path);
	free(c->req.param_buf);
	pp_buf_free(&c->body);
	pp_http_resp_free(&c->out);
	free(c);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t len;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	while (len > 0 && msg[len - 1] == '\n')
		msg[--len] = '\0';
	/* Mostly clients that hang up or send garbage: interesting only when debugging. */
	pp_log(PP_LOG_DEBUG, "http: %s", msg);
}

/* Sends resp; close: the connection ends after it (the framing cannot be trusted). */
static enum MHD_Result send_resp(pp_http_server *s, request_ctx *c, struct MHD_Connection *mc,
				 pp_http_resp *resp, int close)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	int i;

	r = MHD_create_response_from_buffer(resp->body_len, resp->body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		pp_http_resp_free(resp);
		return MHD_NO;
	}
	resp->body = NULL; /* libmicrohttpd frees it */
	if (resp->content_type)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	MHD_add_response_header(r, "X-Request-Id", c->req.request_id);
	for (i = 0; i < resp->n_headers; i++)
		MHD_add_response_header(r, resp->headers[i].name, resp->headers[i].value);
	if (close || atomic_load(&s->draining))
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	c->status = resp->status;
	c->bytes = resp->body_len;
	c->responded = 1;
	ret = MHD_queue_response(mc, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	pp_http_resp_free(resp);
	return ret;
}

static void too_large(const pp_http_server *s, const request_ctx *c, pp_http_resp *resp)
{
	char detail[160];
	pp_problem p = {.status = 413,
			.type = "body-too-large",
			.title = "Request body too large",
			.detail = detail};

	snprintf(detail, sizeof(detail), "the body may be at most %zu bytes (PLANPIPE_MAX_BODY)",
		 s->o.max_body);
	pp_http_problem(resp, &c->req, &p);
}

static void dispatch(pp_http_server *s, request_ctx *c, pp_http_resp *resp)
{
	char detail[300];
	pp_problem p = {0};

	switch (c->match) {
	case PP_ROUTE_FOUND:
		c->route->handler(s->o.ctx, &c->req, resp);
		break;
	case PP_ROUTE_BAD_METHOD:
		snprintf(detail, sizeof(detail), "%.40s is not allowed here; allowed: %s",
			 c->req.method, c->allow);
		p = (pp_problem){.status = 405,
				 .type = "method-not-allowed",
				 .title = "Method not allowed",
				 .detail = detail};
		pp_http_problem(resp, &c->req, &p);
		if (pp_http_resp_header(resp, "Allow", c->allow) != PP_OK)
			pp_http_resp_set(resp, 500, NULL, NULL, 0);
		break;
	case PP_ROUTE_NOT_FOUND:
		p = (pp_problem){.status = 404,
				 .type = "not-found",
				 .title = "Not found",
				 .detail = "no such route"};
		pp_http_problem(resp, &c->req, &p);
		break;
	}
	if (resp->status == 0) {
		p = (pp_problem){.status = 500,
				 .type = "internal",
				 .title = "Internal error",
				 .detail = "the handler gave no answer"};
		pp_http_problem(resp, &c->req, &p);
	}
}

/* ---- Handlers on the lanes. ---- */

/* A report route: a path segment "reports" (e.g. /v1/reports/{name}). */
static int is_report(const pp_route *r)
{
	const char *p = r ? strstr(r->pattern, "/reports") : NULL;

	return p && (p[8] == '/' || p[8] == '\0');
}

/* The answer to a request that found no free handler thread in time. */
static void busy(const pp_http_server *s, const request_ctx *c, pp_http_resp *resp)
{
	char detail[300];
	pp_problem p = {.status = 503, .type = "busy", .title = "Busy: retry", .detail = detail};

	if (c->report)
		snprintf(detail, sizeof(detail),
			 "at most %d reports run at once (PLANPIPE_REPORT_CONCURRENCY) and none "
			 "finished within %d ms; retry after Retry-After seconds",
			 s->o.report_workers, s->o.report_wait_ms);
	else
		snprintf(detail, sizeof(detail),
			 "all %d request handlers stayed busy for %d ms; retry after Retry-After "
			 "seconds",
			 s->o.workers, s->o.wait_ms);
	pp_http_problem(resp, &c->req, &p);
	if (pp_http_resp_header(resp, "Retry-After", c->report ? "2" : "1") != PP_OK)
		pp_http_resp_set(resp, 500, NULL, NULL, 0);
}

/* On a lane thread: the handler (or 503), then the connection goes back to the event loop. */
static void run_job(pp_http_job *j, int expired)
{
	request_ctx *c = (request_ctx *)(void *)j;

	if (expired)
		busy(c->s, c, &c->out);
	else
		dispatch(c->s, c, &c->out);
	atomic_store(&c->state, ST_HANDLED);
	MHD_resume_connection(c->mc);
}

/* ---- Framing: what libmicrohttpd lets through, refused before the body is read. ---- */

/*
 * Headers that name who calls or which version or write is meant: given
 * twice, a proxy's and a client's could disagree, and taking the first
 * would be a guess.
 */
static const char *const single_headers[] = {"Authorization", "If-Match", "If-None-Match",
					     "Idempotency-Key", "PlanPipe-LSN"};
#define N_SINGLE (sizeof(single_headers) / sizeof(single_headers[0]))
static const char *const single_faults[N_SINGLE] = {
	"Authorization is given more than once: which caller is meant is ambiguous",
	"If-Match is given more than once: which version is meant is ambiguous",
	"If-None-Match is given more than once: which version is meant is ambiguous",
	"Idempotency-Key is given more than once: which write is meant is ambiguous",
	"PlanPipe-LSN is given more than once: which position is meant is ambiguous",
};

typedef struct framing {
	int n_cl, n_te, cl_conflict, cl_bad, te_bad;
	const char *cl;
	int n_single[N_SINGLE];
} framing;

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	framing *f = cls;

	(void)kind;
	if (value == NULL)
		value = "";
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (f->n_cl++ > 0 && strcmp(f->cl, value) != 0)
			f->cl_conflict = 1;
		f->cl = value;
		if (*value == '\0' || strspn(value, "0123456789") != strlen(value))
			f->cl_bad = 1;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		f->n_te++;
		if (strcasecmp(value, "chunked") != 0)
			f->te_bad = 1;
	} else {
		for (size_t i = 0; i < N_SINGLE; i++)
			if (strcasecmp(key, single_headers[i]) == 0)
				f->n_single[i]++;
	}
	return MHD_YES;
}

/* Why the request's framing is refused (a 400), or NULL when it is sound. */
static const char *framing_fault(const request_ctx *c, struct MHD_Connection *mc)
{
	framing f = {0};

	if (c->uri_fault)
		return c->uri_fault;
	MHD_get_connection_values(mc, MHD_HEADER_KIND, count_framing, &f);
	if (f.cl_conflict)
		return "Content-Length is given more than once with different values";
	if (f.cl_bad)
		return "Content-Length must be a decimal number of bytes";
	if (f.n_cl > 0 && f.n_te > 0)
		return "Content-Length and Transfer-Encoding together: the body's length is "
		       "ambiguous";
	if (f.n_te > 1 || f.te_bad)
		return "Transfer-Encoding must be exactly \"chunked\", given once";
	for (size_t i = 0; i < N_SINGLE; i++)
		if (f.n_single[i] > 1)
			return single_faults[i];
	return NULL;
}

static enum MHD_Result refuse(pp_http_server *s, request_ctx *c, struct MHD_Connection *mc,
			      int status, const char *type, const char *title, const char *detail)
{
	pp_http_resp resp = {0};
	pp_problem p = {.status = status, .type = type, .title = title, .detail = detail};

	pp_http_problem(&resp, &c->req, &p);
	return send_resp(s, c, mc, &resp, 1);
}

/* The first call of a request: its bookkeeping, and a 400 or 413 before reading its body. */
static enum MHD_Result begin(pp_http_server *s, request_ctx *c, struct MHD_Connection *mc,
			     const char *url, const char *method)
{
	const char *cl =
		MHD_lookup_connection_value(mc, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	const char *fault;
	pp_http_resp resp = {0};

	/* Counted from here; on_completed uncounts what has seen set. */
	pp_http_metrics_in_flight(s->o.metrics, 1);
	pthread_mutex_lock(&s->mu);
	s->in_flight++;
	pthread_mutex_unlock(&s->mu);
	c->seen = 1;
	pp_buf_init(&c->body, s->o.max_body);
	c->method = strdup(method);
	c->path = strdup(url);
	if (c->method == NULL || c->path == NULL)
		return MHD_NO;
	c->req.method = c->method;
	c->req.path = c->path;
	c->req.body = "";
	c->req.conn = mc;
	set_request_id(c, mc);
	c->match = pp_router_match(s->o.routes, s->o.n_routes, &c->req, &c->route, c->allow,
				   sizeof(c->allow));
	c->report = c->match == PP_ROUTE_FOUND && is_report(c->route);
	fault = framing_fault(c, mc);
	if (fault)
		return refuse(s, c, mc, 400, "bad-request", "Bad request", fault);
	if (cl && strtoull(cl, NULL, 10) > s->o.max_body) {
		/* Answered before the body is read: libmicrohttpd then closes the connection. */
		c->too_large = 1;
		too_large(s, c, &resp);
		return send_resp(s, c, mc, &resp, 1);
	}
	return MHD_YES;
}

/* The whole request is in: a handler lane takes it, or (no route, /livez) it is answered here. */
static enum MHD_Result handle(pp_http_server *s, request_ctx *c, struct MHD_Connection *mc)
{
	pp_http_resp resp = {0};

	pp_http_deadline_stop_clock(s->dl, conn_deadline(mc));
	c->req.body = pp_buf_str(&c->body);
	c->req.body_len = c->body.len;
	/* No database: answered on the event loop, so liveness is the loop's, not the pool's. */
	if (c->match != PP_ROUTE_FOUND || strcmp(c->route->pattern, "/livez") == 0) {
		dispatch(s, c, &resp);
		return send_resp(s, c, mc, &resp, 0);
	}
	atomic_store(&c->state, ST_HANDLING);
	c->job.run = run_job;
	MHD_suspend_connection(mc);
	pp_http_lane_push(c->report ? s->reports : s->lane, &c->job);
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	pp_http_server *s = cls;
	request_ctx *c = *con_cls;
	pp_http_resp resp = {0};

	(void)version;
	if (c == NULL)
		return MHD_NO;
	if (!c->seen)
		return begin(s, c, mc, url, method);
	if (*upload_size > 0) {
		size_t got = *upload_size;

		*upload_size = 0;
		if (c->responded)
			return MHD_YES;
		if (pp_http_deadline_passed(s->dl, conn_deadline(mc)))
			return refuse(s, c, mc, 408, "request-timeout", "Request timeout",
				      "the request did not arrive whole within "
				      "PLANPIPE_REQUEST_TIMEOUT seconds");
		if (!c->too_large && pp_buf_add(&c->body, upload, got) == PP_OK)
			return MHD_YES;
		/*
		 * Past the limit without a Content-Length (chunked). A client
		 * reads the 413 only once it has sent its body, so a little more
		 * is read and dropped; beyond that the answer goes out at once and
		 * libmicrohttpd closes the connection without reading the rest.
		 */
		c->too_large = 1;
		c->dropped += got;
		if (c->dropped <= s->o.max_body + DROP_MAX)
			return MHD_YES;
		too_large(s, c, &resp);
		return send_resp(s, c, mc, &resp, 1);
	}
	if (c->responded)
		return MHD_YES;
	switch (atomic_load(&c->state)) {
	case ST_HANDLING: /* not resumed yet */
		return MHD_YES;
	case ST_HANDLED:
		return send_resp(s, c, mc, &c->out, 0);
	default:
		break;
	}
	if (c->too_large) {
		too_large(s, c, &resp);
		return send_resp(s, c, mc, &resp, 1);
	}
	return handle(s, c, mc);
}

/* ---- Start, drain, stop. ---- */

static pp_rc start_threads(pp_http_server *s, pp_err *err)
{
	pp_rc rc = pp_http_lane_start("requests", s->o.workers, s->o.wait_ms, &s->lane, err);

	if (rc == PP_OK)
		rc = pp_http_lane_start("reports", s->o.report_workers, s->o.report_wait_ms,
					&s->reports, err);
	if (rc == PP_OK)
		rc = pp_http_deadline_start((int)s->o.request_timeout_s, &s->dl, err);
	return rc;
}

static void free_server(pp_http_server *s)
{
	/* Lanes first: every suspended connection is resumed before the daemon stops. */
	pp_http_lane_stop(s->lane);
	pp_http_lane_stop(s->reports);
	if (s->d)
		MHD_stop_daemon(s->d);
	/* Closed only now: an event loop thread may have used it until the daemon stopped. */
	if (s->quiesced != MHD_INVALID_SOCKET)
		close(s->quiesced);
	pp_http_deadline_free(s->dl);
	pthread_cond_destroy(&s->idle);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

pp_rc pp_http_server_start(const pp_http_opts *o, pp_http_server **out, pp_err *err)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	unsigned len = 0;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	pthread_condattr_t ca;
	pp_http_server *s;
	pp_rc rc;

	*out = NULL;
	rc = pp_http_parse_listen(o->listen, &ss, &len, err);
	if (rc != PP_OK)
		return rc;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	s->o = *o;
	s->quiesced = MHD_INVALID_SOCKET;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->idle, &ca);
	pthread_condattr_destroy(&ca);
	rc = start_threads(s, err);
	if (rc != PP_OK) {
		free_server(s);
		return rc;
	}
	errno = 0;
	s->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, o->event_threads, MHD_OPTION_CONNECTION_LIMIT,
		o->conn_limit, MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->per_ip_limit,
		/* libmicrohttpd's own idle timeout: a backstop behind the deadline. */
		MHD_OPTION_CONNECTION_TIMEOUT, o->request_timeout_s + 1,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
		on_connection, s, MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, s, MHD_OPTION_END);
	if (s->d == NULL) {
		int e = errno;
		free_server(s);
		return pp_err_set(err, PP_EIO, "cannot listen on %s: %s", o->listen,
				  e ? strerror(e) : "the address is in use or not this host's");
	}
	info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	*out = s;
	return PP_OK;
}

int pp_http_server_port(const pp_http_server *s)
{
	return s->port;
}

int pp_http_server_drain(pp_http_server *s, int timeout_ms)
{
	struct timespec ts;
	long long deadline;
	int left;

	atomic_store(&s->draining, 1);
	if (s->quiesced == MHD_INVALID_SOCKET) {
		s->quiesced = MHD_quiesce_daemon(s->d);
		/*
		 * Not closed before MHD_stop_daemon (see its documentation), but no
		 * longer listening: new clients are refused at once instead of
		 * waiting in the backlog of a server that will never accept them.
		 */
		if (s->quiesced != MHD_INVALID_SOCKET)
			shutdown(s->quiesced, SHUT_RDWR);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	deadline = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + timeout_ms;
	ts.tv_sec = (time_t)(deadline / 1000);
	ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
	pthread_mutex_lock(&s->mu);
	while (s->in_flight > 0)
		if (pthread_cond_timedwait(&s->idle, &s->mu, &ts) == ETIMEDOUT)
			break;
	left = s->in_flight;
	pthread_mutex_unlock(&s->mu);
	return left;
}

void pp_http_server_stop(pp_http_server *s)
{
	if (s == NULL)
		return;
	free_server(s);
}
