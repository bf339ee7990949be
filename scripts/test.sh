#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
#
# The one command to build swim-cpp and run every test, on a fresh Debian 12 machine or a
# developer's checkout (CI runs it through .ci/run):
#
#   1. installs the apt packages that are missing (apt-get update only when something is);
#   2. configures build/ (RelWithDebInfo, warnings as errors) with AddressSanitizer and
#      UndefinedBehaviorSanitizer, builds it, runs ctest: every test runs sanitized, and any
#      report (memory error, leak, undefined behaviour) fails it;
#   3. builds the concurrency test (a server and clients on one io_context run by 4 threads)
#      with ThreadSanitizer in build-tsan/ and runs it: any report fails it;
#   4. when clang is available, builds the libFuzzer targets in build-fuzz/ and runs each one
#      for SWIM_FUZZ_SECONDS (default 30) on a copy of its seed corpus.
#
# Environment:
#   SWIM_JOBS=<n>          parallel build jobs (default: nproc)
#   SWIM_SANITIZE=<list>   sanitizers of build/ (default address,undefined; none: plain build)
#   SWIM_TSAN=0            skip the ThreadSanitizer build and run
#   SWIM_FUZZ_SECONDS=<s>  fuzzing time per target; 0 only replays the seeds and old crashes
#   SWIM_FUZZ=0            skip the fuzzers entirely
#
# Exits non-zero when the build, a test, a sanitizer or a fuzzer fails. Re-runs are
# incremental (ccache).
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SWIM_ROOT"

SWIM_FUZZ="${SWIM_FUZZ:-1}"
SWIM_FUZZ_SECONDS="${SWIM_FUZZ_SECONDS:-30}"
SWIM_TSAN="${SWIM_TSAN:-1}"
SWIM_SANITIZE="${SWIM_SANITIZE-address,undefined}"
if [[ "$SWIM_SANITIZE" == "none" ]]; then
    SWIM_SANITIZE=""
fi
if ! [[ "$SWIM_FUZZ_SECONDS" =~ ^[0-9]+$ ]]; then
    echo "error: SWIM_FUZZ_SECONDS must be a whole number of seconds, got '$SWIM_FUZZ_SECONDS'" >&2
    exit 2
fi

# <fuzz target>:<seed corpus under test/fuzz/corpus>
FUZZ_TARGETS=(
    recon_parser_fuzz:recon
    envelope_reader_fuzz:envelope
    server_session_fuzz:server_session
    host_session_fuzz:host_session
    http_route_fuzz:http_route
    ws_session_fuzz:ws_session
)

failures=()
start_time=$SECONDS

swim_install_deps

# Sanitizer reports stop the process with a non-zero status and a symbolized stack.
symbolizer="$(command -v llvm-symbolizer || command -v llvm-symbolizer-14 || true)"
if [[ -n "$symbolizer" ]]; then
    export ASAN_SYMBOLIZER_PATH="$symbolizer"
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=1:halt_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# The suppressions file explains its one entry: a false report that comes from Boost.Asio.
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$SWIM_ROOT/test/concurrency/tsan.supp}"

swim_build_main "-DSWIM_SANITIZE=$SWIM_SANITIZE"

swim_section "Tests (ctest${SWIM_SANITIZE:+, sanitizers: $SWIM_SANITIZE})"
# (Its output is kept too: the summary repeats the failed checks, so the end of the log shows
# what failed.)
ctest_log="build/ctest-output.log"
if ! ctest --test-dir build --output-on-failure 2>&1 | tee "$ctest_log"; then
    failures+=("ctest")
fi

# The concurrency test again under ThreadSanitizer: only it and the libraries are built.
if [[ "$SWIM_TSAN" == "0" ]]; then
    swim_section "ThreadSanitizer"
    swim_note "skipped (SWIM_TSAN=0)"
elif ! swim_configure build-tsan \
    -DSWIM_SANITIZE=thread \
    -DSWIM_WARNINGS_AS_ERRORS=ON \
    -DSWIM_BUILD_BENCH=OFF \
    -DSWIM_BUILD_EXAMPLES=OFF; then
    failures+=("tsan configure")
elif ! swim_build build-tsan --target swim_concurrency_tests swim_tool_tests; then
    failures+=("tsan build")
else
    swim_section "Concurrency test under ThreadSanitizer (4 threads)"
    if ! build-tsan/test/swim_concurrency_tests --log_level=test_suite --report_level=short; then
        failures+=("tsan swim_concurrency_tests")
    fi
    # The swim-server tool as a process, out of descriptors included (UBSan cannot check a
    # process that has none left, so the sanitized build skips that part).
    swim_section "swim-server as a process under ThreadSanitizer"
    if ! build-tsan/test/swim_tool_tests --log_level=test_suite --report_level=short; then
        failures+=("tsan swim_tool_tests")
    fi
fi

