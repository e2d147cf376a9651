/*
 * read_decide.c: the pure parts of read routing (see read_route.h): WAL
 * positions as text, the routing decision, and the bounded per-token table
 * of last writes behind read-your-writes.
 */
#include "api/read_route.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PostgreSQL's WAL page, and its short and long (segment's first page) headers. */
#define WAL_PAGE      8192
#define WAL_SHORT_HDR 24
#define WAL_LONG_HDR  40

/* Slots a key may use from its home slot on. */
#define PROBE 8

static int hex_part(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (n < 1 || n > 8)
		return -1;
	for (i = 0; i < n; i++) {
		char c = s[i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else
			return -1;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

int pp_lsn_parse(const char *s, pp_lsn *out)
{
	const char *slash;
	uint32_t hi, lo;

	if (s == NULL || (slash = strchr(s, '/')) == NULL)
		return -1;
	if (hex_part(s, (size_t)(slash - s), &hi) != 0 ||
	    hex_part(slash + 1, strlen(slash + 1), &lo) != 0)
		return -1;
	*out = (pp_lsn)hi << 32 | lo;
	return 0;
}

void pp_lsn_format(pp_lsn lsn, char out[PP_LSN_TEXT])
{
	snprintf(out, PP_LSN_TEXT, "%X/%X", (unsigned)(lsn >> 32), (unsigned)(lsn & 0xffffffffu));
}

pp_lsn pp_lsn_replay_target(pp_lsn insert_lsn)
{
	pp_lsn off = insert_lsn % WAL_PAGE;

	/*
	 * No record ends inside a header, and a record that ends at 40 cannot
	 * have another end at the boundary before it (a record is at least 24
	 * bytes long): a standby at the boundary has everything up to here.
	 */
	if (off == WAL_SHORT_HDR || off == WAL_LONG_HDR)
		return insert_lsn - off;
	return insert_lsn;
}

const char *pp_read_route_str(pp_read_route r)
{
	static const char *const names[PP_READ_NROUTES] = {
		"standby", "down", "stale", "not_standby", "lag", "read_your_writes", "failed",
	};

	return (unsigned)r < PP_READ_NROUTES ? names[r] : "?";
}

pp_read_route pp_read_decide(const pp_standby_state *st, long long now_ms, int max_lag_s,
			     int stale_ms, pp_lsn need)
{
	if (!st->measured)
		return PP_READ_STALE;
	if (!st->up)
		return PP_READ_DOWN;
	if (now_ms - st->at_ms > stale_ms)
		return PP_READ_STALE;
	if (!st->in_recovery)
		return PP_READ_NOT_STANDBY;
	if (!st->lag_known || st->lag_s > (double)max_lag_s)
		return PP_READ_LAG;
	if (need > st->replay_lsn)
		return PP_READ_WRITES;
	return PP_READ_STANDBY;
}

/* ---- The per-token table. ---- */

typedef struct slot {
	char key[PP_LSN_KEY_LEN];
	pp_lsn lsn; /* 0: free */
} slot;

struct pp_lsn_table {
	pthread_mutex_t mu;
	size_t mask;
	size_t count;
	pp_lsn floor; /* the highest position an evicted entry held */
	slot *slots;
};

pp_lsn_table *pp_lsn_table_new(size_t slots)
{
	pp_lsn_table *t;

	if (slots < 16 || (slots & (slots - 1)) != 0)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->slots = calloc(slots, sizeof(*t->slots));
	if (t->slots == NULL || pthread_mutex_init(&t->mu, NULL) != 0) {
		free(t->slots);
		free(t);
		return NULL;
	}
	t->mask = slots - 1;
	return t;
}

void pp_lsn_table_free(pp_lsn_table *t)
{
	if (t == NULL)
		return;
	pthread_mutex_destroy(&t->mu);
	free(t->slots);
	free(t);
}

/* The key's home slot: keys are SHA-256 in hex, so their first digits are uniform. */
static size_t home(const pp_lsn_table *t, const char *key)
{
	size_t h = 0;
	int i;

	for (i = 0; i < 8; i++) {
		char c = key[i];
		h = h << 4 | (size_t)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
	}
	return h & t->mask;
}

/* The slot holding key (mu held), or NULL. */
static slot *find(pp_lsn_table *t, const char *key)
{
	size_t h = home(t, key);
	int i;

	for (i = 0; i < PROBE; i++) {
		slot *s = &t->slots[(h + (size_t)i) & t->mask];
		if (s->lsn != 0 && memcmp(s->key, key, PP_LSN_KEY_LEN) == 0)
			return s;
	}
	return NULL;
}

static void drop(pp_lsn_table *t, slot *s)
{
	s->lsn = 0;
	t->count--;
}

void pp_lsn_table_note(pp_lsn_table *t, const char *key, pp_lsn lsn, pp_lsn replayed)
{
	size_t h = home(t, key);
	slot *s, *victim = NULL;
	int i;

	if (lsn == 0 || lsn <= replayed)
		return;
	pthread_mutex_lock(&t->mu);
	s = find(t, key);
	if (s != NULL) {
		if (lsn > s->lsn)
			s->lsn = lsn;
		goto out;
	}
	for (i = 0; i < PROBE; i++) {
		s = &t->slots[(h + (size_t)i) & t->mask];
		if (s->lsn != 0 && s->lsn <= replayed)
			drop(t, s);
		if (s->lsn == 0) {
			victim = s;
			break;
		}
		if (victim == NULL || s->lsn < victim->lsn)
			victim = s;
	}
	if (victim->lsn != 0) {
		/* Everyone reads at least what the evicted token wrote. */
		if (victim->lsn > t->floor)
			t->floor = victim->lsn;
		drop(t, victim);
	}
	memcpy(victim->key, key, PP_LSN_KEY_LEN);
	victim->lsn = lsn;
	t->count++;
out:
	pthread_mutex_unlock(&t->mu);
}

pp_lsn pp_lsn_table_need(pp_lsn_table *t, const char *key, pp_lsn replayed)
{
	pp_lsn need = 0;
	slot *s;

	pthread_mutex_lock(&t->mu);
	s = find(t, key);
	if (s != NULL) {
		if (s->lsn <= replayed)
			drop(t, s);
		else
			need = s->lsn;
	}
	if (t->floor > need && t->floor > replayed)
		need = t->floor;
	pthread_mutex_unlock(&t->mu);
	return need;
}

size_t pp_lsn_table_count(pp_lsn_table *t)
{
	size_t n;

	pthread_mutex_lock(&t->mu);
	n = t->count;
	pthread_mutex_unlock(&t->mu);
	return n;
}
