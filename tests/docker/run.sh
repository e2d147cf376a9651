#!/bin/sh
# End-to-end tests of the Docker Compose stack: real images, real containers.
#
#   sh tests/docker/run.sh          (as root, or with sudo for the set-up)
#
# Installs what is missing (scripts/install-deps.sh docker, and curl),
# starts dockerd if none answers, makes debian:bookworm-slim when no
# registry has it, builds the db, planpipe and pgbouncer images through
# compose from this repository, then runs each scenario as its own compose
# project (named pptest-PID-x) and removes every container, volume and
# network it made, on success, failure or interrupt alike. Scenarios A-E
# test the db service alone; F the whole stack (migrate, pgbouncer, api);
# G a backup taken from F's stack into a host directory, restored into a
# second, fresh stack while its API runs.
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
app_image=planpipe/planpipe:latest
prefix="pptest-$$"

# Nothing from the caller's environment or .env may steer the stack under
# test: each project gets its own --env-file below.
unset POSTGRES_PASSWORD POSTGRES_PASSWORD_FILE POSTGRES_USER POSTGRES_DB \
	POSTGRES_INITDB_ARGS POSTGRES_HOST_AUTH_METHOD POSTGRES_PASSWORD_SECRET \
	PLANPIPE_DB_IMAGE PLANPIPE_DB_BIND PLANPIPE_DB_PORT PLANPIPE_DB_INITDB_DIR \
	PLANPIPE_DB_SHM_SIZE COMPOSE_FILE COMPOSE_PROJECT_NAME COMPOSE_PROFILES \
	PLANPIPE_API_DB_USER PLANPIPE_API_DB_PASSWORD PLANPIPE_API_DB_PASSWORD_SECRET \
	PLANPIPE_IMAGE PLANPIPE_PGBOUNCER_IMAGE PLANPIPE_API_BIND PLANPIPE_API_PORT \
	PLANPIPE_LOG_LEVEL PLANPIPE_LOG_FORMAT PLANPIPE_MAX_BODY PLANPIPE_POOL_SIZE \
	PLANPIPE_POOL_MIN PLANPIPE_POOL_ACQUIRE_TIMEOUT_MS PLANPIPE_MIGRATE_WAIT \
	PLANPIPE_MIGRATE_LOCK_TIMEOUT PGBOUNCER_DEFAULT_POOL_SIZE \
	PGBOUNCER_RESERVE_POOL_SIZE PGBOUNCER_MAX_DB_CONNECTIONS \
	PGBOUNCER_MAX_CLIENT_CONN PGBOUNCER_QUERY_WAIT_TIMEOUT \
	PGBOUNCER_LOG_CONNECTIONS PGBOUNCER_VERBOSE PLANPIPE_BACKUP_DIR

. "$root/tests/lib/checks.sh"

work=$(mktemp -d /tmp/planpipe-docker-test.XXXXXX)
# The host directory of every project's backups (the cli service's
# /backups): inside the work directory, never compose.yaml's ./backups.
backups="$work/backups"
mkdir -m 755 "$backups"
# ./backups beside compose.yaml is the default; the test must not make it.
[ -e "$root/backups" ] && repo_backups_before=1 || repo_backups_before=0
projects=""
containers=""

# down_all: `down -v` of every project, side by side (each is a separate
# project, and compose v1 is slow to start); waits for those only.
down_all() {
	da_pids=""
	for p in $projects; do
		dc "$p" down -v --remove-orphans -t 20 >>"$work/compose.log" 2>&1 &
		da_pids="$da_pids $!"
	done
	for pid in $da_pids; do wait "$pid" || true; done
}

cleanup() {
	down_all
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
		echo "PLANPIPE_BACKUP_DIR=$backups"
		for kv in "$@"; do echo "$kv"; done
	} >"$work/$p.env"
	# Failures must be seen, not retried by Docker.
	cat >"$work/$p.override.yaml" <<-EOF
	services:
	  db:
	    restart: "no"
	EOF
}

# up PROJECT: starts the project's db alone (already built), logs to
# compose.log.
up() { dc "$1" up -d --no-build db >>"$work/compose.log" 2>&1; }

# cids PROJECT [SERVICE]: the ids of a service's containers (db by default),
# also those that have exited; cid: the first one.
cids() {
	docker ps -aq --filter "label=com.docker.compose.project=$1" \
		--filter "label=com.docker.compose.service=${2:-db}" \
		--filter label=com.docker.compose.oneoff=False
}
cid() { cids "$@" | head -n 1; }

# wait_exit CONTAINER SECONDS: prints the exit code; 1 on timeout.
wait_exit() { timeout "$2" docker wait "$1" 2>/dev/null; }

