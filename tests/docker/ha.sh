#!/bin/sh
# The ha profile, with real containers: `make test`'s stage "docker-ha"
# (scripts/test.sh).
#
#   sh tests/docker/ha.sh            (as root, or with sudo for the set-up)
#
# One compose project (ppha-PID, or PP_HA_PROJECT) running etcd, pg-ha1 and
# pg-ha2 under Patroni with synchronous replication, haproxy in front, and
# ha-migrate and ha-api through it. Under a steady write load through the
# API (one story at a time, each acknowledged 201 noted), the leader's
# container is killed (SIGKILL): a new leader within 30 s, the API answering
# 2xx again within 10 s of that, and every story the API acknowledged is in
# the new leader's database. Prints the times measured. Removes every
# container, volume and network it made, whatever happens.
#
# Prints "N passed, N failed[, N skipped]"; exits 1 when anything failed.
# Environment: as tests/docker/pitr.sh (COMPOSE, PLANPIPE_DB_IMAGE,
# PLANPIPE_IMAGE, KEEP_WORKDIR), PLANPIPE_HA_IMAGE (planpipe/ha:15), and
# PP_HA_PROJECT.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
proj=${PP_HA_PROJECT:-ppha-$$}
stage=ha
ha_image=${PLANPIPE_HA_IMAGE:-planpipe/ha:15}
unset PLANPIPE_HA_DB_BIND PLANPIPE_HA_DB_PORT PLANPIPE_HA_API_PORT PLANPIPE_HA_SYNCHRONOUS \
	PLANPIPE_HA_TTL PLANPIPE_HA_REPLICATION_PASSWORD
. "$root/tests/docker/stage-lib.sh"
t0=$(now)
stage_setup etcd ha-migrate
{
	echo "PLANPIPE_HA_IMAGE=$ha_image"
	echo "PLANPIPE_HA_REPLICATION_PASSWORD=repl-$pw"
	echo "PLANPIPE_HA_DB_PORT="
	echo "PLANPIPE_HA_API_PORT="
} >>"$work/env"
cat >"$work/override.yaml" <<EOF
services:
  pg-ha1:
    restart: "no"
  pg-ha2:
    restart: "no"
EOF
ha="etcd pg-ha1 pg-ha2 haproxy ha-migrate ha-api"

# patroni NODE ARGS...: patronictl in NODE.
patroni() {
	p_node=$1
	shift
	docker exec -u postgres "$(cid "$p_node")" patronictl -c /var/lib/postgresql/patroni.yml "$@" 2>&1
}
# role NODE: "primary", "standby", or "" when it does not answer.
role() {
	docker exec "$(cid "$1")" psql -X -w -q -A -t -h /var/run/postgresql -U planpipe -d postgres \
		-c "SELECT CASE WHEN pg_is_in_recovery() THEN 'standby' ELSE 'primary' END" 2>/dev/null
}
api_url() { echo "http://$(docker port "$(cid ha-api)" 8080/tcp | head -n 1)"; }

up_ha() {
	started=1
	# shellcheck disable=SC2086 # $ha is a word list
	dc --profile ha up -d --no-build $ha >>"$work/compose.log" 2>&1 ||
		{ tail -n 20 "$work/compose.log" | sed 's/^/#   /'; return 1; }
	wait_healthy "$(cid ha-api)" 300 || {
		for s in pg-ha1 pg-ha2 haproxy ha-migrate ha-api; do note "$s: $(state "$(cid "$s")")"; done
		show "$(cid pg-ha1)"
		show "$(cid ha-migrate)"
		return 1
	}
	end=$(($(now) + 60))
	until list=$(patroni pg-ha1 list) && printf '%s\n' "$list" | grep -Eq "Sync Standby *\| *(running|streaming)"; do
		[ "$(now)" -lt "$end" ] || { note "no synchronous standby: $list"; return 1; }
		sleep 1
	done
	note "$(printf '%s\n' "$list" | grep -E 'pg-ha' | tr -s ' ' | tr '\n' ';')"
}
check "--profile ha: etcd, two Patroni nodes (a leader and a synchronous standby), haproxy, ha-migrate and ha-api" up_ha

