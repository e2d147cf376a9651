/*
 * gen.h: the benchmark data generator's shared pieces: a seeded PRNG, an
 * output buffer for COPY text, and the text model (words, titles, bodies).
 *
 * Everything is deterministic: the same seed gives the same bytes. Each
 * story's text comes from its own stream (gen_rng_for), so a story's body
 * does not depend on the order in which stories are written.
 */
#ifndef PP_BENCH_GEN_H
#define PP_BENCH_GEN_H

#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

/* xoshiro256** seeded through splitmix64 (Vigna); small, fast, good enough. */
typedef struct gen_rng {
	uint64_t s[4];
} gen_rng;

/* A stream for (seed, tag, n): independent streams for independent things. */
void gen_rng_for(gen_rng *r, uint64_t seed, uint64_t tag, uint64_t n);
uint64_t gen_next(gen_rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t gen_below(gen_rng *r, uint32_t n);
/* Uniform in [0, 1). */
double gen_unit(gen_rng *r);
/* True with probability p. */
int gen_chance(gen_rng *r, double p);
/* Exponential with the given mean. */
double gen_exp(gen_rng *r, double mean);
/* Rank in [0, n) with a Zipf-like (1/rank) distribution, O(1). */
uint32_t gen_zipf(gen_rng *r, uint32_t n);

/*
 * A growable byte buffer. gen_buf_* abort the program on allocation failure:
 * a generator that cannot allocate has nothing sensible to do but stop.
 */
typedef struct gen_buf {
	char *p;
	size_t len, cap;
} gen_buf;

void gen_buf_reserve(gen_buf *b, size_t extra);
void gen_buf_put(gen_buf *b, const char *s, size_t n);
void gen_buf_str(gen_buf *b, const char *s);
void gen_buf_ch(gen_buf *b, char c);
void gen_buf_u64(gen_buf *b, uint64_t v);
/* Microseconds since the Unix epoch as "YYYY-MM-DD HH:MM:SS.uuuuuu+00". */
void gen_buf_ts(gen_buf *b, int64_t us);
/* Day of the microsecond time as "YYYY-MM-DD". */
void gen_buf_date(gen_buf *b, int64_t us);
/* Appends s escaped for COPY's text format (backslash, tab, newline, CR). */
void gen_buf_copy_escaped(gen_buf *b, const char *s, size_t n);
void gen_buf_free(gen_buf *b);

/* The word model: GEN_WORDS ranks, real words first, invented ones after. */
#define GEN_WORDS 30000
/* The word of rank i (0 = most common); valid until gen_text_free. */
const char *gen_word(uint32_t i);
void gen_text_init(void);
void gen_text_free(void);

/* Labels: a vocabulary of GEN_LABELS, Zipf-distributed by rank. */
#define GEN_LABELS 300
const char *gen_label(uint32_t i);

/* What gen_story_text produced besides the body. */
typedef struct gen_story_text {
	int checklist_total, checklist_done;
} gen_story_text;

/*
 * Appends to title a story title and to body a markdown body of about
 * body_bytes bytes in the shape of the project's story files (user story,
 * acceptance criteria checklist, notes, definition of done). done_share is
 * the share of checklist items ticked (0 for todo, 1 for done).
 */
void gen_story_title(gen_rng *r, gen_buf *title);
void gen_story_body(gen_rng *r, gen_buf *body, const char *key, const char *title,
		    size_t body_bytes, double done_share, gen_story_text *out);

/*
 * COPY ... FROM STDIN writers. One COPY at a time per program (a static
 * buffer); errors print the server's message and exit: the load runs in one
 * transaction, so nothing half-loaded stays behind.
 */
typedef struct gen_stat {
	char name[64];
	uint64_t rows, bytes;
	double secs;
} gen_stat;

/* The statistics row of a table (created on first use, at most 64). */
gen_stat *gen_stat_for(const char *name);
/* All statistics rows, in order of first use. */
gen_stat *gen_stats(int *n);
/* Forgets them (a child process starts its own). */
void gen_stats_reset(void);
double gen_now(void);
void gen_exec(PGconn *c, const char *sql);
/*
 * Starts COPY table (columns) FROM STDIN, WITH (FREEZE) when asked (the table
 * must have been truncated in the same transaction); returns the line buffer.
 */
gen_buf *gen_copy_begin(PGconn *c, const char *table, const char *columns, int freeze);
/* Ends a line; sends the buffer when it is big enough. */
void gen_copy_eol(gen_stat *st);
/* Sends the rest, ends the COPY, adds the elapsed time to st. */
void gen_copy_end(gen_stat *st);

/* COPY text helpers on a buffer. */
void gen_tab(gen_buf *b);
void gen_null(gen_buf *b);
/* The timestamp, or \N for 0 (and INT64_MAX). */
void gen_ts_or_null(gen_buf *b, int64_t us);
/* The number, or \N for 0. */
void gen_u64_or_null(gen_buf *b, uint64_t v);

#endif
