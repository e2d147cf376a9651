/*
 * backup_int.h: what the backup files share among themselves (backup.c,
 * backup_restore.c, backup_tools.c, backup_manifest.c, backup_globals.c).
 * Not for other modules: they use backup.h.
 */
#ifndef PP_DB_BACKUP_INT_H
#define PP_DB_BACKUP_INT_H

#include <jansson.h>
#include <libpq-fe.h>
#include <sys/types.h>

#include "core/buf.h"
#include "db/backup.h"
#include "db/backup_roles.h"

#define BK_FORMAT         "planpipe-backup"
#define BK_FORMAT_VERSION 1
#define BK_DUMP           "db.dump"
#define BK_GLOBALS        "globals.sql"
#define BK_MANIFEST       "manifest.json"
#define BK_PATH_MAX       4096
#define BK_GLOBALS_MAX    (64L * 1024 * 1024) /* a globals.sql larger is refused */

/* How to reach the server and its tools; one per command. */
typedef struct bk_env {
	const pp_config *cfg;
	const pp_backup_common *c;
	PQconninfoOption *url; /* DATABASE_URL parsed; NULL when unset */
	char *password;        /* for the tools' PGPASSWORD; NULL: their environment's */
	char **tool_env;       /* the environment the tools run with */
	char dbname[256];      /* the configured database */
	char bindir[BK_PATH_MAX];
	int tools_major; /* 0 until bk_tools_find */
	char tools_version[64];
	long long started_ms;
} bk_env;

/* Prepares *e from the configuration. The caller frees it with bk_env_free, also on failure. */
pp_rc bk_env_init(bk_env *e, const pp_config *cfg, const pp_backup_common *c,
		  pp_err *err) PP_WARN_UNUSED;
void bk_env_free(bk_env *e);

/* Opens a connection to database dbname of the configured server. Caller PQfinish()es. */
pp_rc bk_connect(const bk_env *e, const char *dbname, const char *appname, PGconn **out,
		 pp_err *err) PP_WARN_UNUSED;

/*
 * Finds pg_dump and pg_restore (c->pg_bindir, else the
 * server's major version under /usr/lib/postgresql, else a newer one there,
 * else PATH) and refuses tools older than server_version_num.
 */
pp_rc bk_tools_find(bk_env *e, int server_version_num, pp_err *err) PP_WARN_UNUSED;

/*
 * A major version as a number that orders across the change of numbering
 * at 10: major is bk_tools_find's (9.6 is 906, from 10 on the first number:
 * 15), the rank 906 and 1500. bk_version_rank does the same for a version
 * text ("9.6.24" 906, "15.4" 1500; 0 when it holds no version).
 */
int bk_major_rank(int major);
int bk_version_rank(const char *ver);

/* A connection string for the tools to reach dbname: no password in it. */
pp_rc bk_tool_conninfo(const bk_env *e, const char *dbname, pp_buf *out) PP_WARN_UNUSED;

/*
 * Puts options (e.g. "-c maintenance_work_mem=256MB") in front of PGOPTIONS
 * for the tools started from now on; the user's own PGOPTIONS come after, so
 * they win.
 */
pp_rc bk_tool_options(bk_env *e, const char *options, pp_err *err) PP_WARN_UNUSED;

/*
 * Starts bindir/tool with args (NULL-terminated, without argv[0]), standard
 * input from /dev/null, standard output and error appended to log. When
 * in_fd >= 0 the tool gets it as its descriptor 3 (/dev/fd/3).
 */
pp_rc bk_spawn(const bk_env *e, const char *tool, const char *const *args, const char *log,
	       int in_fd, pid_t *pid, pp_err *err) PP_WARN_UNUSED;

/* Ends pid for good: SIGTERM, SIGKILL after 5 s, and reaps it. Blocks up to about 5 s. */
void bk_stop(pid_t pid);

/*
 * Waits for pid, calling tick(ctx) about twice a second (tick may be NULL).
 * When the command is cancelled, or the tool runs longer than
 * PLANPIPE_BACKUP_TOOL_TIMEOUT, it gets SIGTERM, and SIGKILL 5 s later if
 * it is still there; either way this returns only once it is gone
 * ("interrupted", or PP_ETIMEDOUT naming the setting). A non-zero exit
 * status is PP_EIO with the end of log in the message.
 */
