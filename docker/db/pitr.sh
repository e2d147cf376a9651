#!/bin/sh
# planpipe-pitr: point-in-time recovery with pgBackRest, inside the db
# container (installed as /usr/local/bin/planpipe-pitr), as postgres.
#
#   planpipe-pitr backup [--type full|diff|incr]
#   planpipe-pitr restore --time 'YYYY-MM-DD HH:MM:SS[.ffffff]+00' [--no-switch]
#   planpipe-pitr restore --lsn X/Y [--no-switch]
#   planpipe-pitr info
#
# `planpipe backup --pitr` and `planpipe restore --to-time/--to-lsn` run it
# through the server (COPY ... FROM PROGRAM, as the superuser) with --copy
# first: then standard error goes to standard output, and the last line is
# "planpipe-pitr: exit N" while the program itself exits 0, so the caller
# gets every message whatever happened. `docker compose exec -u postgres db
# planpipe-pitr ...` runs it by hand.
#
# backup: creates the stanza if needed, runs a pgBackRest backup (full when
# there is none yet) and prints the repository's backups.
#
# restore: makes sure the newest WAL is in the repository (pgbackrest check:
# a WAL switch on the running server, waited for), restores the newest
# backup before the target into a new directory beside PGDATA
# (PGDATA.pitr-STAMP, same volume), and verifies it: a private server (unix
# socket in a temporary directory, no TCP, archiving off) replays the WAL
# to the target and is promoted; it must end recovery at the target (not
# before it: PostgreSQL refuses to promote when the WAL ends first), and
# every database must answer a query. The recovery settings are removed,
# the server stopped cleanly, and a file pitr-verified written into the
# directory. Only then, unless --no-switch, the file pitr-switch beside
# PGDATA names it: the entrypoint puts it in place of PGDATA at the next
# start of the container (docker/db/pitr-switch.sh). Any failure removes
# the new directory; the running cluster is never touched.
#
# Environment: PGDATA, PG_MAJOR, the PGBACKREST_* variables (the image's
# and compose's), PLANPIPE_PITR_VERIFY_TIMEOUT (seconds for the replay,
# default 900).
set -u

copy=0
if [ "${1:-}" = --copy ]; then
	copy=1
	shift
	exec 2>&1
fi

finish() {
	if [ "$copy" = 1 ]; then
		echo "planpipe-pitr: exit $1"
		exit 0
	fi
	exit "$1"
}

say() { echo "$*"; }
fail() {
	echo "planpipe-pitr: error: $*"
	finish "${fail_status:-1}"
}
usage() {
	fail_status=2
	fail "$1 (usage: planpipe-pitr backup [--type full|diff|incr] | restore --time TIMESTAMP|--lsn LSN [--no-switch] | info)"
}

: "${PGDATA:?PGDATA is not set}"
export PGBACKREST_PG1_USER="${PGBACKREST_PG1_USER:-${POSTGRES_USER:-postgres}}"
parent=$(dirname "$PGDATA")
base=$(basename "$PGDATA")

do_backup() {
	type=full
	while [ $# -gt 0 ]; do
		case "$1" in
		--type)
			[ $# -ge 2 ] || usage "--type needs a value"
			type=$2
			shift 2
			;;
		*) usage "unknown argument '$1'" ;;
		esac
	done
	case "$type" in full | diff | incr) ;; *) usage "--type $type is not full, diff or incr" ;; esac
	pgbackrest stanza-create || fail "pgbackrest stanza-create failed (repository ${PGBACKREST_REPO1_PATH:-?}, stanza ${PGBACKREST_STANZA:-?})"
	t0=$(date +%s)
	# A diff or incr without a full backup to build on becomes a full one
	# (pgBackRest says so in a warning).
	pgbackrest backup --type="$type" || fail "pgbackrest backup --type=$type failed"
	say "backup done in $(($(date +%s) - t0)) s (--type $type), repository ${PGBACKREST_REPO1_PATH:-?}, stanza ${PGBACKREST_STANZA:-?}"
	pgbackrest info || fail "pgbackrest info failed"
	finish 0
}