# exits_failing CONTAINER SECONDS TEXT: the container exits non-zero within
# SECONDS, TEXT in its log; its exit code in $code. 1 otherwise, saying why
# and showing the container.
exits_failing() {
	code=$(wait_exit "$1" "$2") || { note "still running: $(state "$1")"; show "$1"; return 1; }
	[ "$code" != 0 ] || { note "exited 0"; show "$1"; return 1; }
	logs_have "$1" "$3" || { show "$1"; return 1; }
}

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

# ---------------------------------------------------------------------------
# Set-up: every failure here ends the run.

setup_fail() {
	not_ok "set-up: $*"
	echo "$passed passed, $failed failed"
	exit 1
}

t0=$(now)
# Inside tests/fresh's container, which runs `make test` with no Docker
# engine of its own (PP_TEST_NO_DOCKER says why), there is nothing to test
# here: say so, as a skip.
if [ -n "${PP_TEST_NO_DOCKER:-}" ]; then
	note "skipped: $PP_TEST_NO_DOCKER"
	echo "0 passed, 0 failed, 1 skipped"
	exit 0
fi
docker_ready
note "docker: $(docker version -f 'client {{.Client.Version}}, server {{.Server.Version}}' 2>/dev/null)"

t=$(now)
sh "$root/scripts/docker-base-image.sh" || setup_fail "making debian:bookworm-slim"
note "base image ready in $(($(now) - t))s"

command -v curl >/dev/null 2>&1 || {
	note "installing curl (the HTTP client of scenario F)"
	{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends curl; } >/dev/null 2>&1 ||
		setup_fail "curl is missing and could not be installed"
}

# build SERVICE: builds the image of SERVICE from this repository; 1 on
# failure, with the end of its log.
project build "$fixtures/once"
build() {
	b_t=$(now)
	# shellcheck disable=SC2086 # $COMPOSE is a word list
	if ! timeout 900 $COMPOSE --env-file "$work/$prefix-build.env" -p "$prefix-build" \
		-f "$root/compose.yaml" build "$1" >"$work/build-$1.log" 2>&1; then
		tail -n 30 "$work/build-$1.log" | sed "s/^/#   $1: /"
		return 1
	fi
	note "$1 image built in $(($(now) - b_t))s"
}
# migrate's image is also api's and cli's. The planpipe and pgbouncer
# images build side by side: one compiles while the other downloads.
build migrate &
pid_app=$!
build pgbouncer &
pid_pgb=$!
build db || setup_fail "building the db image"
wait "$pid_app" || setup_fail "building the planpipe image"
wait "$pid_pgb" || setup_fail "building the pgbouncer image"
note "set-up took $(($(now) - t0))s"

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
	exits_failing "$cb" 60 "no superuser password: refusing to start" || return 1
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
	exits_failing "$cc" 90 "initialisation failed" || return 1
	note "first start: exit $code, $(docker logs "$cc" 2>&1 | grep -F 'ERROR: /docker' | head -n 1)"
}
check "a failing init script: the container exits non-zero (4)" failing_init

refused() {
	dc "$pc" up -d --no-build --force-recreate db >>"$work/compose.log" 2>&1 || return 1
	cc=$(cid "$pc")
	exits_failing "$cc" 60 "initialisation never finished" || return 1
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
	exits_failing "$cu" 90 "/docker-entrypoint-initdb.d is not readable by postgres"
}
check "an unreadable init directory fails the initialisation instead of being skipped" unreadable_initdb

# ---------------------------------------------------------------------------
# D: the password from a secret file (5).

secret="$work/postgres_password"
(umask 077 && printf 'pw-from-a-file-%s\n' "$$" >"$secret")
mkdir -m 755 "$work/no-initdb"
# The override also mounts the API's password for the other services; only
# db starts here, but the file must exist.
project d "$work/no-initdb" POSTGRES_PASSWORD_SECRET="$secret" \
	PLANPIPE_API_DB_PASSWORD_SECRET="$secret"
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
# F: the whole stack: db, migrate, pgbouncer, api (and cli for users).

