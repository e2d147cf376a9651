/* lane.c: handler threads fed by a queue, with a deadline on the wait (see lane.h). */
#include "http/lane.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

struct pp_http_lane {
	const char *name;
	int wait_ms;
	int n_threads;
	pthread_t *threads;
	pthread_t timer;
	int timer_started;

	pthread_mutex_t mu;
	pthread_cond_t work;    /* a job was queued, or stopping */
	pthread_cond_t changed; /* the queue's head changed, or stopping (the timer) */
	pp_http_job *head, *tail;
	int queued, running;
	int stopping;
};

static long long mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static pp_http_job *pop_locked(pp_http_lane *l)
{
	pp_http_job *j = l->head;

	if (j == NULL)
		return NULL;
	l->head = j->next;
	if (l->head == NULL)
		l->tail = NULL;
	j->next = NULL;
	l->queued--;
	pthread_cond_signal(&l->changed);
	return j;
}

static void *worker(void *arg)
{
	pp_http_lane *l = arg;

	pthread_mutex_lock(&l->mu);
	for (;;) {
		pp_http_job *j;

		while (l->head == NULL && !l->stopping)
			pthread_cond_wait(&l->work, &l->mu);
		/* Stopping: what is queued is expired by pp_http_lane_stop, not run. */
		if (l->head == NULL || l->stopping)
			break;
		j = pop_locked(l);
		l->running++;
		pthread_mutex_unlock(&l->mu);
		j->run(j, 0);
		pthread_mutex_lock(&l->mu);
		l->running--;
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

/* Expires the jobs at the head of the queue whose wait is over, outside the lock. */
static void *timer(void *arg)
{
	pp_http_lane *l = arg;

	pthread_mutex_lock(&l->mu);
	while (!l->stopping) {
		pp_http_job *j = l->head;
		struct timespec ts;

		if (j == NULL) {
			pthread_cond_wait(&l->changed, &l->mu);
			continue;
		}
		if (mono_us() < j->deadline_us) {
			ts.tv_sec = (time_t)(j->deadline_us / 1000000);
			ts.tv_nsec = (long)(j->deadline_us % 1000000) * 1000;
			pthread_cond_timedwait(&l->changed, &l->mu, &ts);
			continue;
		}
		j = pop_locked(l);
		pthread_mutex_unlock(&l->mu);
		j->run(j, 1);
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

pp_rc pp_http_lane_start(const char *name, int threads, int wait_ms, pp_http_lane **out,
			 pp_err *err)
{
	pthread_condattr_t ca;
	pp_http_lane *l;
	int i, e;

	*out = NULL;
	l = calloc(1, sizeof(*l));
	if (l == NULL || (l->threads = calloc((size_t)threads, sizeof(pthread_t))) == NULL) {
		free(l);
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	}
	l->name = name;
	l->wait_ms = wait_ms;
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->work, &ca);
	pthread_cond_init(&l->changed, &ca);
	pthread_condattr_destroy(&ca);
	for (i = 0; i < threads; i++) {
		e = pthread_create(&l->threads[i], NULL, worker, l);
		if (e != 0)
			goto fail;
		l->n_threads++;
	}
	e = pthread_create(&l->timer, NULL, timer, l);
	if (e != 0)
		goto fail;
	l->timer_started = 1;
	*out = l;
	return PP_OK;
fail:
	pp_http_lane_stop(l);
	return pp_err_set(err, PP_EIO, "%s: cannot start a handler thread: %s", name, strerror(e));
}

void pp_http_lane_push(pp_http_lane *l, pp_http_job *j)
{
	j->next = NULL;
	j->deadline_us = mono_us() + (long long)l->wait_ms * 1000;
	pthread_mutex_lock(&l->mu);
	if (l->stopping) {
		pthread_mutex_unlock(&l->mu);
		j->run(j, 1);
		return;
	}
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
	l->queued++;
	pthread_cond_signal(&l->work);
	if (l->head == j)
		pthread_cond_signal(&l->changed);
	pthread_mutex_unlock(&l->mu);
}

int pp_http_lane_load(pp_http_lane *l)
{
	int n;

	pthread_mutex_lock(&l->mu);
	n = l->queued + l->running;
	pthread_mutex_unlock(&l->mu);
	return n;
}

void pp_http_lane_stop(pp_http_lane *l)
{
	pp_http_job *j;
	int i;

	if (l == NULL)
		return;
	pthread_mutex_lock(&l->mu);
	l->stopping = 1;
	pthread_cond_broadcast(&l->work);
	pthread_cond_broadcast(&l->changed);
	pthread_mutex_unlock(&l->mu);
	for (i = 0; i < l->n_threads; i++)
		pthread_join(l->threads[i], NULL);
	if (l->timer_started)
		pthread_join(l->timer, NULL);
	/* Nobody else touches the queue now. */
	while ((j = pop_locked(l)) != NULL)
		j->run(j, 1);
	pthread_cond_destroy(&l->work);
	pthread_cond_destroy(&l->changed);
	pthread_mutex_destroy(&l->mu);
	free(l->threads);
	free(l);
}
