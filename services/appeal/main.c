// SPDX-License-Identifier: MIT
/*
 * bimer-appeal: the appeal service's FastCGI process (appeals to BEDK,
 * issue 5). The accept loop, guard chain, health check and metrics come from
 * libbm (bm_srv); this file reads the service's own periods (settings.h) and
 * names the service and its route table (routes.c). It needs the
 * personal-data keys: citizens prove who they are with their ID number, which
 * is matched by its HMAC.
 */
#include <stdio.h>

#include "bm_srv.h"
#include "routes.h"
#include "settings.h"

int main(void)
{
	char err[256];
	if (ap_settings_load(err, sizeof err)) {
		fprintf(stderr, "bimer-appeal: %s\n", err);
		return 1;
	}
	const struct bm_service svc = {"appeal", appeal_routes, appeal_nroutes, BM_NEED_KEYS};
	return bm_srv_main(&svc);
}
