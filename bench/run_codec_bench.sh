#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
#
# Codec benchmark: our WARP/Recon codec (swim_codec_bench) against the official JS codec
# (@swim/warp 4.0.0, bench/js/codec_bench.mjs) on the same inputs (bench/data/codec_inputs.txt),
# one after the other in the same run, then one table with the ratios.
#
#   bench/run_codec_bench.sh [--min-time SECONDS] [--runs N] [--no-build]
#
# Environment: SWIM_BENCH_BUILD_DIR (default <repo>/build-bench), SWIM_BENCH_JOBS (default 1).
# The raw JSON of both sides is kept in the build directory (codec_bench_{cpp,js}.json).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SWIM_BENCH_BUILD_DIR:-$root/build-bench}
jobs=${SWIM_BENCH_JOBS:-1}
min_time=0.5
runs=3
do_build=1

while [ $# -gt 0 ]; do
    case "$1" in
        --min-time) min_time=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --no-build) do_build=0; shift ;;
        -h|--help) sed -n '3,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run_codec_bench.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done

if [ "$do_build" = 1 ]; then
    echo "== building swim_codec_bench (Release, $build; log in $build/codec_bench_build.log)"
    mkdir -p "$build"
    if ! { cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DSWIM_BUILD_TESTS=OFF \
            -DSWIM_BUILD_BENCH=ON &&
            cmake --build "$build" -j"$jobs" --target swim_codec_bench; } \
        >"$build/codec_bench_build.log" 2>&1; then
        tail -n 40 "$build/codec_bench_build.log" >&2
        echo "run_codec_bench.sh: the build failed" >&2
        exit 1
    fi
fi

js_dir=$root/bench/js
if [ ! -d "$js_dir/node_modules" ]; then
    (cd "$js_dir" && npm ci --no-audit --no-fund)
fi

cpp_json=$build/codec_bench_cpp.json
js_json=$build/codec_bench_js.json

echo "== machine"
echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "nproc:    $(nproc)"
echo "cpu:      $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before the run)"
echo "node:     $(node --version)"

echo "== swim_codec_bench (min ${min_time} s, best of ${runs})"
"$build/bench/swim_codec_bench" --json --min-time "$min_time" --runs "$runs" >"$cpp_json"
echo "== bench/js/codec_bench.mjs (min ${min_time} s, best of ${runs})"
node "$js_dir/codec_bench.mjs" --min-time "$min_time" --runs "$runs" >"$js_json"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (after the run)"
echo

python3 - "$cpp_json" "$js_json" <<'EOF'
import json
import sys

cpp = json.load(open(sys.argv[1]))
js = json.load(open(sys.argv[2]))
js_rows = {(r["input"], r["op"]): r for r in js["results"]}

print(f"ours: {cpp['implementation']}")
print(f"JS:   {js['implementation']}")
print(f"best of {cpp['runs']} runs of >= {cpp['min_time_s']} s; MB = 10^6 input bytes; "
      "parse_owned is compared with JS parse; route has no JS counterpart")
print()
head = ("input", "bytes", "op", "ours MB/s", "ours env/s", "JS MB/s", "JS env/s", "ours/JS")
fmt = "| {:<12} | {:>5} | {:<11} | {:>9} | {:>10} | {:>7} | {:>9} | {:>7} |"
print(fmt.format(*head))
print("|--------------|------:|-------------|----------:|-----------:|--------:|----------:|--------:|")
ratios = {}
for r in cpp["results"]:
    js_op = "parse" if r["op"] == "parse_owned" else r["op"]
    j = js_rows.get((r["input"], js_op))
    if j is not None and r["op"] != "route":
        ratio = r["envelopes_per_s"] / j["envelopes_per_s"]
        ratios[(r["input"], r["op"])] = ratio
        js_cells = (f"{j['mb_per_s']:.1f}", f"{j['envelopes_per_s']:.0f}", f"{ratio:.1f}x")
    else:
        js_cells = ("-", "-", "-")
    print(fmt.format(r["input"], r["bytes"], r["op"], f"{r['mb_per_s']:.1f}",
                     f"{r['envelopes_per_s']:.0f}", *js_cells))

print()
for note in cpp.get("notes", []):
    print(f"note (ours): {note}")
for note in js.get("notes", []):
    print(f"note (JS): {note}")

print()
print("goals: >= 30x the JS codec on every parse and write row; >= 200 MB/s parse")
low = [f"{i}/{o} {x:.1f}x" for (i, o), x in ratios.items() if x < 30]
print("  30x:     " + ("met on every row" if not low else "missed: " + ", ".join(low)))
slow = [f"{r['input']} {r['mb_per_s']:.1f} MB/s" for r in cpp["results"]
        if r["op"] == "parse" and r["mb_per_s"] < 200]
print("  200 MB/s parse: " + ("met on every input" if not slow else "missed: " + ", ".join(slow)))
EOF
