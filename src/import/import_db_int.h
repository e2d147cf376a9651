/*
 * import_db_int.h: the parts of import_db.c that need no database (a
 * story's JSON document and dependency rows, its status word made the
 * project's key, the dependencies' spool), apart so that
 * tests/unit/import/import_db.c can reach them. Not for other modules:
 * names carry the import_db_ prefix, never pp_.
 */
#ifndef PP_IMPORT_IMPORT_DB_INT_H
#define PP_IMPORT_IMPORT_DB_INT_H

#include <stdio.h>

#include "import/import_int.h"

/*
 * One story as the JSON document the upsert reads with jsonb_to_record
 * (compact): every field, null where the story has none; git_created (the
 * time of the commit that added the file) may be NULL. The caller frees
 * it; NULL when out of memory.
 */
char *import_db_story_doc(const pp_story *s, const char *git_created, int from_index);

/*
 * The COPY rows of pp_import_deps of s, the story of the file at path,
 * appended to out: "path\tproject\tkey\tline\tcolumn\n" per dependency (a
 * dependency without a project: \N). PP_OK or out's PP_ENOMEM/PP_ETOOBIG.
 */
pp_rc import_db_dep_rows(const char *path, const pp_story *s, pp_buf *out) PP_WARN_UNUSED;

/*
 * The story's status word becomes the project's key for it (from the
 * (word, key) rows of words); a word nothing knows is an error at its
 * status, naming the project's statuses (workflow's first value) and how
 * to add one (it->ok = 0, counted in res). No status: nothing to do.
 * ix (NULL: none) says the word is the backlog index's: known, its
 * disagreement warning is reported; unknown, the error is the index's
 * (counted in res->failed, the story not rejected) and the file's own word
 * takes its place, resolved as above. Returns PP_ENOMEM only.
 */
pp_rc import_db_status_key(pp_import_item *it, pp_story *s, const pp_import_index_word *ix,
			   const char *project_key, PGresult *words, PGresult *workflow,
			   pp_import_result *res) PP_WARN_UNUSED;

/*
 * The dependencies' COPY rows, kept in a temporary file (the rows of a
 * million stories' edges would be tens of megabytes in memory), sent after
 * the stories. Zero it and pp_buf_init its buf; the owner frees buf and
 * closes f.
 */
typedef struct import_db_spool {
	FILE *f;    /* NULL until the first row is written */
	pp_buf buf; /* rows not written to f yet */
	size_t n;   /* rows */
} import_db_spool;

/*
 * Moves d->buf into d->f when it holds a MiB (all: whatever it holds),
 * opening f first: an unnamed file in TMPDIR (else /tmp), unlinked at
 * once, so that nothing is left behind. PP_EIO when it cannot be made or
 * written (err naming the directory).
 */
pp_rc import_db_spool_write(import_db_spool *d, int all, pp_err *err) PP_WARN_UNUSED;

#endif
