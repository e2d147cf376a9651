#!/bin/sh
# A new user's first steps, on a fresh Debian 12: a clean debian:bookworm-slim
# container with this repository copied in (the files git tracks, and new
# ones it does not ignore), and nothing else.
#
#   sh tests/fresh/run.sh          (as root; after tests/docker/run.sh, or alone)
#
# In the container, as the README says: `apt-get install make` (the one
# thing the README assumes), `make build`, then `make run`, whose API must
# answer /readyz 200 and take the admin token it printed; `eval "$(make -s
# env)"` must put a working `planpipe` on the PATH; a second `make run`
# keeps the token and `make run ROTATE=1` replaces it. Then `make test`
# inside the container: its plain suite, with the installs it needs. Its
# Docker stages skip themselves (a container has no Docker engine of its
# own), and so do the runs that repeat the same tree another way
# (PP_TEST_REPEATS_SKIPPED: sanitizers, pinned clocks, benchmark smoke runs;
# the outer make test runs them; twice would cost half an hour).
#
# Prints "N passed, N failed"; exits 1 when anything failed. The only
# network traffic: the container's apt-get to the Debian archive, and
# loopback to the container's published ports.
#
# Environment (optional):
#   PP_FRESH_NO_SUITE=1  skip the inner `make test` (quick runs by hand;
#                        said in the output, counted as skipped)
#   KEEP_WORKDIR=1       keep the container and the logs
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1

. "$root/tests/lib/checks.sh"
finish() {
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit
}

if [ -n "${PP_TEST_NO_DOCKER:-}" ]; then
	note "skipped: $PP_TEST_NO_DOCKER"
	skipped=1
	finish
fi

work=$(mktemp -d /tmp/planpipe-fresh-test.XXXXXX)
name="pptest-fresh-$$"
cleanup() {
	if [ "${KEEP_WORKDIR:-0}" = 1 ]; then
		note "kept: container $name, logs in $work"
		return
	fi
	docker rm -f -v "$name" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

setup_fail() {
	not_ok "set-up: $*"
	finish
}

sh scripts/install-deps.sh docker >/dev/null || setup_fail "install-deps docker"
sh scripts/start-dockerd.sh || setup_fail "dockerd does not answer"
sh scripts/docker-base-image.sh || setup_fail "making debian:bookworm-slim"
command -v curl >/dev/null 2>&1 || setup_fail "curl is missing (scripts/install-deps.sh test)"

# --init: an init (tini) as PID 1 reaps the processes the tests orphan, as a
# machine's init does; without it a SIGKILLed postmaster (api-fault) stays a
# zombie that still looks alive.
# The repository as a new clone would have it, plus what is not committed
# yet (so the test checks the tree under test), without build trees.
git ls-files -z --cached --others --exclude-standard |
	tar --null -T - -cf "$work/repo.tar" || setup_fail "packing the repository"

docker run -d --init --name "$name" -p 127.0.0.1::8080 -p 127.0.0.1::8081 \
	-e PP_TEST_NO_DOCKER="this is tests/fresh's container, which has no Docker engine" \
	-e PP_TEST_REPEATS_SKIPPED="tests/fresh's container; the outer make test runs them on the same tree" \
	-v "$work/repo.tar:/repo.tar:ro" debian:bookworm-slim sleep 7200 \
	>/dev/null || setup_fail "starting a debian:bookworm-slim container"
port_of() { docker port "$name" "$1/tcp" | head -n 1 | sed 's/.*://'; }

# in SCRIPT [LOG]: runs SCRIPT with sh in the container's /repo, bounded.
inside() {
	in_log=${2:-$work/in.log}
	timeout 1800 docker exec -w /repo "$name" sh -c "$1" >"$in_log" 2>&1 || {
		tail -n 40 "$in_log" | sed 's/^/#   /'
		return 1
	}
}

unpack() {
	docker exec "$name" sh -c 'mkdir /repo && tar -xf /repo.tar -C /repo' &&
		! docker exec "$name" sh -c 'command -v make || command -v gcc || command -v psql'
}
check "the container is bare (no make, gcc or psql) and holds the repository" unpack

install_make() {
	inside 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends make' \
		"$work/make.log"
}
check "apt-get install make (the README's only prerequisite)" install_make

make_build() {
	inside 'make build' "$work/build.log" && inside 'test -x build/planpipe && build/planpipe --version'
}
check "make build installs what it needs and builds" make_build

# wait_ready PORT: /readyz answers 200 within 120 s.
wait_ready() {
	wr_end=$(($(now) + 120))
	while [ "$(now)" -lt "$wr_end" ]; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
			"http://127.0.0.1:$1/readyz" 2>/dev/null) || code=000
		[ "$code" = 200 ] && return 0
		sleep 1
	done
	note "/readyz on port $1 answered $code"
	return 1
}
# token_in LOG: the token make run printed (the line after "Admin token").
token_in() { sed -n '/^Admin token/{n;s/^ *//;p;q}' "$1"; }

