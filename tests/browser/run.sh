#!/bin/sh
# The dashboard in a real browser (issue 18): Debian's chromium driven by
# puppeteer-core (pinned, installed from the npm registry into
# $PP_BROWSER_NODE_DIR on first use). Runs under scripts/with-pg.sh: migrates
# the throwaway cluster, loads tests/browser/fixture.sql, adds an admin, starts
# `planpipe serve`, then dashboard.mjs signs in, opens every page and checks
# it against the API; then `planpipe export site` and the same checks from
# file://. Screenshots go to $PP_BROWSER_OUT.
# Exits 77 (skipped) without node and npm, without chromium, or without the
# npm registry.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${PLANPIPE_BIN:?run through meson (PLANPIPE_BIN)}
dir=${PP_BROWSER_NODE_DIR:-${TMPDIR:-/tmp}/planpipe-browser-node}
out=${PP_BROWSER_OUT:-${TMPDIR:-/tmp}/planpipe-browser}
pkg="puppeteer-core@24.43.1"
chromium=${PP_CHROMIUM:-$(command -v chromium || true)}

if [ -z "$chromium" ]; then
	echo "browser: chromium is needed (apt-get install chromium; scripts/install-deps.sh test): skipped" >&2
	exit 77
fi
. "$here/../lib/npm.sh"
npm_install browser "$dir" "$pkg"

work=$(mktemp -d "${TMPDIR:-/tmp}/planpipe-browser.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$out"
rm -f "$out"/*.png

"$bin" migrate up >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log" >&2; exit 1; }
psql -X -q -v ON_ERROR_STOP=1 -f "$here/fixture.sql" >"$work/fixture.log" 2>&1 || { cat "$work/fixture.log" >&2; exit 1; }
token=$("$bin" user add admin --admin)

PLANPIPE_LISTEN=127.0.0.1:0 PLANPIPE_LOG_LEVEL=debug "$bin" serve >"$work/serve.out" 2>"$work/serve.err" &
pid=$!
port=
i=0
while [ $i -lt 300 ]; do
	port=$(sed -n 's/.*listening on http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.err" | head -n 1)
	[ -n "$port" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$work/serve.err" >&2; exit 1; }
	sleep 0.1
	i=$((i + 1))
done
[ -n "$port" ] || { echo "browser: planpipe serve did not start" >&2; cat "$work/serve.err" >&2; exit 1; }

"$bin" export site "$work/site" >"$work/export.log" 2>&1 || { cat "$work/export.log" >&2; exit 1; }

cp "$here/dashboard.mjs" "$dir/dashboard.mjs"
status=0
PP_URL="http://127.0.0.1:$port" PP_TOKEN="$token" PP_SITE="$work/site" PP_OUT="$out" \
	PP_CHROMIUM="$chromium" node "$dir/dashboard.mjs" || status=$?

# The server stops cleanly (under ASan: without leaks).
kill "$pid"
serve_status=0
wait "$pid" || serve_status=$?
pid=
if [ $serve_status -ne 0 ]; then
	echo "browser: planpipe serve ended with status $serve_status" >&2
	status=1
fi

# The token never reaches the server's log (access log at debug level included).
if grep -F -q "$token" "$work/serve.err" "$work/serve.out"; then
	echo "browser: the API token appears in the server's log" >&2
	status=1
fi
[ $status -eq 0 ] || tail -n 30 "$work/serve.err" >&2
exit $status