pp_rc bk_wait(const bk_env *e, pid_t pid, const char *tool, const char *log,
	      void (*tick)(void *ctx), void *ctx, pp_err *err) PP_WARN_UNUSED;

/* Whether the command was cancelled; sets err ("interrupted") when it was. */
int bk_cancelled(const bk_env *e, pp_err *err);

/* Reports an event (printf format for the text). */
void bk_step(const bk_env *e, const char *fmt, ...) PP_PRINTF(2, 3);
void bk_warn(const bk_env *e, const char *fmt, ...) PP_PRINTF(2, 3);
void bk_progress(const bk_env *e, const char *what, long long done, long long total, int in_bytes);
void bk_pruned(const bk_env *e, const char *path);

/* A temporary file name under $TMPDIR for a tool's log; caller frees. */
char *bk_temp_log(const char *tool);

/* Joins dir and name into out (size BK_PATH_MAX). PP_EINVAL when too long. */
pp_rc bk_path(char *out, const char *dir, const char *name, pp_err *err) PP_WARN_UNUSED;

/* ---- backup.c: what its unit test reaches (tests/unit/db/backup.c) ---- */

/* Removes a temporary backup directory and the plain files in it; quietly does what it can. */
void backup_remove_tmp_dir(const char *dir);

/*
 * Renames the directory tmp to dir/planpipe-STAMP, or -2, -3, ... up to
 * -99 when the name is taken (never replacing anything); name (size bytes)
 * gets the name used. PP_EIO naming the paths when it cannot.
 */
pp_rc backup_place(const char *tmp, const char *dir, const char *stamp, char *name, size_t size,
		   pp_err *err) PP_WARN_UNUSED;

/*
 * Whether s is a backup's directory name, planpipe-YYYYMMDDTHHMMSSZ,
 * optionally -N (digits); *suffix gets N (1 without).
 */
int backup_dir_name(const char *s, int *suffix);

/*
 * --keep: walks out_dir's backups (named as backup_dir_name says, a
 * directory, a valid manifest; others are left alone, a bad manifest with
 * a warning) from the newest (the manifest's created_at, then the suffix;
 * newest, the one just written, first of all), keeps the first keep whose
 * files match their manifest (a damaged one is kept and reported, never
 * counted) and removes the older ones: the manifest first, then the files
 * it lists; one holding anything else is left in place with a warning.
 * *pruned counts the removed, each reported as an event. PP_EIO when
 * out_dir cannot be read.
 */
pp_rc backup_prune(const bk_env *e, const char *out_dir, const char *newest, int keep, int *pruned,
		   pp_err *err) PP_WARN_UNUSED;

/* ---- backup_manifest.c ---- */

/*
 * Sets the session settings that a row's text depends on (time zone, date
 * and interval style, float digits, bytea output), so that checksums taken
 * on two servers compare.
 */
pp_rc bk_session_setup(PGconn *conn, pp_err *err) PP_WARN_UNUSED;

/*
 * What the manifest records about a database's contents, as JSON:
 * {"schema_version", "objects": {kind: count}, "tables": {"schema.table":
 * {"rows", "checksum"}}}. Reads in conn's current transaction. Caller
 * json_decref()s *out.
 */
pp_rc bk_stats_collect(const bk_env *e, PGconn *conn, json_t **out, pp_err *err) PP_WARN_UNUSED;

/* Compares stats with the manifest m: PP_ECONFLICT listing what differs. */
pp_rc bk_stats_compare(const json_t *m, const json_t *stats, pp_err *err) PP_WARN_UNUSED;

/*
 * Opens path for reading only if it is a regular file: a symbolic link, a
 * device (/dev/zero), a FIFO or a directory is PP_EINVAL naming it, without
 * blocking. *fd is the caller's to close; *size its size.
 */
pp_rc bk_open_regular(const char *path, int *fd, long long *size, pp_err *err) PP_WARN_UNUSED;

/* SHA-256 of a regular file (bk_open_regular), streaming, and its size. */
pp_rc bk_sha256_file(const char *path, char hex[65], long long *bytes, pp_err *err) PP_WARN_UNUSED;

/*
 * Reads and validates dir/manifest.json (a regular file, not a link).
 * PP_EINVAL naming the file when it is missing or not a planpipe manifest.
 * Caller json_decref()s *out.
 */
pp_rc bk_manifest_load(const char *dir, json_t **out, pp_err *err) PP_WARN_UNUSED;

