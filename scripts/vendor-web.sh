#!/bin/sh
# Vendors the dashboard's chart library (Chart.js) from the npm registry as
# its published dist file, with its licence, and records version, tarball
# integrity (the registry's SRI hash) and the file's sha256 in
# web/ui/vendor/README.md. The binary embeds web/ at build time, so the page
# loads nothing from a CDN.
#
#   scripts/vendor-web.sh [VERSION]     default: the version below
#
# Needs npm and network access to the registry; changes only web/ui/vendor/.
set -eu
version=${1:-4.6.1}
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/../web/ui/vendor"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/planpipe-vendor.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm pack --silent "chart.js@$version" >npm-pack.out
tgz=$(tail -n 1 npm-pack.out)
integrity=$(npm view "chart.js@$version" dist.integrity)
# The registry's integrity is of the tarball: check what npm pack fetched.
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$integrity" ]; then
	echo "vendor-web: $tgz: integrity $got, the registry says $integrity" >&2
	exit 1
fi
tar xzf "$tgz"
mkdir -p "$dest"
cp package/dist/chart.umd.min.js "$dest/chart.umd.min.js"
cp package/LICENSE.md "$dest/chart.js.LICENSE.md"
sha=$(sha256sum "$dest/chart.umd.min.js" | cut -d' ' -f1)
cat >"$dest/README.md" <<MD
# Vendored browser libraries

Written by \`scripts/vendor-web.sh\`; do not edit the files here by hand.

| file | package | version | licence | npm tarball integrity | file sha256 |
|---|---|---|---|---|---|
| \`chart.umd.min.js\` | [chart.js](https://www.chartjs.org/) \`dist/chart.umd.min.js\` | $version | MIT (\`chart.js.LICENSE.md\`) | \`$integrity\` | \`$sha\` |

To update: \`scripts/vendor-web.sh VERSION\`, then rebuild and run the browser
test (\`meson test -C build dashboard-browser\`).
MD
echo "vendor-web: chart.js $version into $dest"
