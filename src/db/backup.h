/*
 * backup.h: verified logical backups, and restores that swap a database in
 * only after it matches its backup.
 *
 * A backup is a directory planpipe-YYYYMMDDTHHMMSSZ/ holding db.dump
 * (pg_dump's custom format), globals.sql (the cluster's roles, written by
 * planpipe from the catalog in the only shape a restore accepts: see
 * backup_roles.h) and manifest.json: versions, the SHA-256 of both files,
 * and the row count and content checksum of every table, computed in the
 * very snapshot pg_dump dumps. With PLANPIPE_BACKUP_KEY set the manifest is
 * signed (HMAC-SHA256), and verify and restore refuse a backup whose
 * signature is missing or wrong. It is written under a hidden temporary name
 * and renamed into place only when complete and fsync'ed, so nothing that
 * looks like a backup is ever incomplete.
 *
 * PostgreSQL's own tools do the dumping and restoring. They run without a
 * shell, reach the server with the same settings as planpipe (DATABASE_URL
 * or the PG* variables), and get the password through their environment
 * only, never their command line. docs/backup.md has the procedures.
 */
#ifndef PP_DB_BACKUP_H
#define PP_DB_BACKUP_H

#include <signal.h>
#include <stddef.h>

#include "core/config.h"
#include "core/err.h"

typedef enum {
	PP_BACKUP_EV_STEP,     /* text: the step that starts now */
	PP_BACKUP_EV_PROGRESS, /* text: what; done of total (total 0: unknown) */
	PP_BACKUP_EV_WARNING,  /* text: something the user should know; the work goes on */
	PP_BACKUP_EV_PRUNED,   /* text: a backup directory --keep removed */
} pp_backup_event_kind;

typedef struct pp_backup_event {
	pp_backup_event_kind kind;
	const char *text;
	long long done, total; /* PROGRESS */
	int in_bytes;          /* PROGRESS: done and total are bytes, not items */
} pp_backup_event;

/* What backup, verify and restore share. Zero it, then set what you need. */
typedef struct pp_backup_common {
	const char *pg_bindir; /* NULL: look for the tools (see docs/backup.md) */
	int jobs;              /* pg_restore --jobs; 0 or 1: one */
	void (*on_event)(void *ctx, const pp_backup_event *ev); /* may be NULL */
	void *ctx;
	/* May be NULL. When it becomes non-zero (a signal handler), the work
	 * stops at the next chance, ends the tools it started, cleans up, and
	 * fails with "interrupted". */
	volatile sig_atomic_t *cancel;
	/* verify, restore: set the passwords globals.sql holds on the roles the
	 * restore creates (--allow-role-passwords). Existing roles never change. */
	int allow_role_passwords;
} pp_backup_common;

typedef enum {
	PP_BACKUP_UNCHECKED = 0, /* the check could not be made (no server, no tools) */
	PP_BACKUP_GOOD,          /* checksums and restored contents match the manifest */
	PP_BACKUP_BAD,           /* damaged, or restored contents differ from the manifest */
} pp_backup_verdict;

typedef struct pp_backup_info {
	char path[4096];    /* the backup directory */
	size_t tables;      /* tables in the manifest */
	long long rows;     /* rows in all of them */
	long long bytes;    /* size of db.dump */
	int schema_version; /* planpipe's schema version in the backup */
	long long ms;       /* how long the command took, of which: */
	long long tool_ms;  /* pg_dump ran (backup) or pg_restore (verify, restore) */
	long long check_ms; /* counting and checksumming the tables took */
	int pruned;         /* backup: directories --keep removed */
} pp_backup_info;

typedef struct pp_backup_opts {
	pp_backup_common c;
	const char *out_dir; /* where backups go; created (mode 0700) if missing */
	int keep;            /* > 0: keep this many good backups, remove older ones */
} pp_backup_opts;

/*
 * Backs up the configured database into a new directory under o->out_dir
 * and fills *info. The manifest's counts and checksums come from the same
 * snapshot as the dump. Once the directory is in place and its checksums
 * read back, o->keep prunes: it walks the backups from the newest, keeps
 * o->keep whose checksums are good (damaged ones found on the way are kept
 * and reported, never counted), and removes the older ones; it only touches
 * directories named like backups whose manifest is valid, so the new backup
 * and anything it does not recognise are never removed. A failure leaves
 * out_dir as it was (the temporary directory is removed). Blocks; may take
 * long; reports through o->c.on_event.
 */
pp_rc pp_backup_create(const pp_config *cfg, const pp_backup_opts *o, pp_backup_info *info,
		       pp_err *err) PP_WARN_UNUSED;

/*
 * The restore drill: checks path's checksums (path: a backup directory or a
 * file in it), restores it into a scratch database of the configured
 * server, creating missing roles from globals.sql (existing roles are never
 * changed), and compares every table's row count and content checksum, the
 * schema objects and the schema version with the manifest. The scratch
 * database is dropped in every case. *verdict says what was found; the
 * return is PP_OK only for PP_BACKUP_GOOD, and err says what differs or
 * what stopped the check. Blocks.
 */
pp_rc pp_backup_verify(const pp_config *cfg, const char *path, const pp_backup_common *c,
		       pp_backup_verdict *verdict, pp_backup_info *info,
		       pp_err *err) PP_WARN_UNUSED;

typedef struct pp_restore_opts {
	pp_backup_common c;
	const char *target; /* NULL: the configured database */
	int force;          /* replace an existing target (it is kept under a dated name) */
	int drop_old;       /* after the swap, drop the replaced database */
	int terminate;      /* end other sessions on the target instead of refusing */
} pp_restore_opts;

typedef struct pp_restore_info {
	pp_backup_info b;
	char target[64];      /* the database restored */
	char old_name[64];    /* the replaced database's new name; "" when none or dropped */
	int replaced;         /* the target existed and was swapped out */
	int dropped_old;      /* and was dropped */
	int kept_owners;      /* objects kept their owners (0: owned by the restoring role) */
	int roles_created;    /* roles created from globals.sql */
	long long analyze_ms; /* ANALYZE of the restored database took */
} pp_restore_info;

/*
 * Restores path into the target database: checks the checksums, creates
 * missing roles (never changing existing ones), restores into a fresh
 * database, verifies it against the manifest as pp_backup_verify does,
 * ANALYZEs it (pg_restore brings no planner statistics), and only then
 * swaps it in under the target's name in one transaction. An
 * existing target is refused (PP_ECONFLICT) without o->force, and so are
 * other sessions on it without o->terminate; the replaced database is kept
 * as TARGET_old_YYYYMMDDTHHMMSS unless o->drop_old. Any failure before the
 * swap drops the fresh database and leaves the target untouched. *verdict
 * is PP_BACKUP_BAD when the backup itself is at fault. Blocks.
 */
pp_rc pp_backup_restore(const pp_config *cfg, const char *path, const pp_restore_opts *o,
			pp_backup_verdict *verdict, pp_restore_info *info,
			pp_err *err) PP_WARN_UNUSED;

#endif