# http METHOD URL TOKEN [JSON]: prints the body, then the status on a line
# of its own; bounded.
http() {
	if [ $# -ge 4 ]; then
		curl -sS --max-time 10 -X "$1" -H "Authorization: Bearer $3" \
			-H 'Content-Type: application/json' --data "$4" -w '\n%{http_code}\n' "$2" 2>&1
	else
		curl -sS --max-time 10 -X "$1" -H "Authorization: Bearer $3" \
			-w '\n%{http_code}\n' "$2" 2>&1
	fi
}
status_of() { printf '%s\n' "$1" | tail -n 1; }
body_of() { printf '%s\n' "$1" | sed '$d'; }
# reply_has REPLY STATUS PATTERN: REPLY (of http) has STATUS and PATTERN.
reply_has() { [ "$(status_of "$1")" = "$2" ] && body_of "$1" | grep -q -- "$3"; }

# api_url PROJECT [INDEX]: http://ADDRESS of the INDEXth api container.
api_url() {
	au_c=$(cids "$1" api | sed -n "${2:-1}p")
	au_a=$(docker port "$au_c" 8080/tcp 2>/dev/null | head -n 1)
	echo "http://$au_a"
}

# wait_ready URL SECONDS: polls GET URL/readyz until it says 200.
wait_ready() {
	end=$(($(now) + $2))
	while [ "$(now)" -lt "$end" ]; do
		code=$(curl -s -o /dev/null --max-time 3 -w '%{http_code}' "$1/readyz" 2>/dev/null)
		[ "$code" = 200 ] && return 0
		sleep 0.5
	done
	note "$1/readyz still says '$code' after $2 s"
	return 1
}

# stack_healthy PROJECT SECONDS: migrate exited 0 and every db, pgbouncer
# and api container is healthy.
stack_healthy() {
	sh_c=$(cid "$1" migrate)
	[ -n "$sh_c" ] || { note "no migrate container"; return 1; }
	code=$(wait_exit "$sh_c" "$2") || { note "migrate still running: $(state "$sh_c")"; show "$sh_c"; return 1; }
	[ "$code" = 0 ] || { note "migrate exited $code"; show "$sh_c"; return 1; }
	for svc in db pgbouncer api; do
		for c in $(cids "$1" "$svc"); do
			wait_healthy "$c" "$2" || { note "$svc: $(state "$c")"; show "$c"; return 1; }
		done
	done
}

# history PROJECT: the migration history, "version@applied_at" words.
history() {
	sql "$1" planpipe "$pw_f" planpipe \
		"SELECT string_agg(version || '@' || extract(epoch FROM applied_at), ' ' ORDER BY version) FROM planpipe_schema_migrations"
}

pw_f="pw-f-$$-$(date +%N)"
api_pw_f="api\"pw-f-$$-$(date +%N)"
[ -d "$work/no-initdb" ] || mkdir -m 755 "$work/no-initdb"
project f "$work/no-initdb" POSTGRES_PASSWORD="$pw_f" PLANPIPE_API_DB_PASSWORD="$api_pw_f" \
	PLANPIPE_API_PORT=
pf="$prefix-f"
n_migrations=$(find "$root/migrations" -name '[0-9][0-9][0-9][0-9]_*.sql' | wc -l)
latest=$(find "$root/migrations" -name '[0-9][0-9][0-9][0-9]_*.sql' | sed -n 's|.*/0*\([0-9][0-9]*\)_[^/]*$|\1|p' | sort -n | tail -n 1)
note "F: $pf, the whole stack; $n_migrations migrations, the latest $latest"

image_user() {
	out=$(timeout 60 docker run --rm --entrypoint sh "$app_image" -c \
		'id -u; planpipe --version; command -v gcc cc meson || echo no-toolchain' 2>&1)
	expect "planpipe image: uid, version, toolchain" \
		"10001 planpipe $(sed -n "s/^ *version : '\([^']*\)'.*/\1/p" "$root/meson.build") no-toolchain" \
		"$(printf '%s' "$out" | tr '\n' ' ' | sed 's/ *$//')"
}
check "planpipe image: runs as uid 10001, has the binary and no compiler" image_user

full_start() {
	t=$(now)
	dc "$pf" up -d --no-build >>"$work/compose.log" 2>&1 ||
		{ tail -n 20 "$work/compose.log" | sed 's/^/#   /'; return 1; }
	stack_healthy "$pf" 180 || return 1
	note "up to all healthy: $(($(now) - t))s"
	addr=$(docker port "$(cid "$pf" api)" 8080/tcp | head -n 1)
	expect "api published address" 127.0.0.1 "${addr%:*}" || return 1
	# The processes, not the images' defaults: pgbouncer drops root itself.
	users=$(docker top "$(cid "$pf" pgbouncer)" -eo pid,uid,comm | awk '$3 == "pgbouncer" {print $2}')
	expect "pgbouncer's uid" 10002 "$users" || return 1
	users=$(docker top "$(cid "$pf" api)" -eo pid,uid,comm | awk '$3 == "planpipe" {print $2}')
	expect "planpipe serve's uid" 10001 "$users"
}
check "F: up starts db, migrate (exit 0), pgbouncer and api, all healthy; api on 127.0.0.1" full_start

applied_once() {
	h1=$(history "$pf")
	got=$(echo "$h1" | wc -w)
	expect "history rows" "$n_migrations" "$got" || { note "history: $h1"; return 1; }
	logs_have "$(cid "$pf" migrate)" "database is at version $latest: applied $n_migrations migrations" ||
		{ show "$(cid "$pf" migrate)"; return 1; }
	# Again, as every `up` does: nothing applied, nothing recorded twice.
	out=$(dc "$pf" run --rm -T --no-deps migrate 2>&1) || { note "second run: $out"; return 1; }
	case "$out" in
	*"database is at version $latest: nothing to apply"*) ;;
	*) note "second run said: $out"; return 1 ;;
	esac
	h2=$(history "$pf")
	expect "history after a second run" "$h1" "$h2"
}
check "F: migrations applied once; a second migrate run applies and records nothing" applied_once

