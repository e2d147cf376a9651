/*
 * backlog_index.h: plan_pipe's backlog index, backlog/PRIORITIZATION.json:
 *
 *   {"metadata": {"format_version": "2.0", "last_updated": "2025-09-03", ...},
 *    "backlog": [{"id": "LLM-019", "title": "...", "file_path": "backlog/core/x.md",
 *                 "status": "blocked", "priority": 11, "estimate": "3sp",
 *                 "epic": "core", "dependencies": [], "labels": [...], "owner": "",
 *                 "created": "2025-08-28", "last_updated": "2025-08-29"}, ...]}
 *
 * Pure: no database, no I/O beyond pp_backlog_index_load reading the file.
 * Where the index and a story file disagree the index wins
 * (pp_backlog_compare says on what). docs/import.md, "The backlog index".
 */
#ifndef PP_IMPORT_BACKLOG_INDEX_H
#define PP_IMPORT_BACKLOG_INDEX_H

#include <stddef.h>

#include "core/err.h"

/* The index's largest accepted file, in bytes. */
#define PP_BACKLOG_INDEX_MAX (64 * 1024 * 1024)

/*
 * One entry of "backlog". Text fields are NULL when absent, null or blank
 * ("owner": "" is absent), else as written.
 */
typedef struct pp_backlog_entry {
	size_t index; /* its position in "backlog", from 0 */
	char *id;     /* required: a non-blank string */
	char *title, *file_path, *status;
	int has_rank;   /* "priority" was a whole number (11, or "11") */
	long long rank; /* that number */
	char *priority; /* "priority" was a level word: critical, high, medium or low,
			 * lower-cased; NULL otherwise */
	char *estimate; /* a string as written, or a number's text ("3") */
	char *epic, *owner, *created, *last_updated;
	char **dependencies; /* n_dependencies strings, as written */
	size_t n_dependencies;
	char **labels; /* n_labels strings, as written */
	size_t n_labels;
} pp_backlog_entry;

/* A problem that did not stop the reading: the entry or the field is skipped. */
typedef struct pp_backlog_problem {
	char *msg;  /* "FILE: backlog[3].id: expected a string, got a number" */
	long entry; /* the entry's position in "backlog", or -1 */
} pp_backlog_problem;

typedef struct pp_backlog_index {
	char *format_version;      /* metadata.format_version, or NULL */
	char *last_updated;        /* metadata.last_updated, or NULL */
	pp_backlog_entry *entries; /* in file order; no two with the same id */
	size_t n_entries;
	pp_backlog_problem *problems; /* in file order */
	size_t n_problems;
	size_t *by_id; /* private to pp_backlog_index_find: entries' positions by id */
} pp_backlog_index;

/*
 * Parses data[0..len) (need not be NUL-terminated); name only names the
 * file in messages. Extra fields anywhere are ignored. An entry with a wrong
 * or missing id, or an id seen before, is skipped; an optional field of the
 * wrong type is left out of its entry; each is one problem in idx->problems
 * ("name: backlog[7].id: duplicate id \"LLM-019\" (first at backlog[2])").
 *
 * Returns PP_OK, or PP_EINVAL when nothing can be read: malformed JSON
 * ("name:LINE:COLUMN: invalid JSON: ...", with err->file and err->line
 * set), a root that is not an object, or no "backlog" array; PP_ENOMEM.
 * Either way the caller frees *idx with pp_backlog_index_free.
 */
pp_rc pp_backlog_index_parse(const char *name, const char *data, size_t len, pp_backlog_index *idx,
			     pp_err *err) PP_WARN_UNUSED;

/*
 * Reads the file at path (at most PP_BACKLOG_INDEX_MAX bytes) and parses it
 * as above; messages name path. PP_EIO when it cannot be read. Blocks on
 * the read. The caller frees *idx with pp_backlog_index_free.
 */
pp_rc pp_backlog_index_load(const char *path, pp_backlog_index *idx, pp_err *err) PP_WARN_UNUSED;

/* The entry with that id (compared exactly), or NULL. O(log n); idx owns it. */
const pp_backlog_entry *pp_backlog_index_find(const pp_backlog_index *idx, const char *id);

/* Frees what idx holds and zeroes it. Accepts NULL. */
void pp_backlog_index_free(pp_backlog_index *idx);

/* One field on which the index and a story file disagree. */
typedef struct pp_backlog_disagreement {
	const char *field;       /* "status" or "priority" */
	const char *index_value; /* the value that wins; points into the entry */
	const char *story_value; /* the file's; NULL when the file has none */
	char msg[256];           /* "status: the index says \"blocked\", the file
				  * says \"ready\"; the index wins" (values cut at 40);
				  * "the file has none" / "gives no level" (priority) */
} pp_backlog_disagreement;

/*
 * Compares e with a story's status and priority as parsed from its file
 * (pp_story's status and priority; NULL when absent). Status is compared
 * exactly; priority only when the index gives a level word, ignoring case
 * (a rank number says nothing about the level). A field the index does not
 * give is no disagreement. Fills out[0..return) and returns how many (0 to
 * 2). Pure; allocates nothing.
 */
size_t pp_backlog_compare(const pp_backlog_entry *e, const char *story_status,
			  const char *story_priority, pp_backlog_disagreement out[2]);

#endif
