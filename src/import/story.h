/*
 * story.h: parses one plan_pipe story file: front matter (YAML between "---"
 * lines, or a JSON object) then the markdown body (see
 * ../shared/spec/INF-013-*.md for a real one, docs/import.md for the rules).
 *
 * Pure: no database, no I/O beyond the buffer and path it is given. The
 * importer (src/import/import.c) checks what needs the database (statuses,
 * projects, whether dependencies exist).
 *
 * Real planning repositories are messy, so a value planpipe cannot use never
 * costs the story: it is kept, raw, in metadata_json and reported as a
 * warning (pp_story.warnings). Only a file that cannot be read as a story at
 * all is an error: not UTF-8 or a NUL byte, broken YAML or JSON, more than one
 * YAML document, no usable key or no usable title (after the fallbacks: the
 * file name for the key, the first "# " heading for the title).
 */
#ifndef PP_IMPORT_STORY_H
#define PP_IMPORT_STORY_H

#include <stddef.h>

#include "core/err.h"

/* Where a field's value stands in the file, for messages "file:line:column". */
typedef struct pp_story_pos {
	int line;   /* 1-based; 0 when the field is absent */
	int column; /* 1-based, in characters */
} pp_story_pos;

typedef struct pp_story_dep {
	char *project; /* "OTHER" in "OTHER:API-003"; NULL for the story's own project */
	char *key;     /* "API-003", as written */
	pp_story_pos pos;
} pp_story_dep;

/*
 * Something the parser could not use and left out (the value is in
 * metadata_json under its field's name). msg has no "path:line:col: " prefix:
 * the caller prints "path:line:column: warning: msg".
 */
typedef struct pp_story_warning {
	int line, column; /* 1-based, as pp_story_pos; 1:1 for the file as a whole */
	char *msg;
} pp_story_warning;

typedef struct pp_story {
	char *key;              /* "id" as written ("INF-013", "adh-001"), else the file name's
				   stem (key_from_path); never NULL after a successful parse */
	char *title;            /* "title", else the first "# " heading; never NULL */
	char *status;           /* as written, trimmed, at most 64 characters; NULL when absent */
	char *priority;         /* "critical", "high", "medium", "low" or NULL */
	int priority_rank;      /* a numeric priority (1 = first); 0 = none */
	char *estimate_raw;     /* "3sp" as written; NULL when absent */
	double estimate_points; /* the number in estimate_raw ("3sp" -> 3, "0.5" -> 0.5) */
	int has_points;         /* whether estimate_raw held a number */
	char *epic, *owner, *author, *branch_name; /* NULL when absent, null or unusable */
	char *created;          /* "2025-08-28" as written (a date or ISO 8601 timestamp) */
	char *created_utc;      /* the same moment "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"; a date
				   or a time without a zone is read as UTC */
	char *last_updated;     /* likewise */
	char *last_updated_utc; /* likewise */
	char **labels;          /* n_labels strings: "labels" then "tags", lower-cased */
	size_t n_labels;
	pp_story_dep *deps; /* "dependencies" (or "depends_on", "blocked_by") */
	size_t n_deps;
	char *metadata_json;        /* a JSON object, in file order, of every other front matter
				       field and of the raw values that could not be used; "{}" */
	char *body;                 /* the markdown after the front matter, whole */
	int checklist_total;        /* "- [ ]" and "- [x]" items in the body */
	int checklist_done;         /* "- [x]" / "- [X]" items */
	int key_from_path;          /* 1 when key is the file name's stem (no usable "id") */
	int title_from_body;        /* 1 when title is the first "# " heading of the body */
	pp_story_warning *warnings; /* in the order found; n_warnings of them */
	size_t n_warnings;
	pp_story_pos key_pos, title_pos, status_pos, priority_pos, estimate_pos;
} pp_story;

/*
 * Parses data[0..len) (need not be NUL-terminated; may hold any bytes) into
 * *out. path names the file in messages and gives the key when the front
 * matter has no usable id (its last component without its extension).
 * On failure returns PP_EINVAL with err->msg "path:line:column: message"
 * (err->file and err->line set) and *out freed; PP_ENOMEM when out of memory.
 * On success the caller frees *out with pp_story_free; out->warnings may be
 * non-empty. Never reads outside data, whatever the input (it is fuzzed).
 */
pp_rc pp_story_parse(const char *path, const char *data, size_t len, pp_story *out,
		     pp_err *err) PP_WARN_UNUSED;

/* Frees what pp_story_parse allocated (warnings included) and zeroes *s. Accepts NULL. */
void pp_story_free(pp_story *s);

/*
 * Whether a file name (its last component, or a path) is one the importer
 * reads: it ends in ".md" or ".markdown", in any case ("T-5.MD"), with
 * something before the dot. Hidden names are the caller's business. Pure.
 */
int pp_story_file_name(const char *name);

/* What a file is, from its first bytes: see pp_story_sniff. */
typedef enum {
	PP_STORY_NOT_STORY = 0, /* no front matter and nothing like one (a README) */
	PP_STORY_YAML,          /* "---" line, YAML, "---" or "..." line */
	PP_STORY_JSON,          /* a JSON object first ("{" then '"' or '}'), then the body */
	PP_STORY_TOML,          /* "+++" line: TOML, which planpipe does not read */
	PP_STORY_UNREADABLE,    /* meant as a story, but not readable as one */
} pp_story_kind;

/*
 * Classifies a file by its first lines, without parsing it. For
 * PP_STORY_TOML and PP_STORY_UNREADABLE, *reason (when reason is not NULL) is
 * a static sentence for the user, such as "UTF-16 text: save it as UTF-8";
 * otherwise NULL. pp_story_parse fails on those with the same sentence, and on
 * PP_STORY_NOT_STORY with "no front matter". Pure, never fails.
 */
pp_story_kind pp_story_sniff(const char *data, size_t len, const char **reason);

/*
 * Why a file is a story template, not a story, or NULL: a static sentence
 * naming the rule, for the importer's notice ("a template: under a
 * templates/ directory"). The rules (docs/import.md, "Templates"):
 *   - a directory of path is named "templates" or "template", any case;
 *   - the file name, any case, holds the word "template" (not inside a longer
 *     word: "_template.md", "story-template.md", "TEMPLATE.md",
 *     "templates.md", but not "contemplate.md");
 *   - the front matter's id is a placeholder: it holds one of # { } < > $,
 *     or each of its parts (split at '-', '_', '.') is all X, all 0 or all N,
 *     the first all X ("ADH-###", "{{id}}", "<ID>", "XXX-000", "xx-nnn"), or
 *     a part is "template".
 * Reads only path and the front matter's id line (no YAML parse), so it can
 * be called before pp_story_parse, on files that do not parse. Pure.
 */
const char *pp_story_template_reason(const char *path, const char *data, size_t len);

#endif
