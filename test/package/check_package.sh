#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs the build tree to a scratch prefix, builds test/package/consumer against it with
# find_package(swim), runs it and checks its output. Usage: check_package.sh BUILD_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log"
cmake -S "$here/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log"
cmake --build "$work/consumer" >"$work/build.log"
out="$("$work/consumer/consumer")"
want='@command(node:"/hotel/room/1",lane:light)@hello{a:1}'
if [[ "$out" != "$want" ]]; then
    echo "consumer printed: $out"
    echo "expected:         $want"
    exit 1
fi
echo "1 passed, 0 failed"
