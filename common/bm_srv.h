// SPDX-License-Identifier: MIT
/*
 * bm_srv: the FastCGI server every service runs — a service's main() is
 * one call to bm_srv_main with its name and route table.
 *
 * It loads the configuration, calls FCGX_Init once, listens on the
 * service's unix socket (mode 0660), starts BIMER_THREADS worker threads
 * each with its own MariaDB and Redis connection, and runs the guard chain
 * for every request: route (404/405) → body length (400/413) →
 * bearer token and role (401/403) → Content-Type (415) → read → JSON
 * parse (400) → field table (422) → handler. A service with any route
 * that needs a token refuses to start without the public key. It adds GET /api/v1/<service>/health
 * and the internal Prometheus metrics, and on SIGTERM/SIGINT stops accepting, lets running requests
 * finish, closes the connections and exits 0.
 */
#ifndef BM_SRV_H
#define BM_SRV_H

#include <stddef.h>

#include "bm_cfg.h"
#include "bm_err.h"
#include "bm_metrics.h"
#include "bm_route.h"

/* What a service cannot run without; bm_srv_main refuses to start when it is missing. */
#define BM_NEED_KEYS        0x1u /* the personal-data keys (BIMER_DATA_KEY_FILE, BIMER_HMAC_KEY_FILE) */
#define BM_NEED_JWT_SIGNING 0x2u /* the JWT private key (only the verification service) */

struct bm_service {
	const char *name; /* "status": socket <run>/status.sock, health /api/v1/status/health */
	const struct bm_route *routes;
	size_t nroutes;
	unsigned needs; /* BM_NEED_* */
	/* Optional: called once before the worker threads start (non-zero refuses to start) and
	 * once after they have all stopped, for a service's own background threads; start may
	 * add the service's own counters to m (bm_metrics_add_counter). */
	int (*start)(const struct bm_cfg *cfg, struct bm_metrics *m);
	void (*stop)(void);
};

/*
 * The strict CONTENT_LENGTH parse of the guard chain: cl absent or "" is 0;
 * anything but plain decimal digits is BM_E_BAD_REQUEST, more than cap is
 * BM_E_TOO_LARGE. *len is the length on BM_OK and 0 otherwise.
 */
enum bm_err bm_srv_content_length_parse(const char *cl, size_t cap, size_t *len);

/* Run the service until SIGTERM. Returns the process exit status. */
int bm_srv_main(const struct bm_service *svc);

#endif