api_role() {
	got=$(sql "$pf" planpipe "$pw_f" planpipe \
		"SELECT r.rolsuper, r.rolbypassrls, r.rolcanlogin, pg_has_role(r.oid, 'planpipe_app', 'USAGE'),
		        (SELECT count(*) FROM pg_class WHERE relowner = r.oid)
		   FROM pg_roles r WHERE rolname = 'planpipe_api'")
	expect "planpipe_api: super, bypassrls, login, member of planpipe_app, owns" "f|f|t|t|0" "$got"
}
check "F: the API's login role: LOGIN, member of planpipe_app, not superuser, no RLS bypass, owns nothing" api_role

no_api_password() {
	out=$(dc "$pf" run --rm -T --no-deps -e PLANPIPE_API_DB_PASSWORD= migrate 2>&1) &&
		{ note "migrate without the API's password exited 0"; return 1; }
	case "$out" in
	*"no password for the API's login planpipe_api"*) ;;
	*) note "said: $out"; return 1 ;;
	esac
}
check "F: migrate refuses to run without the API's password, and says so" no_api_password

# A user made by the CLI as the owner; a project and a story written through
# the API (and so through PgBouncer), read back.
token=""
api_write() {
	token=$(dc "$pf" run --rm -T cli user add alice --admin --name "Alice" 2>>"$work/compose.log") ||
		{ note "user add failed"; tail -n 5 "$work/compose.log" | sed 's/^/#   /'; return 1; }
	[ -n "$token" ] || { note "no token printed"; return 1; }
	url=$(api_url "$pf")
	r=$(http POST "$url/v1/projects" "$token" '{"key": "DOCK", "name": "Docker stack"}')
	expect "POST /v1/projects" 201 "$(status_of "$r")" || { note "$r"; return 1; }
	r=$(http POST "$url/v1/projects/DOCK/stories" "$token" '{"title": "Survive a restart"}')
	expect "POST story" 201 "$(status_of "$r")" || { note "$r"; return 1; }
	r=$(http GET "$url/v1/projects/DOCK/stories/DOCK-001" "$token")
	expect "GET story" 200 "$(status_of "$r")" || { note "$r"; return 1; }
	body_of "$r" | grep -q '"title" *: *"Survive a restart"' || { note "$r"; return 1; }
	# The API's server connections come from PgBouncer, none from api itself.
	pgb_ip=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$(cid "$pf" pgbouncer)")
	got=$(sql "$pf" planpipe "$pw_f" planpipe \
		"SELECT count(*) FILTER (WHERE host(client_addr) = '$pgb_ip') > 0, count(*) FILTER (WHERE host(client_addr) <> '$pgb_ip')
		   FROM pg_stat_activity WHERE usename = 'planpipe_api'")
	expect "planpipe_api sessions from pgbouncer ($pgb_ip), from elsewhere" "t|0" "$got"
}
check "F: a user from the CLI; a project and a story written through the API and PgBouncer, read back" api_write


# GET the story and the project count through the API.
readback() {
	url=$(api_url "$pf" "${1:-1}")
	r=$(http GET "$url/v1/projects/DOCK/stories/DOCK-001" "$token")
	if [ "$(status_of "$r")" != 200 ] || ! body_of "$r" | grep -q '"title" *: *"Survive a restart"'; then
		note "GET story: $r"
		return 1
	fi
	got=$(sql "$pf" planpipe "$pw_f" planpipe \
		"SELECT (SELECT count(*) FROM users) || ' ' || (SELECT count(*) FROM projects) || ' ' || (SELECT count(*) FROM stories)")
	expect "users, projects, stories" "1 1 1" "$got"
}

restart_db() {
	ca=$(cid "$pf" api)
	started=$(docker inspect -f '{{.State.StartedAt}} {{.RestartCount}}' "$ca")
	t=$(now)
	dc "$pf" restart db >>"$work/compose.log" 2>&1 || return 1
	wait_healthy "$(cid "$pf")" 90 || { show "$(cid "$pf")"; return 1; }
	wait_ready "$(api_url "$pf")" 60 || { show "$ca"; return 1; }
	note "restart db to api ready again: $(($(now) - t))s"
	readback || return 1
	expect "api container start time and restarts" "$started" \
		"$(docker inspect -f '{{.State.StartedAt}} {{.RestartCount}}' "$ca")"
}
check "F: docker compose restart db keeps every row; the API recovers by itself (same process)" restart_db

scale_api() {
	dc "$pf" up -d --no-build --scale api=3 >>"$work/compose.log" 2>&1 || return 1
	n=$(cids "$pf" api | wc -l)
	expect "api containers" 3 "$n" || return 1
	for c in $(cids "$pf" api); do
		wait_healthy "$c" 90 || { show "$c"; return 1; }
	done
	for i in 1 2 3; do readback "$i" || return 1; done
	# 150 requests, 15 at a time, across the three: PostgreSQL sees at most
	# PgBouncer's default_pool_size + reserve_pool_size (10 + 2) API sessions.
	urls=$(for i in 1 2 3; do api_url "$pf" "$i"; done)
	codes=$(for i in $(seq 50); do echo "$urls"; done |
		xargs -P 15 -I URL curl -s -o /dev/null --max-time 10 -w '%{http_code}\n' \
			-H "Authorization: Bearer $token" URL/v1/projects/DOCK | sort | uniq -c | tr -s ' ')
	expect "status codes of 150 GETs" " 150 200" "$codes" || return 1
	got=$(sql "$pf" planpipe "$pw_f" planpipe "SELECT count(*) FROM pg_stat_activity WHERE usename = 'planpipe_api'")
	note "PostgreSQL sessions of planpipe_api after the load: $got"
	[ "$got" -le 12 ] || return 1
	dc "$pf" up -d --no-build --scale api=1 >>"$work/compose.log" 2>&1 || return 1
	expect "api containers after scaling back" 1 "$(cids "$pf" api | wc -l)"
}
check "F: --scale api=3 (no fixed host port): three healthy replicas behind one PgBouncer pool" scale_api

down_up_stack() {
	h1=$(history "$pf")
	dc "$pf" down -t 60 >>"$work/compose.log" 2>&1 || return 1
	docker volume inspect "${pf}_pgdata" >/dev/null 2>&1 ||
		{ note "volume ${pf}_pgdata is gone after down"; return 1; }
	dc "$pf" up -d --no-build >>"$work/compose.log" 2>&1 || return 1
	stack_healthy "$pf" 120 || return 1
	if logs_have "$(cid "$pf")" "initialising"; then
		note "the db initialised again"
		return 1
	fi
	readback || return 1
	expect "history after down + up" "$h1" "$(history "$pf")"
}
check "F: down + up keeps the data and the migration history; the token still works" down_up_stack

# ---------------------------------------------------------------------------
# G: backup and restore with the stack. F's stack is the source: the cli
# service writes a backup into the host directory $backups (its /backups),
# verifies it there, and a second, fresh stack (its own project, volume and
# ports) restores it through its own cli service while its API and
# PgBouncer keep running.

pg="$prefix-g"
pw_g="pw-g-$$-$(date +%N)"
api_pw_g="api-pw-g-$$-$(date +%N)"
project g "$work/no-initdb" POSTGRES_PASSWORD="$pw_g" PLANPIPE_API_DB_PASSWORD="$api_pw_g" \
	PLANPIPE_API_PORT=
note "G: backups of $pf into $backups, restored into $pg"

# One line per table of the database, "schema.table rows md5": the md5 over
# every row's text in a fixed order, computed by the server as the owner (a
# superuser, so row-level security hides nothing). query_to_xml runs the
# per-table query inside one SELECT: nothing is created in the databases
# compared. Partitions are counted through their parent.
sums_sql=$(
	cat <<'EOF'
SELECT n.nspname || '.' || c.relname || ' ' || (xpath('/row/n/text()', x))[1]::text
       || ' ' || coalesce((xpath('/row/h/text()', x))[1]::text, '-')
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL query_to_xml(format(
       'SELECT count(*) AS n, md5(string_agg(t::text, E''\n'' ORDER BY t::text COLLATE "C")) AS h FROM %I.%I t',
       n.nspname, c.relname), false, true, '') x
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
 ORDER BY 1
EOF
)
# sums PROJECT OWNER_PASSWORD
sums() { sql "$1" planpipe "$2" planpipe "$sums_sql"; }

# What a user meets first: the directory exists (mkdir as root) but the
# image's user, uid 10001, cannot write it.
backup_unwritable() {
	out=$(dc "$pf" run --rm -T cli backup 2>&1)
	code=$?
	expect "exit status of a backup into a directory of root's" 2 "$code" || { note "$out"; return 1; }
	case "$out" in
	*"cannot create backups/.planpipe-"*"Permission denied"*) ;;
	*) note "said: $out"; return 1 ;;
	esac
	expect "entries in $backups" "" "$(ls -A "$backups")"
}
check "G: a backup into a host directory uid 10001 cannot write fails (exit 2), naming it" backup_unwritable

