#!/bin/sh
# planpipe-patroni: the command of the `ha` profile's PostgreSQL nodes
# (pg-ha1, pg-ha2). Writes Patroni's configuration, then runs Patroni as
# postgres; Patroni initialises the first node (initdb, then the database
# POSTGRES_DB), clones the others from the leader, and promotes a standby
# when the leader's key in etcd expires.
#
# Environment: PATRONI_NAME (the node, also its host name), POSTGRES_USER
# and POSTGRES_PASSWORD (the superuser), PLANPIPE_HA_REPLICATION_PASSWORD
# (the role `replicator`) (each password or its _FILE), POSTGRES_DB (planpipe), PLANPIPE_HA_SYNCHRONOUS
# (on: a commit returns once the synchronous standby has it), PLANPIPE_HA_TTL
# (seconds the leader key lives without renewal, 10), PATRONI_ETCD3_HOSTS.
set -eu

die() { echo "planpipe-patroni: ERROR: $*" >&2; exit 1; }

: "${PATRONI_NAME:?PATRONI_NAME must be set (the node's name and host name)}"
# Either password may come from a file (VAR_FILE, a Docker secret), read
# here while still root, and exported for the run as postgres below.
# shellcheck source-path=SCRIPTDIR source=../lib/file_env.sh
. "${PP_FILE_ENV_SH:-/usr/local/lib/planpipe/file_env.sh}"
file_env POSTGRES_PASSWORD
file_env PLANPIPE_HA_REPLICATION_PASSWORD
[ -n "${POSTGRES_PASSWORD:-}" ] || die "POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) is not set"
[ -n "${PLANPIPE_HA_REPLICATION_PASSWORD:-}" ] ||
	die "PLANPIPE_HA_REPLICATION_PASSWORD (or PLANPIPE_HA_REPLICATION_PASSWORD_FILE) is not set"
export POSTGRES_PASSWORD PLANPIPE_HA_REPLICATION_PASSWORD

if [ "$(id -u)" = 0 ]; then
	mkdir -p /var/lib/postgresql/data /var/run/postgresql
	chown postgres:postgres /var/lib/postgresql/data /var/run/postgresql
	exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

case "${PLANPIPE_HA_SYNCHRONOUS:-on}" in on | true | 1) sync=true ;; *) sync=false ;; esac
ttl=${PLANPIPE_HA_TTL:-10}
db=${POSTGRES_DB:-planpipe}
conf=/var/lib/postgresql/patroni.yml
umask 077
cat >"$conf" <<YAML
scope: ${PATRONI_SCOPE:-planpipe}
name: $PATRONI_NAME
restapi:
  listen: 0.0.0.0:8008
  connect_address: $PATRONI_NAME:8008
etcd3:
  hosts: ${PATRONI_ETCD3_HOSTS:-etcd:2379}
bootstrap:
  dcs:
    ttl: $ttl
    loop_wait: 2
    retry_timeout: 4
    maximum_lag_on_failover: 1048576
    synchronous_mode: $sync
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        password_encryption: scram-sha-256
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - data-checksums
  pg_hba:
    - local all all trust
    - host replication replicator all scram-sha-256
    - host all all all scram-sha-256
  post_bootstrap: /var/lib/postgresql/post-bootstrap.sh
postgresql:
  listen: 0.0.0.0:5432
  connect_address: $PATRONI_NAME:5432
  data_dir: /var/lib/postgresql/data/15
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: /tmp/pgpass
  # A new standby's pg_basebackup asks for an immediate checkpoint, not
  # one spread over minutes.
  basebackup:
    - checkpoint: fast
  authentication:
    superuser:
      username: ${POSTGRES_USER:-planpipe}
      password: "$POSTGRES_PASSWORD"
    replication:
      username: replicator
      password: "$PLANPIPE_HA_REPLICATION_PASSWORD"
  parameters:
    unix_socket_directories: /var/run/postgresql
    shared_buffers: 128MB
    timezone: UTC
    log_line_prefix: '%m [%p] %q%u@%d '
tags:
  nofailover: false
  noloadbalance: false
YAML
# After initdb on the first node: the application's database.
cat >/var/lib/postgresql/post-bootstrap.sh <<SH
#!/bin/sh
exec psql -X -q -v ON_ERROR_STOP=1 "\$1" -c 'CREATE DATABASE "$db"'
SH
chmod 700 /var/lib/postgresql/post-bootstrap.sh
unset POSTGRES_PASSWORD PLANPIPE_HA_REPLICATION_PASSWORD
exec patroni "$conf"
