/*
 * tests/unit/http/metrics.c: src/http/metrics.c, the Prometheus text the
 * API's /metrics serves: counters per method, route pattern and status,
 * cumulative histogram buckets, the in-flight gauge, each family once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "http/metrics.h"

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void renders_what_was_observed(void **state)
{
	pp_http_metrics *m = pp_http_metrics_new();
	pp_buf out;
	const char *t;

	(void)state;
	assert_non_null(m);
	pp_http_metrics_observe(m, "GET", "/v1/projects", 200, 0.004);
	pp_http_metrics_observe(m, "GET", "/v1/projects", 200, 0.2);
	pp_http_metrics_observe(m, "GET", "/v1/projects", 503, 2.5);
	pp_http_metrics_observe(m, "POST", "unmatched", 404, 0.001);
	pp_http_metrics_in_flight(m, 1);
	pp_http_metrics_in_flight(m, 1);
	pp_http_metrics_in_flight(m, -1);
	pp_buf_init(&out, 1 << 20);
	assert_int_equal(pp_http_metrics_render(m, &out), PP_OK);
	t = pp_buf_str(&out);
	assert_non_null(strstr(t, "planpipe_http_requests_in_flight 1\n"));
	assert_non_null(strstr(t, "planpipe_http_requests_total{method=\"GET\",route=\"/v1/"
				  "projects\",status=\"200\"} 2\n"));
	assert_non_null(strstr(t, "planpipe_http_requests_total{method=\"GET\",route=\"/v1/"
				  "projects\",status=\"503\"} 1\n"));
	assert_non_null(strstr(t,
			       "planpipe_http_requests_total{method=\"POST\",route=\"unmatched\","
			       "status=\"404\"} 1\n"));
	/* Buckets are cumulative: +Inf holds every request of the series. */
	assert_non_null(strstr(t, "planpipe_http_request_duration_seconds_bucket{method=\"GET\","
				  "route=\"/v1/projects\",le=\"+Inf\"} 3\n"));
	assert_non_null(strstr(t, "planpipe_http_request_duration_seconds_count{method=\"GET\","
				  "route=\"/v1/projects\"} 3\n"));
	assert_non_null(strstr(t, "planpipe_http_request_duration_seconds_sum{method=\"GET\","
				  "route=\"/v1/projects\"} 2.704000\n"));
	assert_int_equal(count(t, "# TYPE planpipe_http_requests_total counter\n"), 1);
	assert_int_equal(count(t, "# TYPE planpipe_http_request_duration_seconds histogram\n"), 1);
	assert_true(strstr(t, "# TYPE planpipe_http_request_duration_seconds") >
		    strstr(t, "planpipe_http_requests_total{method=\"POST\""));
	pp_buf_free(&out);

	/* Too small a buffer: too big, not out of memory. */
	pp_buf_init(&out, 64);
	assert_int_equal(pp_http_metrics_render(m, &out), PP_ETOOBIG);
	pp_buf_free(&out);
	pp_http_metrics_free(m);
	pp_http_metrics_free(NULL);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(renders_what_was_observed),
};

UNIT_MAIN("metrics", tests)
