/*
 * import_int.h: the importer's parts. import.c finds the files and runs the
 * import; import_read.c reads one file into an item; import_common.c keeps
 * the problems and COPY's format; import_changed.c picks the changed files;
 * import_db.c writes the stories, import_history.c their history from git,
 * import_deps.c their dependencies.
 */
#ifndef PP_IMPORT_IMPORT_INT_H
#define PP_IMPORT_IMPORT_INT_H

#include <jansson.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/sha256.h"
#include "import/git_history.h"
#include "import/import.h"
#include "import/story.h"

/*
 * One story file. A million of them must fit in well under 200 MB
 * (docs/performance.md, "Memory"): the item is small, its strings are in
 * the batch's arena, and a parsed story is kept only while it is needed.
 */
typedef struct pp_import_item {
	const char *path; /* relative to the imported directory (the batch's arena) */
	const char *key;  /* the id it parsed to (the batch's arena); NULL until parsed */
	pp_story *story;  /* the parsed story while it is kept: see pp_import_batch.lazy */
	unsigned char blob[PP_GIT_OID_LEN]; /* its git blob id (pp_hex for the text) */
	unsigned ok : 1;         /* read (and, when parsed, parsed), unique, not failed */
	unsigned parsed : 1;     /* key is set; else the file is unchanged since the last import */
	unsigned from_index : 1; /* the backlog index set its status or priority */
	unsigned send : 1;       /* changed since the last import: its story is written */
	unsigned deps : 1;       /* its dependencies are sent (changed, or references unresolved) */
	int key_line, key_col;   /* where the id is, for a duplicate's error */
} pp_import_item;

/*
 * A status the backlog index gives a story in place of its file's
 * (pp_import_batch.index_words). The index wins only with a word the
 * project can use: import_db_status_key then reports the disagreement (the
 * warning, at the file's status: line); with a word nothing knows, the
 * error is the index's (its name and entry) and the story keeps its file's
 * status, so that one bad word in the index never loses a story.
 */
typedef struct pp_import_index_word {
	const char *index; /* the index as reported ("backlog/PRIORITIZATION.json") */
	size_t entry;      /* the entry's position in "backlog" */
	char *file_status; /* the file's own word; NULL: none */
	char *warning;     /* the disagreement, reported once the index's word resolves */
	int line, column;  /* the file's status: value (0: the file has none) */
	unsigned set : 1;  /* the index gave this story another status than its file */
} pp_import_index_word;

typedef struct pp_import_batch {
	pp_import_item *items; /* sorted by path */
	size_t n;
	/*
	 * 1: the files are parsed only when they changed since the last import
	 * (pp_import_parse_changed), and a parsed story is dropped once its key
	 * and status word are noted, then parsed again, whole, when its row is
	 * sent: memory does not grow with the stories. 0: all were parsed when
	 * read and kept (a backlog index compares and sets every file's status
	 * and priority).
	 */
	int lazy;
	pp_arena strs; /* every path and key */
	json_t *words; /* the status words met, as an object's keys (a set) */
	/* One per item when the backlog index gave any story another status, else NULL. */
	pp_import_index_word *index_words;
} pp_import_batch;

/* How deep the walk goes below the imported directory: deeper is an error. */
#define PP_IMPORT_MAX_DEPTH 64

/*
 * One pattern of files to leave out: --exclude and the tree's
 * .planpipeignore, a subset of gitignore's syntax (docs/import.md,
 * "Leaving files out").
 */
typedef struct pp_import_pattern {
	char *glob; /* without '!', a leading '/' or a trailing '/' */
	int negate; /* "!pattern": brings back what an earlier one left out */
	int dir;    /* "pattern/": directories only */
	int rooted; /* held a '/' other than a trailing one: matched against the whole path */
	int line;   /* its line in .planpipeignore; 0: an --exclude */
} pp_import_pattern;

typedef struct pp_import_patterns {
	pp_import_pattern *v;
	size_t n;
} pp_import_patterns;

/*
 * Adds the pattern of one line (len bytes, no NUL needed) to pl: trailing
 * blanks and a CR are dropped; a blank line, a '#' comment, and a pattern
 * left empty ("!", "/") add nothing. Returns PP_OK or PP_ENOMEM; the caller
 * frees pl with pp_import_patterns_free.
 */
pp_rc pp_import_pattern_add(pp_import_patterns *pl, const char *line, size_t len) PP_WARN_UNUSED;

/* Frees pl's patterns; pl itself is the caller's. */
void pp_import_patterns_free(pp_import_patterns *pl);

/*
 * Adds the lines of root/.planpipeignore to pl when the file exists (none:
 * PP_OK, nothing added). PP_EIO and the like when it cannot be read (over
 * 1 MiB included: PP_EINVAL), PP_ENOMEM; err set.
 */
