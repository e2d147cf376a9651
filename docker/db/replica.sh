#!/bin/sh
# planpipe-replica: a streaming hot standby of the stack's `db`, in the db
# image (installed as /usr/local/bin/planpipe-replica). compose.yaml's
# `db-replica` service (profile `replica`) runs it as the container's command.
#
#   planpipe-replica           set up (once), then serve as a hot standby
#   planpipe-replica health    the standby's healthcheck
#
# On an empty volume it clones the primary with pg_basebackup (WAL streamed
# alongside, a physical replication slot created on the primary so that it
# keeps the WAL the standby still needs) into a temporary directory beside
# PGDATA, and renames it into place only when complete: an interrupted clone
# is removed and made again at the next start, never served. Then the db
# image's entrypoint starts PostgreSQL, which finds standby.signal and
# primary_conninfo (pg_basebackup -R) and streams from the primary.
#
# Environment: POSTGRES_USER, POSTGRES_PASSWORD (or _FILE): the login on the
# primary (its superuser, which may replicate); PLANPIPE_REPLICA_PRIMARY_HOST
# (db), PLANPIPE_REPLICA_PRIMARY_PORT (5432); PLANPIPE_REPLICA_SLOT (replica1:
# the slot's name and the standby's application_name);
# PLANPIPE_REPLICA_MAX_LAG (seconds; the healthcheck's bound, 30).
set -eu

log() { printf '%s [replica] %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" "$*" >&2; }
die() {
	log "ERROR: $1"
	shift
	for line in "$@"; do printf '    %s\n' "$line" >&2; done
	exit 1
}

primary=${PLANPIPE_REPLICA_PRIMARY_HOST:-db}
port=${PLANPIPE_REPLICA_PRIMARY_PORT:-5432}
slot=${PLANPIPE_REPLICA_SLOT:-replica1}
case "$slot" in *[!a-z0-9_]* | "") die "PLANPIPE_REPLICA_SLOT=$slot: use lower-case letters, digits and _" ;; esac

health() {
	max=${PLANPIPE_REPLICA_MAX_LAG:-30}
	# The lag as `planpipe health --replica` computes it: 0 when everything
	# received is replayed, else the age of the last replayed commit.
	out=$(PGCONNECT_TIMEOUT=3 PGOPTIONS='-c statement_timeout=3000' psql -X -w -q -A -t -F ' ' \
		-h /var/run/postgresql -U "${POSTGRES_USER:-postgres}" -d postgres -c "
		SELECT pg_is_in_recovery(),
		       coalesce((SELECT status FROM pg_stat_wal_receiver), 'none'),
		       coalesce(CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
		            ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END, -1)::int,
		       coalesce(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)::bigint" 2>&1) ||
		{ echo "unhealthy: $(printf '%s' "$out" | tr '\n' ' ')"; exit 1; }
	set -- $out
	[ "$1" = t ] || { echo "unhealthy: not in recovery (promoted?): not a standby"; exit 1; }
	[ "$2" = streaming ] || { echo "unhealthy: WAL receiver is '$2', not streaming from $primary"; exit 1; }
	[ "$3" -ge 0 ] || { echo "unhealthy: nothing replayed yet"; exit 1; }
	[ "$3" -le "$max" ] || { echo "unhealthy: ${3} s behind the primary (bound PLANPIPE_REPLICA_MAX_LAG=$max s)"; exit 1; }
	echo "streaming from $primary; ${3} s and $4 bytes behind"
	exit 0
}

clone() {
	parent=$(dirname "$PGDATA")
	tmp="$parent/$(basename "$PGDATA").clone"
	rm -rf "$tmp"
	export PGPASSWORD="${POSTGRES_PASSWORD:-}"
	user=${POSTGRES_USER:-postgres}
	log "cloning $primary:$port into $PGDATA with pg_basebackup (slot $slot)"
	waited=0
	until pg_isready -q -h "$primary" -p "$port" -U "$user" -d postgres; do
		[ "$waited" -lt 120 ] || die "the primary $primary:$port did not answer within 120 s"
		sleep 1
		waited=$((waited + 1))
	done
	# A slot left by an earlier standby of this name (its volume removed)
	# would make pg_basebackup -C fail; an active one means a standby of
	# that name is running elsewhere: refuse.
	active=$(psql -X -w -q -A -t -h "$primary" -p "$port" -U "$user" -d postgres -c \
		"SELECT active FROM pg_replication_slots WHERE slot_name = '$slot'") ||
		die "cannot log in to the primary $primary:$port as $user"
	case "$active" in
	t) die "replication slot $slot on $primary is in use by another standby: give this one another PLANPIPE_REPLICA_SLOT" ;;
	f)
		log "dropping the stale replication slot $slot on $primary"
		psql -X -w -q -h "$primary" -p "$port" -U "$user" -d postgres \
			-c "SELECT pg_drop_replication_slot('$slot')" >/dev/null
		;;
	esac
	mkdir -m 700 "$tmp"
	if ! pg_basebackup -d "host=$primary port=$port user=$user application_name=$slot" \
		-D "$tmp" -X stream -C -S "$slot" -R --checkpoint=fast --no-password 2>"$tmp.err"; then
		err=$(cat "$tmp.err")
		rm -rf "$tmp" "$tmp.err"
		case "$err" in
		*"no pg_hba.conf entry for replication connection"*)
			die "the primary refuses replication connections: $err" \
				"Volumes initialised before the replica profile existed lack the line in the" \
				"primary's pg_hba.conf; add it and reload (docs/docker.md, \"Replica\"):" \
				"  docker compose exec db sh -c 'echo \"host replication all all scram-sha-256\" >>\"\$PGDATA/pg_hba.conf\"'" \
				"  docker compose exec db psql -U \"\$POSTGRES_USER\" -d postgres -c 'SELECT pg_reload_conf()'" ;;
		*) die "pg_basebackup from $primary:$port failed: $err" ;;
		esac
	fi
	rm -f "$tmp.err"
	[ -f "$tmp/standby.signal" ] || die "pg_basebackup wrote no standby.signal"
	rmdir "$PGDATA" 2>/dev/null || die "$PGDATA is not empty: not replacing it with the clone"
	mv "$tmp" "$PGDATA"
	sync "$parent" 2>/dev/null || true
	log "clone complete"
}

[ "${1:-}" != health ] || health

if [ -n "${POSTGRES_PASSWORD_FILE:-}" ] && [ -z "${POSTGRES_PASSWORD:-}" ]; then
	[ -r "$POSTGRES_PASSWORD_FILE" ] || die "POSTGRES_PASSWORD_FILE=$POSTGRES_PASSWORD_FILE: not readable"
	POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE")
	export POSTGRES_PASSWORD
	unset POSTGRES_PASSWORD_FILE
fi
: "${PGDATA:?PGDATA must be set (the image sets it)}"

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chown postgres:postgres "$(dirname "$PGDATA")" "$PGDATA" /var/run/postgresql
	chmod 700 "$PGDATA"
	exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	clone
fi
[ -f "$PGDATA/standby.signal" ] ||
	die "$PGDATA holds a cluster that is not a standby (no standby.signal): promoted earlier?" \
		"A promoted replica is a primary of its own now; remove its volume to clone $primary again."
exec /usr/local/bin/docker-entrypoint.sh postgres
