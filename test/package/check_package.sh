#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Two consumers of swim-cpp, each built and run, their output checked:
#  - test/package/consumer against the build tree installed to a scratch prefix (find_package);
#  - test/package/subdir_consumer, which builds swim-cpp itself with add_subdirectory.
# Usage: check_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$1"
source_dir="$2"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
want='@command(node:"/hotel/room/1",lane:light)@hello{a:1}'
passed=0
failed=0
check() {
    local name="$1" exe="$2"
    local out
    out="$("$exe")"
    if [[ "$out" == "$want" ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name printed: $out"
        echo "     expected:     $want"
    fi
}
log() { echo "see $1:"; tail -n 30 "$1"; }

cache_var() { sed -n "s/^$1:[A-Z]*=//p" "$build/CMakeCache.txt"; }
# A sanitized build (SWIM_SANITIZE) installs instrumented libraries: consumers link the runtime.
sanitize="$(cache_var SWIM_SANITIZE)"
link_flags=""
if [[ -n "$sanitize" ]]; then
    link_flags="-fsanitize=$sanitize"
fi

cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" || { log "$work/install.log"; exit 1; }
cmake -S "$here/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" \
    -DCMAKE_EXE_LINKER_FLAGS="$link_flags" >"$work/configure.log" ||
    { log "$work/configure.log"; exit 1; }
cmake --build "$work/consumer" >"$work/build.log" || { log "$work/build.log"; exit 1; }
check find_package "$work/consumer/consumer"

# The add_subdirectory consumer compiles swim-cpp itself: a plain Release build (no
# sanitizers, no debug info) is what it checks, and it is several times quicker than a
# sanitized one, which took over ten minutes on two cores.
export CCACHE_NOHASHDIR=1
cmake -S "$here/subdir_consumer" -B "$work/subdir" -DSWIM_SOURCE_DIR="$source_dir" \
    -DSWIM_SANITIZE= -DCMAKE_BUILD_TYPE=Release \
    -DSWIM_WARNINGS_AS_ERRORS="$(cache_var SWIM_WARNINGS_AS_ERRORS)" >"$work/subdir_configure.log" ||
    { log "$work/subdir_configure.log"; exit 1; }
cmake --build "$work/subdir" -j"${SWIM_JOBS:-2}" --target consumer >"$work/subdir_build.log" || { log "$work/subdir_build.log"; exit 1; }
check add_subdirectory "$work/subdir/consumer"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
