#!/bin/sh
# Entrypoint of planpipe's `db` image: PostgreSQL with the official postgres
# image's conventions, and a refusal to serve a half-initialised volume.
#
#   docker-entrypoint.sh postgres [-c name=value ...]   set up, then serve
#   docker-entrypoint.sh -c name=value ...              the same
#   docker-entrypoint.sh CMD ...                        just run CMD
#
# Started as root, it prepares the directories, then runs itself again as
# `postgres` (setpriv). On an empty data directory it runs initdb, starts a
# temporary server on the unix socket only (nothing outside the container
# can connect), creates POSTGRES_DB, runs /docker-entrypoint-initdb.d/*,
# stops that server cleanly, and only then writes the init-complete marker.
# A data directory with a cluster but no marker is refused. The real server
# then replaces this script (exec) and runs as PID 1.
#
# Environment: POSTGRES_PASSWORD, POSTGRES_USER (postgres), POSTGRES_DB (the
# user's name), POSTGRES_INITDB_ARGS, each also as *_FILE (a file holding the
# value, for secrets); POSTGRES_HOST_AUTH_METHOD (scram-sha-256); PGDATA;
# PGPORT (5432). See docs/docker.md.
set -eu

marker_name=docker-init-complete
initdb_dir=/docker-entrypoint-initdb.d
socket_dir=/var/run/postgresql

log() {
	printf '%s [entrypoint] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*" >&2
}

# die MESSAGE [DETAIL_LINE...]: the details go under the message, indented,
# so that `docker compose logs db` shows one readable block.
die() {
	log "ERROR: $1"
	shift
	for line in "$@"; do
		printf '    %s\n' "$line" >&2
	done
	exit 1
}

# file_env VAR (docker/lib/file_env.sh): VAR or VAR_FILE, not both.
# shellcheck source-path=SCRIPTDIR source=../lib/file_env.sh
. "${PP_FILE_ENV_SH:-/usr/local/lib/planpipe/file_env.sh}"

setup_env() {
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_USER
	file_env POSTGRES_DB
	file_env POSTGRES_INITDB_ARGS
	export POSTGRES_USER="${POSTGRES_USER:-postgres}"
	export POSTGRES_DB="${POSTGRES_DB:-$POSTGRES_USER}"
	export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-}"
	export POSTGRES_INITDB_ARGS="${POSTGRES_INITDB_ARGS:-}"
	export POSTGRES_HOST_AUTH_METHOD="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
	export PGPORT="${PGPORT:-5432}"
	: "${PGDATA:?PGDATA must be set (the image sets it)}"

	case "$POSTGRES_HOST_AUTH_METHOD" in
	scram-sha-256 | md5 | password | trust) ;;
	*) die "POSTGRES_HOST_AUTH_METHOD=$POSTGRES_HOST_AUTH_METHOD is not one of scram-sha-256, md5, password, trust" ;;
	esac
	# Checked on every start, not only the first: the healthcheck logs in
	# with this password, so without it the container could never be healthy.
	if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
		die "no superuser password: refusing to start." \
			"Set POSTGRES_PASSWORD (in .env, or the environment), or POSTGRES_PASSWORD_FILE" \
			"to a file holding it (a Docker secret, e.g. /run/secrets/postgres_password)." \
			"Only for a throwaway local database: POSTGRES_HOST_AUTH_METHOD=trust lets anyone" \
			"who can reach the port log in as any user, with no password at all."
	fi
}

# Root's part: directories the postgres user cannot make or own itself.
prepare_as_root() {
	mkdir -p "$PGDATA" "$socket_dir"
	# A new volume, or one copied from elsewhere, may belong to root or a
	# uid that means nothing here; fix only what is not ours already
	# (a chown -R over a large cluster on every start would be slow).
	find "$PGDATA" \! -user postgres -exec chown postgres:postgres '{}' +
	chmod 700 "$PGDATA"
	chown postgres:postgres "$socket_dir"
	chmod 3777 "$socket_dir"
}

# Whether PGDATA holds anything at all.
pgdata_empty() {
	[ -z "$(find "$PGDATA" -mindepth 1 -maxdepth 1 -print -quit)" ]
}

refuse_half_initialised() {
	die "$PGDATA holds a database whose initialisation never finished: not serving it." \
		"$1" \
		"An earlier first start of this volume failed, or was stopped, during initdb or" \
		"a $initdb_dir script (the ERROR is in that start's log), so roles," \
		"databases or data may be missing. The marker $marker_name is written" \
		"only after every initialisation step succeeded." \
		"To start over, which DELETES this volume's data: fix the failing step, then" \
		"    docker compose down -v    (all of the project's volumes; or docker volume rm VOLUME)" \
		"and start again. If you know the data is complete (restored from a backup," \
		"made by another image), mark it instead:" \
		"    docker compose run --rm --no-deps db touch $PGDATA/$marker_name"
}

