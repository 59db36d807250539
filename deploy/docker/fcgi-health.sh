#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Container healthcheck of a FastCGI service: sends GET /api/v1/<svc>/health straight
# to its Unix socket with cgi-fcgi (Debian libfcgi-bin) and succeeds only when the
# answer says "status": "ok". usage: bimer-fcgi-health SERVICE
set -eu

svc=${1:?usage: bimer-fcgi-health SERVICE}
sock=${BIMER_RUN_DIR:-/var/lib/bimer/run}/$svc.sock
path=/api/v1/$svc/health

# cgi-fcgi passes its environment as the FastCGI parameters: keep it minimal.
env -i REQUEST_METHOD=GET SCRIPT_NAME="$path" DOCUMENT_URI="$path" REQUEST_URI="$path" \
    QUERY_STRING= CONTENT_LENGTH= SERVER_PROTOCOL=HTTP/1.1 REQUEST_ID=healthcheck \
    REMOTE_ADDR=127.0.0.1 GATEWAY_INTERFACE=CGI/1.1 \
    cgi-fcgi -bind -connect "$sock" | grep -Eq '"status"[[:space:]]*:[[:space:]]*"ok"'
