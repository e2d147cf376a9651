/*
 * tests/unit/http/server.c: src/http/server.c's pure parts, the listen address
 * parser (pp_http_parse_listen): HOST:PORT, [IPV6]:PORT, :PORT, and what it
 * refuses, each refusal naming the address; and which URIs as sent are
 * refused before routing (server_uri_fault). The server itself runs against
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
#include "http/server_int.h"

/* An address that parses: listen is family's addr, port. */
typedef struct accepted {
	const char *listen;
	int family;
	const char *addr;
	int port;
} accepted;

/* An address refused with PP_EINVAL and a message that quotes listen and says why. */
typedef struct refusal {
	const char *listen, *why;
} refusal;

/* Every row of cases parses as it says; a failure names the row's listen. */
static void expect_accepted(const accepted *cases, size_t n)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	char text[INET6_ADDRSTRLEN];
	unsigned len;
	pp_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		const accepted *c = &cases[i];
		int v4_family = c->family == AF_INET;

		len = 0;
		pp_err_clear(&err);
		unit_int_equal(c->listen, pp_http_parse_listen(c->listen, &ss, &len, &err), PP_OK);
		unit_int_equal(c->listen, ss.ss_family, c->family);
		unit_int_equal(c->listen, len,
			       v4_family ? sizeof(struct sockaddr_in)
					 : sizeof(struct sockaddr_in6));
		unit_int_equal(c->listen, ntohs(v4_family ? v4->sin_port : v6->sin6_port), c->port);
		if (inet_ntop(c->family, v4_family ? (void *)&v4->sin_addr : (void *)&v6->sin6_addr,
			      text, sizeof(text)) == NULL)
			fail_msg("%s: inet_ntop failed", c->listen);
		unit_str_equal(c->listen, text, c->addr);
	}
}

static void expect_refused(const refusal *cases, size_t n)
{
	struct sockaddr_storage ss;
	char quoted[128];
	unsigned len;
	pp_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		const refusal *c = &cases[i];

		len = 0;
		pp_err_clear(&err);
		unit_int_equal(c->listen, pp_http_parse_listen(c->listen, &ss, &len, &err),
			       PP_EINVAL);
		snprintf(quoted, sizeof(quoted), "\"%s\"", c->listen);
		unit_str_has(c->listen, err.msg, quoted);
		unit_str_has(c->listen, err.msg, c->why);
	}
}

static void accepts_ipv4_and_names_for_all(void **state)
{
	static const accepted cases[] = {
		{"127.0.0.1:8080", AF_INET, "127.0.0.1", 8080},
		{"10.1.2.3:1", AF_INET, "10.1.2.3", 1},
		{":8080", AF_INET, "0.0.0.0", 8080},
		{"0.0.0.0:443", AF_INET, "0.0.0.0", 443},
		{"*:80", AF_INET, "0.0.0.0", 80},
		{"localhost:65535", AF_INET, "127.0.0.1", 65535},
		{"127.0.0.1:0", AF_INET, "127.0.0.1", 0},
	};

	(void)state;
	expect_accepted(cases, UNIT_NELEM(cases));
}

static void accepts_bracketed_ipv6(void **state)
{
	static const accepted cases[] = {
		{"[::1]:8080", AF_INET6, "::1", 8080},
		{"[::]:9000", AF_INET6, "::", 9000},
		{"[2001:db8::5]:1234", AF_INET6, "2001:db8::5", 1234},
	};

	(void)state;
	expect_accepted(cases, UNIT_NELEM(cases));
}

static void refuses_bad_ports(void **state)
{
	static const refusal cases[] = {
		{"127.0.0.1", "has no port"},
		{"127.0.0.1:", "has no port"},
		{"[::1]", "the port must be"},
		{"127.0.0.1:65536", "the port must be a number from 0 to 65535"},
		{"127.0.0.1:-1", "the port must be"},
		{"127.0.0.1:80x", "the port must be"},
		{"127.0.0.1:http", "the port must be"},
	};

	(void)state;
	expect_refused(cases, UNIT_NELEM(cases));
}

static void refuses_bad_hosts(void **state)
{
	static const refusal cases[] = {
		{"example.com:80", "is not an IPv4 address (names are not resolved"},
		{"::1:80", "is not an IPv4 address"},
		{"[not-v6]:80", "\"not-v6\" is not an IPv6 address"},
		{"[]:80", "is not an IPv6 address"},
		{"256.0.0.1:80", "is not an IPv4 address"},
		{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:80",
		 "the host is too long"},
	};

	(void)state;
	expect_refused(cases, UNIT_NELEM(cases));
}

/* URIs as sent: routed (NULL), or refused with a message naming the fault. */
static void uri_faults(void **state)
{
	static const struct {
		const char *uri, *fault; /* fault: a part of the message, or NULL */
	} cases[] = {
		{"/v1/projects/PLAN/stories/PLAN-1", NULL},
		{"/v1/projects/In%20Review", NULL},
		{"/v1/projects/%C3%A9t%C3%A9", NULL},      /* UTF-8 */
		{"/v1/stories?q=a%2Fb&label=x%5Cy", NULL}, /* a slash in a query value */
		{"/v1/projects/PLAN%00X", "%00"},
		{"/v1/projects?cursor=a%00b", "%00"},
		{"/v1/projects/ADH%2Fstories", "%2F"},
		{"/v1/projects/ADH%2fmembers%2fcarol", "%2F"},
		{"/v1/projects/ADH%5Cx", "%5C"},
		{"/v1/projects/ADH/stories/%ff", "not UTF-8"},
		{"/v1/projects/ADH/stories/%C0%AE%C0%AE", "not UTF-8"}, /* overlong "." */
		{"/v1/projects/%ED%A0%80", "not UTF-8"},                /* a surrogate */
		{"/v1/stories?q=%ff", "not UTF-8"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < UNIT_NELEM(cases); i++) {
		const char *got = server_uri_fault(cases[i].uri);

		if (cases[i].fault == NULL)
			unit_str_equal(cases[i].uri, got, NULL);
		else
			unit_str_has(cases[i].uri, got, cases[i].fault);
	}
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(accepts_ipv4_and_names_for_all),
	cmocka_unit_test(accepts_bracketed_ipv6),
	cmocka_unit_test(refuses_bad_ports),
	cmocka_unit_test(refuses_bad_hosts),
	cmocka_unit_test(uri_faults),
};

UNIT_MAIN("server", tests)
