# npm.sh: the npm package a test drives (tests/browser/run.sh,
# tests/openapi/run.sh), installed once into a directory of the build tree,
# never of the sources. Sourced (POSIX sh); runs nothing.

# npm_install WHO DIR PACKAGE@VERSION: PACKAGE from the npm registry into
# DIR/node_modules, unless it is there already. Exits 77 (skipped, saying
# why, after "WHO: ") without node and npm, or when the registry does not
# serve it (npm's output on standard error).
npm_install() {
	ni_name=${3%@*}
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		echo "$1: node and npm are needed (scripts/install-deps.sh test): skipped" >&2
		exit 77
	fi
	[ -f "$2/node_modules/$ni_name/package.json" ] && return 0
	mkdir -p "$2"
	if ! npm install --prefix "$2" --no-audit --no-fund --loglevel=error "$3" >"$2/npm.log" 2>&1; then
		cat "$2/npm.log" >&2
		echo "$1: cannot install $3 from the npm registry: skipped" >&2
		exit 77
	fi
}
