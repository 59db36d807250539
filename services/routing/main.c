// SPDX-License-Identifier: MIT
/*
 * bimer-routing: the routing service's FastCGI process. The accept loop, guard
 * chain, health check and metrics come from libbm (bm_srv); this file only
 * names the service and its route table (routes.c). It needs the personal-data
 * keys: operators see the applicant's ID number, masked, opened from its seal.
 */
#include "bm_srv.h"
#include "routes.h"

int main(void)
{
	const struct bm_service svc = {"routing", routing_routes, routing_nroutes, BM_NEED_KEYS};
	return bm_srv_main(&svc);
}
