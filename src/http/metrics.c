/* metrics.c: request metrics (see metrics.h). */
#include "http/metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double bounds_s[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
				  0.25,  0.5,    1,     2.5,  5,     10};
#define N_BOUNDS (sizeof(bounds_s) / sizeof(bounds_s[0]))

/* One (method, route): its latency histogram and a count per status. */
typedef struct series {
	char *method;
	char *route;
	unsigned long long buckets[N_BOUNDS + 1]; /* not cumulative; the last is +Inf */
	unsigned long long count;
	double sum;
	int statuses[16];
	unsigned long long per_status[16];
	int n_statuses;
	struct series *next;
} series;

struct pp_http_metrics {
	pthread_mutex_t mu;
	series *head;
	long in_flight;
};

pp_http_metrics *pp_http_metrics_new(void)
{
	pp_http_metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	pthread_mutex_init(&m->mu, NULL);
	return m;
}

void pp_http_metrics_free(pp_http_metrics *m)
{
	series *s, *next;

	if (m == NULL)
		return;
	for (s = m->head; s; s = next) {
		next = s->next;
		free(s->method);
		free(s->route);
		free(s);
	}
	pthread_mutex_destroy(&m->mu);
	free(m);
}

/* The series of (method, route), created if new (mu held); NULL when out of memory. */
static series *find(pp_http_metrics *m, const char *method, const char *route)
{
	series *s;

	for (s = m->head; s; s = s->next)
		if (strcmp(s->route, route) == 0 && strcmp(s->method, method) == 0)
			return s;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	s->method = strdup(method);
	s->route = strdup(route);
	if (s->method == NULL || s->route == NULL) {
		free(s->method);
		free(s->route);
		free(s);
		return NULL;
	}
	s->next = m->head;
	m->head = s;
	return s;
}

void pp_http_metrics_observe(pp_http_metrics *m, const char *method, const char *route, int status,
			     double seconds)
{
	series *s;
	size_t b = 0;
	int i;

	pthread_mutex_lock(&m->mu);
	s = find(m, method, route ? route : "unmatched");
	if (s == NULL)
		goto out;
	while (b < N_BOUNDS && seconds > bounds_s[b])
		b++;
	s->buckets[b]++;
	s->count++;
	s->sum += seconds;
	for (i = 0; i < s->n_statuses && s->statuses[i] != status; i++)
		;
	if (i == s->n_statuses) {
		/* Statuses are few; the last slot takes any overflow. */
		if (s->n_statuses < 16)
			s->statuses[s->n_statuses++] = status;
		else
			i = 15;
	}
	s->per_status[i]++;
out:
	pthread_mutex_unlock(&m->mu);
}

void pp_http_metrics_in_flight(pp_http_metrics *m, int delta)
{
	pthread_mutex_lock(&m->mu);
	m->in_flight += delta;
	pthread_mutex_unlock(&m->mu);
}

/* Label values are method names and route patterns: no quotes or backslashes to escape. */
static pp_rc render_counts(const series *s, pp_buf *out)
{
	pp_rc rc = PP_OK;
	int i;

	for (i = 0; i < s->n_statuses && rc == PP_OK; i++)
		rc = pp_buf_printf(out,
				   "planpipe_http_requests_total{method=\"%s\",route=\"%s\","
				   "status=\"%d\"} %llu\n",
				   s->method, s->route, s->statuses[i], s->per_status[i]);
	return rc;
}

static pp_rc render_histogram(const series *s, pp_buf *out)
{
	unsigned long long cum = 0;
	pp_rc rc = PP_OK;
	size_t b;

	for (b = 0; b <= N_BOUNDS && rc == PP_OK; b++) {
		char le[32];

		cum += s->buckets[b];
		if (b < N_BOUNDS)
			snprintf(le, sizeof(le), "%g", bounds_s[b]);
		else
			snprintf(le, sizeof(le), "+Inf");
		rc = pp_buf_printf(out,
				   "planpipe_http_request_duration_seconds_bucket{method=\"%s\","
				   "route=\"%s\",le=\"%s\"} %llu\n",
				   s->method, s->route, le, cum);
	}
	if (rc == PP_OK)
		rc = pp_buf_printf(out,
				   "planpipe_http_request_duration_seconds_sum{method=\"%s\","
				   "route=\"%s\"} %.6f\n"
				   "planpipe_http_request_duration_seconds_count{method=\"%s\","
				   "route=\"%s\"} %llu\n",
				   s->method, s->route, s->sum, s->method, s->route, s->count);
	return rc;
}

pp_rc pp_http_metrics_render(pp_http_metrics *m, pp_buf *out)
{
	const series *s;
	pp_rc rc;

	pthread_mutex_lock(&m->mu);
	/* The text format wants each family's samples together, after its TYPE. */
	rc = pp_buf_printf(out,
			   "# HELP planpipe_http_requests_in_flight Requests being handled.\n"
			   "# TYPE planpipe_http_requests_in_flight gauge\n"
			   "planpipe_http_requests_in_flight %ld\n"
			   "# HELP planpipe_http_requests_total Requests answered, by route "
			   "pattern and status.\n"
			   "# TYPE planpipe_http_requests_total counter\n",
			   m->in_flight);
	for (s = m->head; s && rc == PP_OK; s = s->next)
		rc = render_counts(s, out);
	if (rc == PP_OK)
		rc = pp_buf_adds(out, "# HELP planpipe_http_request_duration_seconds Time from "
				      "the request's first byte to its response being sent.\n"
				      "# TYPE planpipe_http_request_duration_seconds histogram\n");
	for (s = m->head; s && rc == PP_OK; s = s->next)
		rc = render_histogram(s, out);
	pthread_mutex_unlock(&m->mu);
	return rc;
}
