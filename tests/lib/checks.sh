# checks.sh: what the shell test stages share (tests/docker/run.sh, the
# stages through tests/docker/stage-lib.sh, tests/fresh/run.sh): TAP-like
# checks counted in $passed, $failed and $skipped, Docker made ready, and
# waits on containers. Sourced (POSIX sh) after $root is set; defines
# functions and the counters, runs nothing.

passed=0
failed=0
skipped=0
ok() { passed=$((passed + 1)); echo "ok $((passed + failed)) - $*"; }
not_ok() { failed=$((failed + 1)); echo "not ok $((passed + failed)) - $*"; }
note() { echo "# $*"; }
now() { date +%s; }

# check DESCRIPTION CMD...: one test, CMD's status its result, timed.
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

# expect LABEL WANT GOT: compares, and tells the difference when it fails.
expect() {
	[ "$2" = "$3" ] && return 0
	note "$1: wanted '$2', got '$3'"
	return 1
}

# state CONTAINER: "STATUS HEALTH" (health empty without a health check).
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

# show CONTAINER: the end of its log, for a failed check.
show() {
	note "--- last lines of $1's log:"
	docker logs "$1" 2>&1 | tail -n 25 | sed 's/^/#   /'
}

# docker_ready: docker installed (scripts/install-deps.sh docker), a daemon
# that answers, and $COMPOSE (`docker compose` when it works, else
# docker-compose; a value set by the caller is kept). A failure ends the run
# through the caller's setup_fail.
docker_ready() {
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
}
