#!/bin/sh
# End-to-end tests of the `db` service: real images, real containers.
#
#   sh tests/docker/run.sh          (as root, or with sudo for the set-up)
#
# Installs what is missing (scripts/install-deps.sh docker), starts dockerd
# if none answers, makes debian:bookworm-slim when no registry has it,
# builds the db image through compose, then runs each scenario as its own
# compose project (named pptest-PID-x) and removes every container, volume
# and network it made, on success, failure or interrupt alike.
#
# Every wait is bounded; the only network traffic is between this host's
# loopback and the test containers (and to the Debian archive while the
# images build). Prints "N passed, N failed"; exits 1 when anything failed.
#
# Environment (optional):
#   COMPOSE       the compose command (default: `docker compose` if it
#                 works, else `docker-compose`)
#   KEEP_WORKDIR  1: keep the temporary directory with the logs
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
fixtures="$root/tests/docker/initdb"
image=planpipe/db:15
prefix="pptest-$$"

# Nothing from the caller's environment or .env may steer the stack under
# test: each project gets its own --env-file below.
unset POSTGRES_PASSWORD POSTGRES_PASSWORD_FILE POSTGRES_USER POSTGRES_DB \
	POSTGRES_INITDB_ARGS POSTGRES_HOST_AUTH_METHOD POSTGRES_PASSWORD_SECRET \
	PLANPIPE_DB_IMAGE PLANPIPE_DB_BIND PLANPIPE_DB_PORT PLANPIPE_DB_INITDB_DIR \
	PLANPIPE_DB_SHM_SIZE COMPOSE_FILE COMPOSE_PROJECT_NAME COMPOSE_PROFILES

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok $((passed + failed)) - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok $((passed + failed)) - $*"; }
note() { echo "# $*"; }
# check DESCRIPTION CMD...: one test.
check() {
	desc=$1
	shift
	check_t=$(now)
	if "$@"; then
		ok "$desc ($(($(now) - check_t))s)"
	else
		not_ok "$desc ($(($(now) - check_t))s)"
	fi
}
now() { date +%s; }

work=$(mktemp -d /tmp/planpipe-docker-test.XXXXXX)
projects=""
containers=""

cleanup() {
	for p in $projects; do
		dc "$p" down -v --remove-orphans -t 20 >>"$work/compose.log" 2>&1 || true
	done
	for c in $containers; do
		docker rm -f -v "$c" >/dev/null 2>&1 || true
	done
	if [ "${KEEP_WORKDIR:-0}" = 1 ]; then
		note "logs kept in $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# ---------------------------------------------------------------------------
# Helpers

# dc PROJECT ARGS...: compose for one test project, with its env file and
# override, bounded in time.
dc() {
	dc_p=$1
	shift
	dc_files="-f $root/compose.yaml"
	if grep -q '^POSTGRES_PASSWORD_SECRET=' "$work/$dc_p.env" 2>/dev/null; then
		dc_files="$dc_files -f $root/docker/compose.secrets.yaml"
	fi
	# shellcheck disable=SC2086 # $COMPOSE and $dc_files are word lists
	timeout 180 $COMPOSE --env-file "$work/$dc_p.env" -p "$dc_p" \
		$dc_files -f "$work/$dc_p.override.yaml" "$@"
}

# project NAME INITDB_DIR [VAR=VALUE...]: declares a test project.
project() {
	p="$prefix-$1"
	init=$2
	shift 2
	projects="$projects $p"
	{
		echo "PLANPIPE_DB_PORT="
		echo "PLANPIPE_DB_INITDB_DIR=$init"
		for kv in "$@"; do echo "$kv"; done
	} >"$work/$p.env"
	# Failures must be seen, not retried by Docker.
	cat >"$work/$p.override.yaml" <<-EOF
	services:
	  db:
	    restart: "no"
	EOF
}

# up PROJECT: starts the project's db (already built), logs to compose.log.
up() { dc "$1" up -d --no-build >>"$work/compose.log" 2>&1; }

# cid PROJECT: the db container's id (also when it has exited).
cid() {
	docker ps -aq --filter "label=com.docker.compose.project=$1" \
		--filter label=com.docker.compose.service=db \
		--filter label=com.docker.compose.oneoff=False | head -n 1
}

state() { docker inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1" 2>/dev/null; }

# wait_healthy CONTAINER SECONDS: 0 once healthy, 1 on exit or timeout.
wait_healthy() {
	end=$(($(now) + $2))
	while [ "$(now)" -lt "$end" ]; do
		case "$(state "$1")" in
		"running healthy") return 0 ;;
		exited* | dead* | "") return 1 ;;
		esac
		sleep 1
	done
	return 1
}

