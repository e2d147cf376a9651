/* server_int.h: server.c's pure functions, for tests/unit/http/server.c. */
#ifndef PP_HTTP_SERVER_INT_H
#define PP_HTTP_SERVER_INT_H

/*
 * Why the URI as sent (before libmicrohttpd decodes it) is refused with a
 * 400, or NULL when it may be routed: %00 anywhere, %2F or %5C in the path,
 * or bytes that are not UTF-8 once the escapes are decoded. The message is
 * a constant, for the problem's detail.
 */
const char *server_uri_fault(const char *uri);

#endif