make_run() {
	docker exec -d -w /repo -e PLANPIPE_LISTEN=0.0.0.0:8080 "$name" \
		sh -c 'make run >/repo/run1.log 2>&1' || return 1
	port=$(port_of 8080)
	wait_ready "$port" || { docker exec "$name" tail -n 40 /repo/run1.log | sed 's/^/#   /'; return 1; }
	docker cp "$name:/repo/run1.log" "$work/run1.log" || return 1
	grep -q '^Admin token (new):' "$work/run1.log" || { note "no new token printed"; return 1; }
	token=$(token_in "$work/run1.log")
	[ -n "$token" ] || return 1
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		-H "Authorization: Bearer $token" "http://127.0.0.1:$port/v1/projects")
	[ "$code" = 200 ] || { note "GET /v1/projects with the printed token: $code"; return 1; }
	grep -q 'eval "$(make -s -C' "$work/run1.log" || { note "no eval line printed"; return 1; }
}
check "make run serves /readyz 200 and the admin token it printed works" make_run

cli_on_path() {
	inside 'eval "$(make -s env)" && command -v planpipe && planpipe health --readiness && planpipe migrate status' \
		"$work/env.log" || return 1
	grep -q '^/repo/build/planpipe$' "$work/env.log" || { note "planpipe is not build/planpipe"; return 1; }
	# The database is reached over its socket: no password in make env.
	inside 'make -s env; echo; cat var/pg/password' "$work/env.txt" || return 1
	pw=$(tail -n 1 "$work/env.txt")
	[ -n "$pw" ] && ! sed '$d' "$work/env.txt" | grep -qF -e "$pw" -e 'PGPASSWORD='
}
check "eval \"\$(make -s env)\" puts planpipe on the PATH, reaching the database" cli_on_path

# again [ROTATE=1]: a second `make run` on port 8081, stopped after a while.
again() {
	inside "$* PLANPIPE_LISTEN=0.0.0.0:8081 timeout 20 make run; true" "$work/run2.log"
}
token_kept() {
	again || return 1
	grep -q '^Admin token (kept' "$work/run2.log" || { note "the token was not kept"; return 1; }
	[ "$(token_in "$work/run2.log")" = "$token" ]
}
check "a second make run keeps the admin token" token_kept

token_rotated() {
	again ROTATE=1 || return 1
	new=$(token_in "$work/run2.log")
	grep -q '^Admin token (new):' "$work/run2.log" && [ -n "$new" ] && [ "$new" != "$token" ] || {
		note "ROTATE=1 did not make a new token"
		return 1
	}
	# The old token stops working at once (the first make run still serves).
	code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
		-H "Authorization: Bearer $token" "http://127.0.0.1:$(port_of 8080)/v1/projects")
	[ "$code" = 401 ] || { note "the old token answered $code"; return 1; }
}
check "make run ROTATE=1 replaces it, and the old one stops working" token_rotated

ignored() {
	inside 'git init -q . 2>/dev/null; mkdir -p secrets backups && touch .env secrets/x backups/y &&
		test "$(git check-ignore .env secrets/x backups/y var/admin-token | wc -l)" = 4'
}
check ".env, secrets/, backups/ and var/ are ignored by git" ignored

if [ "${PP_FRESH_NO_SUITE:-0}" = 1 ]; then
	note "skipped: make test inside the container (PP_FRESH_NO_SUITE=1)"
	skipped=$((skipped + 1))
else
	suite() {
		# The first make run is still serving on the local cluster: the suite
		# uses its own throwaway clusters beside it.
		inside 'make test' "$work/test.log"
		line=$(grep -E '^make test: [0-9]+ passed, [0-9]+ failed' "$work/test.log" | tail -n 1)
		note "inside: $line"
		[ -n "$line" ] && case "$line" in *" 0 failed"*) true ;; *) false ;; esac
	}
	check "make test passes inside the container (its Docker stages skip)" suite
fi

finish
