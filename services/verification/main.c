// SPDX-License-Identifier: MIT
/*
 * bimer-verification: the verification service's FastCGI process. The accept loop, guard
 * chain, health check and metrics come from libbm (bm_srv); this file only
 * names the service and its route table (routes.c).
 */
#include "bm_srv.h"
#include "routes.h"

int main(void)
{
	const struct bm_service svc = {"verification", verification_routes, verification_nroutes,
	                               BM_NEED_KEYS | BM_NEED_JWT_SIGNING};
	return bm_srv_main(&svc);
}
