# stage-lib.sh: what the Docker stages beside tests/docker/run.sh share
# (pitr.sh, standby.sh, ha.sh): the checks of tests/lib/checks.sh, one
# compose project with its own env file, images and clean-up. Sourced; the
# stage sets these first:
#   root     the repository          proj   the compose project name
#   stage    its name (pitr, ...), for its temporary directory
# and calls stage_setup, then check ..., then stage_end. Sourcing moves to
# root and makes work, the stage's temporary directory (stage_setup makes
# the rest).

cd "$root" || exit 1
work=$(mktemp -d "/tmp/planpipe-$stage-test.XXXXXX")
. "$root/tests/lib/checks.sh"

# Nothing from the caller's environment or .env may steer the stack.
unset POSTGRES_PASSWORD POSTGRES_PASSWORD_FILE POSTGRES_USER POSTGRES_DB \
	POSTGRES_INITDB_ARGS POSTGRES_HOST_AUTH_METHOD COMPOSE_FILE COMPOSE_PROJECT_NAME \
	COMPOSE_PROFILES PLANPIPE_DB_BIND PLANPIPE_DB_PORT PLANPIPE_DB_INITDB_DIR \
	PLANPIPE_API_DB_USER PLANPIPE_API_DB_PASSWORD PLANPIPE_API_PORT PLANPIPE_BACKUP_DIR \
	PLANPIPE_PITR_REPO PLANPIPE_PITR_RETENTION_FULL PLANPIPE_PITR_VERIFY_TIMEOUT \
	PLANPIPE_REPLICA_SLOT PLANPIPE_REPLICA_MAX_LAG PLANPIPE_REPLICA_BIND \
	PLANPIPE_REPLICA_PORT PLANPIPE_LOG_LEVEL PLANPIPE_POOL_SIZE
db_image=${PLANPIPE_DB_IMAGE:-planpipe/db:15}
app_image=${PLANPIPE_IMAGE:-planpipe/planpipe:latest}
started=0

stage_cleanup() {
	if [ "$started" = 1 ]; then
		dc down -v --remove-orphans -t 20 >>"$work/compose.log" 2>&1 || true
	fi
	if [ "${KEEP_WORKDIR:-0}" = 1 ]; then
		note "logs kept in $work"
	else
		rm -rf "$work"
	fi
}

setup_fail() {
	not_ok "set-up: $*"
	echo "$passed passed, $failed failed"
	exit 1
}

# stage_setup SERVICE...: docker, the base image, the env file and the
# images of SERVICE... built from this repository.
stage_setup() {
	if [ -n "${PP_TEST_NO_DOCKER:-}" ]; then
		note "skipped: $PP_TEST_NO_DOCKER"
		rm -rf "$work"
		echo "0 passed, 0 failed, 1 skipped"
		exit 0
	fi
	trap stage_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	docker_ready
	sh "$root/scripts/docker-base-image.sh" || setup_fail "making debian:bookworm-slim"
	mkdir -m 755 "$work/no-initdb" "$work/backups"
	pw="pw-$proj-$(date +%N)"
	cat >"$work/env" <<-EOF
	POSTGRES_PASSWORD=$pw
	PLANPIPE_API_DB_PASSWORD=api-$pw
	PLANPIPE_DB_PORT=
	PLANPIPE_API_PORT=
	PLANPIPE_REPLICA_PORT=
	PLANPIPE_DB_INITDB_DIR=$work/no-initdb
	PLANPIPE_BACKUP_DIR=$work/backups
	PLANPIPE_DB_IMAGE=$db_image
	PLANPIPE_IMAGE=$app_image
	EOF
	# Failures must be seen, not retried by Docker.
	cat >"$work/override.yaml" <<-EOF
	services:
	  db:
	    restart: "no"
	EOF
	t=$(now)
	dc build "$@" >"$work/build.log" 2>&1 || {
		tail -n 30 "$work/build.log" | sed 's/^/#   /'
		setup_fail "building the images of $*"
	}
	note "images built in $(($(now) - t))s ($db_image, $app_image)"
}

# dc ARGS...: compose for the stage's project, bounded in time.
dc() {
	# shellcheck disable=SC2086 # $COMPOSE is a word list
	timeout 300 $COMPOSE --env-file "$work/env" -p "$proj" -f "$root/compose.yaml" \
		-f "$work/override.yaml" "$@"
}

# cid [SERVICE]: the container of SERVICE (db), also one that exited.
cid() {
	docker ps -aq --filter "label=com.docker.compose.project=$proj" \
		--filter "label=com.docker.compose.service=${1:-db}" \
		--filter label=com.docker.compose.oneoff=False | head -n 1
}
# sql SQL [SERVICE]: SQL in SERVICE's (db's) planpipe database as the
# superuser, over the container's socket; unaligned.
sql() {
	timeout 60 docker exec "$(cid "${2:-db}")" psql -X -w -q -A -t -v ON_ERROR_STOP=1 -U planpipe \
		-d planpipe -c "$1" 2>&1
}
# cli ARGS...: `planpipe ARGS` in the cli service; output in $out, status in $code.
cli() {
	out=$(dc run --rm -T cli "$@" 2>&1)
	code=$?
}

# stack_up SERVICE...: starts them (db and migrate at least); db healthy,
# migrate exited 0.
stack_up() {
	started=1
	dc up -d --no-build "$@" >>"$work/compose.log" 2>&1 ||
		{ tail -n 20 "$work/compose.log" | sed 's/^/#   /'; return 1; }
	wait_healthy "$(cid)" 180 || { show "$(cid)"; return 1; }
	code=$(timeout 180 docker wait "$(cid migrate)") || { note "migrate still running"; return 1; }
	expect "migrate's exit status" 0 "$code" || { show "$(cid migrate)"; return 1; }
}

# stage_down: down -v, and nothing of the project is left.
stage_down() {
	dc down -v -t 30 >>"$work/compose.log" 2>&1 || return 1
	started=0
	f="label=com.docker.compose.project=$proj"
	left="$(docker ps -aq --filter "$f")$(docker volume ls -q --filter "$f")$(docker network ls -q --filter "$f")"
	expect "containers, volumes and networks left" "" "$left"
}

stage_end() {
	note "total $(($(now) - t0))s"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}
