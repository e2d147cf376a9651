/*
 * pitr.h: point-in-time recovery with pgBackRest, run inside the database
 * server's host.
 *
 * pgBackRest must run beside PostgreSQL's data directory (it reads the
 * files, and PostgreSQL's archive_command runs it there), so planpipe does
 * not run it itself: it asks the server to, with COPY ... FROM PROGRAM
 * 'planpipe-pitr ...' (the db image's docker/db/pitr.sh), as a superuser or
 * a member of pg_execute_server_program, and relays what the program
 * printed. The same command works from the compose stack's cli service,
 * from the host, or from anywhere that reaches the server straight (not
 * through PgBouncer). docs/backup.md, "Point-in-time recovery";
 * docs/decisions.md says why.
 */
#ifndef PP_DB_PITR_H
#define PP_DB_PITR_H

#include "core/config.h"
#include "core/err.h"

typedef enum { PP_PITR_BACKUP, PP_PITR_RESTORE } pp_pitr_op;

typedef struct pp_pitr_opts {
	pp_pitr_op op;
	const char *type;    /* backup: "full", "diff" or "incr"; NULL: full */
	const char *to_time; /* restore: a timestamp PostgreSQL reads (time zone: the session's) */
	const char *to_lsn;  /* restore: an LSN; exactly one of to_time and to_lsn */
	int no_switch;       /* restore: verify only, do not mark it for the next start */
} pp_pitr_opts;

typedef struct pp_pitr_result {
	char target[64]; /* restore: the target as sent, normalised (UTC or LSN) */
	int status;      /* planpipe-pitr's exit status: 0 done */
	char *output;    /* what it printed, a line each, without its status line; free() */
} pp_pitr_result;

/*
 * Runs planpipe-pitr in the configured server for o and fills *res. Checks
 * first, before anything runs there: the login may run server programs; a
 * restore target must be a valid timestamp not in the future, or a valid
 * LSN (PP_EINVAL naming the option and PostgreSQL's SQLSTATE). Blocks for
 * the whole backup or restore (no statement timeout). Returns PP_OK when
 * the program ran to its end, whatever its status (res->status, and
 * res->output says why); PP_EDB/PP_ECONNECT when it could not be run.
 */
pp_rc pp_pitr_run(const pp_config *cfg, const pp_pitr_opts *o, pp_pitr_result *res,
		  pp_err *err) PP_WARN_UNUSED;

#endif
