#!/bin/sh
# Starts the Docker daemon by hand when none answers (machines without
# systemd: CI containers, sandboxes), then waits until it does.
#
#   scripts/start-dockerd.sh
#
# Idempotent: exits at once when `docker info` already answers. On timeout it
# prints the end of the daemon's log and exits 1.
#
# Environment (optional):
#   PLANPIPE_DOCKERD_TIMEOUT  seconds to wait for the daemon (60)
#   PLANPIPE_DOCKERD_LOG      the daemon's log file (/var/log/dockerd.log)
set -eu

wait_s=${PLANPIPE_DOCKERD_TIMEOUT:-60}
log=${PLANPIPE_DOCKERD_LOG:-/var/log/dockerd.log}
pidfile=/var/run/docker.pid

say() { echo "start-dockerd: $*" >&2; }

answers() { timeout 10 docker info >/dev/null 2>&1; }

answers && exit 0

if ! command -v docker >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1; then
	say "docker is not installed: sh scripts/install-deps.sh docker"
	exit 1
fi

if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
	# Started by someone else (or by us a moment ago) and still coming up.
	say "dockerd (pid $(cat "$pidfile")) is running; waiting for it to answer"
else
	[ "$(id -u)" -eq 0 ] || {
		say "dockerd is not running and starting it needs root: sudo $0"
		exit 1
	}
	say "starting dockerd (log: $log)"
	mkdir -p "$(dirname "$log")"
	# setsid: the daemon must outlive this script and not get the signals
	# meant for whatever shell or test run started it.
	setsid dockerd >>"$log" 2>&1 </dev/null &
	started=$!
fi

fail() {
	say "$1; end of $log:"
	tail -n 30 "$log" >&2 2>/dev/null || true
	exit 1
}

waited=0
while ! answers; do
	# A daemon that died (bad storage driver, no iptables...) will not answer.
	if [ -n "${started:-}" ] && ! kill -0 "$started" 2>/dev/null; then
		fail "dockerd exited during start-up"
	fi
	[ "$waited" -lt "$wait_s" ] || fail "dockerd did not answer within ${wait_s}s"
	sleep 1
	waited=$((waited + 1))
done
say "dockerd is up"
