#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Entrypoint of the app image (services, worker, migrate). The processes read
# BIMER_DB_PASSWORD from the environment, but in compose the password is generated at
# run time into the secrets volume, so it is read here from BIMER_DB_PASSWORD_FILE.
# Then the command replaces this shell (exec), so SIGTERM reaches it directly.
set -eu

if [ -z "${BIMER_DB_PASSWORD:-}" ] && [ -n "${BIMER_DB_PASSWORD_FILE:-}" ]; then
    if [ ! -r "$BIMER_DB_PASSWORD_FILE" ]; then
        echo "bimer-entrypoint: cannot read BIMER_DB_PASSWORD_FILE ($BIMER_DB_PASSWORD_FILE)" >&2
        exit 1
    fi
    BIMER_DB_PASSWORD=$(cat "$BIMER_DB_PASSWORD_FILE")
    export BIMER_DB_PASSWORD
fi

exec "$@"
