/*
 * import_deps_int.h: the pure part of import_deps.c, the order in which the
 * checked edges are written, apart so that tests/unit/import/import_deps.c
 * can reach it. Not for other modules: names carry the import_deps_
 * prefix, never pp_. Nothing here touches a connection.
 */
#ifndef PP_IMPORT_IMPORT_DEPS_INT_H
#define PP_IMPORT_IMPORT_DEPS_INT_H

#include <stddef.h>
#include <stdint.h>

/* Consecutive small layers share a statement up to this many edges. */
#define IMPORT_DEPS_LAYER_MERGE 64

/*
 * One edge to write (from depends on to). 32 bytes: a first import of a
 * million stories has about 1.5 million edges (docs/performance.md,
 * "Memory"). Node numbers and layers fit 32 bits: the writer refuses more
 * edges than that.
 */
typedef struct import_deps_edge {
	int64_t from, to;
	uint32_t a, b; /* dense node numbers of from and to */
	uint32_t layer;
} import_deps_edge;

/*
 * Sets each edge's a, b and layer: 1 + the longest path of edges below its
 * target (an edge to a story that depends on nothing here is at 1), by
 * Kahn's algorithm from the sinks. Returns 1, 0 when the edges hold a cycle
 * (the layers are then partial), -1 when out of memory. n_e > 0.
 */
int import_deps_layer_edges(import_deps_edge *e, size_t n_e);

/*
 * Where the statement that starts at e[start] ends (e sorted by layer, n
 * edges, start < n): it holds whole layers, one layer however large, and
 * the following layers while all of them fit IMPORT_DEPS_LAYER_MERGE edges.
 */
size_t import_deps_statement_end(const import_deps_edge *e, size_t n, size_t start);

#endif
