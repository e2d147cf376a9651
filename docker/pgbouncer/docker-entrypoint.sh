#!/bin/sh
# Entrypoint of planpipe's pgbouncer image: writes pgbouncer.ini and the
# auth file from the environment, then runs PgBouncer in the foreground as
# the `pgbouncer` user (PID 1, logging to stderr).
#
#   docker-entrypoint.sh pgbouncer     configure, then serve (the default)
#   docker-entrypoint.sh CMD ...       just run CMD
#
# One database and one login: the API's. PgBouncer takes the login's plain
# password from the auth file both to check clients (scram-sha-256) and to
# log in to PostgreSQL, which stores only a SCRAM verifier.
#
# Environment (defaults in brackets; docs/docker.md has the full table):
#   PGBOUNCER_DB_HOST [db]  PGBOUNCER_DB_PORT [5432]  PGBOUNCER_DB_NAME [planpipe]
#   PGBOUNCER_USER [planpipe_api]  PGBOUNCER_PASSWORD or PGBOUNCER_PASSWORD_FILE (required)
#   PGBOUNCER_LISTEN_PORT [6432]  PGBOUNCER_POOL_MODE [transaction]
#   PGBOUNCER_DEFAULT_POOL_SIZE [10]  PGBOUNCER_MIN_POOL_SIZE [0]
#   PGBOUNCER_RESERVE_POOL_SIZE [2]  PGBOUNCER_MAX_CLIENT_CONN [400]
#   PGBOUNCER_MAX_DB_CONNECTIONS [0]  PGBOUNCER_QUERY_WAIT_TIMEOUT [30]
#   PGBOUNCER_SERVER_LOGIN_RETRY [3]  PGBOUNCER_LOG_CONNECTIONS [0]
#   PGBOUNCER_VERBOSE [0]
set -eu

conf_dir=/etc/pgbouncer
ini=$conf_dir/pgbouncer.ini
auth=$conf_dir/userlist.txt

log() {
	printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*" >&2
}

die() {
	log "ERROR: $*"
	exit 1
}

# file_env VAR (docker/lib/file_env.sh): VAR or VAR_FILE, not both.
# shellcheck source-path=SCRIPTDIR source=../lib/file_env.sh
. "${PP_FILE_ENV_SH:-/usr/local/lib/planpipe/file_env.sh}"

# number VAR DEFAULT: VAR, or DEFAULT, must be a whole number.
number() {
	n_value=
	eval "n_value=\${$1:-$2}"
	case "$n_value" in
	'' | *[!0-9]*) die "$1=$n_value is not a whole number" ;;
	esac
	eval "$1=\$n_value"
}

# name VAR DEFAULT: a host, database or user name written into the .ini:
# nothing that could end a value or start a comment there.
name() {
	nm_value=
	eval "nm_value=\${$1:-$2}"
	case "$nm_value" in
	'' | *[!A-Za-z0-9_.-]*) die "$1=$nm_value: use letters, digits, '_', '.' and '-' only" ;;
	esac
	eval "$1=\$nm_value"
}