pp_rc pp_import_patterns_read(const char *root, pp_import_patterns *pl, pp_err *err) PP_WARN_UNUSED;

/*
 * Warns in res about each pattern of pl that does not read as the user
 * meant: a '[' without its ']' (fnmatch then takes the '[' as itself),
 * named by its .planpipeignore line or as an --exclude. Returns PP_ENOMEM
 * only.
 */
pp_rc pp_import_patterns_check(const pp_import_patterns *pl, pp_import_result *res) PP_WARN_UNUSED;

/*
 * Whether glob (fnmatch with FNM_PATHNAME: '*' and '?' never match '/')
 * matches rel, or, when glob starts with "**" "/", whether the rest matches
 * rel or any tail of it that starts after a '/'.
 */
int pp_import_glob_match(const char *glob, const char *rel);

/*
 * Whether rel (relative to the imported directory; a directory when is_dir)
 * is left out: a rooted pattern is matched against rel, another against its
 * last component; a directory-only pattern skips files; the last matching
 * pattern decides ('!' brings back). No pattern matches: 0.
 */
int pp_import_excluded(const pp_import_patterns *pl, const char *rel, int is_dir);

/*
 * Whether real (a resolved path) is root_real (resolved too) or below it:
 * "/a/bc" is not below "/a/b"; everything is below "/".
 */
int pp_import_inside(const char *root_real, const char *real);

/*
 * A project key from a submodule name: letters upper-cased, digits kept
 * after the first letter, every other run of bytes one '_', no '_' first or
 * last, at most 20 characters ("api-server" -> "API_SERVER"); "" when the
 * name holds no letter. The caller frees it; NULL when out of memory.
 */
char *pp_import_derive_key(const char *name);

/* A list of relative paths (the walk's result). */
typedef struct pp_import_paths {
	char **paths;
	size_t n, cap;
	pp_arena *arena; /* the strings are in it; NULL: each is malloc'd */
} pp_import_paths;

/* Frees l's array (and its strings when not in an arena); l itself is the caller's. */
void pp_import_paths_free(pp_import_paths *l);

/*
 * Adds to out the paths (relative to root, in no set order) of the regular
 * *.md files below root, skipping entries whose name starts with '.' and
 * what pl leaves out (an excluded *.md file counts in res->ignored; an
 * excluded directory is not entered). A symbolic link is never followed:
 * one named *.md, to a directory, or broken is a problem in res: an error
 * (a rejected file, counted in files, failed and rejected) when its target
 * is missing or leaves root, else a warning; another one is passed over.
 * Returns PP_OK; PP_EINVAL for a directory more than PP_IMPORT_MAX_DEPTH
 * below root or a path longer than PATH_MAX; PP_EIO when root or a
 * directory cannot be read; PP_ENOMEM (err set). out is freed with
 * pp_import_paths_free either way.
 */
pp_rc pp_import_walk(const char *root, const pp_import_patterns *pl, pp_import_paths *out,
		     pp_import_result *res, pp_err *err) PP_WARN_UNUSED;

/* Notes a status word of the batch in b->words (NULL: none). Returns PP_ENOMEM only. */
pp_rc pp_import_note_word(pp_import_batch *b, const char *word) PP_WARN_UNUSED;

/* Frees what the batch holds (items, their stories, strings, words); b is empty again. */
void pp_import_batch_free(pp_import_batch *b);

/* Records a problem (printf format) in res. Returns PP_ENOMEM only. */
pp_rc pp_import_problem_add(pp_import_result *res, const char *file, int line, int col,
			    int is_error, const char *fmt, ...) PP_PRINTF(6, 7);

/*
 * The story of a file that is written, whole (body included), into *out
 * (the caller frees it with pp_story_free and free): it->story handed over
 * with its body read again when it was kept, else root/it->path parsed
 * again, its warnings not recorded twice. A file that changed since it was
 * read is an error for it (it->ok = 0, *out NULL). Returns PP_ENOMEM only
 * (err set).
 */
pp_rc pp_import_story_whole(const char *root, pp_import_item *it, pp_story **out,
			    pp_import_result *res, pp_err *err) PP_WARN_UNUSED;

/*
 * Reads root/rel (import_read.c), rel in b->strs. A story file gets
 * it->path = rel and its git blob id, and is parsed when !b->lazy (else
 * it->ok = 1, it->parsed = 0: parsed later if it changed, see
 * pp_import_parse_item). What is no story (no front matter, a template,
 * unreadable, a name that is not UTF-8) is counted or named in res, and
 * it->path stays NULL. Returns PP_OK, or PP_ENOMEM (err set).
 */
pp_rc pp_import_read_file(const char *root, const char *rel, pp_import_batch *b, pp_import_item *it,
			  pp_import_result *res, pp_err *err) PP_WARN_UNUSED;

