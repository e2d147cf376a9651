/*
 * gen_load.h: the generator's table writers. Each COPYs its tables into the
 * connection's open transaction and records rows, bytes and seconds in the
 * statistics of gen.h; any error ends the program (the transaction with it).
 */
#ifndef PP_BENCH_GEN_LOAD_H
#define PP_BENCH_GEN_LOAD_H

#include <libpq-fe.h>

#include "gen_model.h"

void gen_load_users(const gen_model *m, PGconn *c);
/* projects, project_members, story_key_counters (as 0), project_dependencies. */
void gen_load_projects(const gen_model *m, PGconn *c);
void gen_load_backlogs(const gen_model *m, PGconn *c);
/*
 * stories with id % nparts == part + 1 (ids from 1), with their text made
 * from each story's own stream, so that parts may load in parallel; without
 * FREEZE (the parts share the table).
 */
void gen_load_stories(const gen_model *m, PGconn *c, uint32_t part, uint32_t nparts);
void gen_load_edges(const gen_model *m, PGconn *c);
/* status_history, one COPY per monthly partition, in time order. */
void gen_load_history(const gen_model *m, PGconn *c);

#endif