# More of what a backup must carry: a second project, stories in both, a
# dependency across them, a status transition (history rows).
more_data() {
	url=$(api_url "$pf")
	r=$(http POST "$url/v1/projects" "$token" '{"key": "BAK", "name": "Backups"}')
	expect "POST /v1/projects (BAK)" 201 "$(status_of "$r")" || { note "$r"; return 1; }
	r=$(http POST "$url/v1/projects/BAK/stories" "$token" \
		'{"title": "Back up nightly", "labels": ["ops"], "body": "pg_dump, then the restore drill"}')
	expect "POST BAK-001" 201 "$(status_of "$r")" || { note "$r"; return 1; }
	r=$(http POST "$url/v1/projects/BAK/stories" "$token" '{"title": "Restore into a fresh stack"}')
	expect "POST BAK-002" 201 "$(status_of "$r")" || { note "$r"; return 1; }
	r=$(http POST "$url/v1/projects/BAK/stories/BAK-001/dependencies" "$token" \
		'{"project": "DOCK", "story": "DOCK-001"}')
	expect "POST dependency BAK-001 -> DOCK-001" 201 "$(status_of "$r")" || { note "$r"; return 1; }
	r=$(http POST "$url/v1/projects/DOCK/stories/DOCK-001/transitions" "$token" \
		'{"to": "in_progress", "note": "picked up before the backup"}')
	expect "POST transition of DOCK-001" 200 "$(status_of "$r")" || { note "$r"; return 1; }
	got=$(sql "$pf" planpipe "$pw_f" planpipe \
		"SELECT (SELECT count(*) FROM projects) || ' ' || (SELECT count(*) FROM stories) || ' ' ||
		        (SELECT count(*) FROM story_dependencies) || ' ' || (SELECT count(*) FROM status_history)")
	expect "projects, stories, dependencies, history rows" "2 3 1 4" "$got"
}
check "G: data for the backup written through the API: 2 projects, 3 stories, a dependency, a transition" more_data

# backup_run ARGS...: `cli backup ARGS` on F; sets out (its standard output)
# and new (the new backup's name); 1 on failure, with its messages.
backup_run() {
	out=$(dc "$pf" run --rm -T cli backup "$@" 2>"$work/backup.err")
	code=$?
	expect "exit status of backup $*" 0 "$code" || {
		note "$out"
		sed 's/^/#   /' "$work/backup.err"
		return 1
	}
	first=$(printf '%s\n' "$out" | head -n 1)
	# The cli's working directory is /: the default --out is /backups.
	case "$first" in
	backups/planpipe-[0-9]*) new=${first#backups/} ;;
	*) note "first line of the output: $first"; return 1 ;;
	esac
	br_args=$*
	note "backup${br_args:+ $br_args}: $(printf '%s' "$out" | tr '\n' ' ' | tr -s ' ')"
}

