#!/bin/sh
# Runs a command against a throwaway PostgreSQL 15 cluster, then removes it,
# whether the command passed or not.
#
#   scripts/with-pg.sh COMMAND [ARG...]
#
# The command sees PGHOST, PGPORT, PGUSER, PGDATABASE (libpq's own variables),
# PP_TEST_PASSWORD (the superuser's password over TCP) and PP_TEST_CLUSTER
# (the directory to pass to scripts/pg-cluster.sh stop|start|restart).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/planpipe-pg.XXXXXX")
chmod 755 "$tmp"
cleanup() {
	"$here/pg-cluster.sh" stop "$tmp/cluster" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PP_PG_FAST=1 "$here/pg-cluster.sh" start "$tmp/cluster" >"$tmp/env" || {
	cat "$tmp/cluster/log/"*.log >&2 2>/dev/null
	exit 1
}
set -a
. "$tmp/env"
set +a
unset DATABASE_URL DATABASE_URL_FILE PGPASSWORD PGSERVICE PGHOSTADDR 2>/dev/null || true
status=0
"$@" || status=$?
exit $status