# wait_exit CONTAINER SECONDS: prints the exit code; 1 on timeout.
wait_exit() { timeout "$2" docker wait "$1" 2>/dev/null; }

# wait_log CONTAINER TEXT SECONDS: 0 once TEXT is in the container's log.
wait_log() {
	end=$(($(now) + $3))
	while [ "$(now)" -lt "$end" ]; do
		docker logs "$1" 2>&1 | grep -qF -- "$2" && return 0
		sleep 0.5
	done
	return 1
}

logs_have() { docker logs "$1" 2>&1 | grep -qF -- "$2"; }
logs_count() { docker logs "$1" 2>&1 | grep -cF -- "$2"; }

# show CONTAINER: the end of its log, for a failed check.
show() {
	note "--- last lines of $1's log:"
	docker logs "$1" 2>&1 | tail -n 25 | sed 's/^/#   /'
}

# sql PROJECT USER PASSWORD DB SQL: runs SQL over TCP through the port the
# project published on the host's loopback, from a throwaway client
# container on the host's network; prints the unaligned result.
sql() {
	# docker, not compose: compose v1 is a Python program slow to start.
	addr=$(docker port "$(cid "$1")" 5432/tcp 2>/dev/null | head -n 1)
	timeout 30 docker run --rm --network host --no-healthcheck --entrypoint psql \
		-e PGPASSWORD="$3" -e PGCONNECT_TIMEOUT=5 "$image" \
		-X -w -q -A -t -v ON_ERROR_STOP=1 -h "${addr%:*}" -p "${addr##*:}" \
		-U "$2" -d "$4" -c "$5" 2>&1
}

# expect LABEL WANT GOT: compares, and tells the difference when it fails.
expect() {
	[ "$2" = "$3" ] && return 0
	note "$1: wanted '$2', got '$3'"
	return 1
}

# ---------------------------------------------------------------------------
# Set-up: every failure here ends the run.

setup_fail() {
	not_ok "set-up: $*"
	echo "$passed passed, $failed failed"
	exit 1
}

t0=$(now)
sh "$root/scripts/install-deps.sh" docker || setup_fail "install-deps docker"
sh "$root/scripts/start-dockerd.sh" || setup_fail "dockerd does not answer"
if [ -z "${COMPOSE:-}" ]; then
	if docker compose version >/dev/null 2>&1; then
		COMPOSE="docker compose"
	else
		COMPOSE=docker-compose
	fi
fi
note "compose: $($COMPOSE version 2>/dev/null | head -n 1)"
note "docker: $(docker version -f 'client {{.Client.Version}}, server {{.Server.Version}}' 2>/dev/null)"

t=$(now)
sh "$root/scripts/docker-base-image.sh" || setup_fail "making debian:bookworm-slim"
note "base image ready in $(($(now) - t))s"

t=$(now)
project build "$fixtures/once"
# shellcheck disable=SC2086 # $COMPOSE is a word list
if ! timeout 900 $COMPOSE --env-file "$work/$prefix-build.env" -p "$prefix-build" \
	-f "$root/compose.yaml" build db >"$work/build.log" 2>&1; then
	tail -n 30 "$work/build.log" | sed 's/^/#   /'
	setup_fail "building $image"
fi
note "db image built in $(($(now) - t))s; set-up took $(($(now) - t0))s"

# ---------------------------------------------------------------------------
# A: a normal stack with init scripts (one of them slow).

pw_a="pw-a-$$-$(date +%N)"
project a "$fixtures/once" POSTGRES_PASSWORD="$pw_a" POSTGRES_USER=pp_owner \
	POSTGRES_DB=planpipe_test
pa="$prefix-a"
note "A: $pa, init scripts $fixtures/once"
up "$pa" || { tail -n 20 "$work/compose.log"; setup_fail "compose up $pa"; }
ca=$(cid "$pa")

