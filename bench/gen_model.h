/*
 * gen_model.h: the benchmark data set as the generator decides it before
 * writing anything: projects and their sizes, memberships, each story's
 * project, status walk and lifecycle times, dependency edges and the status
 * history. Text (titles, bodies, labels, metadata) is made while writing,
 * from each story's own stream (gen.h).
 */
#ifndef PP_BENCH_GEN_MODEL_H
#define PP_BENCH_GEN_MODEL_H

#include <stdint.h>

#include "gen.h"

/* Statuses in the order of migration 0003. */
enum { ST_DRAFT, ST_READY, ST_IN_PROGRESS, ST_REVIEW, ST_DONE, ST_ACCEPTED, ST_CANCELLED, ST_N };
enum { CAT_TODO, CAT_ACTIVE, CAT_DONE, CAT_CANCELLED };
extern const char *const gen_status_key[ST_N];
int gen_status_category(int st);

#define GEN_NEVER INT64_MAX

typedef struct gen_config {
	const char *scale;
	uint64_t seed;
	int64_t end_us; /* the data's "now": nothing happens at or after it */
	int years;      /* history covers [end - years, end) */
	uint32_t users, projects, backlogs, stories, edges;
	uint64_t history;   /* wanted status_history rows (the walk is calibrated to it) */
	double cross_share; /* share of edges that cross projects */
} gen_config;

typedef struct gen_member {
	uint32_t user; /* 1-based user id */
	uint8_t role;  /* 0 viewer .. 3 owner */
} gen_member;

typedef struct gen_project {
	char key[24], prefix[32];
	uint32_t creator;  /* user id */
	uint32_t nstories; /* stories in the project */
	uint32_t *stories; /* their 0-based indexes, in creation (id) order */
	gen_member *members;
	uint32_t nmembers, cap_members;
	uint32_t deps[3], ndeps;           /* projects it depends on (lower ids: acyclic) */
	uint32_t first_backlog, nbacklogs; /* 0-based backlog index range */
} gen_project;

typedef struct gen_story {
	uint32_t project; /* 0-based */
	uint32_t number;  /* key number in the project, from 1 */
	int32_t backlog;  /* 0-based backlog index, -1 for none */
	uint32_t rank;    /* position in the backlog, from 1 */
	uint8_t status, nhist;
	uint16_t version;
	int64_t created, updated, started, completed, archived; /* 0: NULL */
	int64_t first_done;   /* first entry into a done status, GEN_NEVER if none */
	int64_t closed_final; /* from then on closed (done or cancelled), GEN_NEVER if open */
} gen_story;

typedef struct gen_edge {
	uint32_t from, to;   /* 0-based story indexes, from > to */
	uint32_t created_by; /* user id, 0 for NULL */
	uint8_t blocks;
	int64_t created;
} gen_edge;

typedef struct gen_hist {
	int64_t at;
	uint32_t story;      /* 0-based */
	uint32_t changed_by; /* user id, 0 for NULL */
	uint8_t from, to;    /* from == ST_N: NULL */
	uint8_t source;      /* 0 api, 1 import, 2 sql */
	uint8_t note;
} gen_hist;

typedef struct gen_backlog {
	uint32_t project;
	uint8_t kind;    /* 0 backlog, 1 icebox, 2 kanban, 3 sprint */
	uint32_t sprint; /* sprint number for sprints */
	uint32_t nstories;
	int64_t starts, ends; /* sprints only */
} gen_backlog;

typedef struct gen_model {
	gen_config cfg;
	int64_t start_us;
	gen_project *projects;
	gen_backlog *backlogs;
	gen_story *stories;
	gen_edge *edges;
	uint64_t nedges;
	gen_hist *hist;
	uint64_t nhist;
	uint8_t *user_disabled; /* by user id */
	uint64_t nmembers;
	double rework; /* calibrated review -> in_progress probability */
} gen_model;

/* Decides everything but text. Aborts the program on allocation failure. */
void gen_model_build(gen_model *m, const gen_config *cfg);
void gen_model_free(gen_model *m);

/* A member of project p chosen by r (user id), 0 when it has none. */
uint32_t gen_model_member(const gen_model *m, uint32_t p, gen_rng *r);

#endif
