#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The local process runner behind `make run`, `make stop` and `make test`: it brings the
# whole BİMER stack up as plain processes on loopback (MariaDB, Redis, the SMTP sink,
# migrations + demo data, the five FastCGI services, the worker, nginx), waits until
# every health check passes through nginx, and stops exactly what it started.
#
#   stack.sh up                      start everything that is not running, then wait
#   stack.sh down                    stop everything this var dir started
#   stack.sh status                  one line per component; exit 0 only if all run
#   stack.sh start|stop|kill|restart COMPONENT
#
# COMPONENT: mariadb redis mailsink migrate (one-shot) submission verification routing
# status appeal worker nginx. "kill" is SIGKILL, for fault tests; "stop" of redis or
# mariadb is a clean shutdown that keeps the data, so "start" brings it back.
#
# Inputs (environment, with defaults): BIMER_ROOT (this repo), BIMER_VAR_DIR
# ($BIMER_ROOT/var), BIMER_RUN_DIR, BIMER_LOG_DIR, BIMER_MAIL_DIR, BIMER_BIN_DIR
# ($BIMER_ROOT/build/release/bin), BIMER_HTTP_PORT 8080, BIMER_METRICS_PORT 8081,
# BIMER_DB_PORT 13306, BIMER_REDIS_PORT 16379, BIMER_SMTP_PORT 12525, BIMER_SMTP_URL
# (set to an outside server: no sink is started), BIMER_THREADS 16,
# BIMER_DEMO_PASSWORD, BIMER_STACK_TIMEOUT 60 (seconds to wait for health),
# BIMER_DB_SERVER_OPTIONS (extra MariaDB server settings, "name=value ..."), and the
# nginx knobs of nginx/render.sh. Every BIMER_* variable of the caller and
# ASAN/UBSAN/LSAN_OPTIONS are passed on to the services. Commands other than "up" first
# read $BIMER_VAR_DIR/env (written by "up") for whatever the caller did not set, so
# "stack.sh down" needs nothing but BIMER_VAR_DIR.
#
# Safety: a process is signalled only if its pid file names a live process whose
# command line (and environment or working directory) shows it belongs to this var
# dir. Nothing is ever looked up or killed by name.
set -euo pipefail
# Logs and mail may hold personal data by mistake: nothing we create is world-readable.
umask 027

readonly SERVICES=(submission verification routing status appeal)
readonly COMPONENTS=(mariadb redis mailsink migrate "${SERVICES[@]}" worker nginx)
readonly PY=/usr/bin/python3
readonly SYS_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

say() { printf '%s\n' "$*"; }
warn() { printf 'stack.sh: %s\n' "$*" >&2; }
die() {
    printf 'stack.sh: %s\n' "$*" >&2
    exit 1
}

# ------------------------------------------------------------------ configuration

