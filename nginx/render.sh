#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Renders nginx/nginx.conf.template and nginx/snippets/*.conf into one directory
# (nginx.conf + snippets/) by replacing their placeholders (upper-case names between
# at signs). Used by deploy/local/stack.sh and by the nginx container's entrypoint,
# so both run the same configuration. Fails if a value is unsafe for a config file or a placeholder
# is left over.
#
# usage: render.sh OUT_DIR
# inputs (environment):
#   BIMER_ROOT           repo root (static files: nginx/www, nginx/errors, api-spec)
#   BIMER_RUN_DIR        directory of the services' Unix sockets
#   BIMER_LOG_DIR        nginx-error.log and nginx-access.log go here
#   BIMER_HTTP_PORT      public port (default 8080)
#   BIMER_METRICS_PORT   metrics port (default 8081)
#   BIMER_NGINX_LISTEN          public listen address (default 127.0.0.1)
#   BIMER_NGINX_METRICS_LISTEN  metrics listen address (default 127.0.0.1)
#   BIMER_NGINX_METRICS_ALLOW   extra networks allowed on the metrics port, space
#                               separated CIDRs (default none: loopback only)
#   BIMER_NGINX_WORKERS  worker processes (default 2)
#   BIMER_NGINX_API_RATE / BIMER_NGINX_API_BURST  /api/ backstop per client address
#                        (default 50r/s, burst 100)
#   BIMER_NGINX_WEB_RATE / BIMER_NGINX_WEB_BURST  static pages (default 20r/s, 50)
#   BIMER_NGINX_LOG_LEVEL  error_log level (default crit: error lines quote request
#                        lines, which may carry secrets; use error when debugging)
#   BIMER_NGINX_USER     "user" directive; default root when run as root (the sockets
#                        are owned by the user running the services), none otherwise
#   BIMER_NGINX_UPSTREAM_KEEPALIVE  idle connections each worker keeps to each service
#                        (default 32; 0: a connection per request). An idle kept
#                        connection costs the service a descriptor, not a thread
#                        (common/bm_conn.h); keeping as many as the requests in flight
#                        spares nginx and the service a connect, accept and close each
#                        (tests/bench/RESULTS.md)
#   BIMER_NGINX_BENCH_FLOOR  benchmark only (tests/bench/run.sh): the Unix socket of the
#                        floor responder (tests/bench/floor.c), served at /bench/floor;
#                        unset (the default): no such upstream or location is rendered
#   BIMER_NGINX_BENCH_FLOOR_KEEPALIVE  benchmark only: the floor upstream's keepalive
#                        (default 0)
set -euo pipefail

out=${1:?usage: render.sh OUT_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${BIMER_ROOT:-$(dirname "$here")}

die() { echo "render.sh: $*" >&2; exit 1; }

: "${BIMER_RUN_DIR:?BIMER_RUN_DIR is not set}"
: "${BIMER_LOG_DIR:?BIMER_LOG_DIR is not set}"

if [[ -n ${BIMER_NGINX_USER:-} ]]; then
    user_line="user ${BIMER_NGINX_USER};"
elif [[ $(id -u) -eq 0 ]]; then
    user_line="user root;"
else
    user_line=""
fi

allow_line=""
for net in ${BIMER_NGINX_METRICS_ALLOW:-}; do
    [[ $net =~ ^[0-9a-fA-F.:/]+$ ]] || die "bad network in BIMER_NGINX_METRICS_ALLOW: $net"
    allow_line+="allow $net; "
done

# Behind a load balancer, BIMER_NGINX_TRUSTED_PROXIES lists the addresses allowed to say
# who the client is (X-Forwarded-For); nobody else can. The test stack trusts loopback so
# its tests can act as many clients.
realip_line=""
for net in ${BIMER_NGINX_TRUSTED_PROXIES:-}; do
    [[ $net =~ ^[0-9a-fA-F.:/]+$ ]] || die "bad network in BIMER_NGINX_TRUSTED_PROXIES: $net"
    realip_line+="set_real_ip_from $net; "
done
[[ -n $realip_line ]] && realip_line+="real_ip_header X-Forwarded-For; real_ip_recursive on;"

declare -A val=(
    [ROOT]=$root
    [NGINX_DIR]=$out
    [RUN_DIR]=$BIMER_RUN_DIR
    [LOG_DIR]=$BIMER_LOG_DIR
    [HTTP_PORT]=${BIMER_HTTP_PORT:-8080}
    [METRICS_PORT]=${BIMER_METRICS_PORT:-8081}
    [LISTEN_ADDR]=${BIMER_NGINX_LISTEN:-127.0.0.1}
    [METRICS_LISTEN_ADDR]=${BIMER_NGINX_METRICS_LISTEN:-127.0.0.1}
    [METRICS_ALLOW]=$allow_line
    [REALIP]=$realip_line
    [WORKERS]=${BIMER_NGINX_WORKERS:-2}
    [API_RATE]=${BIMER_NGINX_API_RATE:-50r/s}
    [API_BURST]=${BIMER_NGINX_API_BURST:-100}
    [UPSTREAM_KEEPALIVE]=${BIMER_NGINX_UPSTREAM_KEEPALIVE:-32}
    [WEB_RATE]=${BIMER_NGINX_WEB_RATE:-20r/s}
    [WEB_BURST]=${BIMER_NGINX_WEB_BURST:-50}
    [USER_LINE]=$user_line
    [LOG_LEVEL]=${BIMER_NGINX_LOG_LEVEL:-crit}
)

for k in HTTP_PORT METRICS_PORT WORKERS API_BURST WEB_BURST UPSTREAM_KEEPALIVE; do
    [[ ${val[$k]} =~ ^[0-9]+$ ]] || die "$k must be a number, got '${val[$k]}'"
done
case ${val[LOG_LEVEL]} in
debug | info | notice | warn | error | crit | alert | emerg) ;;
*) die "BIMER_NGINX_LOG_LEVEL must be an nginx log level, got '${val[LOG_LEVEL]}'" ;;
esac
for k in API_RATE WEB_RATE; do
    [[ ${val[$k]} =~ ^[0-9]+r/[sm]$ ]] || die "$k must look like 50r/s, got '${val[$k]}'"