bk=""
v_f=""
backup_to_host() {
	# The schema version the backup must carry: the source database's.
	v_f=$(sql "$pf" planpipe "$pw_f" planpipe "SELECT max(version) FROM planpipe_schema_migrations")
	# As docs/backup.md says: make the directory the image's user's.
	chown 10001:10001 "$backups" || return 1
	backup_run || return 1
	bk=$new
	d="$backups/$bk"
	for f in db.dump globals.sql manifest.json; do
		[ -s "$d/$f" ] || { note "$d/$f is missing or empty: $(find "$d")"; return 1; }
	done
	expect "owner and mode of $d" "10001 700" "$(stat -c '%u %a' "$d")" || return 1
	expect "owner and mode of $d/db.dump" "10001 600" "$(stat -c '%u %a' "$d/db.dump")" || return 1
	m=$(tr -d ' \n' <"$d/manifest.json")
	case "$m" in
	*"\"schema_version\":$v_f,"*'"public.stories":{"rows":3,'*) ;;
	*) note "manifest.json: $m"; return 1 ;;
	esac
	expect "other entries in $backups" "" "$(find "$backups" -mindepth 1 -maxdepth 1 ! -name "$bk")"
}
check "G: cli backup writes planpipe-STAMP/ with db.dump, globals.sql, manifest.json into the host directory" backup_to_host

verify_in_stack() {
	out=$(dc "$pf" run --rm -T cli backup verify "/backups/$bk" 2>&1)
	code=$?
	expect "exit status of backup verify" 0 "$code" || { note "$out"; return 1; }
	case "$out" in
	*"backup verified: /backups/$bk"*) ;;
	*) note "said: $out"; return 1 ;;
	esac
	expect "scratch databases left by verify" "" "$(sql "$pf" planpipe "$pw_f" planpipe \
		"SELECT string_agg(datname, ' ') FROM pg_database WHERE datname LIKE 'planpipe\_%'")"
}
check "G: cli backup verify restores it into a scratch database in the stack and finds it matches" verify_in_stack

