/*
 * tests/unit/import/import_deps.c: src/import/import_deps.c without a
 * database: the layers of the checked edges (1 + the longest path below an
 * edge's target), a cycle found, and how the layers are cut into
 * statements. Writing and the cycle check are tests/integration's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "import/import_deps_int.h"

static void set(import_deps_edge *e, size_t n, const int64_t (*pairs)[2])
{
	memset(e, 0xff, n * sizeof(*e)); /* nothing left from before */
	for (size_t i = 0; i < n; i++) {
		e[i].from = pairs[i][0];
		e[i].to = pairs[i][1];
	}
}

/* The edge pair, "from -> to", to name it in a failure; returns buf. */
static const char *edge_name(const int64_t pair[2], char *buf, size_t size)
{
	snprintf(buf, size, "%lld -> %lld", (long long)pair[0], (long long)pair[1]);
	return buf;
}

static void layers_are_the_longest_path_below(void **state)
{
	/* 10 -> 20 -> 30 -> 40, and 10 -> 40 directly, 50 -> 30; 7 -> 8 apart. */
	static const int64_t pairs[][2] = {{10, 20}, {20, 30}, {30, 40},
					   {10, 40}, {50, 30}, {7, 8}};
	static const uint32_t want[] = {3, 2, 1, 3, 2, 1};
	import_deps_edge e[6];
	char edge[64], below[64], both[160];

	(void)state;
	set(e, 6, pairs);
	assert_int_equal(import_deps_layer_edges(e, 6), 1);
	for (size_t i = 0; i < 6; i++) {
		edge_name(pairs[i], edge, sizeof(edge));
		unit_int_equal(edge, e[i].layer, want[i]);
		/* Dense node numbers, in the order of the ids: 7 8 10 20 30 40 50. */
		unit_true(edge, e[i].a < 7 && e[i].b < 7);
	}
	assert_int_equal(e[5].a, 0);
	assert_int_equal(e[5].b, 1);
	assert_int_equal(e[0].a, 2);
	assert_int_equal(e[4].a, 6);
	/* An edge never sits below one its target depends on through. */
	for (size_t i = 0; i < 6; i++)
		for (size_t k = 0; k < 6; k++) {
			if (e[i].b != e[k].a)
				continue;
			snprintf(both, sizeof(both), "%s over %s",
				 edge_name(pairs[i], edge, sizeof(edge)),
				 edge_name(pairs[k], below, sizeof(below)));
			unit_true(both, e[i].layer > e[k].layer);
		}
}

static void a_cycle_is_found(void **state)
{
	static const int64_t pairs[][2] = {{1, 2}, {2, 3}, {3, 1}, {4, 1}};
	import_deps_edge e[4];

	(void)state;
	set(e, 4, pairs);
	assert_int_equal(import_deps_layer_edges(e, 4), 0);
	set(e, 1, pairs);
	assert_int_equal(import_deps_layer_edges(e, 1), 1);
	assert_int_equal(e[0].layer, 1);
}

/* n edges whose layers are the run lengths in runs (layer 0, 1, ...). */
static size_t layered(import_deps_edge *e, const size_t *runs, size_t n_runs)
{
	size_t n = 0;

	for (size_t l = 0; l < n_runs; l++)
		for (size_t k = 0; k < runs[l]; k++)
			e[n++].layer = (uint32_t)l;
	return n;
}

/* The statements' sizes for runs, into got; their number. */
static size_t statements(const size_t *runs, size_t n_runs, size_t *got)
{
	static import_deps_edge e[1024];
	size_t n = layered(e, runs, n_runs), start = 0, k = 0;

	while (start < n) {
		size_t end = import_deps_statement_end(e, n, start);
		assert_true(end > start);
		/* A statement ends between layers. */
		assert_true(end == n || e[end].layer != e[end - 1].layer);
		got[k++] = end - start;
		start = end;
	}
	return k;
}

static void small_layers_share_a_statement(void **state)
{
	size_t got[64];

	(void)state;
	/* Small layers up to 64 edges together; a large one alone; the rest. */
	static const size_t runs1[] = {10, 20, 30, 4, 1, 100, 3, 3};
	assert_int_equal(statements(runs1, 8, got), 4);
	assert_int_equal(got[0], 64);
	assert_int_equal(got[1], 1);
	assert_int_equal(got[2], 100);
	assert_int_equal(got[3], 6);
	/* Exactly 64 still fit; 65 do not. */
	static const size_t runs2[] = {32, 32, 1};
	assert_int_equal(statements(runs2, 3, got), 2);
	assert_int_equal(got[0], 64);
	assert_int_equal(got[1], 1);
	/* One layer: one statement, however large. */
	static const size_t runs3[] = {500};
	assert_int_equal(statements(runs3, 1, got), 1);
	assert_int_equal(got[0], 500);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(layers_are_the_longest_path_below),
	cmocka_unit_test(a_cycle_is_found),
	cmocka_unit_test(small_layers_share_a_statement),
};

UNIT_MAIN("import_deps", tests)
