/*
 * harness.h: helpers for tests that run the planpipe binary against the
 * throwaway cluster that scripts/with-pg.sh started (PGHOST, PGPORT, PGUSER
 * in the environment). Every helper fails the running cmocka test on error.
 */
#ifndef PP_TESTS_HARNESS_H
#define PP_TESTS_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <sys/types.h>
#include <cmocka.h>
#include <libpq-fe.h>

typedef struct pp_t_result {
	int status;   /* exit status, or 128+signal */
	char *out;    /* standard output, NUL-terminated; free with pp_t_result_free */
	char *err;    /* standard error */
	long long ms; /* how long it ran */
	char *cmd;    /* "planpipe ARGS" of pp_t_run, for failure messages; else NULL */
} pp_t_result;

/* The planpipe binary under test ($PLANPIPE_BIN). */
const char *pp_t_bin(void);

/* Runs planpipe with args (NULL-terminated) and waits. */
pp_t_result pp_t_run(const char *arg, ...);
pp_t_result pp_t_runv(const char *const *args);

/* Starts planpipe with args in the background; its output goes to files. */
pid_t pp_t_spawn(const char *const *args, const char *tag);

/* What a spawned process has written so far to standard output (err 0) or error (1); caller frees.
 */
char *pp_t_spawned_output(const char *tag, int err);

/* Waits for a spawned process (at most timeout_ms, then kills it: status -1). */
pp_t_result pp_t_wait(pid_t pid, const char *tag, int timeout_ms);

void pp_t_result_free(pp_t_result *r);

/*
 * Runs planpipe with args (NULL-terminated) as pp_t_run does, and fails the
 * running test, at the caller's file:line with the command and both outputs,
 * unless it exits with status, its standard output contains out_has and its
 * standard error contains err_has (each NULL: not checked). Frees the result.
 */
#define pp_t_expect(status, out_has, err_has, ...)                                                 \
	pp_t_expect_env_at(__FILE__, __LINE__, NULL, NULL, (status), (out_has), (err_has),         \
			   __VA_ARGS__)

/*
 * pp_t_expect with the environment variable name set to value for that run;
 * unset afterwards (name NULL: the environment as it is).
 */
#define pp_t_expect_env(name, value, status, out_has, err_has, ...)                                \
	pp_t_expect_env_at(__FILE__, __LINE__, (name), (value), (status), (out_has), (err_has),    \
			   __VA_ARGS__)
void pp_t_expect_env_at(const char *file, int line, const char *name, const char *value, int status,
			const char *out_has, const char *err_has, const char *arg, ...);

/*
 * Fails the running test at the caller's file:line, with r's command and
 * both outputs, unless r exited with status and its standard output contains
 * out_has (NULL: not checked): pp_t_expect for a result already in hand (a
 * run under a changed environment, a run that was timed). Frees r.
 */
#define pp_t_result_is(r, status, out_has)                                                         \
	pp_t_result_is_at(__FILE__, __LINE__, (r), (status), (out_has))
void pp_t_result_is_at(const char *file, int line, pp_t_result *r, int status, const char *out_has);

/* The same with args as an array; returns the result for more checks (caller frees). */
#define pp_t_expectv(status, args) pp_t_expectv_at(__FILE__, __LINE__, (status), (args))
pp_t_result pp_t_expectv_at(const char *file, int line, int status, const char *const *args);

/* Creates a fresh database, sets PGDATABASE to it, returns its name (static storage). */
const char *pp_t_new_db(void);

/* pp_t_new_db, then `planpipe migrate up` there, which must succeed. */
const char *pp_t_new_migrated_db(void);

/*
 * Runs scripts/pg-cluster.sh CMD ("start", "stop" or "restart") on the test
 * cluster, $PP_TEST_CLUSTER; the script is $PP_PG_CLUSTER_SH, else the one
 * under $PP_SOURCE_ROOT. "start" passes $PGPORT, so the cluster comes back on
 * the port the tests connect to. Blocks until the script ends; fails the
 * running test when the script fails or a variable is unset.
 */
void pp_t_cluster(const char *cmd);

/*
 * A streaming standby of the test cluster (pg_basebackup, then started on a
 * free port, its socket in DIR/run, its log in DIR/log): its directory is
 * written to dir (dir_size bytes), its port returned. Fails the test when it
 * cannot be made.
 */
int pp_t_standby_start(char *dir, size_t dir_size);

/* `pg_ctl CMD` on the standby in dir ("stop -m fast", "start"); 0 when it succeeds. */
int pp_t_standby_ctl(const char *dir, const char *cmd);

/* Stops the standby in dir at once, then removes dir; 0 when dir is removed. */
int pp_t_standby_remove(const char *dir);

/* A connection to PGDATABASE; the test PQfinish()es it. */
PGconn *pp_t_connect(void);

/* Runs SQL that must succeed; returns the first value as a string (caller frees) or NULL. */
char *pp_t_query(PGconn *conn, const char *sql);
long pp_t_query_long(PGconn *conn, const char *sql);

/*
 * Fails the test at file:line, naming what (a query, a header), unless got is
 * want; got (NULL: no value) is freed either way.
 */
void pp_t_string_is_at(char *got, const char *want, const char *what, const char *file, int line);

/* pp_t_query, failing the test (naming the SQL) unless the first value is want. */
#define pp_t_query_is(conn, sql, want) pp_t_query_is_at((conn), (sql), (want), __FILE__, __LINE__)
void pp_t_query_is_at(PGconn *conn, const char *sql, const char *want, const char *file, int line);

/* A new empty temporary directory (caller frees the string). */
char *pp_t_tempdir(void);

/* Writes dir/name with contents (overwrites). */
void pp_t_write(const char *dir, const char *name, const char *contents);

/*
 * The whole file at path, NUL-terminated (caller frees). A file that cannot
 * be opened is "" when missing_ok, else fails the running test.
 */
char *pp_t_slurp(const char *path, int missing_ok);

/* pp_t_slurp of dir/name, which must exist (caller frees). */
char *pp_t_slurp_in(const char *dir, const char *name);

/*
 * A new directory (caller frees) of stand-ins for the PostgreSQL tools
 * planpipe backup runs, pg_dump, pg_dumpall and pg_restore, as shell
 * scripts: tool ("*": every one; NULL: none) runs body, the others exec the
 * real PostgreSQL 15 tool with their arguments.
 */
char *pp_t_pg_bindir(const char *tool, const char *body);

/*
 * Runs `planpipe backup --out OUT ARGS...` (NULL-terminated), which must
 * succeed (else the test fails with its output); returns the new backup's
 * directory, the first line it prints (caller frees).
 */
char *pp_t_backup(const char *out, ...);

/* Milliseconds on the monotonic clock. */
long long pp_t_now_ms(void);

/* Asserts haystack contains needle, printing both when it does not. */
#define pp_t_assert_contains(haystack, needle)                                                     \
	pp_t_assert_contains_at((haystack), (needle), __FILE__, __LINE__)
void pp_t_assert_contains_at(const char *haystack, const char *needle, const char *file, int line);

/* pp_t_assert_contains for each needle in turn; the failure names the needle missing. */
#define pp_t_assert_contains_all(haystack, ...)                                                    \
	pp_t_assert_contains_all_at(__FILE__, __LINE__, (haystack), __VA_ARGS__, (const char *)NULL)
void pp_t_assert_contains_all_at(const char *file, int line, const char *haystack, ...);

#endif
