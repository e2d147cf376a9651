#!/bin/sh
# docker-migrate: what compose.yaml's one-shot `migrate` service runs.
#
#   1. planpipe migrate wait   until a real login and query succeed (bounded)
#   2. planpipe migrate up     as the schema owner, straight to PostgreSQL:
#                              the runner's lock is a session advisory lock,
#                              which a transaction-mode PgBouncer would break
#   3. roles.sql (psql)        creates or updates the API's login role with
#                              its password and makes it a member of
#                              planpipe_app (created by migration 0001)
#
# Exits 0 only when all three succeeded, so that services started with
# `depends_on: {migrate: {condition: service_completed_successfully}}` find
# a current schema and a working API login. Safe to run again and again (every
# `docker compose up` does): nothing pending means nothing applied, and the
# role step sets the same state again (a changed password included).
#
# Environment:
#   PGHOST, PGPORT, PGDATABASE, PGUSER   the database and its owner (libpq)
#   PGPASSWORD or PGPASSWORD_FILE        the owner's password
#   PLANPIPE_API_DB_USER                 the API's login role (planpipe_api)
#   PLANPIPE_API_DB_PASSWORD or PLANPIPE_API_DB_PASSWORD_FILE   its password
#   PLANPIPE_MIGRATE_WAIT                seconds to wait for the database (120)
# and planpipe's own PLANPIPE_* settings. Passwords never appear on a
# command line: psql reads them from the environment (\getenv).
set -eu

log() {
	printf '%s [migrate] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*" >&2
}

die() {
	log "ERROR: $*"
	exit 1
}

# file_env VAR (docker/lib/file_env.sh): VAR or VAR_FILE, not both.
# shellcheck source-path=SCRIPTDIR source=../lib/file_env.sh
. "${PP_FILE_ENV_SH:-/usr/local/lib/planpipe/file_env.sh}"

[ $# -eq 0 ] || die "takes no arguments (for other commands: docker compose run --rm cli COMMAND)"

# psql reads neither PGPASSWORD_FILE nor any *_FILE: resolve them here.
file_env PGPASSWORD
file_env PLANPIPE_API_DB_PASSWORD
export PGPASSWORD="${PGPASSWORD:-}" PLANPIPE_API_DB_PASSWORD="${PLANPIPE_API_DB_PASSWORD:-}"
export PLANPIPE_API_DB_USER="${PLANPIPE_API_DB_USER:-planpipe_api}"
export PGAPPNAME=planpipe-migrate
wait_s=${PLANPIPE_MIGRATE_WAIT:-120}

[ -n "${PGUSER:-}" ] || die "PGUSER (the schema owner, POSTGRES_USER in compose.yaml) is not set"
[ -n "$PGPASSWORD" ] ||
	die "no password for $PGUSER: set POSTGRES_PASSWORD (in .env) or use docker/compose.secrets.yaml"
[ -n "$PLANPIPE_API_DB_PASSWORD" ] ||
	die "no password for the API's login $PLANPIPE_API_DB_USER: set PLANPIPE_API_DB_PASSWORD (in .env) or use docker/compose.secrets.yaml"
# roles.sql takes away every privilege but LOGIN from the API's role: never
# let it do that to the owner.
[ "$PLANPIPE_API_DB_USER" != "$PGUSER" ] ||
	die "PLANPIPE_API_DB_USER is $PGUSER, the schema owner: the API needs a login of its own"

log "waiting for $PGUSER@${PGHOST:-localhost}:${PGPORT:-5432}/${PGDATABASE:-$PGUSER} (at most ${wait_s}s)"
planpipe migrate wait --timeout "$wait_s" || die "the database did not answer within ${wait_s}s"

log "applying migrations"
planpipe migrate up || die "planpipe migrate up failed (its message is above); nothing after it was started"

log "API login role $PLANPIPE_API_DB_USER: creating or updating it, member of planpipe_app"
psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --file=/usr/local/share/planpipe/roles.sql ||
	die "setting up the API login role $PLANPIPE_API_DB_USER failed"

planpipe migrate status >&2 || die "planpipe migrate status: the schema is not current after up"
log "done"
