#!/bin/sh
# `make run`: a local PostgreSQL 15 under ./var (kept between runs), the
# database "planpipe" migrated to the version this build needs, and the API
# served in the foreground. `make env` prints the shell lines that put
# `planpipe` on the PATH, pointed at that database.
#
#   scripts/run-local.sh start|stop|env
#
# PLANPIPE_PG_PORT chooses the TCP port on 127.0.0.1 (default 54329).
# The admin's API token is kept in var/admin-token (mode 600) and reused on
# the next run while it still works; ROTATE=1 makes a new one.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
var="$top/var/pg"
port=${PLANPIPE_PG_PORT:-54329}
token_file="$top/var/admin-token"

# The database over the cluster's own unix socket (trust, owner only): no
# password in the environment or on the screen.
conninfo() {
	printf "host='%s' port=%s user=postgres dbname=planpipe" "$var/run" "$(cat "$var/port")"
}

case "${1:-start}" in
stop)
	sh scripts/pg-cluster.sh stop "$var"
	echo "stopped the local PostgreSQL in $var"
	exit 0
	;;
env)
	[ -f "$var/port" ] || {
		echo "run-local: no local PostgreSQL under $var yet: run \`make run\` first" >&2
		exit 1
	}
	printf "export PATH='%s':\"\$PATH\"\n" "$top/build"
	printf 'export DATABASE_URL="%s"\n' "$(conninfo)"
	printf 'unset DATABASE_URL_FILE PGPASSWORD_FILE\n'
	exit 0
	;;
start) ;;
*)
	echo "usage: scripts/run-local.sh start|stop|env" >&2
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

# A local admin, and its token kept in var/admin-token: reused while it
# still works (its hash is the admin's, the admin enabled), else a new one.
token=
if [ -z "${ROTATE:-}" ] && [ -s "$token_file" ]; then
	token=$(cat "$token_file")
	valid=$(psql -X -Atq -v token="$token" <<'SQL'
SELECT count(*) FROM users WHERE handle = 'admin' AND disabled_at IS NULL
   AND api_token_hash = sha256(convert_to(:'token', 'UTF8'));
SQL
)
	[ "$valid" = 1 ] || token=
fi
if [ -z "$token" ]; then
	token=$(build/planpipe user token admin 2>/dev/null || build/planpipe user add admin --admin)
	(umask 077 && printf '%s\n' "$token" >"$token_file.tmp") && mv "$token_file.tmp" "$token_file"
	fresh_token=" (new)"
else
	fresh_token=" (kept from the last run; \`make run ROTATE=1\` makes a new one)"
fi
listen=${PLANPIPE_LISTEN:-127.0.0.1:8080}

cat <<MSG

PostgreSQL 15 is running in $var (logs in $var/log), database "planpipe".
  psql -h $var/run -p $PGPORT -U postgres planpipe
Docs: README.md, docs/api.md. Ctrl-C stops the API; \`make stop\` stops PostgreSQL.

The dashboard:    http://$listen/  (sign in with the admin token below; docs/dashboard.md)
The API:          http://$listen  (GET /readyz, /v1/...)
Admin token$fresh_token:
  $token
Try:
  curl -H "Authorization: Bearer $token" http://$listen/v1/projects
The CLI on your PATH, pointed at this database (paste into your shell):
  eval "\$(make -s -C '$top' env)"

MSG
PLANPIPE_LISTEN=$listen
# Straight to PostgreSQL, no PgBouncer: statements prepared once per
# connection (docs/operations.md), unless the caller chose otherwise.
PLANPIPE_POOL_STATEMENTS=${PLANPIPE_POOL_STATEMENTS:-prepared}
export PLANPIPE_LISTEN PLANPIPE_POOL_STATEMENTS
exec build/planpipe serve
