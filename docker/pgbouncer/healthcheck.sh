#!/bin/sh
# Healthcheck of planpipe's pgbouncer image (installed as docker-healthcheck).
#
# Healthy means what the API needs: a password login through PgBouncer
# (127.0.0.1:PGBOUNCER_LISTEN_PORT, as PGBOUNCER_USER into PGBOUNCER_DB_NAME)
# and a query answered by PostgreSQL behind it, each within 3 s. So it also
# fails while the database is down or refuses the API's login.
#
# The password is read from the auth file the entrypoint wrote (the check
# runs as root, like the entrypoint). Exit 0 when healthy, 1 otherwise with
# one line saying why (docker inspect --format '{{json .State.Health}}').
set -eu

fail() { echo "unhealthy: $*"; exit 1; }

auth=/etc/pgbouncer/userlist.txt
[ -r "$auth" ] || fail "no $auth yet (the entrypoint has not configured PgBouncer)"
# The one line: "user" "password", with "" for a " inside.
user=$(sed -n '1s/^"\([^"]*\)" .*/\1/p' "$auth")
password=$(sed -n '1s/^"[^"]*" "\(.*\)"$/\1/p' "$auth" | sed 's/""/"/g')

out=$(
	PGPASSWORD="$password" PGCONNECT_TIMEOUT=3 PGAPPNAME=docker-healthcheck \
		psql --no-psqlrc --no-password --quiet --tuples-only --no-align \
		--host=127.0.0.1 --port="${PGBOUNCER_LISTEN_PORT:-6432}" \
		--username="$user" --dbname="${PGBOUNCER_DB_NAME:-planpipe}" \
		--command='SET LOCAL statement_timeout = 3000; SELECT 1' 2>&1
) || fail "$(printf '%s' "$out" | tr '\n' ' ')"
[ "$out" = 1 ] || fail "unexpected answer: $out"
