#!/bin/sh
# archive_command of planpipe's `db` image (installed as planpipe-pgbackrest-archive-push):
#
#   archive_command = '/usr/local/bin/planpipe-pgbackrest-archive-push %p'
#
# Pushes one WAL segment to the pgBackRest repository (PGBACKREST_* variables,
# inherited from the server's environment). When the push fails because the
# stanza does not exist yet (a new repository volume, or a volume made before
# this image archived), it creates the stanza and tries once more. Any other
# failure exits non-zero: PostgreSQL keeps the segment in pg_wal and retries,
# so a WAL segment is never dropped. A repository holding another cluster's
# stanza is refused by stanza-create ("do not match the database"): archiving
# then stops, with that message in the server's log, until an operator
# chooses another repository or stanza.
set -u

[ $# -eq 1 ] || { echo "usage: planpipe-pgbackrest-archive-push WAL_PATH" >&2; exit 2; }

# PGBACKREST_PG1_USER: the entrypoint sets it to POSTGRES_USER; a server
# started otherwise (pg_ctl by hand) may not have it.
: "${PGBACKREST_PG1_USER:=${POSTGRES_USER:-postgres}}"
export PGBACKREST_PG1_USER

# A new repository (posix, the image's default): the stanza first, without
# the error and hints a push into a missing stanza prints.
if [ "${PGBACKREST_REPO1_TYPE:-posix}" = posix ] &&
	[ ! -e "${PGBACKREST_REPO1_PATH:-/var/lib/pgbackrest}/archive/${PGBACKREST_STANZA:-planpipe}/archive.info" ]; then
	pgbackrest stanza-create >&2 || exit 1
fi
pgbackrest archive-push "$1" && exit 0
# Unknown whether the stanza is the cause: stanza-create says nothing and
# succeeds when the stanza exists and matches, and refuses a mismatch.
pgbackrest stanza-create >&2 || exit 1
exec pgbackrest archive-push "$1"
