#!/bin/sh
# Fails when a C file differs from what clang-format (.clang-format) makes of it.
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find src tests tools -name '*.[ch]')
[ -n "$files" ] || exit 0
# shellcheck disable=SC2086
clang-format --dry-run --Werror $files
