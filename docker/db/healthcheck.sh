#!/bin/sh
# Healthcheck of planpipe's `db` image (installed as docker-healthcheck).
#
# Healthy means what a client needs: initialisation finished, the server
# takes a password login over TCP as POSTGRES_USER into POSTGRES_DB, and
# answers a query. pg_isready says less: it answers "accepting connections"
# for the socket-only server that runs the init scripts, and does not log in.
#
# Exit 0 when healthy, 1 otherwise with one line saying why (Docker keeps it
# in `docker inspect --format '{{json .State.Health}}' CONTAINER`).
set -eu

fail() { echo "unhealthy: $*"; exit 1; }

# get VAR: sets $got to VAR, or to the content of the file VAR_FILE names
# (the entrypoint's convention for secrets).
get() {
	eval "got=\${$1:-}"
	eval "got_file=\${$1_FILE:-}"
	if [ -z "$got" ] && [ -n "$got_file" ]; then
		[ -r "$got_file" ] || fail "cannot read $1_FILE=$got_file"
		got=$(cat "$got_file")
	fi
}

[ -f "${PGDATA:?}/docker-init-complete" ] || fail "initialisation not complete"

get POSTGRES_USER
user=${got:-postgres}
get POSTGRES_DB
db=${got:-$user}
get POSTGRES_PASSWORD
password=$got

# Bounded: a server that accepts the connection but hangs must fail the
# check before Docker's own timeout kills it without a message.
out=$(
	PGPASSWORD="$password" PGCONNECT_TIMEOUT=3 PGOPTIONS='-c statement_timeout=3000' \
		PGAPPNAME=docker-healthcheck \
		psql --no-psqlrc --no-password --quiet --tuples-only --no-align \
		--host=127.0.0.1 --port="${PGPORT:-5432}" --username="$user" --dbname="$db" \
		--command='SELECT 1' 2>&1
) || fail "$(printf '%s' "$out" | tr '\n' ' ')"
[ "$out" = 1 ] || fail "unexpected answer: $out"
