#!/bin/sh
# The replica profile, with real containers: `make test`'s stage
# "docker-standby" (scripts/test.sh).
#
#   sh tests/docker/standby.sh       (as root, or with sudo for the set-up)
#
# One compose project (ppstandby-PID, or PP_STANDBY_PROJECT): db, migrate,
# then `--profile replica up` adds db-replica, a streaming hot standby
# cloned from db with pg_basebackup. Checks that it comes up healthy by its
# own healthcheck (in recovery, streaming, lag bounded), that `planpipe
# health` sees it from both sides, that it replays a write made on the
# primary (and how long that took), that it refuses writes, and that it
# streams again after a restart without being cloned again. Removes every
# container, volume and network it made, whatever happens.
#
# Prints "N passed, N failed[, N skipped]"; exits 1 when anything failed.
# Environment: as tests/docker/pitr.sh (COMPOSE, PLANPIPE_DB_IMAGE,
# PLANPIPE_IMAGE, KEEP_WORKDIR), and PP_STANDBY_PROJECT.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
proj=${PP_STANDBY_PROJECT:-ppstandby-$$}
work=$(mktemp -d /tmp/planpipe-standby-test.XXXXXX)
. "$root/tests/docker/stage-lib.sh"
t0=$(now)
stage_setup db migrate
cat >>"$work/override.yaml" <<'YAML'
  db-replica:
    restart: "no"
YAML

check "db and migrate come up; migrate exits 0" stack_up db migrate

replica_up() {
	dc --profile replica up -d --no-build db-replica >>"$work/compose.log" 2>&1 ||
		{ tail -n 20 "$work/compose.log" | sed 's/^/#   /'; return 1; }
	r=$(cid db-replica)
	wait_healthy "$r" 240 || { note "state: $(state "$r")"; show "$r"; return 1; }
	docker logs "$r" 2>&1 | grep -q "clone complete" || { show "$r"; return 1; }
	hc=$(docker exec "$r" planpipe-replica health) || { note "$hc"; return 1; }
	note "db-replica's healthcheck: $hc"
	expect "in recovery" t "$(sql 'SELECT pg_is_in_recovery()' db-replica)"
}
check "--profile replica: db-replica clones db and is healthy (in recovery, streaming, lag bounded)" replica_up

primary_sees() {
	got=$(sql "SELECT application_name || ' ' || state || ' ' || sync_state FROM pg_stat_replication")
	expect "pg_stat_replication on db" "replica1 streaming async" "$got" || return 1
	got=$(sql "SELECT slot_name || ' ' || active FROM pg_replication_slots")
	expect "replication slot on db" "replica1 true" "$got" || return 1
	cli health
	case "$out" in
	*replicas*"1 streaming"*) ;;
	*) note "health on db said ($code): $out"; return 1 ;;
	esac
}
check "db streams to it through slot replica1; planpipe health on db counts 1 streaming replica" primary_sees

replica_health() {
	out=$(dc run --rm -T -e PGHOST=db-replica cli health --replica 2>&1)
	code=$?
	note "$(printf '%s\n' "$out" | grep -E 'replication_lag|recovery' | tr -s ' ' | tr '\n' ';')"
	case "$out" in
	*replication_lag*"s and"*"bytes behind the primary"*) ;;
	*) note "health --replica on db-replica said ($code): $out"; return 1 ;;
	esac
	printf '%s\n' "$out" | grep -E 'replication_lag' | grep -qiv 'critical'
}
check "planpipe health --replica on db-replica reports its replication lag" replica_health

replay_ms=""
replays() {
	r=$(sql "CREATE TABLE standby_probe (n int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())") ||
		{ note "$r"; return 1; }
	t=$(date +%s%N)
	r=$(sql "INSERT INTO standby_probe (n) VALUES (1) RETURNING n") || { note "$r"; return 1; }
	end=$(($(now) + 20))
	until [ "$(sql 'SELECT count(*) FROM standby_probe WHERE n = 1' db-replica)" = 1 ]; do
		[ "$(now)" -lt "$end" ] || { note "the row never reached db-replica"; show "$(cid db-replica)"; return 1; }
		sleep 0.1
	done
	replay_ms=$((($(date +%s%N) - t) / 1000000))
	note "a commit on db was readable on db-replica ${replay_ms} ms later (polling every 0.1 s, docker exec included)"
}
check "a write on db is replayed on db-replica" replays

read_only() {
	r=$(sql "INSERT INTO standby_probe (n) VALUES (2)" db-replica)
	case "$r" in
	*"cannot execute INSERT in a read-only transaction"*) ;;
	*) note "an insert on db-replica said: $r"; return 1 ;;
	esac
}
check "db-replica refuses writes (hot standby, read-only)" read_only

restart() {
	r=$(cid db-replica)
	clones=$(docker logs "$r" 2>&1 | grep -c 'cloning db')
	dc --profile replica restart -t 60 db-replica >>"$work/compose.log" 2>&1 || return 1
	wait_healthy "$r" 120 || { show "$r"; return 1; }
	expect "clones in db-replica's log after a restart" "$clones" \
		"$(docker logs "$r" 2>&1 | grep -c 'cloning db')" || { show "$r"; return 1; }
	r2=$(sql "INSERT INTO standby_probe (n) VALUES (3) RETURNING n") || { note "$r2"; return 1; }
	end=$(($(now) + 20))
	until [ "$(sql 'SELECT count(*) FROM standby_probe' db-replica)" = 2 ]; do
		[ "$(now)" -lt "$end" ] || { note "the row written after the restart never arrived"; return 1; }
		sleep 0.2
	done
}
check "after a restart db-replica streams again from its slot, without a new clone" restart

down() {
	dc --profile replica down -v -t 30 >>"$work/compose.log" 2>&1 || return 1
	stage_down
}
check "down -v removes db, db-replica, their volumes and the network" down

note "measured: replay of a commit ${replay_ms:-?} ms"
stage_end