# (6) The slow init script runs: the healthcheck must fail meanwhile, while
# pg_isready on the temporary server's socket already says yes.
during_init() {
	wait_log "$ca" "running /docker-entrypoint-initdb.d/20-slow.sh" 60 ||
		{ note "the slow init script never started"; show "$ca"; return 1; }
	isready=$(docker exec "$ca" pg_isready -h /var/run/postgresql 2>&1)
	note "meanwhile pg_isready says: $isready"
	if hc=$(docker exec "$ca" docker-healthcheck 2>&1); then
		note "healthcheck passed during init: $hc"
		return 1
	fi
	note "meanwhile the healthcheck says: $hc"
	st=$(state "$ca")
	expect "container state during init" "running starting" "$st"
}
check "healthcheck fails while the init scripts run (6)" during_init

# (1) Healthy; a password login over TCP reaches POSTGRES_DB as POSTGRES_USER.
first_start() {
	wait_healthy "$ca" 120 || { note "state: $(state "$ca")"; show "$ca"; return 1; }
	got=$(sql "$pa" pp_owner "$pw_a" planpipe_test \
		"SELECT current_user || ' ' || current_database() || ' ' || current_setting('server_encoding')")
	expect "login" "pp_owner planpipe_test UTF8" "$got" || return 1
	addr=$(dc "$pa" port db 5432 2>/dev/null | tail -n 1)
	note "published on $addr"
	expect "published address" "127.0.0.1" "${addr%:*}"
}
check "stack healthy; TCP password login into POSTGRES_DB works; port on 127.0.0.1 only (1)" first_start

wrong_password() {
	got=$(sql "$pa" pp_owner "not-$pw_a" planpipe_test "SELECT 1")
	case "$got" in
	*"password authentication failed"*) return 0 ;;
	*) note "a wrong password got: $got"; return 1 ;;
	esac
}
check "a wrong password is refused over TCP" wrong_password

# (2) The init scripts ran once; nothing runs them again.
init_ran_once() {
	got=$(sql "$pa" pp_owner "$pw_a" planpipe_test "SELECT count(*) FROM init_runs")
	expect "init_runs rows" 1 "$got" || return 1
	got=$(sql "$pa" pp_owner "$pw_a" planpipe_test \
		"CREATE TABLE kept (v text); INSERT INTO kept VALUES ('written before restarts') RETURNING v")
	expect "insert" "written before restarts" "$got"
}
check "init scripts ran exactly once on the new volume (2)" init_ran_once

