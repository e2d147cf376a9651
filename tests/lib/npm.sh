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

# npm_ci WHO DIR SRC: the packages that SRC's package.json and
# package-lock.json pin, installed with `npm ci` into DIR/node_modules
# (package.json, package-lock.json and every SRC/*.js copied into DIR), unless
# DIR holds an install of the same lock file already. Unlike npm_install, a
# failure is an error, not a skip: returns 1 after "WHO: " and the reason
# (npm's output on standard error) without node and npm, or when the
# registry does not serve the packages.
npm_ci() {
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		echo "$1: node and npm are needed (scripts/install-deps.sh test)" >&2
		return 1
	fi
	mkdir -p "$2" || return 1
	cp "$3"/*.js "$2/" || return 1
	if [ -f "$2/node_modules/.package-lock.json" ] && cmp -s "$3/package-lock.json" "$2/package-lock.json"; then
		return 0
	fi
	cp "$3/package.json" "$3/package-lock.json" "$2/" || return 1
	if ! (cd "$2" && npm ci --no-audit --no-fund --loglevel=error) >"$2/npm.log" 2>&1; then
		cat "$2/npm.log" >&2
		rm -f "$2/package-lock.json"
		echo "$1: cannot install $3/package-lock.json's packages from the npm registry into $2" >&2
		return 1
	fi
}