/* What a restore reads from the files it has checked, so nothing is read twice. */
typedef struct bk_files {
	int dump_fd;   /* db.dump, open, checked; -1 until then; the caller closes it */
	char *globals; /* globals.sql's contents as checked; caller frees */
	size_t globals_len;
} bk_files;

/*
 * Checks every file the manifest lists: a regular file, of the size the
 * manifest gives (a file of another size is not read), with its SHA-256:
 * "DIR/db.dump: checksum mismatch (expected X, found Y)" (PP_EINVAL) on the
 * first that differs. Stops with "interrupted" when e's command is
 * cancelled. With out (may be NULL), db.dump stays open (rewound) and
 * globals.sql is kept in memory, as they were checked.
 */
pp_rc bk_manifest_check_files(const bk_env *e, const char *dir, const json_t *m, bk_files *out,
			      pp_err *err) PP_WARN_UNUSED;

/*
 * Signs m with HMAC-SHA256 under key: m gets "signature": {"algorithm":
 * "hmac-sha256", "hmac": hex} over its canonical text (compact, keys
 * sorted, without "signature").
 */
pp_rc bk_manifest_sign(json_t *m, const char *key, pp_err *err) PP_WARN_UNUSED;

/*
 * With e's PLANPIPE_BACKUP_KEY set, m must carry a signature that matches
 * (compared in constant time): an unsigned or wrongly signed manifest is
 * PP_EINVAL naming path. Without a key, a signature is not checked and a
 * warning says so.
 */
pp_rc bk_manifest_check_signature(const bk_env *e, const json_t *m, const char *path,
				  pp_err *err) PP_WARN_UNUSED;

/* Writes data to path (must not exist) and fsyncs it. */
pp_rc bk_write_synced(const char *path, const char *data, size_t len, pp_err *err) PP_WARN_UNUSED;

/* fsyncs a file or directory. */
pp_rc bk_fsync_path(const char *path, pp_err *err) PP_WARN_UNUSED;

/* The rows of every table of a manifest, summed. */
long long bk_manifest_rows(const json_t *m);

/* Shorthands for the manifest's fields; 0 or "" when absent. */
long long bk_json_int(const json_t *obj, const char *key);
const char *bk_json_str(const json_t *obj, const char *key);

/* ---- backup_globals.c ---- */

/*
 * Appends s as a quoted literal (PQescapeLiteral on conn); the escaped copy
 * is wiped before it is freed, as s may be a password. PP_ENOMEM, or b's
 * error.
 */
pp_rc bk_add_literal(PGconn *conn, pp_buf *b, const char *s) PP_WARN_UNUSED;

/*
 * Writes globals.sql (must not exist) from conn's catalog: a CREATE ROLE
 * per role that is not a superuser, with LOGIN, INHERIT, CREATEDB,
 * CONNECTION LIMIT, PASSWORD and VALID UNTIL only, and GRANT role TO role
 * for memberships between them. Passwords need a superuser: without one
 * *passwords is 0, the roles are written without them, and a warning says
 * so.
 */
pp_rc bk_globals_write(const bk_env *e, PGconn *conn, const char *path, int *passwords,
		       pp_err *err) PP_WARN_UNUSED;

/*
 * Runs the parsed globals.sql on conn, creating the roles the cluster
 * lacks, from statements built again from s. Roles that exist are neither
 * re-created nor altered (their passwords and attributes stay). Passwords
 * are set only with e->c->allow_role_passwords (else a warning names the
 * roles created without theirs). A membership in a role that exists here
 * with SUPERUSER, CREATEROLE, REPLICATION or BYPASSRLS is PP_EINVAL before
 * any statement runs. A statement that fails is a warning: a role that
 * could not be created is found by bk_roles_check. *created counts the
 * roles created.
 */
pp_rc bk_globals_apply(const bk_env *e, PGconn *conn, const pp_role_script *s, int *created,
		       pp_err *err) PP_WARN_UNUSED;

/*
 * Checks the roles the manifest needs exist. Missing grantees (privileges,
 * policies) are PP_ECONFLICT naming them; *keep_owners is 1 when every
 * owner exists and the current role may give objects to them, else 0
 * (restore with --no-owner).
 */
pp_rc bk_roles_check(const bk_env *e, PGconn *conn, const json_t *m, int *keep_owners,
		     pp_err *err) PP_WARN_UNUSED;

#endif