# (7) docker stop: fast and clean; the next start needs no recovery. A
# client stays connected meanwhile, as PgBouncer's pool does: a smart
# shutdown (Docker's default SIGTERM) would wait for it until the grace
# period ran out and the server was killed.
clean_stop() {
	docker exec -d "$ca" psql -X -U pp_owner -d planpipe_test -c "SELECT pg_sleep(300)" || return 1
	end=$(($(now) + 20))
	until [ "$(docker exec "$ca" psql -X -A -t -U pp_owner -d planpipe_test \
		-c "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%'" 2>/dev/null)" = 1 ]; do
		[ "$(now)" -lt "$end" ] || { note "the client session never showed up"; return 1; }
		sleep 0.5
	done
	before=$(logs_count "$ca" "database system is shut down")
	t=$(now)
	dc "$pa" stop db >>"$work/compose.log" 2>&1 || return 1
	took=$(($(now) - t))
	note "stop took ${took}s"
	[ "$took" -lt 20 ] || { note "stop took too long"; return 1; }
	code=$(docker inspect -f '{{.State.ExitCode}}' "$ca")
	expect "exit code after stop" 0 "$code" || { show "$ca"; return 1; }
	after=$(logs_count "$ca" "database system is shut down")
	expect "'database system is shut down' lines" "$((before + 1))" "$after" || { show "$ca"; return 1; }
	dc "$pa" start db >>"$work/compose.log" 2>&1 || return 1
	wait_healthy "$ca" 60 || { show "$ca"; return 1; }
	if logs_have "$ca" "not properly shut down" || logs_have "$ca" "redo starts"; then
		note "the start after stop did crash recovery"
		show "$ca"
		return 1
	fi
	got=$(sql "$pa" pp_owner "$pw_a" planpipe_test "SELECT count(*) FROM init_runs")
	expect "init_runs rows after stop/start" 1 "$got"
}
check "docker stop with a client connected: fast, clean shutdown; restart without recovery, init not re-run (7)" clean_stop

# (2) down (keeping the volume) and up: a new container, the same data, no init.
down_up() {
	dc "$pa" down -t 60 >>"$work/compose.log" 2>&1 || return 1
	docker volume inspect "${pa}_pgdata" >/dev/null 2>&1 ||
		{ note "volume ${pa}_pgdata is gone after down"; return 1; }
	up "$pa" || return 1
	ca=$(cid "$pa")
	wait_healthy "$ca" 60 || { show "$ca"; return 1; }
	if logs_have "$ca" "initialising" || logs_have "$ca" "initdb.d/"; then
		note "initialisation ran again on an existing volume"
		show "$ca"
		return 1
	fi
	if logs_have "$ca" "not properly shut down"; then
		note "down did not shut the server down cleanly"
		return 1
	fi
	got=$(sql "$pa" pp_owner "$pw_a" planpipe_test \
		"SELECT (SELECT count(*) FROM init_runs) || ' ' || (SELECT v FROM kept)")
	expect "after down/up" "1 written before restarts" "$got"
}
check "down + up keeps the data on the volume and does not re-run init (2)" down_up

# ---------------------------------------------------------------------------
# B: no password (3), and trust asked for explicitly.

project b "$fixtures/once"
pb="$prefix-b"
no_password() {
	up "$pb" || return 1
	cb=$(cid "$pb")
	code=$(wait_exit "$cb" 60) || { note "still running: $(state "$cb")"; return 1; }
	[ "$code" != 0 ] || { note "exited 0"; return 1; }
	logs_have "$cb" "no superuser password: refusing to start" || { show "$cb"; return 1; }
	note "exit $code: $(docker logs "$cb" 2>&1 | grep -F ERROR | head -n 1)"
	! logs_have "$cb" "initialising"
}
check "no password and no trust: exits non-zero with a clear message (3)" no_password

trust_mode() {
	name="$prefix-trust"
	containers="$containers $name"
	docker run -d --name "$name" -e POSTGRES_HOST_AUTH_METHOD=trust "$image" >/dev/null || return 1
	wait_healthy "$name" 90 || { show "$name"; return 1; }
}
check "POSTGRES_HOST_AUTH_METHOD=trust without a password starts and is healthy" trust_mode

# ---------------------------------------------------------------------------
# C: an init script fails (4).

project c "$fixtures/failing" POSTGRES_PASSWORD=pw-c
pc="$prefix-c"
failing_init() {
	up "$pc" || return 1
	cc=$(cid "$pc")
	code=$(wait_exit "$cc" 90) || { note "still running: $(state "$cc")"; return 1; }
	[ "$code" != 0 ] || { note "exited 0"; show "$cc"; return 1; }
	logs_have "$cc" "initialisation failed" || { show "$cc"; return 1; }
	note "first start: exit $code, $(docker logs "$cc" 2>&1 | grep -F 'ERROR: /docker' | head -n 1)"
}
check "a failing init script: the container exits non-zero (4)" failing_init

refused() {
	dc "$pc" up -d --no-build --force-recreate >>"$work/compose.log" 2>&1 || return 1
	cc=$(cid "$pc")
	code=$(wait_exit "$cc" 60) || { note "still running: $(state "$cc")"; show "$cc"; return 1; }
	[ "$code" != 0 ] || { note "exited 0"; show "$cc"; return 1; }
	logs_have "$cc" "initialisation never finished" || { show "$cc"; return 1; }
	if logs_have "$cc" "ready to accept connections" || logs_have "$cc" "initialising"; then
		note "the half-initialised volume was served or initialised again"
		show "$cc"
		return 1
	fi
	note "second start: exit $code, $(docker logs "$cc" 2>&1 | grep -F ERROR | head -n 1)"
}
check "the half-initialised volume is refused on the next start, not served (4)" refused

# An init directory the postgres user cannot read (a bind mount of a mode
# 0700 host directory) looked empty: the scripts were skipped in silence and
# the volume marked complete. It must fail like a failing script.
unreadable="$work/unreadable-initdb"
mkdir -m 700 "$unreadable"
cp "$fixtures/once/10-init-runs.sql" "$unreadable/"
project u "$unreadable" POSTGRES_PASSWORD=pw-u
pu="$prefix-u"
unreadable_initdb() {
	up "$pu" || return 1
	cu=$(cid "$pu")
	code=$(wait_exit "$cu" 90) || { note "still running: $(state "$cu")"; return 1; }
	[ "$code" != 0 ] || { note "exited 0"; show "$cu"; return 1; }
	logs_have "$cu" "/docker-entrypoint-initdb.d is not readable by postgres" || { show "$cu"; return 1; }
}
check "an unreadable init directory fails the initialisation instead of being skipped" unreadable_initdb

# ---------------------------------------------------------------------------
# D: the password from a secret file (5).

secret="$work/postgres_password"
(umask 077 && printf 'pw-from-a-file-%s\n' "$$" >"$secret")
mkdir -m 755 "$work/no-initdb"
project d "$work/no-initdb" POSTGRES_PASSWORD_SECRET="$secret"
pd="$prefix-d"
secret_file() {
	up "$pd" || return 1
	cd_=$(cid "$pd")
	wait_healthy "$cd_" 120 || { show "$cd_"; return 1; }
	got=$(sql "$pd" planpipe "pw-from-a-file-$$" planpipe "SELECT current_user")
	expect "login with the secret's password" planpipe "$got"
}
check "POSTGRES_PASSWORD_FILE (a compose secret) sets the password (5)" secret_file

both_set() {
	out=$(timeout 60 docker run --rm --no-healthcheck -e POSTGRES_PASSWORD=a \
		-e POSTGRES_PASSWORD_FILE=/etc/hostname "$image" 2>&1)
	code=$?
	[ "$code" != 0 ] || { note "exited 0"; return 1; }
	case "$out" in
	*"both POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE are set"*) return 0 ;;
	*) note "output: $out"; return 1 ;;
	esac
}
check "POSTGRES_PASSWORD and POSTGRES_PASSWORD_FILE together are refused (5)" both_set

