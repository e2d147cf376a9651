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
# streams again after a restart without being cloned again. Then, with
# docker/compose.replica.yaml, the api reads from it: reports come from
# db-replica (its pg_stat_activity, the api's /metrics), writes go to db, a
# caller reads its own write at once, and with db-replica stopped reports
# still answer 200 from db while /metrics says why. Removes every
# container, volume and network it made, whatever happens.
#
# Prints "N passed, N failed[, N skipped]"; exits 1 when anything failed.
# Environment: as tests/docker/pitr.sh (COMPOSE, PLANPIPE_DB_IMAGE,
# PLANPIPE_IMAGE, KEEP_WORKDIR), and PP_STANDBY_PROJECT.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
proj=${PP_STANDBY_PROJECT:-ppstandby-$$}
stage=standby
. "$root/tests/docker/stage-lib.sh"
unset PLANPIPE_READ_DATABASE_URL PLANPIPE_READ_MAX_LAG
t0=$(now)
stage_setup db migrate pgbouncer api
cat >>"$work/override.yaml" <<'YAML'
  db-replica:
    restart: "no"
  api:
    restart: "no"
  pgbouncer:
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

# dcr ARGS...: compose with docker/compose.replica.yaml: the api reads from db-replica.
dcr() {
	# shellcheck disable=SC2086 # $COMPOSE is a word list
	timeout 300 $COMPOSE --env-file "$work/env" -p "$proj" -f "$root/compose.yaml" \
		-f "$root/docker/compose.replica.yaml" -f "$work/override.yaml" "$@"
}
# http METHOD PATH [BODY]: the api from the host, with $token; body in $body,
# status in $status, headers in $work/headers.
http() {
	set -- "$1" "$2" "${3:-}"
	if [ -n "$3" ]; then
		status=$(curl -s -m 30 -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$1" \
			-H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
			--data "$3" "$api_url$2")
	else
		status=$(curl -s -m 30 -o "$work/body" -D "$work/headers" -w '%{http_code}' -X "$1" \
			-H "Authorization: Bearer $token" "$api_url$2")
	fi
	body=$(cat "$work/body" 2>/dev/null)
}
# metric SERIES: its value in the api's /metrics, or -1.
metric() {
	curl -s -m 10 "$api_url/metrics" | awk -v s="$1" '
		index($0, s " ") == 1 { print $2; found = 1; exit }
		END { if (!found) print -1 }'
}
routed() { metric "planpipe_read_routed_total{target=\"$1\",reason=\"$2\"}"; }

api_url=""
token=""
api_reads() {
	dcr --profile replica up -d --no-build pgbouncer api >>"$work/compose.log" 2>&1 ||
		{ tail -n 20 "$work/compose.log" | sed 's/^/#   /'; return 1; }
	a=$(cid api)
	wait_healthy "$a" 120 || { note "state: $(state "$a")"; show "$a"; return 1; }
	port=$(docker port "$a" 8080/tcp | head -n 1 | sed 's/.*://')
	api_url="http://127.0.0.1:$port"
	cli user add reader --admin
	[ "$code" = 0 ] || { note "user add: $out"; return 1; }
	token=$(printf '%s\n' "$out" | grep '^pp_' | tail -n 1)
	end=$(($(now) + 30))
	until [ "$(metric planpipe_read_standby_in_use)" = 1 ]; do
		[ "$(now)" -lt "$end" ] || { note "the api never used db-replica"; show "$a"; return 1; }
		sleep 0.5
	done
	before=$(routed standby ok)
	http GET /v1/reports/status-summary
	expect "GET /v1/reports/status-summary" 200 "$status" || { note "$body"; return 1; }
	http GET /v1/stories
	expect "GET /v1/stories" 200 "$status" || { note "$body"; return 1; }
	expect "reads on the standby (planpipe_read_routed_total)" "$((before + 2))" \
		"$(routed standby ok)" || return 1
	expect "the api's connections on db-replica" 1 \
		"$(sql "SELECT count(*) > 0 FROM pg_stat_activity WHERE application_name = 'planpipe-api-read'" db-replica | sed 's/t/1/;s/f/0/')" || return 1
	note "lag as the api measured it: $(metric planpipe_read_standby_lag_seconds) s"
}
check "with docker/compose.replica.yaml the api runs reports and the cross-project list on db-replica" api_reads

api_writes() {
	http POST /v1/projects '{"key":"RYW","name":"Read your writes"}'
	expect "POST /v1/projects" 201 "$status" || { note "$body"; return 1; }
	grep -qi '^PlanPipe-LSN: [0-9A-F]*/[0-9A-F]*' "$work/headers" ||
		{ note "no PlanPipe-LSN header: $(cat "$work/headers")"; return 1; }
	expect "the project on db" 1 "$(sql "SELECT count(*) FROM projects WHERE key = 'RYW'")" || return 1
	http POST /v1/projects/RYW/stories '{"key":"RYW-1","title":"Seen at once"}'
	expect "POST a story" 201 "$status" || { note "$body"; return 1; }
	http GET '/v1/stories?project=RYW'
	expect "GET /v1/stories?project=RYW right after the write" 200 "$status" || return 1
	case "$body" in
	*RYW-1*) ;;
	*) note "the write was not read back: $body"; return 1 ;;
	esac
	note "reads sent to db because of the caller's own write so far: $(routed primary read_your_writes)"
}
check "writes go to db; the writer reads its own write at once (PlanPipe-LSN, read-your-writes)" api_writes

api_fallback() {
	# The writer of the check above reads on db until db-replica has replayed
	# its write (read-your-writes, counted as such, not as a fallback): read
	# until that is over, so that the reads below count why db-replica is
	# not used once it is stopped, whatever the probe's timing.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		http GET /v1/reports/status-summary
		[ "$(metric planpipe_read_tokens_tracked)" = 0 ] && break
		sleep 0.5
	done
	expect "tokens whose write db-replica may not have replayed, before the stop" 0 \
		"$(metric planpipe_read_tokens_tracked)" || return 1
	dc --profile replica stop -t 30 db-replica >>"$work/compose.log" 2>&1 || return 1
	for _ in 1 2 3 4 5; do
		http GET /v1/reports/status-summary
		expect "GET /v1/reports/status-summary with db-replica stopped" 200 "$status" ||
			{ note "$body"; return 1; }
	done
	# A failed read marks the standby down at once, the probe within a
	# second or two: wait for it rather than race it.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ "$(metric planpipe_read_standby_in_use)" = 0 ] && break
		sleep 0.5
	done
	expect "planpipe_read_standby_in_use with db-replica stopped" 0 \
		"$(metric planpipe_read_standby_in_use)" || return 1
	fell=$(($(routed primary down | cut -d. -f1) + $(routed primary failed | cut -d. -f1) + \
		$(routed primary stale | cut -d. -f1)))
	[ "$fell" -ge 5 ] || { note "fallbacks counted: $fell"; return 1; }
	note "fallbacks: down $(routed primary down), failed $(routed primary failed), stale $(routed primary stale)"
}
check "db-replica stopped: reports still 200 from db, /metrics counts the fallback" api_fallback

down() {
	dc --profile replica down -v -t 30 >>"$work/compose.log" 2>&1 || return 1
	stage_down
}
check "down -v removes db, db-replica, their volumes and the network" down

note "measured: replay of a commit ${replay_ms:-?} ms"
stage_end
