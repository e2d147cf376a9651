/*
 * arena.h: strings that die together (every path and key of an import),
 * bump-allocated from large blocks instead of one malloc each (h2o's
 * h2o_mem_pool_t): a million short strings cost their bytes, not a
 * million malloc headers and their rounding.
 */
#ifndef PP_CORE_ARENA_H
#define PP_CORE_ARENA_H

#include <stddef.h>

typedef struct pp_arena_block pp_arena_block;

/* Zero-initialized ({0}) it is empty and ready; pp_arena_free empties it. */
typedef struct pp_arena {
	pp_arena_block *head; /* the block strings are taken from, then the older ones */
	size_t used;          /* bytes of head's data taken */
	size_t size;          /* bytes of data in head */
	size_t total;         /* bytes allocated for all blocks, their headers included */
} pp_arena;

/*
 * A copy of s, NUL-terminated, owned by a: valid until pp_arena_free(a).
 * NULL when out of memory (a is unchanged).
 */
char *pp_arena_strdup(pp_arena *a, const char *s);

/* The first len bytes of s and a NUL, as pp_arena_strdup. */
char *pp_arena_strndup(pp_arena *a, const char *s, size_t len);

/* Frees every string of a; a is empty again. NULL is accepted. */
void pp_arena_free(pp_arena *a);

#endif