token=""
project() {
	token=$(dc run --rm --no-deps -T -e PGHOST=haproxy cli user add ha-admin --admin 2>>"$work/compose.log") ||
		{ note "user add failed"; tail -n 5 "$work/compose.log" | sed 's/^/#   /'; return 1; }
	r=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
		-H 'Content-Type: application/json' --data '{"key": "HA", "name": "Failover"}' "$(api_url)/v1/projects")
	expect "POST /v1/projects" 201 "$r"
}
check "a user (cli through haproxy) and a project through ha-api" project

# load: one POST at a time until $work/stop exists; a line per request:
# "NANOSECONDS STATUS TITLE".
load() {
	url="$(api_url)/v1/projects/HA/stories"
	i=0
	while [ -d "$work" ] && [ ! -e "$work/stop" ]; do
		i=$((i + 1))
		code=$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' -X POST \
			-H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
			--data "{\"title\": \"load $i\"}" "$url")
		echo "$(date +%s%N) $code load $i" >>"$work/load"
	done
}

t_kill=0
t_leader=0
t_api=0
other=""
failover() {
	: >"$work/load"
	load &
	load_pid=$!
	sleep 4
	leader=""
	for n in pg-ha1 pg-ha2; do [ "$(role "$n")" = primary ] && leader=$n; done
	[ -n "$leader" ] || { note "no primary"; touch "$work/stop"; return 1; }
	other=pg-ha2
	[ "$leader" = pg-ha2 ] && other=pg-ha1
	acked_before=$(grep -c ' 201 ' "$work/load")
	t_kill=$(date +%s%N)
	docker kill "$(cid "$leader")" >/dev/null || { touch "$work/stop"; return 1; }
	note "killed the leader $leader after $acked_before acknowledged writes"
	end=$(($(now) + 60))
	until [ "$(role "$other")" = primary ]; do
		[ "$(now)" -lt "$end" ] || { note "$other never became primary"; show "$(cid "$other")"; touch "$work/stop"; return 1; }
		sleep 0.2
	done
	t_leader=$(date +%s%N)
	# The API answers 2xx again: the first 201 after the new leader.
	end=$(($(now) + 60))
	while :; do
		t_api=$(awk -v t="$t_leader" '$1 >= t && $2 == 201 { print $1; exit }' "$work/load")
		[ -z "$t_api" ] || break
		[ "$(now)" -lt "$end" ] || { note "no 201 after the failover"; show "$(cid ha-api)"; touch "$work/stop"; return 1; }
		sleep 0.2
	done
	sleep 3
	touch "$work/stop"
	wait "$load_pid"
	lead_ms=$(((t_leader - t_kill) / 1000000))
	api_ms=$(((t_api - t_leader) / 1000000))
	errors=$(awk -v k="$t_kill" '$1 >= k && $2 != 201' "$work/load" | wc -l)
	note "new leader $other ${lead_ms} ms after the kill; the API 2xx again ${api_ms} ms after that; $errors requests failed meanwhile"
	[ "$lead_ms" -le 30000 ] || { note "the new leader took longer than 30 s"; return 1; }
	[ "$api_ms" -le 10000 ] || { note "the API took longer than 10 s"; return 1; }
}
check "the leader killed under write load: a new leader within 30 s, the API 2xx again within 10 s of it" failover

no_loss() {
	grep ' 201 ' "$work/load" | sed 's/^[0-9]* 201 //' | sort >"$work/acked"
	docker exec "$(cid "$other")" psql -X -w -q -A -t -h /var/run/postgresql -U planpipe -d planpipe \
		-c "SELECT s.title FROM stories s JOIN projects p ON p.id = s.project_id WHERE p.key = 'HA'" 2>&1 |
		sort >"$work/stored"
	n=$(wc -l <"$work/acked")
	missing=$(comm -23 "$work/acked" "$work/stored" | wc -l)
	note "$n stories acknowledged with 201, $(wc -l <"$work/stored") stored on the new leader, $missing acknowledged but missing"
	[ "$n" -gt 0 ] && [ "$missing" -eq 0 ]
}
check "synchronous replication: every story the API acknowledged is on the new leader" no_loss

note "measured: new leader $(((t_leader - t_kill) / 1000000)) ms after the kill; the API 2xx $(((t_api - t_leader) / 1000000)) ms after the new leader"

down() {
	dc --profile ha down -v -t 30 >>"$work/compose.log" 2>&1 || return 1
	stage_down
}
check "down -v removes the ha profile's containers, volumes and network" down

stage_end
