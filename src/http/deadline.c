/* deadline.c: cutting off requests that do not arrive whole in time (see deadline.h). */
#define _GNU_SOURCE /* POLLRDHUP */
#include "http/deadline.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* How often the open connections are checked. */
#define TICK_MS 200

struct pp_http_dl_conn {
	int fd;
	int running; /* the clock runs: a request is being read, or awaited */
	int cut;     /* shut down already */
	int hup;     /* seen half-closed by the client at the previous check */
	long long t0_ms;
	pp_http_dl_conn *prev, *next;
};

struct pp_http_deadline {
	long long timeout_ms;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake;
	int stopping;
	long long n_cut;
	pp_http_dl_conn *head;
	struct pollfd *pfd; /* the checker's, with the connections they stand for */
	pp_http_dl_conn **pconn;
	size_t cap;
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Under the lock: pp_http_deadline_close comes before close(fd), so fd is still c's. */
static void cut(pp_http_deadline *d, pp_http_dl_conn *c)
{
	shutdown(c->fd, SHUT_RDWR);
	c->cut = 1;
	d->n_cut++;
}

/*
 * A client that sent part of a request and then shut down its side can never
 * complete it, and libmicrohttpd's edge-triggered epoll may not notice the
 * end of input that came with the last bytes: such a connection (still
 * reading at two checks in a row) is cut at once rather than at the deadline.
 */
static void check_half_closed(pp_http_deadline *d)
{
	size_t n = 0, i;
	pp_http_dl_conn *c;

	for (c = d->head; c; c = c->next) {
		if (!c->running || c->cut)
			continue;
		if (n == d->cap) {
			size_t cap = d->cap ? d->cap * 2 : 256;
			struct pollfd *pfd = realloc(d->pfd, cap * sizeof(*pfd));
			pp_http_dl_conn **pconn;

			if (pfd == NULL)
				return;
			d->pfd = pfd;
			pconn = realloc(d->pconn, cap * sizeof(*pconn));
			if (pconn == NULL)
				return;
			d->pconn = pconn;
			d->cap = cap;
		}
		d->pfd[n] = (struct pollfd){.fd = c->fd, .events = POLLRDHUP};
		d->pconn[n++] = c;
	}
	if (n == 0 || poll(d->pfd, n, 0) <= 0)
		return;
	for (i = 0; i < n; i++) {
		c = d->pconn[i];
		if (!(d->pfd[i].revents & (POLLRDHUP | POLLHUP | POLLERR))) {
			c->hup = 0;
			continue;
		}
		if (c->hup)
			cut(d, c);
		c->hup = 1;
	}
}

static void *checker(void *arg)
{
	pp_http_deadline *d = arg;
	struct timespec ts;

	pthread_mutex_lock(&d->mu);
	while (!d->stopping) {
		long long now = mono_ms(), next = now + TICK_MS;
		pp_http_dl_conn *c;

		for (c = d->head; c; c = c->next)
			if (c->running && !c->cut && now - c->t0_ms >= d->timeout_ms)
				cut(d, c);
		check_half_closed(d);
		ts.tv_sec = (time_t)(next / 1000);
		ts.tv_nsec = (long)(next % 1000) * 1000000L;
		pthread_cond_timedwait(&d->wake, &d->mu, &ts);
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

pp_rc pp_http_deadline_start(int timeout_s, pp_http_deadline **out, pp_err *err)
{
	pthread_condattr_t ca;
	pp_http_deadline *d = calloc(1, sizeof(*d));
	int e;

	*out = NULL;
	if (d == NULL)
		return pp_err_set(err, PP_ENOMEM, "out of memory");
	d->timeout_ms = (long long)timeout_s * 1000;
	pthread_mutex_init(&d->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->wake, &ca);
	pthread_condattr_destroy(&ca);
	e = pthread_create(&d->thread, NULL, checker, d);
	if (e != 0) {
		pthread_cond_destroy(&d->wake);
		pthread_mutex_destroy(&d->mu);
		free(d);
		return pp_err_set(err, PP_EIO, "cannot start the request deadline thread: %s",
				  strerror(e));
	}
	*out = d;
	return PP_OK;
}

pp_http_dl_conn *pp_http_deadline_open(pp_http_deadline *d, int fd)
{
	pp_http_dl_conn *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->fd = fd;
	c->running = 1;
	c->t0_ms = mono_ms();
	pthread_mutex_lock(&d->mu);
	c->next = d->head;
	if (d->head)
		d->head->prev = c;
	d->head = c;
	pthread_mutex_unlock(&d->mu);
	return c;
}

void pp_http_deadline_stop_clock(pp_http_deadline *d, pp_http_dl_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	c->running = 0;
	c->hup = 0;
	pthread_mutex_unlock(&d->mu);
}

void pp_http_deadline_restart_clock(pp_http_deadline *d, pp_http_dl_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	c->running = 1;
	c->hup = 0;
	c->t0_ms = mono_ms();
	pthread_mutex_unlock(&d->mu);
}

int pp_http_deadline_passed(pp_http_deadline *d, pp_http_dl_conn *c)
{
	int passed;

	if (c == NULL)
		return 0;
	pthread_mutex_lock(&d->mu);
	passed = c->running && mono_ms() - c->t0_ms >= d->timeout_ms;
	pthread_mutex_unlock(&d->mu);
	return passed;
}

void pp_http_deadline_close(pp_http_deadline *d, pp_http_dl_conn *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	if (c->prev)
		c->prev->next = c->next;
	else
		d->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&d->mu);
	free(c);
}

long long pp_http_deadline_cut(pp_http_deadline *d)
{
	long long n;

	pthread_mutex_lock(&d->mu);
	n = d->n_cut;
	pthread_mutex_unlock(&d->mu);
	return n;
}

void pp_http_deadline_free(pp_http_deadline *d)
{
	if (d == NULL)
		return;
	pthread_mutex_lock(&d->mu);
	d->stopping = 1;
	pthread_cond_signal(&d->wake);
	pthread_mutex_unlock(&d->mu);
	pthread_join(d->thread, NULL);
	while (d->head)
		pp_http_deadline_close(d, d->head);
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->mu);
	free(d->pfd);
	free(d->pconn);
	free(d);
}
