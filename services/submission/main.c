// SPDX-License-Identifier: MIT
/*
 * bimer-submission: the submission service's FastCGI process. The accept loop, guard
 * chain, health check and metrics come from libbm (bm_srv); this file only
 * names the service, its route table (routes.c) and the intake writers
 * (batch.c) it starts and stops.
 */
#include "batch.h"
#include "bm_srv.h"
#include "routes.h"

int main(void)
{
	const struct bm_service svc = {"submission", submission_routes, submission_nroutes,
	                               BM_NEED_KEYS, batch_start,       batch_stop};
	return bm_srv_main(&svc);
}
