/*
 * pitr.c: `planpipe backup --pitr` and `planpipe restore --to-time/--to-lsn`
 * through the server: COPY ... FROM PROGRAM 'planpipe-pitr --copy ...' into
 * a temporary table, then its lines read back in order (see pitr.h).
 */
#include "db/pitr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "db/conn.h"
#include "db/pitr_int.h"
#include "db/sql.h"

static const char status_prefix[] = "planpipe-pitr: exit ";

/* Its arguments are fixed words or a normalised target. */
pp_rc pitr_build_command(const pp_pitr_opts *o, const char *target, pp_buf *cmd)
{
	const char *prog = getenv("PLANPIPE_PITR_PROGRAM");

	if (prog == NULL || *prog == '\0')
		prog = "planpipe-pitr";
	if (o->op == PP_PITR_BACKUP)
		return pp_buf_printf(cmd, "%s --copy backup --type %s", prog,
				     o->type ? o->type : "full");
	return pp_buf_printf(cmd, "%s --copy restore --%s '%s'%s", prog,
			     o->to_time ? "time" : "lsn", target,
			     o->no_switch ? " --no-switch" : "");
}

/* Checks and normalises the restore target into res->target. */
static pp_rc normalise_target(PGconn *conn, const pp_pitr_opts *o, pp_pitr_result *res, pp_err *err)
{
	const char *opt = o->to_time ? "--to-time" : "--to-lsn";
	const char *val = o->to_time ? o->to_time : o->to_lsn;
	PGresult *r = NULL;
	pp_err e;
	pp_rc rc;

	pp_err_clear(&e);
	rc = pp_db_execp(conn,
			 o->to_time ? pp_db_sql("pitr.sql", "norm_time")
				    : pp_db_sql("pitr.sql", "norm_lsn"),
			 1, &val, &r, &e);
	if (rc != PP_OK) {
		if (rc == PP_EDB)
			return pp_err_set(err, PP_EINVAL, "%s '%s' is not valid: %s", opt, val,
					  e.msg);
		return pp_err_set(err, rc, "%s", e.msg);
	}
	snprintf(res->target, sizeof(res->target), "%s", PQgetvalue(r, 0, 0));
	if (o->to_time && strcmp(PQgetvalue(r, 0, 1), "t") == 0) {
		PQclear(r);
		return pp_err_set(err, PP_EINVAL,
				  "%s '%s' (%s) is in the future: nothing to recover up to it yet",
				  opt, val, res->target);
	}
	PQclear(r);
	return PP_OK;
}

/* Collects the lines; the last one is the status line planpipe-pitr --copy ends with. */
static pp_rc collect(PGconn *conn, pp_pitr_result *res, pp_err *err)
{
	PGresult *r = NULL;
	pp_buf out;
	int i, n, status = -1;
	pp_rc rc;

	rc = pp_db_exec(conn, pp_db_sql("pitr.sql", "lines"), &r, err);
	if (rc != PP_OK)
		return rc;
	pp_buf_init(&out, 64 * 1024 * 1024);
	n = PQntuples(r);
	for (i = 0; i < n; i++) {
		const char *line = PQgetvalue(r, i, 0);

		if (i == n - 1 && strncmp(line, status_prefix, sizeof(status_prefix) - 1) == 0) {
			status = atoi(line + sizeof(status_prefix) - 1);
			break;
		}
		if (pp_buf_printf(&out, "%s\n", line) != PP_OK) {
			rc = pp_err_set(err, PP_ENOMEM,
					"out of memory reading planpipe-pitr's output");
			goto out;
		}
	}
	if (status < 0) {
		rc = pp_err_set(err, PP_EIO,
				"planpipe-pitr ended without its status line: is the server's "
				"planpipe-pitr the db image's (docker/db/pitr.sh)?");
		goto out;
	}
	res->status = status;
	res->output = pp_buf_take(&out);
	if (res->output == NULL)
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
out:
	pp_buf_free(&out);
	PQclear(r);
	return rc;
}

pp_rc pp_pitr_run(const pp_config *cfg, const pp_pitr_opts *o, pp_pitr_result *res, pp_err *err)
{
	PGconn *conn = NULL;
	PGresult *r = NULL;
	char *lit = NULL;
	pp_buf cmd, sql;
	pp_rc rc;

	memset(res, 0, sizeof(*res));
	pp_buf_init(&cmd, 4096);
	pp_buf_init(&sql, 8192);
	if (o->op == PP_PITR_RESTORE && (o->to_time == NULL) == (o->to_lsn == NULL)) {
		rc = pp_err_set(err, PP_EINVAL, "give exactly one of --to-time and --to-lsn");
		goto out;
	}
	if (o->op == PP_PITR_BACKUP && o->type && strcmp(o->type, "full") != 0 &&
	    strcmp(o->type, "diff") != 0 && strcmp(o->type, "incr") != 0) {
		rc = pp_err_set(err, PP_EINVAL, "--type '%s' is not full, diff or incr", o->type);
		goto out;
	}
	rc = pp_db_connect(cfg,
			   o->op == PP_PITR_BACKUP ? "planpipe backup --pitr" : "planpipe restore",
			   cfg->connect_timeout_s * 1000, &conn, err);
	if (rc != PP_OK)
		goto out;
	rc = pp_db_exec(conn, pp_db_sql("pitr.sql", "may_run"), &r, err);
	if (rc != PP_OK)
		goto out;
	if (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), "t") != 0) {
		rc = pp_err_set(err, PP_EINVAL,
				"role %s may not run programs in the server: point-in-time backups "
				"and restores need a superuser (or a member of "
				"pg_execute_server_program), connected straight to PostgreSQL",
				PQuser(conn));
		goto out;
	}
	PQclear(r);
	r = NULL;
	if (o->op == PP_PITR_RESTORE) {
		rc = normalise_target(conn, o, res, err);
		if (rc != PP_OK)
			goto out;
	}
	rc = pp_db_exec(conn, pp_db_sql("pitr.sql", "session"), NULL, err);
	if (rc != PP_OK)
		goto out;
	if (pitr_build_command(o, res->target, &cmd) != PP_OK) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	lit = PQescapeLiteral(conn, pp_buf_str(&cmd), strlen(pp_buf_str(&cmd)));
	if (lit == NULL) {
		rc = pp_db_err(err, conn, NULL, "quoting the program's command line");
		goto out;
	}
	/*
	 * CSV with a delimiter and quote no line holds: each line one field, as
	 * printed. sql-in-c: COPY takes no parameters; the command line is quoted
	 * in here.
	 */
	if (pp_buf_printf(&sql,
			  "COPY pp_pitr_out (line) FROM PROGRAM %s"
			  " WITH (FORMAT csv, DELIMITER E'\\x1f', QUOTE E'\\x1e')",
			  lit) != PP_OK) {
		rc = pp_err_set(err, PP_ENOMEM, "out of memory");
		goto out;
	}
	r = PQexec(conn, pp_buf_str(&sql));
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		rc = pp_db_err(err, conn, r,
			       "running planpipe-pitr in the database server (the planpipe db "
			       "image has it; see docs/backup.md)");
		goto out;
	}
	PQclear(r);
	r = NULL;
	rc = collect(conn, res, err);
out:
	PQclear(r);
	if (lit)
		PQfreemem(lit);
	pp_buf_free(&cmd);
	pp_buf_free(&sql);
	if (conn)
		PQfinish(conn);
	return rc;
}
