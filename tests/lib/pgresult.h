/*
 * pgresult.h: a query's result made without a server (libpq's
 * PQmakeEmptyPGresult), for unit tests of code that reads one. Static
 * functions in a header: each test program includes it once, after
 * cmocka.h.
 */
#ifndef PP_TESTS_PGRESULT_H
#define PP_TESTS_PGRESULT_H

#include <libpq-fe.h>
#include <string.h>

/*
 * A result of n_cols text columns and n_rows rows: v holds the values row
 * after row, a NULL value an SQL NULL. Fails the test when libpq cannot
 * build it. The caller PQclear()s it.
 */
static inline PGresult *pp_t_result(int n_cols, int n_rows, const char *const *v)
{
	PGresAttDesc att[16];
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);

	assert_non_null(r);
	assert_true(n_cols > 0 && n_cols <= 16);
	memset(att, 0, sizeof(att));
	for (int k = 0; k < n_cols; k++) {
		att[k].name = (char *)"c";
		att[k].typid = 25; /* text */
		att[k].typlen = -1;
		att[k].atttypmod = -1;
	}
	assert_true(PQsetResultAttrs(r, n_cols, att));
	for (int i = 0; i < n_rows; i++)
		for (int k = 0; k < n_cols; k++) {
			const char *s = v[i * n_cols + k];
			assert_true(PQsetvalue(r, i, k, (char *)s, s ? (int)strlen(s) : -1));
		}
	return r;
}

#endif
