#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
#
# The agents' store (issue 17): durable updates/s through swim-server with 1 and 100 writing
# clients in each durability mode (and with the store in memory, for reference), the latency
# from a set to a remote client's did_set in synced mode, and the time to read a 1M-entry map
# back. One run, one table, then the goals met or missed.
#
#   bench/run_store_bench.sh [--no-build] [--quick]
#
# --quick: 1 s per writes run, 2 s of latency, a 100k-entry map. The data directories are
# made under $build/store_bench (on the build's disk: fsync goes to a real file system).
# Environment: SWIM_BENCH_BUILD_DIR (default <repo>/build-bench), SWIM_BENCH_JOBS (default 1).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
build=${SWIM_BENCH_BUILD_DIR:-$root/build-bench}
jobs=${SWIM_BENCH_JOBS:-1}
do_build=1
secs=3
lat_s=5
entries=1000000
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) do_build=0; shift ;;
        --quick) secs=1; lat_s=2; entries=100000; shift ;;
        -h|--help) sed -n '3,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run_store_bench.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done

if [ "$do_build" = 1 ]; then
    bench_build "$root" "$build" "$jobs" store_bench swim_server_tool swim_bench_tool swim_store_bench
fi
bin=$build/bin
out=$build/store_bench
rm -rf "$out"
mkdir -p "$out"

server_pid=
stop_server() {
    if [ -n "$server_pid" ]; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
trap stop_server EXIT
# start_server ARGS...: a fresh swim-server on a free port; sets server_pid and host.
start_server() {
    stop_server
    local fifo=$out/listening
    rm -f "$fifo"
    mkfifo "$fifo"
    "$bin/swim-server" --host 127.0.0.1 --port 0 --bench-agents "$@" >"$fifo" 2>>"$out/swim-server.log" &
    server_pid=$!
    local line
    read -r line <"$fifo"
    host=warp://127.0.0.1:${line##*:}
}
# field NAME LINE: the value of NAME=value in LINE.
field() {
    sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"
}

declare -A w1 w100 lat50 lat99
for mode in memory synced batched none; do
    if [ "$mode" = memory ]; then
        start_server
    else
        rm -rf "$out/data-$mode"
        start_server --data-dir "$out/data-$mode" --durability "$mode"
    fi
    one=$("$bin/swim-store-bench" writes "$host" --clients 1 --seconds "$secs")
    hundred=$("$bin/swim-store-bench" writes "$host" --clients 100 --seconds "$secs")
    w1[$mode]=$(field updates_per_s "$one")
    w100[$mode]=$(field updates_per_s "$hundred")
    lat=$("$bin/swim-bench" "$host" latency --rate 1000 --seconds "$lat_s" --json)
    lat50[$mode]=$(sed -n 's/.*"p50_us": {"value": *\([0-9.]*\).*/\1/p' <<<"$lat")
    lat99[$mode]=$(sed -n 's/.*"p99_us": {"value": *\([0-9.]*\).*/\1/p' <<<"$lat")
    stop_server
done
reload=$("$bin/swim-store-bench" reload --entries "$entries" --dir "$out/data-reload")
reload_s=$(field reload_s "$reload")

echo
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); $(date -u +%Y-%m-%d)"
echo "data directories on: $(df -T "$out" | awk 'NR==2 {print $2}')"
echo
printf '| %-28s | %14s | %16s | %12s | %12s |\n' "store, durability" "1 writer: /s" "100 writers: /s" "latency p50" "latency p99"
printf '|%s|%s|%s|%s|%s|\n' "------------------------------" "---------------:" "-----------------:" "-------------:" "-------------:"
for mode in memory synced batched none; do
    name="RocksDB, $mode"
    [ "$mode" = memory ] && name="memory (not written through)"
    printf '| %-28s | %14.0f | %16.0f | %9.0f us | %9.0f us |\n' "$name" "${w1[$mode]}" "${w100[$mode]}" \
        "${lat50[$mode]}" "${lat99[$mode]}"
done
echo
echo "reload of a ${entries}-entry map from RocksDB: ${reload_s} s (fill and stop: $(field fill_and_stop_s "$reload") s)"
echo
verdict() {
    if awk "BEGIN {exit !($2)}"; then echo "met:    $1"; else echo "MISSED: $1"; fi
}
verdict "synced, 100 writers >= 200,000 durable updates/s (${w100[synced]})" "${w100[synced]} >= 200000"
verdict "synced, set to remote did_set p99 < 5 ms (${lat99[synced]} us)" "${lat99[synced]} < 5000"
if [ "$entries" = 1000000 ]; then
    verdict "1M entries reloaded in < 1 s (${reload_s} s)" "$reload_s < 1"
fi