# The scheduled command (host cron or timer): a new backup, the older pruned.
backup_keep() {
	backup_run --keep 1 || return 1
	[ "$new" != "$bk" ] || { note "no new backup: $new"; return 1; }
	expect "backups on the host after --keep 1" "$new" "$(ls -A "$backups")" || return 1
	bk=$new
}
check "G: cli backup --keep 1 adds a backup and removes the older one from the host directory" backup_keep

fresh_stack() {
	dc "$pg" up -d --no-build >>"$work/compose.log" 2>&1 ||
		{ tail -n 20 "$work/compose.log" | sed 's/^/#   /'; return 1; }
	stack_healthy "$pg" 180 || return 1
	for svc in db api; do
		a=$(docker port "$(cid "$pg" "$svc")" | head -n 1)
		b=$(docker port "$(cid "$pf" "$svc")" | head -n 1)
		[ "${a##*:}" != "${b##*:}" ] || { note "$svc: both stacks on $a"; return 1; }
	done
	r=$(http GET "$(api_url "$pg")/v1/me" "$token")
	expect "GET /v1/me with F's token before the restore" 401 "$(status_of "$r")" || { note "$r"; return 1; }
	expect "stories before the restore" 0 "$(sql "$pg" planpipe "$pw_g" planpipe 'SELECT count(*) FROM stories')"
}
check "G: a fresh stack (own project, volume, ports and passwords) is healthy and does not know F's token" fresh_stack

g_started=""
restore_live() {
	g_started=$(docker inspect -f '{{.State.StartedAt}} {{.RestartCount}}' "$(cid "$pg" api)")
	# PgBouncer's server connections (the API's, its healthcheck's) are open
	# on the database about to be replaced.
	n=$(sql "$pg" planpipe "$pw_g" planpipe \
		"SELECT count(*) FROM pg_stat_activity WHERE usename = 'planpipe_api' AND datname = 'planpipe'")
	note "planpipe_api sessions on the database before the restore: $n"
	[ "$n" -ge 1 ] || return 1
	out=$(dc "$pg" run --rm -T cli restore "/backups/$bk" --force --terminate --drop-old 2>&1)
	code=$?
	expect "exit status of restore" 0 "$code" || { note "$out"; show "$(cid "$pg")"; return 1; }
	case "$out" in
	*"restored /backups/$bk into database planpipe"*"the previous database was dropped"*) ;;
	*) note "said: $out"; return 1 ;;
	esac
	expect "databases left beside planpipe" "" "$(sql "$pg" planpipe "$pw_g" postgres \
		"SELECT string_agg(datname, ' ') FROM pg_database WHERE datname LIKE 'planpipe\_%'")"
}
check "G: cli restore --force --terminate --drop-old replaces the fresh stack's live database" restore_live

# Before any request to G's API: nothing may have written to either side.
same_data() {
	sums_f=$(sums "$pf" "$pw_f")
	sums_g=$(sums "$pg" "$pw_g")
	for t in "public.stories 3" "public.story_dependencies 1" "public.status_history 4" \
		"public.projects 2" "public.users 1"; do
		printf '%s\n' "$sums_f" | grep -q "^$t [0-9a-f]\{32\}\$" ||
			{ note "no '$t' in F's checksums: $sums_f"; return 1; }
	done
	note "$(printf '%s\n' "$sums_f" | wc -l) tables compared"
	[ "$sums_f" = "$sums_g" ] && return 0
	printf '%s\n' "$sums_f" >"$work/sums-f"
	printf '%s\n' "$sums_g" >"$work/sums-g"
	note "tables, rows and checksums differ (- F, + G):"
	diff "$work/sums-f" "$work/sums-g" | sed 's/^/#   /'
	return 1
}
check "G: every table's rows and checksum are the same in both stacks; G's owner keeps its own password" same_data

api_after_restore() {
	url=$(api_url "$pg")
	wait_ready "$url" 60 || { show "$(cid "$pg" api)"; return 1; }
	# The pool may meet a connection the restore ended: bounded retries.
	end=$(($(now) + 30))
	until r=$(http GET "$url/v1/projects/DOCK/stories/DOCK-001" "$token") &&
		[ "$(status_of "$r")" = 200 ]; do
		[ "$(now)" -lt "$end" ] || { note "GET DOCK-001: $r"; show "$(cid "$pg" api)"; return 1; }
		sleep 1
	done
	body_of "$r" | grep -q '"title" *: *"Survive a restart"' || { note "$r"; return 1; }
	body_of "$r" | grep -q '"status" *: *"in_progress"' || { note "$r"; return 1; }
	r=$(http GET "$url/v1/projects/BAK/stories/BAK-001/dependencies" "$token")
	reply_has "$r" 200 '"DOCK:DOCK-001"' || { note "dependencies of BAK-001: $r"; return 1; }
	r=$(http GET "$url/v1/projects/DOCK/stories/DOCK-001/history" "$token")
	reply_has "$r" 200 '"picked up before the backup"' || { note "history of DOCK-001: $r"; return 1; }
	# A write: the sequences and the story key counters came along.
	r=$(http POST "$url/v1/projects/BAK/stories" "$token" '{"title": "Written after the restore"}')
	reply_has "$r" 201 '"key" *: *"BAK-003"' || { note "POST a story after the restore: $r"; return 1; }
	expect "G's api container start time and restarts" "$g_started" \
		"$(docker inspect -f '{{.State.StartedAt}} {{.RestartCount}}' "$(cid "$pg" api)")"
}
check "G: G's API, through PgBouncer, serves F's stories to F's token after the swap, and writes (same process)" api_after_restore