configure() {
	file_env PGBOUNCER_PASSWORD
	[ -n "$PGBOUNCER_PASSWORD" ] ||
		die "no password for ${PGBOUNCER_USER:-planpipe_api}: set PGBOUNCER_PASSWORD or PGBOUNCER_PASSWORD_FILE" \
			"(compose.yaml passes PLANPIPE_API_DB_PASSWORD)"
	name PGBOUNCER_DB_HOST db
	number PGBOUNCER_DB_PORT 5432
	name PGBOUNCER_DB_NAME planpipe
	name PGBOUNCER_USER planpipe_api
	number PGBOUNCER_LISTEN_PORT 6432
	number PGBOUNCER_DEFAULT_POOL_SIZE 10
	number PGBOUNCER_MIN_POOL_SIZE 0
	number PGBOUNCER_RESERVE_POOL_SIZE 2
	number PGBOUNCER_MAX_CLIENT_CONN 400
	number PGBOUNCER_MAX_DB_CONNECTIONS 0
	number PGBOUNCER_QUERY_WAIT_TIMEOUT 30
	number PGBOUNCER_SERVER_LOGIN_RETRY 3
	number PGBOUNCER_LOG_CONNECTIONS 0
	number PGBOUNCER_VERBOSE 0
	PGBOUNCER_POOL_MODE=${PGBOUNCER_POOL_MODE:-transaction}
	case "$PGBOUNCER_POOL_MODE" in
	transaction | session) ;;
	*) die "PGBOUNCER_POOL_MODE=$PGBOUNCER_POOL_MODE: transaction or session (statement mode breaks planpipe's transactions)" ;;
	esac

	umask 027
	# userlist.txt: "user" "password", a " inside written as "".
	quoted=$(printf '%s' "$PGBOUNCER_PASSWORD" | sed 's/"/""/g')
	printf '"%s" "%s"\n' "$PGBOUNCER_USER" "$quoted" >"$auth.tmp"
	cat >"$ini.tmp" <<-EOF
	; Written by docker-entrypoint.sh at every start; change the environment,
	; not this file (docs/docker.md).

	[databases]
	; No password here: PgBouncer logs in to PostgreSQL with the one in auth_file.
	$PGBOUNCER_DB_NAME = host=$PGBOUNCER_DB_HOST port=$PGBOUNCER_DB_PORT dbname=$PGBOUNCER_DB_NAME

	[pgbouncer]
	listen_addr = *
	listen_port = $PGBOUNCER_LISTEN_PORT
	; TCP only: the healthcheck comes in over 127.0.0.1 like any client.
	unix_socket_dir =
	; Foreground, logging to stderr (docker logs); no pidfile.
	logfile =
	pidfile =
	syslog = 0

	auth_type = scram-sha-256
	auth_file = $auth
	; The console's read-only SHOW commands for the same login
	; (docker compose exec pgbouncer pgbouncer-show pools). No admin_users:
	; PAUSE, RELOAD and SHUTDOWN: restart the container instead.
	stats_users = $PGBOUNCER_USER

	; planpipe's pool keeps no session state (docs/operations.md), so a server
	; connection goes back to the pool at every COMMIT or ROLLBACK. Nothing to
	; reset between clients in this mode.
	pool_mode = $PGBOUNCER_POOL_MODE
	server_reset_query =
	; Server connections per database and user: the database does useful work
	; on about 2 x its cores of active connections; 10 suits the 2-CPU db
	; container with room for slow queries. See docs/docker.md, "Scale".
	default_pool_size = $PGBOUNCER_DEFAULT_POOL_SIZE
	min_pool_size = $PGBOUNCER_MIN_POOL_SIZE
	; A few more when clients have waited reserve_pool_timeout seconds.
	reserve_pool_size = $PGBOUNCER_RESERVE_POOL_SIZE
	reserve_pool_timeout = 3
	max_db_connections = $PGBOUNCER_MAX_DB_CONNECTIONS
	; Client connections: every API replica's pool (PLANPIPE_POOL_SIZE) added up.
	max_client_conn = $PGBOUNCER_MAX_CLIENT_CONN
	; A transaction waiting longer than this for a server connection fails;
	; planpipe answers 503 and the client retries.
	query_wait_timeout = $PGBOUNCER_QUERY_WAIT_TIMEOUT
	; After PostgreSQL refused a login (a restart, the role not there yet),
	; retry after this many seconds, not the default 15: the API recovers
	; sooner after 'docker compose restart db'.
	server_login_retry = $PGBOUNCER_SERVER_LOGIN_RETRY
	; Idle server connections are checked with a query before reuse after this.
	server_check_delay = 10
	server_check_query = select 1
	server_lifetime = 3600
	server_idle_timeout = 600
	server_connect_timeout = 5
	; A startup parameter PgBouncer does not track is refused, except this
	; one, which JDBC and some drivers send (planpipe and psql send none
	; but application_name, which PgBouncer tracks). "options" is not
	; ignored: a PGOPTIONS setting silently dropped would be worse than a
	; clear refusal (set it with SET LOCAL inside the transaction instead).
	ignore_startup_parameters = extra_float_digits
	; Dead peers are noticed in about two minutes, not the kernel's two hours.
	tcp_keepalive = 1
	tcp_keepidle = 60
	tcp_keepintvl = 10
	tcp_keepcnt = 6

	; The healthcheck logs in every 5 s: connection lines only when asked.
	log_connections = $PGBOUNCER_LOG_CONNECTIONS
	log_disconnections = $PGBOUNCER_LOG_CONNECTIONS
	log_pooler_errors = 1
	stats_period = 60
	verbose = $PGBOUNCER_VERBOSE
	EOF
	chgrp pgbouncer "$ini.tmp" "$auth.tmp"
	chmod 0640 "$ini.tmp" "$auth.tmp"
	mv "$auth.tmp" "$auth"
	mv "$ini.tmp" "$ini"
	log "PgBouncer $(pgbouncer --version | head -n 1 | awk '{print $2}'): :$PGBOUNCER_LISTEN_PORT -> $PGBOUNCER_DB_HOST:$PGBOUNCER_DB_PORT/$PGBOUNCER_DB_NAME as $PGBOUNCER_USER, pool_mode $PGBOUNCER_POOL_MODE, default_pool_size $PGBOUNCER_DEFAULT_POOL_SIZE"
}

main() {
	[ $# -gt 0 ] || set -- pgbouncer
	[ "$1" = pgbouncer ] || exec "$@"
	shift
	if [ "$(id -u)" = 0 ]; then
		configure
		# The password stays in the auth file, readable by pgbouncer only.
		unset PGBOUNCER_PASSWORD
		exec setpriv --reuid=pgbouncer --regid=pgbouncer --init-groups \
			pgbouncer "$@" "$ini"
	fi
	[ -r "$ini" ] || die "started as uid $(id -u) without a configuration: start the container as root, it drops to the pgbouncer user itself"
	exec pgbouncer "$@" "$ini"
}

main "$@"