abs_path() {
    case $1 in
    /*) printf '%s' "$1" ;;
    *) printf '%s/%s' "$PWD" "$1" ;;
    esac
}

# For every command but "up": take the settings of the running stack from its env file,
# without overriding what the caller set explicitly.
load_env_file() {
    local file=$1 line name value
    [[ -r $file ]] || return 0
    while IFS= read -r line; do
        [[ $line =~ ^export\ ([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
        name=${BASH_REMATCH[1]}
        value=${BASH_REMATCH[2]}
        [[ -n ${!name+x} ]] && continue
        # The file was written by write_env_file with printf %q quoting.
        eval "value=$value"
        export "$name=$value"
    done <"$file"
}

configure() {
    local cmd=$1
    export BIMER_ROOT=${BIMER_ROOT:-$(cd "$script_dir/../.." && pwd)}
    BIMER_VAR_DIR=$(abs_path "${BIMER_VAR_DIR:-$BIMER_ROOT/var}")
    BIMER_VAR_DIR=${BIMER_VAR_DIR%/}
    export BIMER_VAR_DIR
    [[ $cmd == up ]] || load_env_file "$BIMER_VAR_DIR/env"

    VAR=$BIMER_VAR_DIR
    export BIMER_RUN_DIR=${BIMER_RUN_DIR:-$VAR/run}
    export BIMER_LOG_DIR=${BIMER_LOG_DIR:-$VAR/log}
    export BIMER_MAIL_DIR=${BIMER_MAIL_DIR:-$VAR/mail}
    export BIMER_BIN_DIR=${BIMER_BIN_DIR:-$BIMER_ROOT/build/release/bin}
    export BIMER_HTTP_PORT=${BIMER_HTTP_PORT:-8080}
    export BIMER_METRICS_PORT=${BIMER_METRICS_PORT:-8081}
    export BIMER_DB_HOST=${BIMER_DB_HOST:-127.0.0.1}
    export BIMER_DB_PORT=${BIMER_DB_PORT:-13306}
    export BIMER_DB_NAME=${BIMER_DB_NAME:-bimer}
    export BIMER_DB_USER=${BIMER_DB_USER:-bimer}
    export BIMER_DB_SOCKET=${BIMER_DB_SOCKET:-$BIMER_RUN_DIR/mariadb.sock}
    export BIMER_REDIS_HOST=${BIMER_REDIS_HOST:-127.0.0.1}
    export BIMER_REDIS_PORT=${BIMER_REDIS_PORT:-16379}
    export BIMER_REDIS_SOCKET=${BIMER_REDIS_SOCKET:-$BIMER_RUN_DIR/redis.sock}
    export BIMER_SMTP_PORT=${BIMER_SMTP_PORT:-12525}
    export BIMER_THREADS=${BIMER_THREADS:-16}
    # Status answers mostly from Redis: on a small machine few threads keep its tail short.
    export BIMER_STATUS_THREADS=${BIMER_STATUS_THREADS:-6}
    # Intake threads mostly wait for their batch's commit (services/submission/batch.h):
    # more of them let more applications share a transaction under load.
    export BIMER_SUBMISSION_THREADS=${BIMER_SUBMISSION_THREADS:-64}
    export BIMER_DEMO_PASSWORD=${BIMER_DEMO_PASSWORD:-Demo.Parola.2026}
    export BIMER_NGINX_API_RATE=${BIMER_NGINX_API_RATE:-50r/s}
    export BIMER_NGINX_API_BURST=${BIMER_NGINX_API_BURST:-100}
    STACK_TIMEOUT=${BIMER_STACK_TIMEOUT:-60}

    SECRETS=$VAR/secrets
    export BIMER_JWT_PRIVATE_KEY_FILE=${BIMER_JWT_PRIVATE_KEY_FILE:-$SECRETS/jwt-private.pem}
    export BIMER_JWT_PUBLIC_KEY_FILE=${BIMER_JWT_PUBLIC_KEY_FILE:-$SECRETS/jwt-public.pem}
    export BIMER_DATA_KEY_FILE=${BIMER_DATA_KEY_FILE:-$SECRETS/data.key}
    export BIMER_HMAC_KEY_FILE=${BIMER_HMAC_KEY_FILE:-$SECRETS/hmac.key}
    export BIMER_DB_PASSWORD_FILE=${BIMER_DB_PASSWORD_FILE:-$SECRETS/db.password}

    # Our own sink unless the caller points at another SMTP server.
    local own_url="smtp://127.0.0.1:$BIMER_SMTP_PORT"
    if [[ -z ${BIMER_SMTP_URL:-} || $BIMER_SMTP_URL == "$own_url" ]]; then
        OWN_SINK=1
        export BIMER_SMTP_URL=$own_url
    else
        OWN_SINK=0
    fi

    local p
    for p in BIMER_HTTP_PORT BIMER_METRICS_PORT BIMER_DB_PORT BIMER_REDIS_PORT \
        BIMER_SMTP_PORT BIMER_THREADS STACK_TIMEOUT; do
        [[ ${!p} =~ ^[0-9]+$ ]] || die "$p must be a number, got '${!p}'"
    done
    [[ $BIMER_DB_NAME =~ ^[A-Za-z0-9_]+$ ]] || die "BIMER_DB_NAME may hold only letters, digits and _"
    [[ $BIMER_DB_USER =~ ^[A-Za-z0-9_]+$ ]] || die "BIMER_DB_USER may hold only letters, digits and _"
    OS_USER=$(id -un)
    NGINX_DIR=$VAR/nginx
}

# The environment every service, the worker and migrate get: a clean one with the
# BIMER_* settings and the sanitizer options, nothing else from the caller.
service_env() {
    local name
    SERVICE_ENV=(PATH="$SYS_PATH" HOME="${HOME:-/root}" LANG=C.UTF-8)
    if [[ -f $BIMER_DB_PASSWORD_FILE ]]; then
        BIMER_DB_PASSWORD=$(<"$BIMER_DB_PASSWORD_FILE")
        export BIMER_DB_PASSWORD
    fi
    while IFS= read -r name; do
        case $name in
        BIMER_* | ASAN_OPTIONS | UBSAN_OPTIONS | LSAN_OPTIONS | ASAN_SYMBOLIZER_PATH | TZ)
            SERVICE_ENV+=("$name=${!name}")
            ;;
        esac
    done < <(compgen -e | sort)
}

# What MariaDB, Redis and nginx get: BIMER_VAR_DIR only marks them as ours.
base_env() {
    BASE_ENV=(PATH="$SYS_PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 BIMER_VAR_DIR="$VAR")
}

# ------------------------------------------------------------------ processes

pidfile() {
    case $1 in
    nginx) printf '%s' "$NGINX_DIR/nginx.pid" ;;
    *) printf '%s' "$BIMER_RUN_DIR/$1.pid" ;;
    esac
}

read_pid() {
    local f pid
    f=$(pidfile "$1")
    [[ -r $f ]] || return 1
    read -r pid <"$f" || true
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    printf '%s' "$pid"
}

proc_cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null || true; }
proc_has_env() { tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF -- "$2"; }

# Does live process $2 belong to component $1 of this var dir?
proc_matches() {
    local comp=$1 pid=$2 cmd
    [[ -d /proc/$pid ]] || return 1
    cmd=$(proc_cmdline "$pid")
    case $comp in
    mariadb) [[ $cmd == *"--defaults-file=$VAR/mariadb/my.cnf"* ]] ;;
    redis)
        # redis-server rewrites its command line; its cwd is our data dir.
        [[ $cmd == *redis-server* && $(readlink "/proc/$pid/cwd" 2>/dev/null) == "$VAR/redis" ]]
        ;;
    nginx) [[ $cmd == *nginx* && $cmd == *"-c $NGINX_DIR/nginx.conf"* ]] ;;
    mailsink) [[ $cmd == *mailsink.py* ]] && proc_has_env "$pid" "BIMER_VAR_DIR=$VAR" ;;
    *) [[ $cmd == *"/bimer-$comp"* ]] && proc_has_env "$pid" "BIMER_VAR_DIR=$VAR" ;;
    esac
}

# Prints the pid if the component is running; clears a stale pid file.
running_pid() {
    local comp=$1 pid
    pid=$(read_pid "$comp") || return 1
    if proc_matches "$comp" "$pid"; then
        printf '%s' "$pid"
        return 0
    fi
    # Only remove a pid file whose process is gone or is no longer ours.
    rm -f "$(pidfile "$comp")"
    return 1
}

close_fds() {
    local fd
    for fd in /proc/self/fd/*; do
        fd=${fd##*/}
        if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
}

