# SPDX-License-Identifier: BSL-1.0
# Shared by the bench/run_*_bench.sh scripts. Source it from bash.
# shellcheck shell=bash

# bench_build ROOT BUILD JOBS NAME TARGET...: configures BUILD (Release, benchmarks only) and
# builds the targets; the log goes to BUILD/NAME_build.log, its tail to stderr when it fails
# (then the script exits 1).
bench_build() {
    local root=$1 build=$2 jobs=$3 name=$4
    shift 4
    echo "== building $* (Release, $build; log in $build/${name}_build.log)"
    mkdir -p "$build"
    if ! { nice -n 10 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSWIM_BUILD_TESTS=OFF \
            -DSWIM_BUILD_EXAMPLES=OFF -DSWIM_BUILD_BENCH=ON &&
            nice -n 10 cmake --build "$build" -j"$jobs" --target "$@"; } \
        >"$build/${name}_build.log" 2>&1; then
        tail -n 40 "$build/${name}_build.log" >&2
        echo "run_${name}.sh: the build failed" >&2
        exit 1
    fi
}
