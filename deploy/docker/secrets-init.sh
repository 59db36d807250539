#!/bin/sh
# SPDX-License-Identifier: MIT
#
# One-shot of docker-compose.yml: creates the stack's secrets in the secrets volume on
# first run, exactly like deploy/local/stack.sh does locally, and never prints them:
#   jwt-private.pem / jwt-public.pem   RSA 2048 (RS256) key pair
#   data.key, hmac.key                 32 random bytes each, hex
#   db.password                        the application's MariaDB password
#   mariadb/db.password, mariadb/root.password   for the mariadb container (uid 999)
# Existing files are kept. Runs as root only to set ownership: the app files belong to
# BIMER_UID (10001), the mariadb/ ones to MARIADB_UID (999, the official image's user).
set -eu

dir=${1:-/var/lib/bimer/secrets}
app_uid=${BIMER_UID:-10001}
db_uid=${MARIADB_UID:-999}
umask 077

mkdir -p "$dir/mariadb"

# write PATH COMMAND...: COMMAND's output becomes PATH, atomically, if PATH is absent.
write() {
    path=$1
    shift
    [ -s "$path" ] && return 0
    "$@" >"$path.tmp"
    mv -f "$path.tmp" "$path"
    echo "secrets-init: created $(basename "$path")"
}
hex() { openssl rand -hex "$1" | tr -d '\n'; }

write "$dir/jwt-private.pem" openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048
write "$dir/jwt-public.pem" openssl pkey -in "$dir/jwt-private.pem" -pubout
write "$dir/data.key" hex 32
write "$dir/hmac.key" hex 32
write "$dir/db.password" hex 24
write "$dir/mariadb/db.password" cat "$dir/db.password"
write "$dir/mariadb/root.password" hex 24

chown "$app_uid:$app_uid" "$dir" "$dir"/*.pem "$dir"/*.key "$dir/db.password"
chmod 0400 "$dir"/*.pem "$dir"/*.key "$dir/db.password"
chown -R "$db_uid:$db_uid" "$dir/mariadb"
chmod 0700 "$dir/mariadb"
chmod 0400 "$dir"/mariadb/*
# The mariadb container must be able to traverse the top directory to its own files.
chmod 0711 "$dir"
