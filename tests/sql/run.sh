#!/bin/sh
# Runs the pgTAP tests (tests/sql/*.sql) with pg_prove against a fresh
# database migrated by `planpipe migrate up`. Called by meson through
# scripts/with-pg.sh, which provides the cluster.
#
#   tests/sql/run.sh PLANPIPE_BINARY
set -eu
planpipe=$1
here=$(cd "$(dirname "$0")" && pwd)
export PGDATABASE=planpipe_sqltest
createdb "$PGDATABASE"
"$planpipe" migrate up
psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION dblink'
set -- "$here"/*.sql
if [ ! -e "$1" ]; then
	echo "tests/sql: no pgTAP test files" >&2
	exit 1
fi
exec pg_prove --failures --timer "$@"