/*
 * Reads root/it->path again, checks that its git blob id is still it->blob,
 * and parses it: it->parsed = 1, it->key and its status word noted, its
 * warnings recorded, the story kept in it->story only when !b->lazy; a file
 * that does not parse or changed since it was read is an error for it
 * (it->ok = 0). Returns PP_ENOMEM only (err set).
 */
pp_rc pp_import_parse_item(const char *root, pp_import_batch *b, pp_import_item *it,
			   pp_import_result *res, pp_err *err) PP_WARN_UNUSED;

/*
 * Two parsed files with one id (ignoring case, as the database does): the
 * first by path wins, the others are errors that name it (it->ok = 0).
 * Items not parsed are not looked at. Returns PP_ENOMEM only.
 */
pp_rc pp_import_reject_duplicates(pp_import_batch *b, pp_import_result *res) PP_WARN_UNUSED;

/* COPY's text format of s (NULL: \N): backslash, tab, newline, CR escaped. */
pp_rc pp_import_copy_field(pp_buf *b, const char *s) PP_WARN_UNUSED;

/*
 * A COPY ... FROM STDIN whose rows are built into rows and sent in chunks
 * of PP_IMPORT_COPY_CHUNK, so that memory does not grow with the rows.
 */
#define PP_IMPORT_COPY_CHUNK ((size_t)8 << 20)

typedef struct pp_import_copy {
	PGconn *conn;
	const char *sql;
	pp_buf rows; /* the rows not sent yet: append whole rows, then flush */
} pp_import_copy;

/* Starts COPY sql on conn. On failure nothing is to be ended (err set). */
pp_rc pp_import_copy_begin(pp_import_copy *c, PGconn *conn, const char *sql,
			   pp_err *err) PP_WARN_UNUSED;

/* Sends c->rows when it holds a chunk's worth. */
pp_rc pp_import_copy_flush(pp_import_copy *c, pp_err *err) PP_WARN_UNUSED;

/*
 * Ends the COPY: with rc PP_OK sends what is left and commits the rows; else
 * aborts the COPY. Frees c->rows. Returns rc, or the COPY's own failure.
 */
pp_rc pp_import_copy_end(pp_import_copy *c, pp_rc rc, pp_err *err) PP_WARN_UNUSED;

/* COPY ... FROM STDIN (sql) of rows, whole. */
pp_rc pp_import_copy_in(PGconn *conn, const char *sql, const pp_buf *rows,
			pp_err *err) PP_WARN_UNUSED;

/*
 * After pp_import_seen is filled, in the transaction: marks the files that
 * changed (send) and those whose dependencies are needed (deps), then, when
 * b->lazy, parses those and the unchanged files whose stored key one of them
 * also uses, and rejects duplicate ids among them. An unchanged file is not
 * parsed at all. Returns PP_OK, PP_EDB, PP_ENOMEM, or PP_EINVAL when o->stop
 * was set (err set).
 */
pp_rc pp_import_parse_changed(PGconn *conn, const pp_import_opts *o, const char *project_id,
			      pp_import_batch *b, pp_import_result *res,
			      pp_err *err) PP_WARN_UNUSED;

/* SELECT sql with n parameters p: its first value in out ("" when no row). */
pp_rc pp_import_one_value(PGconn *conn, const char *sql, int n, const char *const *p, char *out,
			  size_t size, pp_err *err) PP_WARN_UNUSED;

/* The project's status key of word, from the (word, key) rows of r; NULL when none. */
const char *pp_import_word_key(const PGresult *r, const char *word);

/*
 * The git history of o->path since the project's last imported commit (all
 * of it before the project has any history from git), into h. Sets *have
 * when there is one; a directory outside git has none, silently; git that
 * cannot run or fails is a warning in res, and the import goes on without
 * history. Returns PP_OK, PP_EDB or PP_ENOMEM (err set).
 */
pp_rc pp_import_read_history(PGconn *conn, const pp_import_opts *o, const char *project_id,
			     pp_git_history *h, int *have, pp_import_result *res,
			     pp_err *err) PP_WARN_UNUSED;

/*
 * Writes the batch's history from h (words: the resolved status words),
 * then a row for every changed story whose status git does not explain,
 * and the lifecycle timestamps from the whole history; res->history_rows
 * set. Runs under planpipe.history = external (the caller sets it).
 */
pp_rc pp_import_write_history(PGconn *conn, const char *project_id, pp_import_batch *b,
			      const pp_git_history *h, PGresult *words, pp_import_result *res,
			      pp_err *err) PP_WARN_UNUSED;

/* HEAD of the checkout at path, or "" when it is not one (or git is missing). */
void pp_import_git_head(const char *path, char out[41]);

/*
 * The database half: everything between BEGIN and COMMIT (import_db.c).
 * Frees b (pp_import_batch_free) once the files are done with, before the
 * dependencies are written, so that the two never hold memory at once.
 */
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
