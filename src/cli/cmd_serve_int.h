/*
 * cmd_serve_int.h: the pure arithmetic and parsing of `planpipe serve`
 * (cmd_serve.c), apart so that tests/unit/cli/cmd_serve.c can reach them.
 * Not for other modules: names carry the serve_ prefix, never pp_. None of
 * them blocks, allocates or reads the environment.
 */
#ifndef PP_CLI_CMD_SERVE_INT_H
#define PP_CLI_CMD_SERVE_INT_H

#include <sys/resource.h>

#include "core/config.h"

/* Descriptors kept for the pool, the log and libmicrohttpd's own beyond the client sockets. */
#define SERVE_FD_SPARE 64

/*
 * The reports' share of a pool of pool_max connections: cfg's
 * report_concurrency when it is set (> 0), else a quarter of the pool, at
 * least 1. (The caller refuses a share that is the whole pool.)
 */
int serve_report_budget(const pp_config *cfg, int pool_max);

/* The open files conn_limit client connections and a pool of pool_max need. */
rlim_t serve_fd_need(unsigned conn_limit, int pool_max);

/*
 * The soft limit on open files to ask for, from the current soft limit cur,
 * the hard limit max and the need: the need, capped at max; cur itself when
 * it is already enough or cannot be raised.
 */
rlim_t serve_fd_raise(rlim_t cur, rlim_t max, rlim_t need);

/*
 * The client connections that fit under a soft limit of cur open files
 * beside a pool of pool_max: conn_limit when all fit, else what is left
 * after the pool and SERVE_FD_SPARE, never fewer than SERVE_FD_SPARE.
 */
unsigned serve_fd_fit(unsigned conn_limit, int pool_max, rlim_t cur);

/*
 * --drain-timeout's argument: whole seconds from 0 to 3600, as strtol reads
 * them (leading blanks and a '+' pass), with nothing after them. 0 and
 * *seconds set, or -1 and *seconds untouched.
 */
int serve_parse_drain(const char *arg, int *seconds);

/*
 * The host of listen (HOST:PORT, [IPV6]:PORT or :PORT, as the server
 * accepted it) for the start-up line: returns its start and sets *len to
 * its length; ":PORT" (every address) is "0.0.0.0". listen must hold a ':'.
 */
const char *serve_listen_host(const char *listen, int *len);

#endif