done
for k in ROOT NGINX_DIR RUN_DIR LOG_DIR; do
    [[ ${val[$k]} == /* ]] || die "$k must be an absolute path, got '${val[$k]}'"
    # Paths go into the configuration unquoted: refuse anything that could break it.
    [[ ${val[$k]} =~ ^[A-Za-z0-9_./+-]+$ ]] || die "$k contains unsupported characters: '${val[$k]}'"
done
# An upstream's keepalive directive for N kept connections; 0 renders none (nginx closes
# each connection).
keepalive_line() { ((10#$1 == 0)) || printf 'keepalive %d;' "$((10#$1))"; }
val[UPSTREAM_KEEPALIVE]=$(keepalive_line "${val[UPSTREAM_KEEPALIVE]}")
# A Unix socket path is limited to 107 bytes (sun_path).
(( ${#BIMER_RUN_DIR} + 20 <= 107 )) || die "BIMER_RUN_DIR is too long for Unix socket paths"

# The benchmark's floor (tests/bench/run.sh) sits behind this same nginx and is routed
# exactly like an API location: the same backstop limit, response headers and FastCGI
# parameters as the services, so the benchmark compares like with like. It is a plain
# libfcgi responder (a thread per connection), so its upstream keeps connections only
# when BIMER_NGINX_BENCH_FLOOR_KEEPALIVE says so (default 0; the benchmark gives it
# enough threads then). Only when BIMER_NGINX_BENCH_FLOOR is set.
val[BENCH_FLOOR_UPSTREAM]=""
val[BENCH_FLOOR_LOCATION]=""
if [[ -n ${BIMER_NGINX_BENCH_FLOOR:-} ]]; then
    floor=$BIMER_NGINX_BENCH_FLOOR
    [[ $floor == /* && $floor =~ ^[A-Za-z0-9_./+-]+$ ]] ||
        die "BIMER_NGINX_BENCH_FLOOR must be an absolute socket path (letters, digits, _./+-)"
    ((${#floor} <= 107)) || die "BIMER_NGINX_BENCH_FLOOR is too long for a Unix socket path"
    floor_keep=${BIMER_NGINX_BENCH_FLOOR_KEEPALIVE:-0}
    [[ $floor_keep =~ ^[0-9]{1,4}$ ]] || die "BIMER_NGINX_BENCH_FLOOR_KEEPALIVE must be a number"
    val[BENCH_FLOOR_UPSTREAM]="upstream bimer_bench_floor { server unix:$floor; $(keepalive_line "$floor_keep") }"
    val[BENCH_FLOOR_LOCATION]="location = /bench/floor { limit_req zone=bimer_api burst=${val[API_BURST]} nodelay; include ${val[NGINX_DIR]}/snippets/fastcgi-public.conf; fastcgi_pass bimer_bench_floor; }"
fi

render_one() {
    local src=$1 dst=$2 text k
    text=$(<"$src")
    for k in "${!val[@]}"; do
        text=${text//@$k@/${val[$k]}}
    done
    if [[ $text =~ @[A-Z_]+@ ]]; then
        die "unreplaced placeholder ${BASH_REMATCH[0]} in $src"
    fi
    printf '%s\n' "$text" >"$dst.tmp"
    mv -f "$dst.tmp" "$dst"
}

mkdir -p "$out/snippets" "$out/tmp"
render_one "$root/nginx/nginx.conf.template" "$out/nginx.conf"
for f in "$root"/nginx/snippets/*.conf; do
    render_one "$f" "$out/snippets/$(basename "$f")"
done
