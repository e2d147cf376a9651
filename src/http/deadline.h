/*
 * deadline.h: the whole-request deadline of the HTTP server.
 *
 * A request (request line, headers and body) must arrive complete within
 * timeout_s seconds, counted from the moment its connection opened or the
 * previous response on it was sent: a client that trickles a byte every few
 * seconds is cut off at the deadline however busy it looks, unlike an idle
 * timeout. A thread checks the open connections a few times a second and
 * shuts down (shutdown(2), never close(2): the event loop owns the socket)
 * those past their deadline; the event loop then closes them.
 */
#ifndef PP_HTTP_DEADLINE_H
#define PP_HTTP_DEADLINE_H

#include "core/err.h"

typedef struct pp_http_deadline pp_http_deadline;
typedef struct pp_http_dl_conn pp_http_dl_conn;

/* Starts the checking thread. PP_ENOMEM, PP_EIO. */
pp_rc pp_http_deadline_start(int timeout_s, pp_http_deadline **out, pp_err *err) PP_WARN_UNUSED;

/* A connection opened on socket fd: its clock starts. NULL when out of memory (not tracked). */
pp_http_dl_conn *pp_http_deadline_open(pp_http_deadline *d, int fd);

/* The request arrived whole: the clock stops while it is handled and answered. Accepts NULL. */
void pp_http_deadline_stop_clock(pp_http_deadline *d, pp_http_dl_conn *c);

/* The response was sent: the clock restarts for the next request. Accepts NULL. */
void pp_http_deadline_restart_clock(pp_http_deadline *d, pp_http_dl_conn *c);

/* Whether c is past its deadline now (its clock running). Accepts NULL (0). */
int pp_http_deadline_passed(pp_http_deadline *d, pp_http_dl_conn *c);

/* The connection is closing; must come before its socket is closed. Frees c. Accepts NULL. */
void pp_http_deadline_close(pp_http_deadline *d, pp_http_dl_conn *c);

/* Connections cut off so far. */
long long pp_http_deadline_cut(pp_http_deadline *d);

/* Stops the thread and frees d (every connection must be closed). Accepts NULL. */
void pp_http_deadline_free(pp_http_deadline *d);

#endif
