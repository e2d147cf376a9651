#!/bin/sh
# `make run`: a local PostgreSQL 15 under ./var (kept between runs), the
# database "planpipe" migrated to the version this build needs, and the API
# served in the foreground with a fresh admin token.
#
#   scripts/run-local.sh start|stop
#
# PLANPIPE_PG_PORT chooses the TCP port on 127.0.0.1 (default 54329).
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
var="$top/var/pg"
port=${PLANPIPE_PG_PORT:-54329}

case "${1:-start}" in
stop)
	sh scripts/pg-cluster.sh stop "$var"
	echo "stopped the local PostgreSQL in $var"
	exit 0
	;;
start) ;;
*)
	echo "usage: scripts/run-local.sh start|stop" >&2
	exit 2
	;;
esac

mkdir -p "$top/var"
chmod 755 "$top/var"
sh scripts/pg-cluster.sh start "$var" "$port" >"$top/var/pg.env"
set -a
. "$top/var/pg.env"
set +a
unset DATABASE_URL DATABASE_URL_FILE
PGDATABASE=planpipe
export PGDATABASE
if ! psql -X -Atq -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'planpipe'" | grep -q 1; then
	createdb planpipe
fi
build/planpipe migrate wait --timeout 30 >/dev/null
build/planpipe migrate up

# A local admin with a fresh token each run: rotated if it exists.
token=$(build/planpipe user token admin 2>/dev/null || build/planpipe user add admin --admin)
listen=${PLANPIPE_LISTEN:-127.0.0.1:8080}

cat <<MSG

PostgreSQL 15 is running in $var (logs in $var/log), database "planpipe".
Connect with:
  psql -h $var/run -p $PGPORT -U postgres planpipe
  psql "postgresql://postgres:$(cat "$var/password")@127.0.0.1:$PGPORT/planpipe"
or point planpipe at it:
  export DATABASE_URL=postgresql://postgres:$(cat "$var/password")@127.0.0.1:$PGPORT/planpipe

The API is starting on http://$listen (docs/api.md). Admin token:
  $token
Try:
  curl -H "Authorization: Bearer $token" http://$listen/v1/projects
Ctrl-C stops the API; \`make stop\` stops PostgreSQL.
MSG
PLANPIPE_LISTEN=$listen
# Straight to PostgreSQL, no PgBouncer: statements prepared once per
# connection (docs/operations.md), unless the caller chose otherwise.
PLANPIPE_POOL_STATEMENTS=${PLANPIPE_POOL_STATEMENTS:-prepared}
export PLANPIPE_LISTEN PLANPIPE_POOL_STATEMENTS
exec build/planpipe serve