# spawn NAME DIR ENV_ARRAY_NAME CMD... : start CMD in its own session, cwd DIR, with a
# clean environment, stdout/stderr appended to $BIMER_LOG_DIR/NAME.log; writes its pid.
spawn() {
    local name=$1 dir=$2 envname=$3
    shift 3
    local -n envref=$envname
    local log=$BIMER_LOG_DIR/$name.log pid
    (
        close_fds
        cd "$dir"
        # Not a process group leader here, so setsid execs in place: $! stays the pid.
        exec setsid env -i "${envref[@]}" "$@" </dev/null >>"$log" 2>&1
    ) &
    pid=$!
    printf '%s\n' "$pid" >"$(pidfile "$name")"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_free_port() {
    if port_in_use "$1"; then
        die "port $1 ($2) is already in use by a process this stack did not start"
    fi
}

log_tail() {
    local f=$BIMER_LOG_DIR/$1.log
    if [[ -s $f ]]; then
        say "---- last lines of $f"
        tail -n "${2:-20}" "$f" | sed 's/^/    /'
    fi
}

# Send SIGNAL to pids, wait up to SECONDS for them to exit, then SIGKILL and say so.
terminate() {
    local sig=$1 timeout=$2 label=$3
    shift 3
    local pid left deadline=$((SECONDS + timeout))
    for pid in "$@"; do kill "-$sig" "$pid" 2>/dev/null || true; done
    while :; do
        left=()
        for pid in "$@"; do [[ -d /proc/$pid ]] && ! is_zombie "$pid" && left+=("$pid"); done
        ((${#left[@]} == 0)) && return 0
        ((SECONDS >= deadline)) && break
        sleep 0.2
    done
    warn "$label did not stop within ${timeout}s after SIG$sig: sending SIGKILL to ${left[*]}"
    for pid in "${left[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
    sleep 0.2
}

is_zombie() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat%% *} == Z ]]
}

children_of() { pgrep -P "$1" 2>/dev/null || true; }

wait_until() { # SECONDS DESCRIPTION COMMAND... (also gives up when $WAIT_PID dies)
    local timeout=$1 what=$2
    shift 2
    local deadline=$((SECONDS + timeout))
    while ! "$@" 2>/dev/null; do
        if [[ -n ${WAIT_PID:-} ]] && ! [[ -d /proc/$WAIT_PID ]]; then
            warn "$what: the process exited"
            return 1
        fi
        if ((SECONDS >= deadline)); then
            warn "$what: not ready after ${timeout}s"
            return 1
        fi
        sleep 0.2
    done
}

