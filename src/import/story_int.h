/*
 * story_int.h: what the story parser's files share among themselves
 * (story.c, story_text.c, story_yaml.c). Not for other modules: they use
 * story.h.
 *
 *   story_text.c  the file as bytes: UTF-8, positions, messages
 *                 that point into it, the front matter/body split; and the
 *                 arena and map the parse allocates from
 *   story_yaml.c  the front matter through libfyaml into a tree of nodes,
 *                 quoted scalars decoded by hand, merge keys, the alias
 *                 budget, values as JSON
 *   story_fields.c  the rule of each known field's value (keys, priority,
 *                 estimate, dates, branch names)
 *   story_body.c  the checklist and the first heading of the body
 *   story_sniff.c lines and front matter delimiters; what a file is
 *                 (pp_story_sniff) and whether it is a
 *                 template (pp_story_template_reason)
 *   story.c       the known fields and their aliases, warnings, the title
 *                 and checklist in the body, pp_story_parse
 *
 * Names: what one of these files calls in another is not static and carries
 * the story_ prefix (never pp_: it is not public); everything else is
 * static and unprefixed. The types below are only ever seen by these files,
 * so they keep their short names.
 */
#ifndef PP_IMPORT_STORY_INT_H
#define PP_IMPORT_STORY_INT_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/limits.h"
#include "import/story.h"

#define FM_MAX            (1024 * 1024)     /* front matter bytes */
#define BODY_MAX          (4 * 1024 * 1024) /* stories_body_length in the schema */
#define VALUES_MAX        100000            /* YAML values, counting alias expansions */
#define EXPAND_MAX        (4 * 1024 * 1024) /* scalar bytes, counting alias expansions */
#define DEPTH_MAX         64                /* nesting, counting alias expansions */
#define KEY_MAX           64                /* stories_key_format */
#define LABELS_MAX        64                /* planpipe_labels_valid */
#define STATUS_MAX        64                /* characters of a status as written */
#define TITLE_MAX         500               /* characters of a title */
#define PRIORITY_RANK_MAX 2147483647        /* an int */
#define STORY_UTC_MAX     40                /* "YYYY-MM-DDTHH:MM:SS.ffffffZ" and its NUL */

enum { N_SCALAR, N_SEQ, N_MAP, N_ALIAS };

typedef struct node node;
struct node {
	node *first, *last, *next; /* children; a mapping's alternate key, value */
	node *target;              /* N_ALIAS: the anchored node (always complete) */
	const char *text;          /* N_SCALAR: NUL-terminated; containers: anchor or NULL */
	size_t len;                /* of text */
	size_t off;                /* byte offset in the front matter */
	unsigned char kind;
	unsigned char is_str; /* quoted, block or tagged !!str: never a number, bool or null */
};

/* A bump allocator: the tree dies with the parse (h2o's mem pool, smaller). */
typedef struct ablock {
	struct ablock *next;
	size_t used, cap;
	max_align_t data[];
} ablock;

/* Open addressing, byte-string keys, for anchors and for a mapping's keys. */
typedef struct smap_ent {
	const char *k;
	size_t klen;
	void *v;
} smap_ent;
typedef struct smap {
	smap_ent *e;
	size_t cap, n;
} smap;

typedef struct entry {
	node *key, *val;
} entry;
typedef struct entries {
	entry *v;
	size_t n, cap;
} entries;

typedef struct ctx {
	const char *path, *data;
	size_t len, fm_off, fm_len, body_off;
	int kind;      /* PP_STORY_YAML or PP_STORY_JSON once split */
	size_t *lines; /* byte offset where each line starts, lines[0] = 0 (line 1) */
	size_t n_lines;
	size_t memo_off, memo_col; /* last column computed, to keep long lines linear */
	size_t last_end;           /* where the last YAML event with a position ended */
	ablock *arena;
	smap anchors;   /* anchor name -> node */
	smap deps_seen; /* dependency text -> node */
	pp_buf text;    /* a scalar's text on its way to the arena */
	size_t values, expanded;
	node *outer_alias; /* the alias being expanded, for the budget's message */
	pp_err *err;
	pp_story *story; /* where warnings go */
} ctx;

/* ---- story_text.c: errors and positions ---- */

/* Fails with "path:line:column: message" (printf format); returns PP_EINVAL. */
pp_rc story_fail_at(ctx *c, pp_story_pos at, const char *fmt, ...) PP_PRINTF(3, 4) PP_WARN_UNUSED;

/* Adds a warning at at to c->story; PP_ENOMEM only. */
pp_rc story_warn_at(ctx *c, pp_story_pos at, const char *fmt, ...) PP_PRINTF(3, 4) PP_WARN_UNUSED;

/* Where node n of the front matter stands (NULL: the front matter's start). */
pp_story_pos story_at(ctx *c, const node *n);

/* A position written as line and column. */
#define STORY_LC(line, col) ((pp_story_pos){(line), (col)})

/* Where byte offset off of the file stands. */
pp_story_pos story_off_pos(ctx *c, size_t off);

/* Sets "out of memory" in c->err; returns PP_ENOMEM. */
pp_rc story_nomem(ctx *c) PP_WARN_UNUSED;

/*
 * A value for a message: quoted, at most 40 characters, control characters
 * as '?'. Writes into out and returns it.
 */
const char *story_quote(char out[128], const char *s, size_t len);

/* ---- story_text.c: bytes ---- */

/* The offset of the first invalid UTF-8 byte or NUL in s[0..len), or len. */
size_t story_utf8_check(const char *s, size_t len);

