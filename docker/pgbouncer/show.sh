#!/bin/sh
# pgbouncer-show WHAT: PgBouncer's console command SHOW WHAT (pools, stats,
# clients, servers, databases, config, ...), logged in as the configured
# user, which pgbouncer.ini lists in stats_users.
#
#   docker compose exec pgbouncer pgbouncer-show pools
set -eu

[ $# -eq 1 ] || { echo "usage: pgbouncer-show pools|stats|clients|servers|databases|config|..." >&2; exit 2; }
case "$1" in
*[!A-Za-z_]*) echo "pgbouncer-show: $1: not a SHOW command" >&2; exit 2 ;;
esac
auth=/etc/pgbouncer/userlist.txt
user=$(sed -n '1s/^"\([^"]*\)" .*/\1/p' "$auth")
password=$(sed -n '1s/^"[^"]*" "\(.*\)"$/\1/p' "$auth" | sed 's/""/"/g')
PGPASSWORD="$password" PGCONNECT_TIMEOUT=3 exec psql --no-psqlrc --no-password \
	--host=127.0.0.1 --port="${PGBOUNCER_LISTEN_PORT:-6432}" --username="$user" \
	--dbname=pgbouncer --command="SHOW $1"