migrate_after_restore() {
	out=$(dc "$pg" run --rm -T --no-deps migrate 2>&1) || { note "$out"; return 1; }
	case "$out" in
	*"database is at version $v_f: nothing to apply"*) ;;
	*) note "migrate said: $out"; return 1 ;;
	esac
}
check "G: migrate (as on the next up) finds the restored database current and succeeds" migrate_after_restore

down_g() {
	dc "$pg" down -v -t 30 >>"$work/compose.log" 2>&1 || return 1
	f="label=com.docker.compose.project=$pg"
	left="$(docker ps -aq --filter "$f")$(docker volume ls -q --filter "$f")$(docker network ls -q --filter "$f")"
	[ -z "$left" ] || { note "left behind: $left"; return 1; }
}
check "G: down -v removes the fresh stack" down_g

# F's stack goes last: it was G's source.

# Last on F's stack, so that the row counts above stay exact. import-repo in
# the cli service: a planning repository whose project is a
# submodule with two commits, mounted read-only from the host (owned by
# another uid than the image's), imported with its history from git.
cli_import_repo() {
	planning="$work/planning"
	(
		set -e
		export GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=Ana GIT_AUTHOR_EMAIL=ana@example.org \
			GIT_COMMITTER_NAME=Ana GIT_COMMITTER_EMAIL=ana@example.org
		mkdir -p "$work/gitproj" && cd "$work/gitproj" && git init -q -b main .
		printf -- '---\nid: GIT-1\ntitle: From git\nstatus: backlog\n---\n' >story.md
		git add . && GIT_AUTHOR_DATE='2025-08-28T10:00:00 +0000' \
			GIT_COMMITTER_DATE='2025-08-28T10:00:00 +0000' git commit -qm one
		sed -i 's/backlog/in-progress/' story.md
		git add . && GIT_AUTHOR_DATE='2025-09-01T09:00:00 +0000' \
			GIT_COMMITTER_DATE='2025-09-01T09:00:00 +0000' git commit -qm two
		mkdir -p "$planning" && cd "$planning" && git init -q -b main .
		git -c protocol.file.allow=always submodule --quiet add "$work/gitproj" gitproj
		git config -f .gitmodules submodule.gitproj.planpipe-key GITPROJ
		git add . && git commit -qm projects
		chmod -R a+rX "$planning"
	) >>"$work/compose.log" 2>&1 || { note "making the repository failed"; return 1; }
	out=$(dc "$pf" run --rm -T -v "$planning:/planning:ro" cli import-repo /planning 2>&1) ||
		{ note "import-repo: $out"; return 1; }
	case "$out" in
	*"GITPROJ: 1 created"*"2 history rows from git"*) ;;
	*) note "import-repo said: $out"; return 1 ;;
	esac
	got=$(sql "$pf" planpipe "$pw_f" planpipe \
		"SELECT string_agg(h.source || ':' || h.to_status || ':' || length(h.commit_id), ',' ORDER BY h.changed_at)
		   FROM status_history h JOIN stories s ON s.id = h.story_id WHERE s.key = 'GIT-1'")
	expect "GIT-1's history" "git:backlog:40,git:in-progress:40" "$got"
}
check "F: cli import-repo reads a mounted planning repository with git, history included" cli_import_repo


down_v() {
	dc "$pf" down -v -t 60 >>"$work/compose.log" 2>&1 || return 1
	f="label=com.docker.compose.project=$pf"
	left="$(docker ps -aq --filter "$f")$(docker volume ls -q --filter "$f")$(docker network ls -q --filter "$f")"
	[ -z "$left" ] || { note "left behind: $left"; return 1; }
	! docker volume inspect "${pf}_pgdata" >/dev/null 2>&1
}
check "F: down -v removes the stack's containers, network and volume" down_v

# ---------------------------------------------------------------------------
# Clean-up leaves nothing behind.

leftovers() {
	down_all
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
	if [ "$repo_backups_before" = 0 ] && [ -e "$root/backups" ]; then
		note "$root/backups was made by the test"
		return 1
	fi
}
check "down -v leaves no containers, volumes or networks (nor ./backups)" leftovers

note "total $(($(now) - t0))s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
