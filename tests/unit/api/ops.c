/*
 * tests/unit/api/ops.c: src/api/ops.c's pure parts: the pool's part of
 * /metrics in Prometheus' text format (cumulative buckets in seconds, one
 * counter per pool count, discards by reason), what it does when the
 * buffer is full, the OpenAPI document built into the binary, and the
 * descriptors of /v1/me and /v1/statuses.
 */
#include "api_check.h"
#include "unit.h"

#include "api/api.h"
#include "api/ops_int.h"

static void has(const char *text, const char *line)
{
	if (strstr(text, line) == NULL)
		fail_msg("missing \"%s\" in:\n%s", line, text);
}

static void histogram(void **state)
{
	pp_pool_hist h;
	pp_buf out;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.counts[0] = 2;                        /* <= 0.1 ms */
	h.counts[3] = 1;                        /* <= 1 ms */
	h.counts[PP_POOL_HIST_BUCKETS - 1] = 4; /* over 5 s */
	h.count = 7;
	h.sum_ms = 21000.5;
	pp_buf_init(&out, 1 << 16);
	assert_int_equal(ops_render_hist(&out, "t_wait_seconds", "Waits.", &h), PP_OK);
	/* The buckets in order, cumulative, le in seconds; then the sum in seconds and the count.
	 */
	has(pp_buf_str(&out), "# HELP t_wait_seconds Waits.\n# TYPE t_wait_seconds histogram\n"
			      "t_wait_seconds_bucket{le=\"0.0001\"} 2\n"
			      "t_wait_seconds_bucket{le=\"0.00025\"} 2\n"
			      "t_wait_seconds_bucket{le=\"0.0005\"} 2\n"
			      "t_wait_seconds_bucket{le=\"0.001\"} 3\n");
	has(pp_buf_str(&out), "t_wait_seconds_bucket{le=\"5\"} 3\n"
			      "t_wait_seconds_bucket{le=\"+Inf\"} 7\n"
			      "t_wait_seconds_sum 21.000500\nt_wait_seconds_count 7\n");
	pp_buf_free(&out);
}

static void pool(void **state)
{
	pp_pool_stats st;
	pp_buf out;
	char line[128];

	(void)state;
	memset(&st, 0, sizeof(st));
	st.idle = 3;
	st.in_use = 2;
	st.max_size = 10;
	st.waiting = 5;
	st.circuit_open = 1;
	st.acquired = 41;
	st.rolled_back = 6;
	st.discards[PP_POOL_DISCARD_LOST] = 9;
	st.connect_time.count = 1;
	pp_buf_init(&out, 1 << 20);
	assert_int_equal(ops_render_pool(&out, &st), PP_OK);
	has(pp_buf_str(&out), "planpipe_pool_connections{state=\"idle\"} 3\n"
			      "planpipe_pool_connections{state=\"in_use\"} 2\n");
	has(pp_buf_str(&out), "planpipe_pool_max_connections 10\n");
	has(pp_buf_str(&out), "planpipe_pool_waiting 5\n");
	has(pp_buf_str(&out), "planpipe_pool_circuit_open 1\n");
	has(pp_buf_str(&out), "# TYPE planpipe_pool_acquired_total counter\n"
			      "planpipe_pool_acquired_total 41\n");
	has(pp_buf_str(&out), "planpipe_pool_rolled_back_total 6\n");
	has(pp_buf_str(&out), "planpipe_pool_timeouts_total 0\n");
	snprintf(line, sizeof(line), "planpipe_pool_discards_total{reason=\"%s\"} 9\n",
		 pp_pool_discard_reason_str(PP_POOL_DISCARD_LOST));
	has(pp_buf_str(&out), line);
	has(pp_buf_str(&out), "planpipe_pool_acquire_wait_seconds_count 0\n");
	has(pp_buf_str(&out), "planpipe_pool_connect_seconds_count 1\n");
	pp_buf_free(&out);

	/* Over the buffer's cap: the buffer's error, not a cut text passed off as whole. */
	pp_buf_init(&out, 64);
	assert_int_not_equal(ops_render_pool(&out, &st), PP_OK);
	pp_buf_free(&out);
}

static void openapi(void **state)
{
	size_t len = 0;
	const char *doc = pp_api_openapi(&len);
	json_t *j;

	(void)state;
	assert_int_equal(strlen(doc), len);
	j = json_loadb(doc, len, 0, NULL);
	assert_non_null(j);
	assert_non_null(json_object_get(json_object_get(j, "paths"), "/v1/projects/{project}"));
	json_decref(j);
}

static void reference_routes(void **state)
{
	(void)state;
	assert_int_equal(t_api_check(&ops_me, NULL, NULL, NULL, NULL), 0);
	assert_int_equal(t_api_check(&ops_statuses, NULL, NULL, NULL, NULL), 0);
	assert_null(ops_me.min_role);
	assert_int_equal(ops_me.args[0], PP_ARG_END);
}

static const struct CMUnitTest tests[] = {cmocka_unit_test(histogram), cmocka_unit_test(pool),
					  cmocka_unit_test(openapi),
					  cmocka_unit_test(reference_routes)};

UNIT_MAIN("ops", tests)
