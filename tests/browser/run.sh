#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The browser tests (tests/run.sh's "browser" step): makes sure playwright-core and
# axe-core are installed under tests/node_modules exactly as tests/package-lock.json pins
# them (`npm ci`, the same stamp as tests/spec/lint.sh, so the two never reinstall for
# each other), then runs tests/browser/run.mjs against the stack named by the
# environment (BIMER_HTTP_PORT, BIMER_VAR_DIR; else $BIMER_VAR_DIR/env). Debian's
# chromium (deploy/packages.txt) is the browser; playwright-core downloads none.
#
# Usage: tests/browser/run.sh [word…]   (only the tests whose name has a word)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tests=$(dirname "$here")
stamp="$tests/node_modules/.bimer-lock.sha256"

for tool in node npm sha256sum; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "browser: '$tool' not found (Node.js >= 20.19 with npm >= 10 is needed)" >&2
		exit 2
	}
done

want=$(sha256sum "$tests/package-lock.json" | cut -d' ' -f1)
have=$(cat "$stamp" 2>/dev/null || true)
if [ ! -f "$tests/node_modules/playwright-core/package.json" ] ||
	[ ! -f "$tests/node_modules/axe-core/axe.min.js" ] || [ "$have" != "$want" ]; then
	echo "browser: installing the test tools (npm ci --prefix tests)" >&2
	npm ci --prefix "$tests" --no-audit --no-fund --loglevel=error >&2
	echo "$want" >"$stamp"
fi

# playwright-core never fetches a browser of its own here.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec node "$here/run.mjs" "$@"
