#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Lints the API contract, api-spec/openapi.yaml, with @redocly/cli (the exact
# version pinned in tests/package.json and tests/package-lock.json) and the rules
# of api-spec/redocly.yaml. Exits non-zero on any lint error.
#
# The linter is installed under tests/node_modules with `npm ci` (the lock file,
# never a resolution of its own) only when it is missing or stale: a stamp keeps
# the hash of the lock file it was installed from.
#
# Usage: tests/spec/lint.sh [extra redocly lint options, e.g. --format=summary]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tests=$(dirname "$here")
root=$(dirname "$tests")
redocly="$tests/node_modules/.bin/redocly"
stamp="$tests/node_modules/.bimer-lock.sha256"

for tool in node npm sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "lint.sh: '$tool' not found (Node.js >= 20.19 with npm >= 10 is needed)" >&2
		exit 2
	}
done

want=$(sha256sum "$tests/package-lock.json" | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)
if [ ! -x "$redocly" ] || [ "$have" != "$want" ]; then
	echo "lint.sh: installing the linter (npm ci --prefix tests)" >&2
	npm ci --prefix "$tests" --no-audit --no-fund --loglevel=error >&2
	echo "$want" >"$stamp"
fi

# No usage data, update checks or announcements: the test machines reach no such host.
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export REDOCLY_SUPPRESS_NOTIFICATIONS=true

want_version=$(node -p "require('$tests/package.json').devDependencies['@redocly/cli']")
got_version=$("$redocly" --version 2>/dev/null | tail -n 1)
if [ "$got_version" != "$want_version" ]; then
	echo "lint.sh: @redocly/cli is $got_version, expected $want_version" >&2
	exit 2
fi

cd "$root/api-spec"
exec "$redocly" lint --config "$root/api-spec/redocly.yaml" "$@"
