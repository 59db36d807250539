// SPDX-License-Identifier: MIT
/*
 * bimer-submission: the submission service's FastCGI process. The accept loop, guard
 * chain, health check and metrics come from libbm (bm_srv); this file only
 * names the service and its route table (routes.c).
 */
#include "bm_srv.h"
#include "routes.h"

int main(void)
{
	const struct bm_service svc = {"submission", submission_routes, submission_nroutes, BM_NEED_KEYS};
	return bm_srv_main(&svc);
}