# Refuses what must not be served or initialised over; returns 0 when the
# cluster is ready to serve, 1 when PGDATA is empty and needs initialising.
check_pgdata() {
	if [ -s "$PGDATA/PG_VERSION" ]; then
		[ -f "$PGDATA/$marker_name" ] ||
			refuse_half_initialised "It has a PostgreSQL cluster (PG_VERSION) but no init-complete marker."
		version=$(cat "$PGDATA/PG_VERSION")
		[ "$version" = "$PG_MAJOR" ] ||
			die "$PGDATA holds a PostgreSQL $version cluster; this image runs PostgreSQL $PG_MAJOR." \
				"Run the image for PostgreSQL $version, or upgrade the cluster first (pg_upgrade," \
				"or pg_dump from the old server and restore into a new volume)."
		return 0
	fi
	pgdata_empty ||
		refuse_half_initialised "It is not empty, but holds no PostgreSQL cluster (no PG_VERSION)."
	# An empty PGDATA beside a cluster of another major version (the volume
	# root, as the official image lays it out, or a sibling version
	# directory) is an upgrade gone wrong, not a new database: initialising
	# here would hide the user's data behind an empty cluster.
	parent=$(dirname "$PGDATA")
	if [ "$parent" != / ]; then
		for other in "$parent/PG_VERSION" "$parent"/*/PG_VERSION; do
			if [ ! -s "$other" ] || [ "$other" = "$PGDATA/PG_VERSION" ]; then
				continue
			fi
			found=$(dirname "$other")
			found_version=$(cat "$other")
			if [ "$found_version" = "$PG_MAJOR" ]; then
				advice1="To serve it with this image, set PGDATA=$found for the db service (a volume"
				advice2="of the official postgres image keeps it there); then mark it as initialised."
			else
				advice1="To serve it: an image of PostgreSQL $found_version with PGDATA=$found; or upgrade it"
				advice2="to $PG_MAJOR first (pg_upgrade, or pg_dump and restore into a new volume)."
			fi
			die "$PGDATA is empty, but the volume holds a PostgreSQL $found_version cluster in $found." \
				"Refusing to create a new, empty cluster beside it, which would hide that data." \
				"$advice1" "$advice2"
		done
	fi
	return 1
}

# run CMD...: runs CMD in the background and waits, so that a stop signal
# reaches the trap below at once instead of after a long init script.
run() {
	"$@" &
	child=$!
	rc=0
	wait "$child" || rc=$?
	child=
	return "$rc"
}

temp_server_running=0

stop_temp_server() {
	[ "$temp_server_running" = 1 ] || return 0
	temp_server_running=0
	pg_ctl --pgdata="$PGDATA" --mode=fast --wait --timeout=60 --silent stop
}

# fail_init MESSAGE: an init step failed. PGDATA is left as it is, without
# the marker, so the next start refuses it with an explanation.
fail_init() {
	log "ERROR: $1"
	stop_temp_server || true
	die "initialisation failed; $PGDATA is left half-initialised and will be refused." \
		"Fix the cause, remove the volume (docker compose down -v, or docker volume rm <volume>)" \
		"and start again."
}

on_stop_signal() {
	trap '' INT TERM
	[ -z "${child:-}" ] || kill -TERM "$child" 2>/dev/null || true
	fail_init "stopped during initialisation"
}

run_initdb_scripts() {
	# An unreadable directory (a bind mount of a mode 0700 host directory)
	# would look empty to the glob below, and the scripts would be skipped
	# without a word while the volume is marked complete.
	if [ -e "$initdb_dir" ] && { [ ! -r "$initdb_dir" ] || [ ! -x "$initdb_dir" ]; }; then
		fail_init "$initdb_dir is not readable by $(id -un) (uid $(id -u)): make the host directory readable (chmod a+rx) or mount it with the right owner"
	fi
	for f in "$initdb_dir"/*; do
		[ -e "$f" ] || continue
		case "$f" in
		*.sh)
			log "running $f"
			if [ -x "$f" ]; then
				run "$f" || fail_init "$f exited with status $?"
			else
				run sh "$f" || fail_init "$f exited with status $?"
			fi
			;;
		*.sql)
			log "running $f"
			run psql -X -q -v ON_ERROR_STOP=1 --file="$f" ||
				fail_init "$f failed (psql exit status $?)"
			;;
		*.sql.gz)
			log "running $f"
			# sh has no pipefail: test the archive first, so a corrupt one
			# is not half-applied and reported as success.
			gzip -t "$f" || fail_init "$f is not a valid gzip file"
			run sh -c 'gzip -dc "$1" | psql -X -q -v ON_ERROR_STOP=1' sh "$f" ||
				fail_init "$f failed (psql exit status $?)"
			;;
		*)
			log "ignoring $f (not .sh, .sql or .sql.gz)"
			;;
		esac
	done
}

initialise() {
	trap on_stop_signal INT TERM
	method=$POSTGRES_HOST_AUTH_METHOD
	log "initialising $PGDATA: PostgreSQL $PG_MAJOR, superuser $POSTGRES_USER, database $POSTGRES_DB"

	# Unix socket: trust (only processes inside the container reach it, as
	# in the official image: `docker exec db psql -U user` just works).
	# TCP, loopback included: the method asked for, so the healthcheck's
	# password login is a real one. The user's arguments come last and win.
	if [ -n "$POSTGRES_PASSWORD" ]; then
		printf '%s\n' "$POSTGRES_PASSWORD" |
			eval 'initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" --pwfile=/dev/stdin \
				--auth-local=trust --auth-host="$method" '"$POSTGRES_INITDB_ARGS" ||
			fail_init "initdb failed"
	else
		eval 'initdb --pgdata="$PGDATA" --username="$POSTGRES_USER" \
			--auth-local=trust --auth-host=trust '"$POSTGRES_INITDB_ARGS" </dev/null ||
			fail_init "initdb failed"
	fi

	# The settings live in the image, so a new image brings new settings to
	# an old volume; ALTER SYSTEM still writes postgresql.auto.conf here.
	cat >"$PGDATA/postgresql.conf" <<-'EOF'
	# Written by the db image's entrypoint at initdb. The settings are in the
	# image: /etc/postgresql/postgresql.conf and /etc/postgresql/conf.d/*.conf.
	# ALTER SYSTEM writes postgresql.auto.conf in this directory; it wins.
	include_if_exists = '/etc/postgresql/postgresql.conf'
	EOF
	cat >>"$PGDATA/pg_hba.conf" <<-EOF

	# Added by the db image's entrypoint: any other address, over TCP
	# (POSTGRES_HOST_AUTH_METHOD at initialisation).
	host all all all $method
	# Streaming replication (the replica profile's pg_basebackup and standby).
	host replication all all $method
	EOF

	log "starting a temporary server on the unix socket only"
	run pg_ctl --pgdata="$PGDATA" --wait --timeout=60 --silent \
		-o "-c listen_addresses='' -c unix_socket_directories=$socket_dir" start ||
		fail_init "the temporary server did not start"
	temp_server_running=1

	export PGHOST="$socket_dir" PGUSER="$POSTGRES_USER" PGDATABASE=postgres
	if [ "$POSTGRES_DB" != postgres ]; then
		log "creating database $POSTGRES_DB"
		# A quoted identifier: any name works, and "" is how a " is written.
		ident=$(printf '%s' "$POSTGRES_DB" | sed 's/"/""/g')
		run psql -X -q -v ON_ERROR_STOP=1 --command="CREATE DATABASE \"$ident\"" ||
			fail_init "cannot create database $POSTGRES_DB"
	fi

	# Scripts connect with plain `psql`: PGHOST, PGUSER, PGPORT are set and
	# PGDATABASE is POSTGRES_DB.
	export PGDATABASE="$POSTGRES_DB"
	run_initdb_scripts

	log "stopping the temporary server"
	stop_temp_server || fail_init "the temporary server did not stop cleanly"
	unset PGHOST PGUSER PGDATABASE

	# Last step, and only reached when everything above succeeded.
	{
		echo "PostgreSQL $PG_MAJOR cluster initialised by the db image's entrypoint"
		echo "at: $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
		echo "superuser: $POSTGRES_USER"
		echo "database: $POSTGRES_DB"
	} >"$PGDATA/$marker_name.tmp" || fail_init "cannot write the init-complete marker"
	sync "$PGDATA/$marker_name.tmp" || true
	mv "$PGDATA/$marker_name.tmp" "$PGDATA/$marker_name" || fail_init "cannot write the init-complete marker"
	sync "$PGDATA" || true
	trap - INT TERM
	log "initialisation complete"
}

main() {
	[ $# -gt 0 ] || set -- postgres
	# `docker run IMAGE -c name=value` means the server with those options.
	case "$1" in -*) set -- postgres "$@" ;; esac
	[ "$1" = postgres ] || exec "$@"

	setup_env
	if [ "$(id -u)" = 0 ]; then
		prepare_as_root
		exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
	fi

	# A verified point-in-time restore waiting to replace the cluster, and
	# pgBackRest's login (docker/db/pitr-switch.sh).
	. /usr/local/lib/planpipe-db/pitr-switch.sh
	pitr_switch
	if ! check_pgdata; then
		initialise
	fi
	# The server needs none of these, and children it starts (archive
	# commands, COPY ... PROGRAM) should not see the password.
	unset POSTGRES_PASSWORD POSTGRES_INITDB_ARGS
	log "starting PostgreSQL $PG_MAJOR"
	exec "$@"
}

main "$@"
