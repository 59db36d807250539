// SPDX-License-Identifier: MIT
/*
 * bm_conn: one epoll set shared by a service's threads. See bm_conn.h.
 */
#include "bm_conn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bm_log.h"

/* Add (op EPOLL_CTL_ADD) or re-arm (EPOLL_CTL_MOD) fd for one readiness report. */
static int arm(const struct bm_conns *c, int fd, int op)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT, .data.fd = fd};
	return epoll_ctl(c->epoll_fd, op, fd, &ev);
}

int bm_conns_open(struct bm_conns *c, int listen_fd)
{
	int fl = fcntl(listen_fd, F_GETFL);
	*c = (struct bm_conns){.listen_fd = listen_fd, .epoll_fd = -1, .stop_fd = -1};
	if (fl < 0 || fcntl(listen_fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	c->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	c->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	/* The stop event is level-triggered and never read: it wakes every waiter. */
	struct epoll_event stop = {.events = EPOLLIN, .data.fd = c->stop_fd};
	if (c->epoll_fd < 0 || c->stop_fd < 0 ||
	    epoll_ctl(c->epoll_fd, EPOLL_CTL_ADD, c->stop_fd, &stop) < 0 ||
	    arm(c, listen_fd, EPOLL_CTL_ADD) < 0) {
		int e = errno;
		bm_conns_close(c);
		errno = e;
		return -1;
	}
	return 0;
}

/* Accept one connection into the set (it comes back once it has a request), then re-arm
 * the listener for the next. */
static void take_new(struct bm_conns *c)
{
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);
	int e = errno;
	if (fd < 0 && e == EINVAL)
		return; /* the listener was shut down: stopping (not re-armed) */
	if (arm(c, c->listen_fd, EPOLL_CTL_MOD) < 0)
		bm_log(BM_LOG_ERROR, NULL, "cannot re-arm the listening socket: %s",
		       strerror(errno));
	if (fd >= 0 && arm(c, fd, EPOLL_CTL_ADD) < 0) {
		bm_log(BM_LOG_WARN, NULL, "cannot watch a new connection: %s", strerror(errno));
		close(fd);
	} else if (fd < 0 && (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM)) {
		bm_log(BM_LOG_WARN, NULL, "accept: %s", strerror(e));
		usleep(10000); /* out of descriptors or memory: do not spin */
	}
}

int bm_conns_next(struct bm_conns *c)
{
	for (;;) {
		struct epoll_event ev;
		/* Nothing to do yet: write the thread's request lines before waiting (bm_log.h). */
		int n = epoll_wait(c->epoll_fd, &ev, 1, bm_log_pending() ? 0 : -1);
		if (n == 0 && bm_log_pending()) {
			bm_log_flush();
			continue;
		}
		if (n < 0 && errno == EINTR)
			return -1;
		if (n <= 0) {
			usleep(10000); /* cannot happen with a valid set: do not spin */
			continue;
		}
		if (ev.data.fd == c->stop_fd)
			return -1;
		if (ev.data.fd != c->listen_fd)
			return ev.data.fd;
		take_new(c);
	}
}

void bm_conns_park(struct bm_conns *c, int fd)
{
	if (arm(c, fd, EPOLL_CTL_MOD) == 0)
		return;
	bm_log(BM_LOG_WARN, NULL, "cannot keep a connection: %s", strerror(errno));
	close(fd);
}

void bm_conns_stop(struct bm_conns *c)
{
	uint64_t one = 1;
	if (c->stop_fd >= 0 && write(c->stop_fd, &one, sizeof one) < 0)
		bm_log(BM_LOG_WARN, NULL, "cannot signal the stop: %s", strerror(errno));
}

void bm_conns_close(struct bm_conns *c)
{
	if (c->epoll_fd >= 0)
		close(c->epoll_fd);
	if (c->stop_fd >= 0)
		close(c->stop_fd);
	c->epoll_fd = c->stop_fd = -1;
}
