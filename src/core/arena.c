/*
 * arena.c: see arena.h. Blocks of BLOCK_SIZE bytes; a string longer than a
 * quarter of that gets a block of its own, behind the current one, so that
 * the current block's free space is not thrown away.
 */
#include "core/arena.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_SIZE ((size_t)1 << 20)

struct pp_arena_block {
	pp_arena_block *next;
	char data[];
};

static pp_arena_block *block_new(size_t size)
{
	pp_arena_block *b = malloc(sizeof(*b) + size);

	if (b != NULL)
		b->next = NULL;
	return b;
}

char *pp_arena_strndup(pp_arena *a, const char *s, size_t len)
{
	size_t need = len + 1;
	pp_arena_block *b;
	char *out;

	if (need > BLOCK_SIZE / 4) {
		if ((b = block_new(need)) == NULL)
			return NULL;
		a->total += sizeof(*b) + need;
		if (a->head == NULL) {
			/* The big block becomes head, full: the next small string opens a block. */
			a->head = b;
			a->used = a->size = need;
		} else {
			b->next = a->head->next;
			a->head->next = b;
		}
		out = b->data;
	} else {
		if (a->head == NULL || a->size - a->used < need) {
			if ((b = block_new(BLOCK_SIZE)) == NULL)
				return NULL;
			a->total += sizeof(*b) + BLOCK_SIZE;
			b->next = a->head;
			a->head = b;
			a->used = 0;
			a->size = BLOCK_SIZE;
		}
		out = a->head->data + a->used;
		a->used += need;
	}
	assert(a->used <= a->size);
	memcpy(out, s, len);
	out[len] = '\0';
	return out;
}

char *pp_arena_strdup(pp_arena *a, const char *s)
{
	return pp_arena_strndup(a, s, strlen(s));
}

void pp_arena_free(pp_arena *a)
{
	pp_arena_block *b, *next;

	if (a == NULL)
		return;
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	memset(a, 0, sizeof(*a));
}
