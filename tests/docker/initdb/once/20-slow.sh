# shellcheck shell=sh
# Not executable on purpose: the entrypoint runs it with sh.
# Keeps the initialisation busy long enough for the test to show that the
# healthcheck fails meanwhile (while pg_isready on the socket would pass).
set -eu
# 12 s: room for the test's docker exec calls on a loaded machine.
echo "20-slow.sh: sleeping 12s as $(id -un), database $PGDATABASE"
sleep "12"
psql -X -q -v ON_ERROR_STOP=1 -c "COMMENT ON TABLE init_runs IS 'made by the init scripts'"