verify_pid=""
new_dir=""
sock=""
cleanup_restore() {
	if [ -n "$verify_pid" ]; then
		pg_ctl -D "$new_dir" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
		verify_pid=""
	fi
	[ -z "$new_dir" ] || rm -rf "$new_dir"
	[ -z "$sock" ] || rm -rf "$sock"
}

rfail() {
	[ -z "${vlog:-}" ] || [ ! -s "$vlog" ] || {
		echo "planpipe-pitr: the last lines of the verifying server's log ($vlog):"
		tail -n 15 "$vlog" | sed 's/^/  /'
	}
	cleanup_restore
	fail "$*; the running cluster was not changed"
}

# psql_v SQL [DB]: a query on the verifying server; unaligned, tuples only.
psql_v() {
	psql -X -w -q -A -t -v ON_ERROR_STOP=1 -h "$sock" -p 5432 -U "$PGBACKREST_PG1_USER" \
		-d "${2:-postgres}" -c "$1"
}

do_restore() {
	kind=""
	target=""
	switch=1
	while [ $# -gt 0 ]; do
		case "$1" in
		--time | --lsn)
			[ -z "$kind" ] || usage "give one of --time and --lsn"
			[ $# -ge 2 ] || usage "$1 needs a value"
			kind=${1#--}
			target=$2
			shift 2
			;;
		--no-switch)
			switch=0
			shift
			;;
		*) usage "unknown argument '$1'" ;;
		esac
	done
	[ -n "$kind" ] || usage "restore needs --time or --lsn"
	# The target reaches pgbackrest's command line and postgresql.auto.conf:
	# only the characters of a timestamp or an LSN.
	case "$kind" in
	time)
		printf '%s' "$target" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?([+-][0-9]{2}(:?[0-9]{2})?|Z)?$' ||
			usage "--time '$target' is not a timestamp like 2024-01-05 09:14:00+00"
		;;
	lsn)
		printf '%s' "$target" | grep -Eq '^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$' ||
			usage "--lsn '$target' is not an LSN like 0/16B3748"
		;;
	esac
	[ ! -e "$parent/pitr-switch" ] ||
		fail "a restore is already waiting to be switched in ($(cat "$parent/pitr-switch")): restart the db container to use it, or remove $parent/pitr-switch"

	t0=$(date +%s)
	# The WAL up to now into the repository: switches to a new segment on
	# the running server and waits until it is archived.
	pgbackrest check || fail "pgbackrest check failed: the WAL archive is not working, so the restore could miss the latest writes"

	stamp=$(date -u +%Y%m%dT%H%M%SZ)
	new_dir="$parent/$base.pitr-$stamp"
	vlog="$parent/$base.pitr-$stamp.log"
	mkdir -m 700 "$new_dir" || { new_dir=""; fail "cannot create $parent/$base.pitr-$stamp"; }
	say "restoring into $new_dir, target $kind $target"
	# promote: a new timeline once the target is reached; the restored
	# cluster then takes writes (and archives them) when switched in.
	pgbackrest restore --pg1-path="$new_dir" --type="$kind" --target="$target" \
		--target-action=promote ||
		rfail "pgbackrest restore failed"
	t_restore=$(($(date +%s) - t0))

	sock=$(mktemp -d /tmp/planpipe-pitr.XXXXXX) || rfail "cannot create a socket directory"
	say "verifying: replaying the WAL up to the target in a private server"
	# Archiving off: this copy must not push WAL into the repository before
	# it is switched in (its own timeline would be in the archive for good).
	# PGBACKREST_PG1_PATH: archive-get, run by its restore_command.
	PGBACKREST_PG1_PATH="$new_dir" pg_ctl -D "$new_dir" -l "$vlog" -w -t 120 \
		-o "-c archive_mode=off -c listen_addresses='' -c port=5432 -c unix_socket_directories=$sock -c shared_buffers=128MB -c log_min_duration_statement=-1" \
		start >/dev/null || rfail "the verifying server did not start"
	verify_pid=$(head -n 1 "$new_dir/postmaster.pid" 2>/dev/null)
	waited=0
	limit=${PLANPIPE_PITR_VERIFY_TIMEOUT:-900}
	while :; do
		r=$(psql_v 'SELECT pg_is_in_recovery()' 2>&1)
		[ "$r" = f ] && break
		kill -0 "$verify_pid" 2>/dev/null || { verify_pid=""; rfail "the verifying server stopped during recovery"; }
		[ "$waited" -lt "$limit" ] || rfail "recovery did not finish within PLANPIPE_PITR_VERIFY_TIMEOUT=$limit s"
		sleep 1
		waited=$((waited + 1))
	done
	stop_line=$(grep -E 'recovery stopping (before|after)|recovery stopping at' "$vlog" | tail -n 1 | sed 's/.*LOG: *//')
	[ -n "$stop_line" ] || rfail "the server ended recovery without reaching the target"
	last_line=$(grep -E 'last completed transaction was at log time' "$vlog" | tail -n 1 | sed 's/.*LOG: *//')
	say "  $stop_line"
	[ -z "$last_line" ] || say "  $last_line"

	dbs=$(psql_v "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1") ||
		rfail "cannot list the databases"
	for db in $dbs; do
		n=$(psql_v "SELECT count(*) FROM pg_class" "$db") || rfail "database $db does not answer"
		v=""
		if [ "$(psql_v "SELECT to_regclass('public.planpipe_schema_migrations') IS NOT NULL" "$db")" = t ]; then
			v=$(psql_v "SELECT 'planpipe schema version ' || coalesce(max(version), 0) FROM public.planpipe_schema_migrations" "$db") ||
				rfail "database $db: cannot read its schema version"
		fi
		say "  database $db answers: $n relations${v:+, $v}"
	done
	# pgbackrest restore wrote them into postgresql.auto.conf; once in use,
	# the cluster must not carry this restore's target or archive-get.
	for setting in restore_command recovery_target_time recovery_target_lsn \
		recovery_target_action recovery_target_timeline recovery_target; do
		psql_v "ALTER SYSTEM RESET $setting" >/dev/null ||
			rfail "cannot remove the recovery setting $setting"
	done
	tl=$(psql_v "SELECT timeline_id FROM pg_control_checkpoint()") || tl="?"
	pg_ctl -D "$new_dir" -m fast -w -t 120 stop >/dev/null || rfail "the verifying server did not stop cleanly"
	verify_pid=""
	rm -rf "$sock"
	sock=""
	rm -f "$vlog"
	{
		echo "target: $kind $target"
		echo "verified: $(date -u '+%Y-%m-%dT%H:%M:%SZ')"
		echo "recovery: $stop_line"
		echo "timeline: $tl"
	} >"$new_dir/pitr-verified" || rfail "cannot write $new_dir/pitr-verified"
	sync "$new_dir/pitr-verified" "$new_dir" 2>/dev/null || true
	took=$(($(date +%s) - t0))
	say "restored and verified in $took s (restore $t_restore s, replay and checks $((took - t_restore)) s): $new_dir, timeline $tl"
	if [ "$switch" = 1 ]; then
		printf '%s\n' "$base.pitr-$stamp" >"$parent/pitr-switch.tmp" &&
			mv "$parent/pitr-switch.tmp" "$parent/pitr-switch" ||
			rfail "cannot write $parent/pitr-switch"
		sync "$parent" 2>/dev/null || true
		say "switch pending: the next start of the db container puts it in place of $PGDATA (the current cluster is kept beside it)"
	else
		say "not switched (--no-switch): to use it, write '$base.pitr-$stamp' into $parent/pitr-switch and restart the db container"
	fi
	new_dir=""
	finish 0
}

[ $# -gt 0 ] || usage "what? backup, restore or info"
cmd=$1
shift
case "$cmd" in
backup) do_backup "$@" ;;
restore) do_restore "$@" ;;
info)
	pgbackrest info || fail "pgbackrest info failed"
	finish 0
	;;
*) usage "unknown command '$cmd'" ;;
esac
