/* import_int.h: what import.c (files) hands to import_db.c (the database). */
#ifndef PP_IMPORT_IMPORT_INT_H
#define PP_IMPORT_IMPORT_INT_H

#include "core/sha256.h"
#include "import/import.h"
#include "import/story.h"

typedef struct pp_import_item {
	char *path; /* relative to the imported directory */
	char blob[PP_GIT_OID_HEX_LEN + 1];
	pp_story story; /* valid when ok */
	int ok;         /* parsed, unique, and not failed in the database */
	int from_index; /* the backlog index set its status or priority */
	int send;       /* changed since the last import: its story is written */
	int deps;       /* its dependencies are sent (changed, or references unresolved) */
} pp_import_item;

typedef struct pp_import_batch {
	pp_import_item *items; /* sorted by path */
	size_t n;
} pp_import_batch;

/* Records a problem (printf format) in res. Returns PP_ENOMEM only. */
pp_rc pp_import_problem_add(pp_import_result *res, const char *file, int line, int col,
			    int is_error, const char *fmt, ...) PP_PRINTF(6, 7);

/*
 * The parser's story keeps no body (it is most of its memory): this reads
 * root/it->path again and sets it->story.body, for a file that is written.
 * A file that changed since it was read is an error for it (it->ok = 0).
 * Returns PP_ENOMEM only (err set).
 */
pp_rc pp_import_reread_body(const char *root, pp_import_item *it, pp_import_result *res,
			    pp_err *err) PP_WARN_UNUSED;

/* The database half: everything between BEGIN and COMMIT (import_db.c). */
pp_rc pp_import_db(PGconn *conn, const pp_import_opts *o, pp_import_batch *b, pp_import_result *res,
		   pp_err *err) PP_WARN_UNUSED;

/*
 * The dependencies (import_deps.c), after the upsert filled pp_import_changed
 * and pp_import_deps: the changed stories' edges are replaced with what their
 * files say, and older references (from or to project_id's stories) whose
 * story exists now become edges. Every edge that would close a blocking
 * cycle, among themselves or with the edges already there, is one error at
 * its file and line naming the cycle (counted in res->failed), is not
 * written, and stays a reference, so that every later import reports it
 * again until a file changes; all other edges go in one statement.
 */
pp_rc pp_import_link(PGconn *conn, const char *project_id, const char *project_key,
		     pp_import_result *res, pp_err *err) PP_WARN_UNUSED;

#endif
