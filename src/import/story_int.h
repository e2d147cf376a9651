/*
 * story_int.h: what the story parser's files share among themselves
 * (story.c, story_text.c, story_yaml.c). Not for other modules: they use
 * story.h.
 *
 *   story_text.c  the file as bytes: UTF-8, lines and positions, messages
 *                 that point into it, the front matter/body split; and the
 *                 arena and map the parse allocates from
 *   story_yaml.c  the front matter through libfyaml into a tree of nodes,
 *                 quoted scalars decoded by hand, merge keys, the alias
 *                 budget, values as JSON
 *   story.c       the known fields, the checklist, pp_story_parse
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
#include "import/story.h"

#define FM_MAX     (1024 * 1024)     /* front matter bytes */
#define BODY_MAX   (4 * 1024 * 1024) /* stories_body_length in the schema */
#define VALUES_MAX 100000            /* YAML values, counting alias expansions */
#define EXPAND_MAX (4 * 1024 * 1024) /* scalar bytes, counting alias expansions */
#define DEPTH_MAX  64                /* nesting, counting alias expansions */
#define KEY_MAX    64                /* stories_key_format */
#define LABELS_MAX 64                /* planpipe_labels_valid */

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
} ctx;

/* ---- story_text.c: errors and positions ---- */

/* Fails with "path:line:column: message" (printf format); returns PP_EINVAL. */
pp_rc story_fail_lc(ctx *c, int line, int col, const char *fmt, ...) PP_PRINTF(4, 5) PP_WARN_UNUSED;

/* An error at a node of the front matter (NULL: its start); returns PP_EINVAL. */
pp_rc story_fail(ctx *c, const node *n, const char *fmt, ...) PP_PRINTF(3, 4) PP_WARN_UNUSED;

/* Sets "out of memory" in c->err; returns PP_ENOMEM. */
pp_rc story_nomem(ctx *c) PP_WARN_UNUSED;

/* Where node n stands in the file. */
pp_story_pos story_node_pos(ctx *c, const node *n);

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

#endif
