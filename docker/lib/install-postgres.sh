#!/bin/sh
# install-postgres.sh: the install that docker/db/Dockerfile and
# docker/patroni/Dockerfile share, run by each at build time (PG_MAJOR set by
# the Dockerfile): the postgres user with fixed ids, Debian's PostgreSQL
# $PG_MAJOR without the cluster the package would make, the packages named
# as arguments, and the socket directory.
#
#   sh install-postgres.sh [PACKAGE...]
set -eux
: "${PG_MAJOR:?set by the Dockerfile}"

# Fixed ids (as the official image has), so files on a volume keep meaning
# the postgres user whatever image (db or ha) and version mounts them.
groupadd --system --gid 999 postgres
useradd --system --uid 999 --gid postgres --home-dir /var/lib/postgresql \
	--shell /bin/bash postgres
mkdir -p /var/lib/postgresql
chown postgres:postgres /var/lib/postgresql

apt-get update
apt-get install -y --no-install-recommends postgresql-common
# The package would otherwise create and start a cluster of its own in
# /var/lib/postgresql/$PG_MAJOR/main; the images make theirs in PGDATA.
sed -ri 's/^#?\s*create_main_cluster\s*=.*/create_main_cluster = false/' \
	/etc/postgresql-common/createcluster.conf
apt-get install -y --no-install-recommends "postgresql-$PG_MAJOR" "$@"
rm -rf /var/lib/apt/lists/*
[ -z "$(ls -A "/var/lib/postgresql/$PG_MAJOR" 2>/dev/null)" ]

# The socket directory: sticky and writable by all, as Debian has it.
mkdir -p /var/run/postgresql
chown postgres:postgres /var/run/postgresql
chmod 3777 /var/run/postgresql
