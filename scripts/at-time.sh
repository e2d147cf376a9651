#!/bin/sh
# Runs a command with the system clock at a fixed moment, for the tests that
# must pass on any date (docs/decisions.md, "A pinned clock").
#
#   scripts/at-time.sh 'YYYY-MM-DD HH:MM:SS' [TZ] -- COMMAND [ARG...]
#
# The moment is UTC. TZ (default UTC) is the time zone the command, and any
# PostgreSQL cluster it starts, run in: Europe/Berlin on 2027-03-28 puts the
# run on a 23-hour day. libfaketime (Debian's libfaketime) is preloaded into
# every process of the command, the PostgreSQL server included, with one
# fixed offset, so all of them agree on the time and it advances as usual.
# The monotonic clock stays real, so timeouts keep their length.
set -eu

die() { echo "at-time: $*" >&2; exit 2; }

[ $# -ge 3 ] || die "usage: at-time.sh 'YYYY-MM-DD HH:MM:SS' [TZ] -- COMMAND [ARG...]"
moment=$1
shift
tz=UTC
if [ "$1" != -- ]; then
	tz=$1
	shift
fi
[ "${1:-}" = -- ] || die "usage: at-time.sh 'YYYY-MM-DD HH:MM:SS' [TZ] -- COMMAND [ARG...]"
shift
[ $# -ge 1 ] || die "no command"

lib=${PP_FAKETIME_LIB:-/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1}
[ -r "$lib" ] || die "no libfaketime at $lib (scripts/install-deps.sh test installs it)"
[ -r "/usr/share/zoneinfo/$tz" ] || die "unknown time zone '$tz'"

target=$(TZ=UTC date -d "$moment UTC" +%s 2>/dev/null) || die "not a moment: '$moment'"
offset=$((target - $(date +%s)))
case "$offset" in
-*) ;;
*) offset="+$offset" ;;
esac

# libfaketime shares its state between a process and its children through
# /dev/shm/sem.faketime_sem_PID and faketime_shm_PID. A process that was
# killed leaves them behind, and the next process that gets the same PID
# fails to start (sem_open: Permission denied when the stale one belongs to
# the postgres user): remove those whose process is gone.
for f in /dev/shm/sem.faketime_sem_* /dev/shm/faketime_shm_*; do
	[ -e "$f" ] || continue
	pid=${f##*_}
	[ -d "/proc/$pid" ] || rm -f "$f" 2>/dev/null || true
done

LD_PRELOAD="$lib${LD_PRELOAD:+ $LD_PRELOAD}"
FAKETIME=$offset
FAKETIME_DONT_FAKE_MONOTONIC=1
TZ=$tz
PGTZ=$tz
export LD_PRELOAD FAKETIME FAKETIME_DONT_FAKE_MONOTONIC TZ PGTZ
exec "$@"
