/*
 * tests/unit/db/pool_stmt.c: tests what src/db/pool_stmt.c decides without a
 * server: a statement's name (FNV-1a of its text) and the per-connection
 * cache that says it is prepared already. Preparing and running statements
 * is tests/integration/test_pool.c and the api-*-prepared tests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "unit.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/pool_int.h"

/* The published FNV-1a 64 test vectors. */
static void hashes_are_fnv1a_64(void **state)
{
	(void)state;
	assert_true(pool_hash_sql("") == 0xcbf29ce484222325ULL);
	assert_true(pool_hash_sql("a") == 0xaf63dc4c8601ec8cULL);
	assert_true(pool_hash_sql("foobar") == 0x85944171f73967e8ULL);
	/* Bytes above 127 are hashed unsigned. */
	assert_true(pool_hash_sql("\xff") ==
		    ((0xcbf29ce484222325ULL ^ 0xffULL) * 0x100000001b3ULL));
	assert_true(pool_hash_sql("SELECT 1") != pool_hash_sql("SELECT 2"));
	assert_true(pool_hash_sql("SELECT 1") != pool_hash_sql("SELECT 1 "));
}

static void the_cache_grows_and_keeps_every_hash(void **state)
{
	pp_pool_conn c;
	uint64_t i;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(pool_remember_stmt(&c, 42), 0);
	assert_int_equal(c.cap_stmts, 16);
	c.n_stmts = 0;
	for (i = 0; i < 100; i++)
		assert_int_equal(pool_remember_stmt(&c, i * 7919), 0);
	assert_int_equal(c.n_stmts, 100);
	assert_int_equal(c.cap_stmts, 128); /* 16, 32, 64, 128 */
	for (i = 0; i < 100; i++)
		assert_true(c.stmts[i] == i * 7919);
	free(c.stmts);
}

/* A statement the connection has prepared is named without a round trip (c.pg is NULL). */
static void a_known_statement_is_named_from_the_cache(void **state)
{
	const char *sql = "SELECT $1::int";
	char name[PP_POOL_STMT_NAME], want[PP_POOL_STMT_NAME];
	pp_pool_conn c;
	pp_pool p;

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(&c, 0, sizeof(c));
	c.pool = &p;
	p.o.prepared = 1;
	assert_int_equal(pool_remember_stmt(&c, 1), 0);
	assert_int_equal(pool_remember_stmt(&c, pool_hash_sql(sql)), 0);
	assert_int_equal(pp_pool_conn_prepare(&c, sql, 1, name), 1);
	snprintf(want, sizeof(want), "pp_%016llx", (unsigned long long)pool_hash_sql(sql));
	assert_string_equal(name, want);
	assert_int_equal(strlen(name), 19);
	assert_int_equal(c.n_stmts, 2); /* not remembered twice */

	/* Unnamed statements configured: no name, nothing sent. */
	p.o.prepared = 0;
	memset(name, 'x', sizeof(name));
	assert_int_equal(pp_pool_conn_prepare(&c, sql, 1, name), 0);
	assert_string_equal(name, "");
	free(c.stmts);
}

/* The name is "pp_" and the hash in 16 hex digits: the empty text has the FNV offset basis. */
static void names_carry_the_hash_in_hex(void **state)
{
	char name[PP_POOL_STMT_NAME];
	pp_pool_conn c;
	pp_pool p;
	const char *sql = "";

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(&c, 0, sizeof(c));
	c.pool = &p;
	p.o.prepared = 1;
	assert_int_equal(pool_remember_stmt(&c, pool_hash_sql(sql)), 0);
	assert_int_equal(pp_pool_conn_prepare(&c, sql, 0, name), 1);
	assert_string_equal(name, "pp_cbf29ce484222325");
	free(c.stmts);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(hashes_are_fnv1a_64),
	cmocka_unit_test(the_cache_grows_and_keeps_every_hash),
	cmocka_unit_test(a_known_statement_is_named_from_the_cache),
	cmocka_unit_test(names_carry_the_hash_in_hex),
};

UNIT_MAIN("pool_stmt", tests)
