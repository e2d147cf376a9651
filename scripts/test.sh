#!/bin/sh
# `make test`: installs what is missing, then runs every test suite twice,
# in a plain build and under AddressSanitizer + UndefinedBehaviorSanitizer.
# The threaded code (the connection pool) runs once more under
# ThreadSanitizer, and the Docker stack is tested with real containers. Ends with one line "make test: N passed, N failed, N skipped" and exits
# non-zero if anything failed or timed out.
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
status=0

# Runs one build's suites; adds its counts to the totals.
suite() {
	dir=$1
	shift
	echo "== $dir: meson test $*"
	{
		meson test -C "$dir" --print-errorlogs "$@"
		echo $? >"$dir/test.rc"
	} 2>&1 | tee "$dir/test.out"
	count() { awk -v k="$1" '$1 == k { n += $2 } END { print n + 0 }' "$dir/test.out"; }
	passed=$((passed + $(count Ok:)))
	failed=$((failed + $(count Fail:) + $(count Timeout:) + $(count "Unexpected")))
	skipped=$((skipped + $(count Skipped:)))
	[ "$(cat "$dir/test.rc")" -eq 0 ] || status=1
}

setup build
setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
setup build-tsan -Db_sanitize=thread -Db_lundef=false
ninja -C build
ninja -C build-asan
ninja -C build-tsan
suite build
suite build-asan --no-suite style
suite build-tsan pool health pool-hammer-tsan

# The Docker stack, with real containers (it installs and starts dockerd, and
# builds debian:bookworm-slim with debootstrap when it cannot be pulled).
echo "== docker: tests/docker/run.sh"
{
	sh tests/docker/run.sh
	echo $? >build/docker.rc
} 2>&1 | tee build/docker.out
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' build/docker.out | tail -n 1)
if [ -n "$line" ]; then
	passed=$((passed + $(echo "$line" | awk '{print $1}')))
	failed=$((failed + $(echo "$line" | awk '{print $3}')))
else
	failed=$((failed + 1))
fi
[ "$(cat build/docker.rc)" -eq 0 ] || status=1

echo "make test: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || status=1
exit $status