# Runs one fuzz target: old crashes first, then fuzzing on a scratch copy of the seeds.
run_fuzzer() {
    local target="$1" corpus="$2"
    local bin="build-fuzz/test/fuzz/$target"
    local seeds="test/fuzz/corpus/$corpus"
    local crashes="test/fuzz/crashes/$target"
    local work="build-fuzz/fuzz-run/$target"
    local dict="test/fuzz/$corpus.dict"

    swim_section "Fuzz $target (${SWIM_FUZZ_SECONDS}s)"
    if [[ ! -x "$bin" ]]; then
        echo "error: $bin was not built" >&2
        return 1
    fi

    # Fresh scratch corpus every run: fuzzing never writes into the repository.
    rm -rf "$work"
    mkdir -p "$work/corpus" "$work/artifacts" || return 1
    if [[ -d "$seeds" ]]; then
        cp -R "$seeds/." "$work/corpus/" || return 1
    fi

    local -a old_crashes=()
    if [[ -d "$crashes" ]]; then
        mapfile -t old_crashes < <(find "$crashes" -type f ! -name '*.md' | sort)
    fi
    if [[ ${#old_crashes[@]} -gt 0 ]]; then
        swim_note "replaying ${#old_crashes[@]} recorded crash(es) from $crashes"
        if ! "$bin" "${old_crashes[@]}" >"$work/replay.log" 2>&1; then
            tail -n 60 "$work/replay.log"
            echo "error: $target fails on a recorded crash in $crashes" >&2
            return 1
        fi
    fi

    local -a args=(
        -timeout=10
        -rss_limit_mb=2048
        -max_len=4096
        -print_final_stats=1
        -artifact_prefix="$work/artifacts/"
    )
    if [[ -f "$dict" ]]; then
        args+=(-dict="$dict")
    fi
    if [[ "$SWIM_FUZZ_SECONDS" -eq 0 ]]; then
        args+=(-runs=0)  # execute the seeds once, no mutation
    else
        args+=(-max_total_time="$SWIM_FUZZ_SECONDS")
    fi

    local rc=0
    "$bin" "${args[@]}" "$work/corpus" >"$work/fuzz.log" 2>&1 || rc=$?
    if [[ $rc -ne 0 ]]; then
        tail -n 80 "$work/fuzz.log"
        local f
        for f in "$work"/artifacts/*; do
            [[ -f "$f" ]] || continue
            swim_note "artifact $f ($(wc -c <"$f") bytes), hex:"
            od -An -tx1 -v "$f" | head -n 40
        done
        echo "error: $target failed (exit $rc); full log: $work/fuzz.log" >&2
        echo "       reproduce: $bin <artifact>; keep it as a regression: copy it to $crashes/" >&2
        return 1
    fi
    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/fuzz.log" || true
    local n_seeds
    n_seeds="$(find "$seeds" -type f 2>/dev/null | wc -l)"
    if [[ "$SWIM_FUZZ_SECONDS" -eq 0 ]]; then
        swim_note "replayed $n_seeds seeds"
    else
        swim_note "corpus grew from $n_seeds to $(find "$work/corpus" -type f | wc -l) inputs"
    fi
}

if [[ "$SWIM_FUZZ" == "0" ]]; then
    swim_section "Fuzzers"
    swim_note "skipped (SWIM_FUZZ=0)"
elif ! command -v clang++ >/dev/null 2>&1; then
    swim_section "Fuzzers"
    swim_note "skipped: clang++ not found (libFuzzer needs clang)"
else
    # -O2 -g without NDEBUG, and libstdc++ bounds checks: assertions are worth more than speed.
    # A failed fuzz build is reported with the rest instead of hiding the ctest results.
    if ! CC=clang CXX=clang++ swim_configure build-fuzz \
        -DSWIM_BUILD_FUZZERS=ON \
        -DSWIM_BUILD_TESTS=OFF \
        -DSWIM_BUILD_BENCH=OFF \
        -DSWIM_BUILD_EXAMPLES=OFF \
        "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g -D_GLIBCXX_ASSERTIONS"; then
        failures+=("fuzz configure")
    elif ! swim_build build-fuzz --target "${FUZZ_TARGETS[@]%%:*}"; then
        failures+=("fuzz build")
    else
        for entry in "${FUZZ_TARGETS[@]}"; do
            if ! run_fuzzer "${entry%%:*}" "${entry#*:}"; then
                failures+=("fuzz ${entry%%:*}")
            fi
        done
    fi
fi

swim_section "Summary ($((SECONDS - start_time))s)"
swim_note "CPU time (user, system) of this script, then of the builds and tests it ran:"
times
if [[ ${#failures[@]} -gt 0 ]]; then
    if [[ -f "$ctest_log" ]]; then
        swim_note "failed checks and tests of ctest (the whole output is above):"
        grep -E 'error: in "|fatal error: in "|\*\*\*Failed|\*\*\*Timeout|\*\*\*Exception|ERROR: AddressSanitizer|runtime error:' \
            "$ctest_log" | head -40 || true
    fi
    printf 'FAILED: %s\n' "${failures[@]}"
    exit 1
fi
echo "all passed"
