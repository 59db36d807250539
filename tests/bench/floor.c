// SPDX-License-Identifier: MIT
/*
 * bimer-bench-floor: the benchmark's floor (issue 3). A FastCGI responder
 * that does the least a service can do — accept the request from nginx,
 * drain its body, answer a fixed small JSON document — so that wrk against
 * it measures what nginx, the FastCGI hop and the client cost on this
 * machine, and the real services can be compared with it.
 *
 * It is threaded like common/bm_srv.c (FCGX_Init once, one FCGX_Request and
 * one FCGX_Accept_r loop per thread, BIMER_THREADS threads, a unix socket of
 * mode 0660) but has no database, no Redis, no routing and no logging.
 * Built and started only by tests/bench/run.sh; never part of the product.
 *
 * usage: bimer-bench-floor SOCKET_PATH   (threads: BIMER_THREADS, default 16)
 *
 * Shutdown: every thread blocks SIGTERM/SIGINT (libfcgi installs its own
 * SIGTERM handler otherwise) and the main thread sigwaits them, then closes
 * and unlinks the socket and returns; the worker threads end with the
 * process, which holds nothing that needs flushing.
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_THREADS 256
#define BACKLOG     256

static const char reply[] = "Status: 200 OK\r\n"
                            "Content-Type: application/json\r\n"
                            "Content-Length: 16\r\n"
                            "Cache-Control: no-store\r\n"
                            "\r\n"
                            "{\"status\":\"ok\"}\n";

struct floor_srv {
	int listen_fd;
	pthread_t tids[MAX_THREADS];
	int nthreads;
};

/* Read and drop the request body, as a service reads its JSON. */
static void drain(FCGX_Stream *in)
{
	char buf[4096];
	while (FCGX_GetStr(buf, (int)sizeof buf, in) > 0)
		;
}

static void *worker(void *arg)
{
	struct floor_srv *srv = arg;
	FCGX_Request fx;

	if (FCGX_InitRequest(&fx, srv->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR))
		return NULL;
	for (;;) {
		if (FCGX_Accept_r(&fx) < 0) {
			usleep(10000); /* a transient accept error: do not spin */
			continue;
		}
		drain(fx.in);
		FCGX_PutStr(reply, (int)sizeof reply - 1, fx.out);
		FCGX_Finish_r(&fx);
	}
	return NULL;
}

/* BIMER_THREADS as the services read it: 1-256, default 16. */
static int thread_count(void)
{
	const char *v = getenv("BIMER_THREADS");
	char *end;
	long n;

	if (!v || !*v)
		return 16;
	n = strtol(v, &end, 10);
	if (*end || n < 1 || n > MAX_THREADS)
		return -1;
	return (int)n;
}

static int open_socket(struct floor_srv *srv, const char *path)
{
	mode_t old = umask(0117); /* the socket file ends up 0660 */
	unlink(path);             /* a socket left by a killed run would make bind() fail */
	srv->listen_fd = FCGX_OpenSocket(path, BACKLOG);
	umask(old);
	if (srv->listen_fd < 0)
		return -1;
	return chmod(path, 0660);
}

static int start_threads(struct floor_srv *srv, int n)
{
	for (; srv->nthreads < n; srv->nthreads++)
		if (pthread_create(&srv->tids[srv->nthreads], NULL, worker, srv))
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct floor_srv srv = {.listen_fd = -1};
	sigset_t stopset;
	int sig = 0, rc = 1, n;

	if (argc != 2 || argv[1][0] != '/') {
		fprintf(stderr, "usage: %s /ABSOLUTE/SOCKET_PATH\n", argv[0]);
		return 2;
	}
	if ((n = thread_count()) < 0) {
		fprintf(stderr, "bimer-bench-floor: BIMER_THREADS must be 1-%d\n", MAX_THREADS);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stopset);
	sigaddset(&stopset, SIGTERM);
	sigaddset(&stopset, SIGINT);
	sigaddset(&stopset, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stopset, NULL); /* inherited by every thread */
	if (FCGX_Init()) {
		fprintf(stderr, "bimer-bench-floor: FCGX_Init failed\n");
		goto out;
	}
	if (open_socket(&srv, argv[1])) {
		perror("bimer-bench-floor: cannot listen");
		goto out;
	}
	if (start_threads(&srv, n)) {
		fprintf(stderr, "bimer-bench-floor: cannot start threads\n");
		goto out;
	}
	fprintf(stderr, "bimer-bench-floor: listening on %s with %d threads\n", argv[1], n);
	sigwait(&stopset, &sig);
	rc = 0;
out:
	if (srv.listen_fd >= 0) {
		shutdown(srv.listen_fd, SHUT_RDWR);
		close(srv.listen_fd);
		unlink(argv[1]);
	}
	return rc; /* ends the worker threads with the process */
}
