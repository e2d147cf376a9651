/*
 * pool_stmt.c: pp_pool_exec, and the statements prepared once per
 * connection and reused when opts.prepared is set (see pool.h, pool_int.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/conn.h"
#include "db/pool_int.h"

uint64_t pool_hash_sql(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

int pool_remember_stmt(pp_pool_conn *c, uint64_t h)
{
	if (c->n_stmts == c->cap_stmts) {
		size_t cap = c->cap_stmts ? c->cap_stmts * 2 : 16;
		uint64_t *s = realloc(c->stmts, cap * sizeof(*s));
		if (s == NULL)
			return -1;
		c->stmts = s;
		c->cap_stmts = cap;
	}
	c->stmts[c->n_stmts++] = h;
	return 0;
}

/*
 * Prepares sql on c unless it already is; its name goes to name. Returns the
 * failed result of PQprepare, or NULL on success (or when out of memory,
 * with name empty).
 */
static PGresult *prepare_once(pp_pool_conn *c, const char *sql, int n, char name[PP_POOL_STMT_NAME])
{
	uint64_t h = pool_hash_sql(sql);
	size_t i;

	snprintf(name, PP_POOL_STMT_NAME, "pp_%016llx", (unsigned long long)h);
	for (i = 0; i < c->n_stmts && c->stmts[i] != h; i++)
		;
	if (i == c->n_stmts) {
		PGresult *res = PQprepare(c->pg, name, sql, n, NULL);
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

		/* 42P05: already there (prepared before a lost reply). */
		if (PQresultStatus(res) != PGRES_COMMAND_OK &&
		    !(state && !strcmp(state, "42P05"))) {
			name[0] = '\0';
			return res;
		}
		PQclear(res);
		if (pool_remember_stmt(c, h) != 0) {
			name[0] = '\0';
			return NULL;
		}
	}
	return NULL;
}

static PGresult *exec_prepared(pp_pool_conn *c, const char *sql, int n, const char *const *params)
{
	char name[PP_POOL_STMT_NAME];
	PGresult *res = prepare_once(c, sql, n, name);

	if (res != NULL || name[0] == '\0')
		return res;
	return PQexecPrepared(c->pg, name, n, params, NULL, NULL, 0);
}

int pp_pool_conn_prepare(pp_pool_conn *c, const char *sql, int n, char name[PP_POOL_STMT_NAME])
{
	PGresult *res;

	name[0] = '\0';
	if (!c->pool->o.prepared)
		return 0;
	res = prepare_once(c, sql, n, name);
	PQclear(res);
	return name[0] != '\0';
}

pp_rc pp_pool_exec(pp_pool_conn *c, const char *sql, int n, const char *const *params,
		   PGresult **out, pp_err *err)
{
	PGresult *res;
	ExecStatusType st;

	if (out)
		*out = NULL;
	if (c->pool->o.prepared)
		res = exec_prepared(c, sql, n, params);
	else
		res = PQexecParams(c->pg, sql, n, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		c->broken = 1;
		PQclear(res);
		pp_err_set(err, PP_ECONNECT, "database unavailable: lost the connection");
		return PP_ECONNECT;
	}
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		pp_rc rc = res ? pp_db_err(err, c->pg, res, NULL)
			       : pp_err_set(err, PP_ENOMEM, "out of memory");
		PQclear(res);
		return rc;
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return PP_OK;
}
