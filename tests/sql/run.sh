#!/bin/sh
# Runs the pgTAP tests (tests/sql/*.sql) with pg_prove, each file in its own
# copy of a database migrated by `planpipe migrate up`. Called by meson
# through scripts/with-pg.sh, which provides the cluster.
#
#   tests/sql/run.sh PLANPIPE_BINARY
#
# A file rolls its changes back, but not everything goes back with them:
# the heap and indexes keep the dead rows of a big fixture, and ANALYZE
# writes table sizes in place. One file's leftovers would change the plans
# another file checks, so each starts from a clean copy (createdb -T).
set -eu
planpipe=$1
here=$(cd "$(dirname "$0")" && pwd)
template=planpipe_sqltest
createdb "$template"
PGDATABASE=$template "$planpipe" migrate up
psql -X -q -v ON_ERROR_STOP=1 -d "$template" -c 'CREATE EXTENSION pgtap' -c 'CREATE EXTENSION dblink'
set -- "$here"/*.sql
if [ ! -e "$1" ]; then
	echo "tests/sql: no pgTAP test files" >&2
	exit 1
fi
failed=""
for f in "$@"; do
	db=${template}_$(basename "$f" .sql)
	createdb -T "$template" "$db"
	pg_prove --failures --timer -d "$db" "$f" || failed="$failed $(basename "$f")"
	dropdb "$db"
done
if [ -n "$failed" ]; then
	echo "tests/sql: failed:$failed" >&2
	exit 1
fi
echo "tests/sql: all $# files passed"