# ------------------------------------------------------------------ secrets

gen_file() { # PATH COMMAND... : run COMMAND > PATH atomically, mode 0600
    local path=$1
    shift
    (
        umask 077
        "$@" >"$path.tmp"
        mv -f "$path.tmp" "$path"
    )
}

hex_secret() { openssl rand -hex "$1" | tr -d '\n'; }

ensure_secrets() {
    (umask 077 && mkdir -p "$SECRETS")
    chmod 700 "$SECRETS"
    local f
    if [[ $BIMER_JWT_PRIVATE_KEY_FILE == "$SECRETS/"* && ! -s $BIMER_JWT_PRIVATE_KEY_FILE ]]; then
        gen_file "$BIMER_JWT_PRIVATE_KEY_FILE" \
            openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -outform PEM
        rm -f "$BIMER_JWT_PUBLIC_KEY_FILE"
    fi
    if [[ $BIMER_JWT_PUBLIC_KEY_FILE == "$SECRETS/"* && ! -s $BIMER_JWT_PUBLIC_KEY_FILE ]]; then
        gen_file "$BIMER_JWT_PUBLIC_KEY_FILE" openssl pkey -in "$BIMER_JWT_PRIVATE_KEY_FILE" -pubout
    fi
    [[ $BIMER_DATA_KEY_FILE == "$SECRETS/"* && ! -s $BIMER_DATA_KEY_FILE ]] &&
        gen_file "$BIMER_DATA_KEY_FILE" hex_secret 32
    [[ $BIMER_HMAC_KEY_FILE == "$SECRETS/"* && ! -s $BIMER_HMAC_KEY_FILE ]] &&
        gen_file "$BIMER_HMAC_KEY_FILE" hex_secret 32
    [[ $BIMER_DB_PASSWORD_FILE == "$SECRETS/"* && ! -s $BIMER_DB_PASSWORD_FILE ]] &&
        gen_file "$BIMER_DB_PASSWORD_FILE" hex_secret 24
    for f in "$BIMER_JWT_PRIVATE_KEY_FILE" "$BIMER_JWT_PUBLIC_KEY_FILE" "$BIMER_DATA_KEY_FILE" \
        "$BIMER_HMAC_KEY_FILE" "$BIMER_DB_PASSWORD_FILE"; do
        [[ -s $f ]] || die "secret file $f is missing"
        [[ $f == "$SECRETS/"* ]] && chmod 600 "$f"
    done
    return 0
}

write_env_file() {
    local name tmp=$VAR/env.tmp
    (
        umask 077
        {
            printf '# BİMER stack environment, written by deploy/local/stack.sh up. Secret: mode 0600.\n'
            while IFS= read -r name; do
                case $name in
                BIMER_* | ASAN_OPTIONS | UBSAN_OPTIONS | LSAN_OPTIONS)
                    printf 'export %s=%q\n' "$name" "${!name}"
                    ;;
                esac
            done < <(compgen -e | sort)
        } >"$tmp"
        mv -f "$tmp" "$VAR/env"
    )
}

make_dirs() {
    mkdir -p "$VAR" "$BIMER_RUN_DIR" "$BIMER_LOG_DIR" "$BIMER_MAIL_DIR" "$VAR/mariadb" \
        "$VAR/redis" "$NGINX_DIR/tmp"
}

# ------------------------------------------------------------------ mariadb

db_admin() { # runs the SQL on stdin as the OS user over the Unix socket (unix_socket auth)
    mariadb --no-defaults --socket="$BIMER_DB_SOCKET" -u "$OS_USER" --batch
}

db_ping() { mariadb-admin --no-defaults --socket="$BIMER_DB_SOCKET" -u "$OS_USER" --connect-timeout=2 ping >/dev/null 2>&1; }

write_my_cnf() {
    cat >"$VAR/mariadb/my.cnf.tmp" <<EOF
# Generated by deploy/local/stack.sh: edits are overwritten at each start.
[mariadbd]
user                           = $OS_USER
datadir                        = $VAR/mariadb/data
tmpdir                         = $VAR/mariadb/tmp
port                           = $BIMER_DB_PORT
bind-address                   = 127.0.0.1
socket                         = $BIMER_DB_SOCKET
pid-file                       = $(pidfile mariadb)
skip-name-resolve
character-set-server           = utf8mb4
collation-server               = utf8mb4_unicode_ci
default-time-zone              = '+00:00'
max_connections                = 500
# Durable: every COMMIT is on disk (security.md); sync_binlog applies if a binlog is enabled.
innodb_flush_log_at_trx_commit = 1
sync_binlog                    = 1
innodb_buffer_pool_size        = 256M
performance_schema             = OFF
EOF
    local opt
    for opt in ${BIMER_DB_SERVER_OPTIONS:-}; do
        [[ $opt =~ ^[a-z][a-z0-9_]*=[A-Za-z0-9_.+-]+$ ]] ||
            die "BIMER_DB_SERVER_OPTIONS: '$opt' is not name=value"
        printf '%s = %s\n' "${opt%%=*}" "${opt#*=}" >>"$VAR/mariadb/my.cnf.tmp"
    done
    mv -f "$VAR/mariadb/my.cnf.tmp" "$VAR/mariadb/my.cnf"
}