/* How many code points s[0..len) holds: its bytes other than UTF-8 continuation bytes. */
size_t story_utf8_chars(const char *s, size_t len);

/*
 * Checks the file (c->data, c->len) and finds its parts: sets c->fm_off,
 * fm_len, body_off and the line index (c->lines, freed by the caller).
 * PP_EINVAL with a positioned message when there is no front matter, it is
 * not closed, a part is too large or a byte is not UTF-8; PP_ENOMEM.
 */
pp_rc story_load(ctx *c) PP_WARN_UNUSED;

/* ---- story_text.c: arena and map ---- */

/* size bytes from c->arena, aligned; NULL when out of memory. Freed with the arena. */
void *story_alloc(ctx *c, size_t size);

/* Frees every block of c->arena. */
void story_arena_free(ctx *c);

/* The value stored under k, or NULL. */
void *story_smap_get(const smap *m, const char *k, size_t klen);

/* Stores v (not NULL) under k, which must outlive m. PP_ENOMEM only. */
pp_rc story_smap_put(smap *m, const char *k, size_t klen, void *v) PP_WARN_UNUSED;

/* Frees m's table and zeroes *m (the keys and values are not its own). */
void story_smap_free(smap *m);

/* ---- story_yaml.c ---- */

/*
 * Runs libfyaml's event parser over the front matter into a tree allocated
 * from c->arena; *root NULL when it is empty. Anchors go to c->anchors.
 */
pp_rc story_build_tree(ctx *c, node **root) PP_WARN_UNUSED;

/* Whether n is a plain scalar that YAML reads as null ("", "~", "null", ...). */
int story_is_null(const node *n);

/* The node an alias names; n itself when it is not an alias. */
node *story_deref(node *n);

/*
 * The key/value pairs of a mapping as YAML means them: keys must be scalars
 * and unique; a '<<' key merges in mappings (YAML 1.1 merge keys), whose
 * keys never override the mapping's own. The caller frees es->v.
 */
pp_rc story_map_entries(ctx *c, node *map, int depth, entries *es) PP_WARN_UNUSED;

/*
 * The value of node n as JSON, expanding aliases under the budget
 * (VALUES_MAX, EXPAND_MAX, DEPTH_MAX). On success the caller owns *out.
 */
pp_rc story_to_json(ctx *c, node *n, int depth, json_t **out) PP_WARN_UNUSED;

/* ---- story_fields.c ---- */

/* [A-Za-z0-9][A-Za-z0-9_.-]{0,63}: a story key as teams write them. */
int story_is_key(const char *s, size_t len);

/*
 * A priority: a level word (critical/urgent/p0, high/p1, medium/normal/p2,
 * low/p3, any case) and/or a rank (1 to PRIORITY_RANK_MAX), separated by
 * blanks, ',', '/' or parentheses ("high", "7", "high (2)"). 1 with *level
 * (static "critical", "high", "medium", "low" or NULL) and *rank (0: none) set;
 * 0 when s is not that.
 */
int story_priority(const char *s, size_t len, const char **level, int *rank);

/*
 * The story points in an estimate ("3sp", "0.5 points"): 1 with *points set,
 * 0 when it holds no number ("XL"), -1 when over PP_ESTIMATE_POINTS_MAX.
 */
int story_estimate_points(const char *s, size_t len, double *points);

/*
 * A date or ISO 8601 / YAML timestamp: 1 with utc its moment in UTC
 * ("YYYY-MM-DDTHH:MM:SS[.ffffff]Z", no zone read as UTC), 0 when s is not one,
 * -1 when the day or time does not exist.
 */
int story_date_utc(const char *s, size_t len, char utc[STORY_UTC_MAX]);

/* Why s is not a valid git branch name (a phrase after "it "), or NULL. */
const char *story_branch_problem(const char *s, size_t len);

/* ---- story_body.c ---- */

/*
 * Counts the task-list items of p[0..len) ("- [ ] x", "* [x] x", "1. [X] x",
 * at any indentation) outside fenced code blocks into *total, the ticked ones
 * into *done.
 */
void story_count_checklist(const char *p, size_t len, int *total, int *done);

/*
 * The text of the first level-1 ATX heading of p[0..len) ("# Title", at most
 * 3 spaces in, outside code blocks, closing '#'s removed); *t NULL if none.
 */
void story_first_heading(const char *p, size_t len, const char **t, size_t *tlen);

/*
 * Removes a leading "KEY:", "KEY -", "KEY |", "KEY —" or "KEY –" from a
 * heading's text t[0..*len) when KEY is the story's key, the start of it, or
 * reads as one (letters, '-' or '_', digits: "LLM-003"). Leaves it when
 * nothing would remain.
 */
void story_strip_key(const char *key, const char **t, size_t *len);

/* ---- story_sniff.c ---- */

/*
 * The line of d[0..len) that starts at i: returns where its text ends and
 * sets *next where the next line starts. A line ends at LF, CRLF or a lone
 * CR (YAML's line breaks), or at len.
 */
size_t story_line_end(const char *d, size_t len, size_t i, size_t *next);

/*
 * Whether d[i..end) is `mark` (3 bytes: "---", "...", "+++") followed only
 * by blanks: a front matter delimiter line.
 */
int story_is_mark_line(const char *d, size_t i, size_t end, const char *mark);

/* Whether an id is a template placeholder ("ADH-###", "{{id}}", "XXX-000"). */
int story_is_placeholder(const char *s, size_t len);

#endif
