#!/bin/sh
# `make test`: installs what is missing, then runs every test suite twice,
# in a plain build and under AddressSanitizer + UndefinedBehaviorSanitizer
# (the plain build also runs the clock-reading tests at pinned dates). The
# threaded code (the connection pool, the HTTP server's lanes and request
# deadline) runs once more under ThreadSanitizer, the Docker stack is tested
# with real containers (tests/docker/run.sh, then the stages docker-pitr,
# docker-standby and docker-ha), and a clean debian:bookworm-slim container
# runs the README's commands (tests/fresh).
# Ends with one line "make test: N passed, N failed, N skipped, N expected
# failures" (known gaps, marked should_fail in tests/meson.build: never
# counted as passed; one that starts passing is a failure) and exits
# non-zero if anything failed or timed out, or a suite could not run.
set -eu
cd "$(dirname "$0")/.."

sh scripts/install-deps.sh test

setup() {
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || {
			cat "$dir.setup.log" >&2
			exit 1
		}
	fi
}

passed=0
failed=0
skipped=0
xfailed=0
status=0

# Runs one build's suites; adds its counts to the totals.
suite() {
	dir=$1
	shift
	echo "== $dir: meson test $*"
	# The exit code crosses the pipe through a file; `|| rc=$?` keeps set -e
	# from ending the group before it is written.
	{
		rc=0
		meson test -C "$dir" --print-errorlogs "$@" || rc=$?
		echo "$rc" >"$dir/test.rc"
	} 2>&1 | tee "$dir/test.out"
	# meson's summary: "Ok:  N", "Fail:  N", "Expected Fail:  N", "Unexpected Pass:  N".
	count() { awk -v k="$1" '$1 == k { n += $2 } END { print n + 0 }' "$dir/test.out"; }
	count2() { awk -v k="$1" '$1 " " $2 == k { n += $3 } END { print n + 0 }' "$dir/test.out"; }
	passed=$((passed + $(count Ok:)))
	failed=$((failed + $(count Fail:) + $(count Timeout:) + $(count2 "Unexpected Pass:")))
	skipped=$((skipped + $(count Skipped:)))
	xfailed=$((xfailed + $(count2 "Expected Fail:")))
	if [ "$(cat "$dir/test.rc" 2>/dev/null || echo 1)" != 0 ]; then
		status=1
		# A run that failed before any test ran (a build error) still counts.
		[ "$(count Fail:)$(count Ok:)" != 00 ] || failed=$((failed + 1))
	fi
}

setup build
ninja -C build
# PP_TEST_REPEATS_SKIPPED=REASON skips the runs that repeat the same tree
# another way: the sanitizer builds, and the clock and bench suites (the
# suite at pinned dates, the benchmarks' smoke runs). tests/fresh sets it for
# the make test inside its container, because the outer make test runs them
# on the same tree; twice would cost half an hour.
if [ -n "${PP_TEST_REPEATS_SKIPPED:-}" ]; then
	echo "== skipped: build-asan, build-tsan and the clock and bench suites: $PP_TEST_REPEATS_SKIPPED"
	suite build --no-suite clock --no-suite bench
else
	suite build
	setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
	setup build-tsan -Db_sanitize=thread -Db_lundef=false
	ninja -C build-asan
	ninja -C build-tsan
	suite build-asan --no-suite style
	suite build-tsan pool health pool-hammer-tsan lane deadline
fi

# shell_suite PREFIX: adds the counts of a shell suite's closing line
# ("N passed, N failed[, N skipped]" in PREFIX.out) and its exit code
# (PREFIX.rc); a suite that ended without that line counts as one failure.
shell_suite() {
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1.out" | tail -n 1)
	if [ -n "$line" ]; then
		passed=$((passed + $(echo "$line" | awk '{print $1}')))
		failed=$((failed + $(echo "$line" | awk '{print $3}')))
		skipped=$((skipped + $(echo "$line" | awk '{print $5 + 0}')))
	else
		failed=$((failed + 1))
	fi
	[ "$(cat "$1.rc" 2>/dev/null || echo 1)" = 0 ] || status=1
}

# shell_stage NAME SCRIPT: runs the shell suite SCRIPT, its output shown and
# kept in build/NAME.out, its exit code in build/NAME.rc, and counts it.
shell_stage() {
	echo "== $1: $2"
	{
		rc=0
		sh "$2" || rc=$?
		echo "$rc" >"build/$1.rc"
	} 2>&1 | tee "build/$1.out"
	shell_suite "build/$1"
}

# The Docker stack, with real containers (it installs and starts dockerd, and
# builds debian:bookworm-slim with debootstrap when it cannot be pulled).
shell_stage docker tests/docker/run.sh

# Beyond one machine (issue 19), each its own compose project: the
# point-in-time recovery drill with pgBackRest, the replica profile's
# streaming standby, and the ha profile's failover with Patroni.
for stage in pitr standby ha; do
	shell_stage "docker-$stage" "tests/docker/$stage.sh"
done

# A fresh Debian 12 in a clean container: make build, make run, make env,
# and make test inside it (tests/fresh/run.sh).
shell_stage fresh tests/fresh/run.sh

echo "make test: $passed passed, $failed failed, $skipped skipped, $xfailed expected failures"
[ "$failed" -eq 0 ] || status=1
exit $status
