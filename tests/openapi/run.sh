#!/bin/sh
# Validates docs/openapi.json with a real OpenAPI validator from npm
# (@apidevtools/swagger-parser, pinned), installed once into
# $PP_OPENAPI_NODE_DIR (a directory of the build tree, not of the sources).
# Exits 77 (skipped) without node and npm or without the npm registry.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir=${PP_OPENAPI_NODE_DIR:-${TMPDIR:-/tmp}/planpipe-openapi-node}
pkg="@apidevtools/swagger-parser@12.1.0"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "openapi: node and npm are needed (apt-get install nodejs npm): skipped" >&2
	exit 77
fi
if [ ! -f "$dir/node_modules/@apidevtools/swagger-parser/package.json" ]; then
	mkdir -p "$dir"
	if ! npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$pkg" >"$dir/npm.log" 2>&1; then
		cat "$dir/npm.log" >&2
		echo "openapi: cannot install $pkg from the npm registry: skipped" >&2
		exit 77
	fi
fi
# The script must resolve the package from $dir: run a copy there.
cp "$here/validate.mjs" "$dir/validate.mjs"
exec node "$dir/validate.mjs" "$root/docs/openapi.json"
