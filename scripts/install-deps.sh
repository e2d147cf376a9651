#!/bin/sh
# Installs the Debian packages planpipe needs, only those missing.
#
#   scripts/install-deps.sh [GROUP...]     GROUP: build (default), test, docker, bench
#
# Idempotent and quiet when everything is there, so `make run` and `make test`
# call it every time. Needs root (or sudo) only when something is missing.
set -eu

# `meson setup` reads tests/meson.build too, so the test programs' libraries
# (cmocka, libcurl) are part of every build; git: import-repo and import's
# commit ids.
build="gcc make meson ninja-build pkg-config libpq-dev libmicrohttpd-dev
       libjansson-dev libfyaml-dev libssl-dev libcmocka-dev libcurl4-openssl-dev
       git postgresql-15 postgresql-client-15"
# wrk: the bench-smoke test (make test) runs bench/api. faketime: the tests
# that run at pinned dates (scripts/at-time.sh). nodejs, npm, chromium: the
# dashboard's browser test (tests/browser, puppeteer-core from npm), the
# OpenAPI validator and bench/api's Fastify + pg peer (bench/peer).
test="curl postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl
      clang-format wrk faketime nodejs npm chromium"
docker="docker.io docker-compose debootstrap curl"
bench="wrk curl postgresql-contrib nodejs npm"

[ $# -gt 0 ] || set -- build
want=""
for group in "$@"; do
	case "$group" in
	build) want="$want $build" ;;
	test) want="$want $build $test" ;;
	docker) want="$want $docker" ;;
	bench) want="$want $build $bench" ;;
	*) echo "install-deps: unknown group '$group' (build, test, docker, bench)" >&2; exit 2 ;;
	esac
done

# A machine may carry Node.js from elsewhere (NodeSource's nodejs bundles its
# own npm and conflicts with Debian's npm package): a command on the PATH
# satisfies these two, whatever package brought it.
have_command() {
	case "$1" in
	nodejs) command -v node >/dev/null 2>&1 ;;
	npm) command -v npm >/dev/null 2>&1 ;;
	*) return 1 ;;
	esac
}

missing=""
for pkg in $want; do
	! have_command "$pkg" || continue
	status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
	case "$status" in
	*"ok installed"*) ;;
	*) case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac ;;
	esac
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root: apt-get install$missing" >&2
	exit 1
fi

echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# An old package list can lack a package or name a version the mirror no
# longer has, so refresh it once before installing.
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