init_mariadb_datadir() {
    [[ -d $VAR/mariadb/data/mysql ]] && return 0
    say "initialising the MariaDB data directory in $VAR/mariadb/data"
    rm -rf "$VAR/mariadb/data.init"
    if ! mariadb-install-db --no-defaults --datadir="$VAR/mariadb/data.init" --user="$OS_USER" \
        --auth-root-authentication-method=socket --skip-test-db \
        >>"$BIMER_LOG_DIR/mariadb-install.log" 2>&1; then
        log_tail mariadb-install 30
        die "mariadb-install-db failed"
    fi
    rm -rf "$VAR/mariadb/data"
    mv "$VAR/mariadb/data.init" "$VAR/mariadb/data"
}

provision_db() {
    local pw
    pw=$(<"$BIMER_DB_PASSWORD_FILE")
    [[ $pw =~ ^[A-Za-z0-9._-]+$ ]] || die "the database password in $BIMER_DB_PASSWORD_FILE has unsupported characters"
    db_admin <<EOF
CREATE DATABASE IF NOT EXISTS \`$BIMER_DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$BIMER_DB_USER'@'127.0.0.1' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS '$BIMER_DB_USER'@'localhost' IDENTIFIED BY '$pw';
ALTER USER '$BIMER_DB_USER'@'127.0.0.1' IDENTIFIED BY '$pw';
ALTER USER '$BIMER_DB_USER'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON \`bimer%\`.* TO '$BIMER_DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`bimer%\`.* TO '$BIMER_DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON \`$BIMER_DB_NAME\`.* TO '$BIMER_DB_USER'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`$BIMER_DB_NAME\`.* TO '$BIMER_DB_USER'@'localhost';
EOF
}

start_mariadb() {
    local pid
    if pid=$(running_pid mariadb); then
        say "mariadb: already running (pid $pid)"
        return 0
    fi
    require_free_port "$BIMER_DB_PORT" mariadb
    mkdir -p "$VAR/mariadb/tmp"
    write_my_cnf
    init_mariadb_datadir
    base_env
    spawn mariadb "$VAR/mariadb" BASE_ENV mariadbd --defaults-file="$VAR/mariadb/my.cnf"
    WAIT_PID=$(read_pid mariadb)
    if ! wait_until 120 "mariadb" db_ping; then
        WAIT_PID=
        log_tail mariadb 30
        die "mariadb did not start"
    fi
    WAIT_PID=
    provision_db || die "could not create the database and its user"
    say "mariadb: started on 127.0.0.1:$BIMER_DB_PORT (pid $(read_pid mariadb))"
}

# ------------------------------------------------------------------ redis

write_redis_conf() {
    cat >"$VAR/redis/redis.conf.tmp" <<EOF
# Generated by deploy/local/stack.sh: edits are overwritten at each start.
port $BIMER_REDIS_PORT
bind 127.0.0.1
protected-mode yes
daemonize no
pidfile $(pidfile redis)
dir $VAR/redis
logfile ""
# Sessions, revocations and rate limits survive a restart: AOF plus snapshots.
appendonly yes
appendfsync everysec
save 3600 1 300 100 60 10000
tcp-keepalive 60
# The services on this machine talk over the socket (no TCP stack per call).
unixsocket $BIMER_REDIS_SOCKET
unixsocketperm 700
EOF
    mv -f "$VAR/redis/redis.conf.tmp" "$VAR/redis/redis.conf"
}

redis_ping() { [[ $(redis-cli -h 127.0.0.1 -p "$BIMER_REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

start_redis() {
    local pid
    if pid=$(running_pid redis); then
        say "redis: already running (pid $pid)"
        return 0
    fi
    require_free_port "$BIMER_REDIS_PORT" redis
    write_redis_conf
    base_env
    spawn redis "$VAR/redis" BASE_ENV redis-server "$VAR/redis/redis.conf"
    WAIT_PID=$(read_pid redis)
    if ! wait_until 60 "redis" redis_ping; then
        WAIT_PID=
        log_tail redis
        die "redis did not start"
    fi
    WAIT_PID=
    say "redis: started on 127.0.0.1:$BIMER_REDIS_PORT (pid $(read_pid redis))"
}

# ------------------------------------------------------------------ mail sink

start_mailsink() {
    local pid
    if pid=$(running_pid mailsink); then
        say "mailsink: already running (pid $pid)"
        return 0
    fi
    require_free_port "$BIMER_SMTP_PORT" mailsink
    base_env
    # shellcheck disable=SC2034 # used through the nameref in spawn
    local mail_env=("${BASE_ENV[@]}" BIMER_SMTP_PORT="$BIMER_SMTP_PORT" BIMER_MAIL_DIR="$BIMER_MAIL_DIR")
    spawn mailsink "$BIMER_ROOT" mail_env "$PY" "$BIMER_ROOT/deploy/local/mailsink.py"
    WAIT_PID=$(read_pid mailsink)
    if ! wait_until 20 "mailsink" port_in_use "$BIMER_SMTP_PORT"; then
        WAIT_PID=
        log_tail mailsink
        die "the mail sink did not start"
    fi
    WAIT_PID=
    say "mailsink: started on 127.0.0.1:$BIMER_SMTP_PORT, mail in $BIMER_MAIL_DIR (pid $(read_pid mailsink))"
}

# ------------------------------------------------------------------ migrate

run_migrate() {
    local bin=$BIMER_BIN_DIR/bimer-migrate step
    [[ -x $bin ]] || die "$bin is missing: build first (make build)"
    running_pid mariadb >/dev/null || die "migrate needs mariadb running"
    service_env
    for step in up demo; do
        printf '==== %s bimer-migrate %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$step" >>"$BIMER_LOG_DIR/migrate.log"
        if ! (cd "$BIMER_ROOT" && close_fds && exec env -i "${SERVICE_ENV[@]}" "$bin" "$step") \
            </dev/null >>"$BIMER_LOG_DIR/migrate.log" 2>&1; then
            log_tail migrate 30
            die "bimer-migrate $step failed"
        fi
    done
    say "migrate: migrations and demo data applied (log: $BIMER_LOG_DIR/migrate.log)"
}

# ------------------------------------------------------------------ services, worker

unix_socket_ready() {
    "$PY" -c 'import socket,sys
s=socket.socket(socket.AF_UNIX)
s.settimeout(1)
s.connect(sys.argv[1])' "$1"
}

start_service() { # submission|verification|routing|status|appeal|worker
    local name=$1 pid bin=$BIMER_BIN_DIR/bimer-$1
    if pid=$(running_pid "$name"); then
        say "$name: already running (pid $pid)"
        return 0
    fi
    [[ -x $bin ]] || die "$bin is missing: build first (make build)"
    # A socket left by a killed instance would make bind() fail.
    [[ $name == worker ]] || rm -f "$BIMER_RUN_DIR/$name.sock"
    service_env
    spawn "$name" "$BIMER_ROOT" SERVICE_ENV "$bin"
    say "$name: started (pid $(read_pid "$name"))"
}

# Wait until a freshly started service accepts connections on its socket.
wait_service() {
    local name=$1
    WAIT_PID=$(read_pid "$name") || die "$name: no pid file"
    if ! wait_until 30 "$name" unix_socket_ready "$BIMER_RUN_DIR/$name.sock"; then
        WAIT_PID=
        log_tail "$name"
        die "$name did not open $BIMER_RUN_DIR/$name.sock"
    fi
    WAIT_PID=
}

# ------------------------------------------------------------------ nginx

render_nginx() {
    mkdir -p "$NGINX_DIR/tmp"
    "$BIMER_ROOT/nginx/render.sh" "$NGINX_DIR"
}

nginx_cmd() {
    base_env
    (close_fds && exec env -i "${BASE_ENV[@]}" nginx -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" \
        -e "$BIMER_LOG_DIR/nginx-error.log" "$@") </dev/null
}

start_nginx() {
    local pid
    if pid=$(running_pid nginx); then
        say "nginx: already running (pid $pid)"
        return 0
    fi
    render_nginx
    if ! nginx_cmd -t -q >>"$BIMER_LOG_DIR/nginx.log" 2>&1; then
        log_tail nginx
        die "the rendered nginx configuration is invalid ($NGINX_DIR/nginx.conf)"
    fi
    require_free_port "$BIMER_HTTP_PORT" "nginx http"
    require_free_port "$BIMER_METRICS_PORT" "nginx metrics"
    rm -f "$(pidfile nginx)"
    # nginx daemonises itself (its own session) and writes the pid file.
    if ! nginx_cmd >>"$BIMER_LOG_DIR/nginx.log" 2>&1; then
        log_tail nginx
        log_tail nginx-error
        die "nginx did not start"
    fi
    if ! wait_until 15 "nginx" running_pid nginx >/dev/null; then
        log_tail nginx-error
        die "nginx did not start"
    fi
    say "nginx: started on http://127.0.0.1:$BIMER_HTTP_PORT/ (pid $(read_pid nginx))"
}

# ------------------------------------------------------------------ stopping

stop_component() { # COMPONENT [TERM|KILL]
    local comp=$1 mode=${2:-TERM} pid pids kids
    if ! pid=$(running_pid "$comp"); then
        return 0
    fi
    pids=("$pid")
    if [[ $comp == nginx ]]; then
        # SIGKILL of the master alone would leave its workers serving.
        mapfile -t kids < <(children_of "$pid")
        [[ $mode == KILL ]] && pids+=("${kids[@]}")
    fi
    if [[ $mode == KILL ]]; then
        terminate KILL 5 "$comp" "${pids[@]}"
        rm -f "$(pidfile "$comp")"
        say "$comp: killed (SIGKILL, pid $pid)"
        return 0
    fi
    case $comp in
    mariadb) terminate TERM 120 mariadb "$pid" ;;
    redis) terminate TERM 30 redis "$pid" ;;
    nginx)
        terminate QUIT 10 nginx "$pid"
        mapfile -t kids < <(printf '%s\n' "${kids[@]}" | while read -r k; do [[ -n $k && -d /proc/$k ]] && echo "$k"; done)
        ((${#kids[@]} == 0)) || terminate KILL 2 "nginx workers" "${kids[@]}"
        ;;
    *) terminate TERM 10 "$comp" "$pid" ;;
    esac
    rm -f "$(pidfile "$comp")"
    say "$comp: stopped"
}

# Services and the worker get SIGTERM together and 10 s in all.
stop_services() {
    local name pid pids=() names=()
    for name in "${SERVICES[@]}" worker; do
        if pid=$(running_pid "$name"); then
            pids+=("$pid")
            names+=("$name")
        fi
    done
    ((${#pids[@]} == 0)) && return 0
    terminate TERM 10 "${names[*]}" "${pids[@]}"
    for name in "${names[@]}"; do
        rm -f "$(pidfile "$name")"
        say "$name: stopped"
    done
}

# ------------------------------------------------------------------ health

health_code() {
    curl -s --noproxy '*' -o /dev/null -w '%{http_code}' --max-time 2 \
        "http://127.0.0.1:$BIMER_HTTP_PORT/api/v1/$1/health" 2>/dev/null || true
}

wait_healthy() {
    local deadline=$((SECONDS + STACK_TIMEOUT)) svc code bad
    declare -A last=()
    while :; do
        bad=()
        for svc in "${SERVICES[@]}"; do
            if ! running_pid "$svc" >/dev/null; then
                say "$svc: the process is not running"
                log_tail "$svc" 30
                die "the stack is not healthy"
            fi
            code=$(health_code "$svc")
            last[$svc]=$code
            [[ $code == 200 ]] || bad+=("$svc")
        done
        ((${#bad[@]} == 0)) && return 0
        ((SECONDS >= deadline)) && break
        sleep 0.5
    done
    for svc in "${bad[@]}"; do
        say "$svc: GET /api/v1/$svc/health answered ${last[$svc]:-nothing} (want 200)"
        log_tail "$svc" 30
    done
    die "not healthy after ${STACK_TIMEOUT}s: ${bad[*]}"
}

print_summary() {
    local base="http://127.0.0.1:$BIMER_HTTP_PORT"
    say ""
    say "BİMER is up."
    say "  URL:       $base/"
    say "  Staff:     $base/personel/   (console for operators, institutions, BEDK, reports)"
    say "  API spec:  $base/api-spec/openapi.yaml   (file: api-spec/openapi.yaml)"
    say "  Health:    $base/api/v1/<service>/health"
    say "  Metrics:   http://127.0.0.1:$BIMER_METRICS_PORT/metrics/<service>   (Prometheus text, loopback only; outbox backlog in /metrics/routing)"
    say "             service = ${SERVICES[*]}"
    if ((OWN_SINK)); then
        say "  Mail:      SMTP sink on 127.0.0.1:$BIMER_SMTP_PORT, one .eml per message in $BIMER_MAIL_DIR"
    else
        say "  Mail:      sent to $BIMER_SMTP_URL (no local sink)"
    fi
    say "  Logs:      $BIMER_LOG_DIR"
    say "  Env:       $VAR/env   (source it to reach this stack; it holds secrets)"
    say "  Demo logins (POST $base/api/v1/auth/login):"
    say "    merkez.operator       central BİMER operator"
    say "    ankara.operator       Ankara governorship desk (VALILIK-06)"
    say "    ankara.meb            Ankara provincial directorate of education (IL-MEB-06)"
    say "    cankaya.kaymakamlik   Çankaya district governorship"
    say "    saglik.bakanlik       Ministry of Health"
    say "    etik.kurul            Public Officials Ethics Board"
    say "    bedk.uye              BEDK member"
    if [[ $BIMER_DEMO_PASSWORD == Demo.Parola.2026 ]]; then
        say "  Password for all: the default demo password Demo.Parola.2026 (set BIMER_DEMO_PASSWORD to change it)"
    else
        say "  Password for all: the value of BIMER_DEMO_PASSWORD you set (also in $VAR/env)"
    fi
    say "  Stop with: make stop   (or $BIMER_ROOT/deploy/local/stack.sh down)"
}

# ------------------------------------------------------------------ commands

lock_stack() {
    mkdir -p "$VAR"
    exec 9>"$VAR/.stack.lock"
    flock -w 300 9 || die "another stack.sh is working on $VAR"
}

cmd_up() {
    local svc
    lock_stack
    make_dirs
    ensure_secrets
    service_env
    write_env_file
    start_mariadb
    start_redis
    if ((OWN_SINK)); then start_mailsink; else say "mailsink: not started, mail goes to $BIMER_SMTP_URL"; fi
    run_migrate
    for svc in "${SERVICES[@]}" worker; do start_service "$svc"; done
    for svc in "${SERVICES[@]}"; do wait_service "$svc"; done
    start_nginx
    wait_healthy
    running_pid worker >/dev/null || {
        log_tail worker 30
        die "the worker is not running"
    }
    print_summary
}

cmd_down() {
    if [[ ! -d $VAR ]]; then
        say "nothing to stop: $VAR does not exist"
        return 0
    fi
    lock_stack
    stop_component nginx
    stop_services
    stop_component mailsink
    stop_component redis
    stop_component mariadb
    # Stale pid files of processes that are gone.
    local c
    for c in "${COMPONENTS[@]}"; do running_pid "$c" >/dev/null || true; done
    say "stack in $VAR: stopped"
}

cmd_status() {
    local c pid all=0
    for c in "${COMPONENTS[@]}"; do
        [[ $c == migrate ]] && continue
        if [[ $c == mailsink ]] && ((!OWN_SINK)); then
            printf '%-13s external (%s)\n' "$c" "$BIMER_SMTP_URL"
            continue
        fi
        if pid=$(running_pid "$c"); then
            printf '%-13s running (pid %s)\n' "$c" "$pid"
        else
            printf '%-13s stopped\n' "$c"
            all=3
        fi
    done
    return "$all"
}

cmd_start() {
    local comp=$1
    lock_stack
    make_dirs
    ensure_secrets
    case $comp in
    mariadb) start_mariadb ;;
    redis) start_redis ;;
    mailsink) start_mailsink ;;
    migrate) run_migrate ;;
    nginx) start_nginx ;;
    worker) start_service worker ;;
    *)
        start_service "$comp"
        wait_service "$comp"
        ;;
    esac
}

cmd_stop() {
    local comp=$1 mode=$2
    [[ $comp == migrate ]] && die "migrate is a one-shot: nothing to $3"
    if [[ ! -d $VAR ]]; then
        say "$comp: not running"
        return 0
    fi
    lock_stack
    if ! running_pid "$comp" >/dev/null; then
        say "$comp: not running"
        return 0
    fi
    stop_component "$comp" "$mode"
}

usage() {
    cat >&2 <<EOF
usage: stack.sh up | down | status
       stack.sh start | stop | kill | restart COMPONENT
components: ${COMPONENTS[*]}
EOF
    exit 2
}

valid_component() {
    local c
    for c in "${COMPONENTS[@]}"; do [[ $c == "$1" ]] && return 0; done
    return 1
}

main() {
    (($# >= 1)) || usage
    local cmd=$1
    case $cmd in
    up | down | status) (($# == 1)) || usage ;;
    start | stop | kill | restart)
        (($# == 2)) || usage
        valid_component "$2" || {
            echo "stack.sh: unknown component '$2'" >&2
            usage
        }
        ;;
    *) usage ;;
    esac
    configure "$cmd"
    case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    start) cmd_start "$2" ;;
    stop) cmd_stop "$2" TERM stop ;;
    kill) cmd_stop "$2" KILL kill ;;
    restart)
        cmd_stop "$2" TERM restart
        exec 9>&-
        cmd_start "$2"
        ;;
    esac
}

main "$@"
