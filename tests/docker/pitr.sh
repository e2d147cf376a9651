#!/bin/sh
# The point-in-time recovery drill, with real containers: `make test`'s
# stage "docker-pitr" (scripts/test.sh).
#
#   sh tests/docker/pitr.sh          (as root, or with sudo for the set-up)
#
# One compose project (pppitr-PID, or PP_PITR_PROJECT): db, migrate and the
# cli service of compose.yaml. The db image archives every WAL segment to
# its pgBackRest repository (a volume); `cli backup --pitr` takes a base
# backup; rows are written, the time recorded, more rows written, changed
# and deleted; `cli restore --to-time` restores to the recorded time into a
# new data directory and verifies it; the db container's restart switches
# it in, and exactly the rows written before the time are there. On the way
# it measures the recovery point (how long a commit waits to be archived)
# and the recovery time (restore, verification, restart), and checks that
# bad targets are refused and a failed restore changes nothing. Removes
# every container, volume and network it made, whatever happens.
#
# Prints "N passed, N failed[, N skipped]"; exits 1 when anything failed.
#
# Environment (optional):
#   COMPOSE            the compose command (`docker compose` if it works,
#                      else `docker-compose`)
#   PLANPIPE_DB_IMAGE, PLANPIPE_IMAGE
#                      the image tags to build and use (default
#                      planpipe/db:15 and planpipe/planpipe:latest, as
#                      tests/docker/run.sh); other tags leave those alone
#   PP_PITR_PROJECT    the compose project name (pppitr-PID)
#   KEEP_WORKDIR       1: keep the temporary directory with the logs
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
proj=${PP_PITR_PROJECT:-pppitr-$$}
stage=pitr
. "$root/tests/docker/stage-lib.sh"
t0=$(now)
stage_setup db migrate

# ---------------------------------------------------------------------------

check "db (with pgBackRest) and migrate come up; migrate exits 0" stack_up db migrate

archiving() {
	end=$(($(now) + 90))
	while :; do
		n=$(sql "SELECT archived_count FROM pg_stat_archiver")
		[ "${n:-0}" -gt 0 ] 2>/dev/null && break
		[ "$(now)" -lt "$end" ] || { note "nothing archived: $n"; show "$(cid)"; return 1; }
		sleep 1
	done
	info=$(docker exec -u postgres "$(cid)" pgbackrest info 2>&1)
	case "$info" in
	*"stanza: planpipe"*"status: error (no valid backups)"* | *"stanza: planpipe"*"status: ok"*) ;;
	*) note "pgbackrest info: $info"; return 1 ;;
	esac
	note "segments archived: $n; the stanza was created by the archive command"
}
check "WAL is archived to the pgBackRest repository from the first start, stanza made by itself" archiving

t_backup=0
pitr_backup() {
	t=$(now)
	cli backup --pitr
	t_backup=$(($(now) - t))
	expect "exit status of backup --pitr" 0 "$code" || { note "$out"; return 1; }
	case "$out" in
	*"backup done in"*"full backup: "*) ;;
	*) note "said: $out"; return 1 ;;
	esac
	note "backup --pitr took ${t_backup}s: $(printf '%s\n' "$out" | grep -E 'full backup:|database size' | tr -s ' ' | tr '\n' ';')"
}
check "cli backup --pitr takes a full pgBackRest backup through the server" pitr_backup

# The drill's data: 100 rows in 10 transactions (batch A); then, after the
# recorded time, 50 more rows, an update and a delete of A's rows (batch B).
state_sql="SELECT count(*) || ' ' || md5(string_agg(n || ':' || v, ',' ORDER BY n)) FROM drill"
target=""
state_a=""
writes() {
	r=$(sql "CREATE TABLE drill (n int PRIMARY KEY, v text NOT NULL)") || { note "$r"; return 1; }
	i=0
	while [ "$i" -lt 10 ]; do
		r=$(sql "INSERT INTO drill SELECT g, 'a' || g FROM generate_series($((i * 10 + 1)), $((i * 10 + 10))) g") ||
			{ note "$r"; return 1; }
		i=$((i + 1))
	done
	state_a=$(sql "$state_sql")
	sleep 1
	# The moment an operator would note ("just before the mistake").
	target=$(sql "SELECT now()")
	sleep 1
	r=$(sql "INSERT INTO drill SELECT g, 'b' || g FROM generate_series(101, 150) g") || { note "$r"; return 1; }
	r=$(sql "UPDATE drill SET v = 'changed' WHERE n <= 10") || { note "$r"; return 1; }
	r=$(sql "DELETE FROM drill WHERE n BETWEEN 50 AND 59") || { note "$r"; return 1; }
	state_b=$(sql "$state_sql")
	expect "rows after batch B" 140 "${state_b%% *}" || return 1
	note "target $target; before it: $state_a; now: $state_b"
}
check "drill writes: 100 rows, the time recorded, then 50 more rows, an update and a delete" writes

# The recovery point when the server is lost with its disk: how long the
# last commit waits until its WAL segment is in the repository
# (archive_timeout = 60s bounds it on a quiet server).
rpo_s=""
rpo() {
	seg=$(sql "SELECT pg_walfile_name(pg_current_wal_lsn())")
	t=$(now)
	end=$((t + 90))
	while :; do
		last=$(sql "SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")
		# Same timeline: the names sort as the WAL does.
		if [ -n "$last" ] && [ ! "$last" \< "$seg" ]; then break; fi
		[ "$(now)" -lt "$end" ] || { note "segment $seg not archived after 90 s (last: $last)"; return 1; }
		sleep 1
	done
	rpo_s=$(($(now) - t))
	note "RPO measured: the last commit's segment $seg was archived ${rpo_s}s later (archive_timeout 60s)"
	[ "$rpo_s" -le 75 ]
}
check "the last commit reaches the WAL archive within archive_timeout (the recovery point)" rpo

