#!/bin/sh
# Throwaway and local PostgreSQL 15 clusters for tests and `make run`.
#
#   scripts/pg-cluster.sh start DIR [PORT]   initdb DIR/data if needed, then start
#   scripts/pg-cluster.sh stop DIR           fast shutdown, waits
#   scripts/pg-cluster.sh restart DIR        fast restart on the same port
#   scripts/pg-cluster.sh env DIR            print the libpq variables to reach it
#
# The server listens on a unix socket in DIR/run (trust) and on 127.0.0.1:PORT
# (scram-sha-256, superuser "postgres", password in DIR/password). Without a
# PORT a free one is picked. PostgreSQL refuses to run as root, so as root
# initdb and pg_ctl run as the "postgres" user.
set -eu

bindir=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
die() { echo "pg-cluster: $*" >&2; exit 1; }

# die, with the end of the server's log: a test's cluster lives in a
# temporary directory that is gone by the time anyone reads the failure.
die_log() {
	echo "pg-cluster: $*; the end of $dir/log/postgresql.log:" >&2
	tail -n 20 "$dir/log/postgresql.log" >&2 2>/dev/null
	exit 1
}

[ $# -ge 2 ] || die "usage: pg-cluster.sh start|stop|restart|env DIR [PORT]"
cmd=$1
dir=$2
port_arg=${3:-}
[ -x "$bindir/pg_ctl" ] || die "no PostgreSQL 15 server in $bindir (run scripts/install-deps.sh test)"

if [ "$(id -u)" -eq 0 ]; then
	as_pg() { runuser -u postgres -- "$@"; }
else
	as_pg() { "$@"; }
fi

pgctl() { as_pg "$bindir/pg_ctl" -D "$dir/data" "$@"; }

print_env() {
	port=$(cat "$dir/port")
	echo "PGHOST=$dir/run"
	echo "PGPORT=$port"
	echo "PGUSER=postgres"
	echo "PGDATABASE=postgres"
	echo "PP_TEST_PASSWORD=$(cat "$dir/password")"
	echo "PP_TEST_CLUSTER=$dir"
}

init() {
	mkdir -p "$dir/run" "$dir/log"
	if [ "$(id -u)" -eq 0 ]; then
		chown -R postgres:postgres "$dir"
		runuser -u postgres -- test -w "$dir" ||
			die "the postgres user cannot write $dir (a parent directory is closed to it)"
	fi
	[ -f "$dir/data/PG_VERSION" ] && return 0
	od -An -N12 -tx1 /dev/urandom | tr -d ' \n' >"$dir/password"
	chmod 600 "$dir/password"
	[ "$(id -u)" -ne 0 ] || chown postgres:postgres "$dir/password"
	as_pg "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C.UTF-8 \
		--auth-local=trust --auth-host=scram-sha-256 \
		--pwfile="$dir/password" ${PP_INITDB_ARGS:-} >"$dir/log/initdb.log" 2>&1 ||
		die "initdb failed, see $dir/log/initdb.log"
	cat >>"$dir/data/postgresql.conf" <<CONF
# pg-cluster.sh
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir/run'
max_connections = 200
log_line_prefix = '%m [%p] %q%u@%d '
CONF
	if [ -n "${PP_PG_FAST:-}" ]; then
		# Throwaway test clusters: durability buys nothing.
		printf "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n" \
			>>"$dir/data/postgresql.conf"
	fi
}

start_on() {
	echo "$1" >"$dir/port"
	pgctl -w -t 60 -l "$dir/log/postgresql.log" -o "-p $1" start >/dev/null 2>&1
}

start() {
	init
	if pgctl status >/dev/null 2>&1; then
		return 0
	fi
	if [ -n "$port_arg" ]; then
		start_on "$port_arg" || die_log "could not start on port $port_arg"
		return 0
	fi
	# Pick a free port by trying: the server itself is the only reliable judge.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 ))
		start_on "$port" && return 0
	done
	die_log "could not start a server"
}

case "$cmd" in
start) start; print_env ;;
stop) pgctl status >/dev/null 2>&1 && pgctl -w -m fast stop >/dev/null; true ;;
restart)
	pgctl -w -m fast -l "$dir/log/postgresql.log" -o "-p $(cat "$dir/port")" restart >/dev/null ||
		die_log "could not restart on port $(cat "$dir/port")"
	;;
env) print_env ;;
*) die "unknown command '$cmd'" ;;
esac
