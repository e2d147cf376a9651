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

. "$root/tests/lib/npm.sh"
npm_install openapi "$dir" "$pkg"
# The script must resolve the package from $dir: run a copy there.
cp "$here/validate.mjs" "$dir/validate.mjs"
exec node "$dir/validate.mjs" "$root/docs/openapi.json"
