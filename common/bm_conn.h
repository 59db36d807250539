// SPDX-License-Identifier: MIT
/*
 * bm_conn: the connections a service's threads take their requests from.
 *
 * libfcgi's own loop (FCGX_Accept_r on the listening socket) gives each
 * thread one connection until nginx closes it, so with upstream keepalive
 * every idle kept connection pinned a thread while new connections waited
 * in the listen queue (stalls of seconds: tests/bench/RESULTS.md). Here
 * the threads share one epoll set holding the listening socket and every
 * connection, each armed one-shot. A thread that finds the listener ready
 * accepts one connection into the set; one that finds a connection ready
 * (a request has arrived, or nginx closed it) has libfcgi read and answer
 * that request, and re-arms the connection if nginx keeps it. A thread thus
 * reads only where data waits: an idle or silent connection costs no
 * thread, and with keepalive a request costs no connect, accept or
 * lingering close.
 */
#ifndef BM_CONN_H
#define BM_CONN_H

struct bm_conns {
	int listen_fd; /* the service's socket (made non-blocking) */
	int epoll_fd;
	int stop_fd; /* an eventfd: once written, every waiting thread returns */
};

/* Set up around an open listening socket; -1 with errno on failure. */
int bm_conns_open(struct bm_conns *c, int listen_fd);

/*
 * The next connection with something to read, blocking (accepting new
 * ones meanwhile). Before it blocks, it writes the calling thread's held
 * request lines (bm_log.h), so an idle service's log is never behind.
 * -1 once bm_conns_stop was called or when interrupted by a signal (the
 * caller checks its own stop flag and calls again).
 */
int bm_conns_next(struct bm_conns *c);

/* Put a kept connection back until its next request (closes it on failure). */
void bm_conns_park(struct bm_conns *c, int fd);

/* Wake every thread waiting in bm_conns_next, now and later. */
void bm_conns_stop(struct bm_conns *c);

/* Close the set (not the listening socket, nor connections parked in it). */
void bm_conns_close(struct bm_conns *c);

#endif