# ---------------------------------------------------------------------------
# E: docker stop during initialisation.

project e "$fixtures/stuck" POSTGRES_PASSWORD=pw-e
pe="$prefix-e"
stop_during_init() {
	up "$pe" || return 1
	ce=$(cid "$pe")
	wait_log "$ce" "10-sleep.sh: sleeping" 60 || { show "$ce"; return 1; }
	t=$(now)
	dc "$pe" stop db >>"$work/compose.log" 2>&1 || return 1
	took=$(($(now) - t))
	note "stop during init took ${took}s"
	[ "$took" -lt 20 ] || return 1
	code=$(docker inspect -f '{{.State.ExitCode}}' "$ce")
	[ "$code" != 0 ] || { note "exited 0"; show "$ce"; return 1; }
	logs_have "$ce" "stopped during initialisation" || { show "$ce"; return 1; }
	dc "$pe" start db >>"$work/compose.log" 2>&1 || return 1
	code=$(wait_exit "$ce" 60) || return 1
	[ "$code" != 0 ] && logs_have "$ce" "initialisation never finished"
}
check "docker stop during init is prompt, and that volume is refused afterwards" stop_during_init

# ---------------------------------------------------------------------------
# Clean-up leaves nothing behind.

leftovers() {
	for p in $projects; do
		dc "$p" down -v --remove-orphans -t 20 >>"$work/compose.log" 2>&1 || true
	done
	for c in $containers; do docker rm -f -v "$c" >/dev/null 2>&1 || true; done
	left=""
	for p in $projects; do
		f="label=com.docker.compose.project=$p"
		left="$left$(docker ps -aq --filter "$f")$(docker volume ls -q --filter "$f")$(docker network ls -q --filter "$f")"
	done
	for c in $containers; do
		left="$left$(docker ps -aq --filter "name=^$c\$")"
	done
	[ -z "$left" ] || { note "left behind: $left"; return 1; }
}
check "down -v leaves no containers, volumes or networks" leftovers

note "total $(($(now) - t0))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
