#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Entrypoint of the nginx image: renders nginx/nginx.conf.template with the container's
# paths and ports (nginx/render.sh, the same renderer as the local run), checks it, and
# runs nginx in the foreground as PID 1's replacement.
set -eu

out=${BIMER_VAR_DIR:-/var/lib/bimer}/nginx
mkdir -p "$out/tmp" "${BIMER_LOG_DIR:-/var/lib/bimer/log}"
"${BIMER_ROOT:-/opt/bimer}/nginx/render.sh" "$out"
nginx -t -q -p "$out/" -c "$out/nginx.conf" -e stderr
exec nginx -p "$out/" -c "$out/nginx.conf" -e stderr -g 'daemon off;'