bad_targets() {
	cli restore --to-time "not a time"
	expect "exit status for a bad --to-time" 2 "$code" || { note "$out"; return 1; }
	case "$out" in
	*"--to-time 'not a time' is not valid"*22007*) ;;
	*) note "said: $out"; return 1 ;;
	esac
	cli restore --to-time "2999-01-01 00:00:00+00"
	expect "exit status for a future --to-time" 2 "$code" || { note "$out"; return 1; }
	case "$out" in *"is in the future"*) ;; *) note "said: $out"; return 1 ;; esac
	cli restore --to-lsn "0/XYZ"
	expect "exit status for a bad --to-lsn" 2 "$code" || { note "$out"; return 1; }
	case "$out" in *"--to-lsn '0/XYZ' is not valid"*) ;; *) note "said: $out"; return 1 ;; esac
	cli restore --to-time "$target" --to-lsn 0/1
	expect "exit status for both targets" 2 "$code" || { note "$out"; return 1; }
	cli restore /backups/x --to-time "$target"
	expect "exit status for a backup directory with --to-time" 2 "$code" || { note "$out"; return 1; }
}
check "restore refuses a bad or future --to-time, a bad --to-lsn, both at once, and a directory with them" bad_targets

# A time before the only base backup's end: no consistent state that early.
failed_restore() {
	early=$(sql "SELECT pg_postmaster_start_time() - interval '1 hour'")
	cli restore --to-time "$early"
	expect "exit status of a restore to before the first backup" 2 "$code" || { note "$out"; return 1; }
	case "$out" in
	*"the running cluster was not changed"*) ;;
	*) note "said: $out"; return 1 ;;
	esac
	left=$(docker exec "$(cid)" sh -c 'cd /var/lib/postgresql/data && ls -d 15.pitr-* pitr-switch 2>/dev/null | grep -v "\.log$"')
	expect "restore directories or switch left behind" "" "$left" || return 1
	expect "live rows after the failed restore" 140 "$(sql 'SELECT count(*) FROM drill')"
}
check "a restore to before the first backup fails, removes its directory, leaves the cluster alone" failed_restore

t_restore=0
restore() {
	t=$(now)
	cli restore --to-time "$target"
	t_restore=$(($(now) - t))
	expect "exit status of restore --to-time" 0 "$code" || { note "$out"; return 1; }
	case "$out" in
	*"recovery stopping before commit"*"restored and verified in"*"switch pending"*) ;;
	*) note "said: $out"; return 1 ;;
	esac
	note "restore --to-time took ${t_restore}s: $(printf '%s\n' "$out" | grep -E 'recovery stopping|restored and verified' | tr -s ' ' | tr '\n' ';')"
	# Nothing switched yet: the live cluster still has batch B.
	expect "live rows before the switch" 140 "$(sql 'SELECT count(*) FROM drill')"
}
check "cli restore --to-time restores and verifies into a new data directory; the live cluster is untouched" restore

t_switch=0
switch() {
	t=$(now)
	dc restart -t 60 db >>"$work/compose.log" 2>&1 || return 1
	wait_healthy "$(cid)" 120 || { show "$(cid)"; return 1; }
	t_switch=$(($(now) - t))
	docker logs "$(cid)" 2>&1 | grep -q "point-in-time restore: 15.pitr-.* is now /var/lib/postgresql/data/15" ||
		{ show "$(cid)"; return 1; }
	got=$(sql "$state_sql")
	expect "rows and checksum after the switch (batch A exactly)" "$state_a" "$got" || return 1
	v=$(sql "SELECT max(version) FROM planpipe_schema_migrations")
	note "after the switch: $got, schema version $v; restart to healthy ${t_switch}s"
	kept=$(docker exec "$(cid)" sh -c 'ls -d /var/lib/postgresql/data/15.replaced-*')
	[ -n "$kept" ] || { note "the replaced cluster was not kept"; return 1; }
	cli migrate status
	expect "migrate status after the switch" 0 "$code" || { note "$out"; return 1; }
}
check "the db restart switches the restored cluster in: exactly the rows written before the time" switch

after_switch() {
	r=$(sql "INSERT INTO drill VALUES (1000, 'after the restore') RETURNING n") || { note "$r"; return 1; }
	expect "insert after the switch" 1000 "$r" || return 1
	r=$(docker exec -u postgres "$(cid)" pgbackrest check 2>&1) || { note "pgbackrest check: $r"; return 1; }
	cli backup --pitr --type incr
	expect "exit status of an incremental backup after the switch" 0 "$code" || { note "$out"; return 1; }
	case "$out" in *"incr backup: "*) ;; *) note "said: $out"; return 1 ;; esac
}
check "after the switch the cluster takes writes, archives its new timeline, and backs up (incr)" after_switch

note "measured: backup --pitr ${t_backup}s; RPO ${rpo_s:-?}s; RTO: restore and verify ${t_restore}s + restart to healthy ${t_switch}s = $((t_restore + t_switch))s"

check "down -v removes the project's containers, volumes (pgdata, pgbackrest) and network" stage_down

stage_end
