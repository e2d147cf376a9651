/*
 * tests/unit/http/server.c: src/http/server.c's pure part, the listen address
 * parser (pp_http_parse_listen): HOST:PORT, [IPV6]:PORT, :PORT, and what it
 * refuses, each refusal naming the address. The server itself runs against
 * real HTTP in tests/integration/test_api_*.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "unit.h"

#include "http/server.h"

static void ipv4(const char *listen, const char *addr, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	char text[INET_ADDRSTRLEN];
	unsigned len = 0;
	pp_err err;

	pp_err_clear(&err);
	assert_int_equal(pp_http_parse_listen(listen, &ss, &len, &err), PP_OK);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(v4->sin_port), port);
	assert_non_null(inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text)));
	assert_string_equal(text, addr);
}

static void ipv6(const char *listen, const char *addr, int port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	char text[INET6_ADDRSTRLEN];
	unsigned len = 0;
	pp_err err;

	pp_err_clear(&err);
	assert_int_equal(pp_http_parse_listen(listen, &ss, &len, &err), PP_OK);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(v6->sin6_port), port);
	assert_non_null(inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text)));
	assert_string_equal(text, addr);
}

/* Refused with PP_EINVAL and a message that quotes listen and says why. */
static void refused(const char *listen, const char *why)
{
	struct sockaddr_storage ss;
	unsigned len = 0;
	pp_err err;
	char quoted[128];

	pp_err_clear(&err);
	assert_int_equal(pp_http_parse_listen(listen, &ss, &len, &err), PP_EINVAL);
	snprintf(quoted, sizeof(quoted), "\"%s\"", listen);
	if (strstr(err.msg, quoted) == NULL || strstr(err.msg, why) == NULL)
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", listen, err.msg, why);
}

static void accepts_ipv4_and_names_for_all(void **state)
{
	(void)state;
	ipv4("127.0.0.1:8080", "127.0.0.1", 8080);
	ipv4("10.1.2.3:1", "10.1.2.3", 1);
	ipv4(":8080", "0.0.0.0", 8080);
	ipv4("0.0.0.0:443", "0.0.0.0", 443);
	ipv4("*:80", "0.0.0.0", 80);
	ipv4("localhost:65535", "127.0.0.1", 65535);
	ipv4("127.0.0.1:0", "127.0.0.1", 0);
}

static void accepts_bracketed_ipv6(void **state)
{
	(void)state;
	ipv6("[::1]:8080", "::1", 8080);
	ipv6("[::]:9000", "::", 9000);
	ipv6("[2001:db8::5]:1234", "2001:db8::5", 1234);
}

static void refuses_bad_ports(void **state)
{
	(void)state;
	refused("127.0.0.1", "has no port");
	refused("127.0.0.1:", "has no port");
	refused("[::1]", "the port must be");
	refused("127.0.0.1:65536", "the port must be a number from 0 to 65535");
	refused("127.0.0.1:-1", "the port must be");
	refused("127.0.0.1:80x", "the port must be");
	refused("127.0.0.1:http", "the port must be");
}

static void refuses_bad_hosts(void **state)
{
	(void)state;
	refused("example.com:80", "is not an IPv4 address (names are not resolved");
	refused("::1:80", "is not an IPv4 address");
	refused("[not-v6]:80", "\"not-v6\" is not an IPv6 address");
	refused("[]:80", "is not an IPv6 address");
	refused("256.0.0.1:80", "is not an IPv4 address");
	refused("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:80",
		"the host is too long");
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(accepts_ipv4_and_names_for_all),
	cmocka_unit_test(accepts_bracketed_ipv6),
	cmocka_unit_test(refuses_bad_ports),
	cmocka_unit_test(refuses_bad_hosts),
};

UNIT_MAIN("server", tests)
