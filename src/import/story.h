/*
 * story.h: parses one plan_pipe story file: YAML front matter between "---"
 * lines, then the markdown body (see ../shared/spec/INF-013-*.md for a real one).
 *
 * Pure: no database, no I/O beyond the buffer it is given. The importer
 * (src/import/import.c) checks what needs the database (statuses, projects).
 */
#ifndef PP_IMPORT_STORY_H
#define PP_IMPORT_STORY_H

#include <stddef.h>

#include "core/err.h"

/* Where a field's value stands in the file, for messages "file:line:column". */
typedef struct pp_story_pos {
	int line;   /* 1-based; 0 when the field is absent */
	int column; /* 1-based */
} pp_story_pos;

typedef struct pp_story_dep {
	char *project; /* "OTHER" in "OTHER:API-003"; NULL for the story's own project */
	char *key;     /* "API-003" */
	pp_story_pos pos;
} pp_story_dep;

typedef struct pp_story {
	char *key;              /* front matter "id", e.g. "INF-013"; required */
	char *title;            /* required */
	char *status;           /* NULL when absent (the importer applies the default) */
	char *priority;         /* NULL when absent */
	char *estimate_raw;     /* "3sp" as written; NULL when absent */
	double estimate_points; /* the number in estimate_raw ("3sp" -> 3, "0.5" -> 0.5) */
	int has_points;         /* whether estimate_raw held a number */
	char *epic, *owner, *author, *branch_name; /* NULL when absent or null */
	char *created;      /* "2025-08-28" (YYYY-MM-DD or an ISO 8601 timestamp) or NULL */
	char *last_updated; /* likewise */
	char **labels;      /* n_labels strings */
	size_t n_labels;
	pp_story_dep *deps; /* front matter "dependencies" */
	size_t n_deps;
	char *metadata_json; /* a JSON object of every other front matter field; "{}" if none */
	char *body;          /* the markdown after the closing "---", whole */
	int checklist_total; /* "- [ ]" and "- [x]" items in the body */
	int checklist_done;  /* "- [x]" / "- [X]" items */
	pp_story_pos key_pos, title_pos, status_pos, priority_pos, estimate_pos;
} pp_story;

/*
 * Parses data[0..len) (need not be NUL-terminated; may hold any bytes) into
 * *out. path only names the file in messages. On failure returns PP_EINVAL
 * with err->msg "path:line:column: message" (err->file and err->line set)
 * and *out freed. The caller frees *out with pp_story_free on success.
 * Never reads outside data, whatever the input (it is fuzzed).
 */
pp_rc pp_story_parse(const char *path, const char *data, size_t len, pp_story *out,
		     pp_err *err) PP_WARN_UNUSED;

/* Frees what pp_story_parse allocated and zeroes *s. Accepts NULL. */
void pp_story_free(pp_story *s);

#endif
