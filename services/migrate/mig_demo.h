// SPDX-License-Identifier: MIT
//
// mig_demo: the `demo` command. Loads deploy/sql/demo/*.sql (idempotent
// upserts: the institution tree) and upserts the seven demo accounts of
// design.md "Local defaults" with argon2id hashes of BIMER_DEMO_PASSWORD.
// Everything happens in one transaction under the migration lock, and only
// after `up` has left nothing pending. A stored hash is replaced only when it
// does not verify the password with today's parameters, so a second run
// changes nothing.

#ifndef MIG_DEMO_H
#define MIG_DEMO_H

#include "mig_config.h"
#include "mig_err.h"

int mig_cmd_demo(const struct mig_config *cfg, struct mig_err *err);

#endif
