#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
#
# The server against the official SwimOS Java server (../shared/peers, the same demo plan), in
# one run: every server scenario of swim-bench against a fresh swim-server, then against a
# fresh Java server (warmed with a short pump first, as a running JVM would be), in turns; one
# table with both figures and the ratio, then the goals met or missed.
#
#   bench/run_server_bench.sh [--no-build] [--quick]
#
# --quick: shorter and smaller (pump 1 s, latency 2 s, maps 10k and 100k, 50k map events,
# 1k connections, 5k downlinks). Needs java 17 and ../shared/peers; with the JDK's jcmd, the
# Java server's memory per connection and per agent + uplink is its live heap's growth (its
# RSS is resident before the test). Environment:
# SWIM_BENCH_BUILD_DIR (default <repo>/build-bench), SWIM_BENCH_JOBS (default 1). Raw JSON of
# every run is kept in $build/server_bench/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
build=${SWIM_BENCH_BUILD_DIR:-$root/build-bench}
jobs=${SWIM_BENCH_JOBS:-1}
peers=$root/../shared/peers
do_build=1
quick=0
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) do_build=0; shift ;;
        --quick) quick=1; shift ;;
        -h|--help) sed -n '3,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run_server_bench.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
if [ "$quick" = 1 ]; then
    pump_ms=1000; lat_s=2; map_sizes="10000 100000"; ev_n=50000; conn_n=1000; dl_n=5000
else
    pump_ms=2000; lat_s=5; map_sizes="10000 100000 1000000"; ev_n=200000; conn_n=5000; dl_n=20000
fi
command -v java >/dev/null || { echo "run_server_bench.sh: needs java 17" >&2; exit 1; }
[ -x "$peers/java-server" ] || { echo "run_server_bench.sh: no $peers/java-server" >&2; exit 1; }

if [ "$do_build" = 1 ]; then
    bench_build "$root" "$build" "$jobs" server_bench swim_server_tool swim_bench_tool
fi
bin=$build/bin
out=$build/server_bench
rm -rf "$out"
mkdir -p "$out"
export SWIM_PEERS_RUN=$out/peers

pid=
host=
java_port=
heap=()
stop_servers() {
    if [ -n "$pid" ] && [ -z "$java_port" ]; then
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    if [ -n "$java_port" ]; then
        "$peers/java-server" stop "$java_port" >/dev/null 2>&1 || true
    fi
    pid=
    java_port=
}
trap stop_servers EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# start SIDE: a fresh server of SIDE (cpp or java); sets pid and host.
start() {
    stop_servers
    if [ "$1" = cpp ]; then
        local log=$out/swim-server.log
        rm -f "$log"
        touch "$log"
        "$bin/swim-server" --host 127.0.0.1 --port 0 --bench-agents >"$log" 2>&1 &
        pid=$!
        host=
        for _ in $(seq 1 100); do
            host=$(sed -n 's/^listening \(warp:\/\/[^[:space:]]*\).*/\1/p' "$log" | head -n1)
            [ -n "$host" ] && break
            sleep 0.1
        done
        [ -n "$host" ] || { cat "$log" >&2; echo "swim-server did not start" >&2; exit 1; }
        host=${host/0.0.0.0/127.0.0.1}
    else
        java_port=$(free_port)
        "$peers/java-server" start "$java_port" >/dev/null
        pid=$(cat "$SWIM_PEERS_RUN/java-server-$java_port.pid")
        host=warp://127.0.0.1:$java_port
        # A JVM's heap is resident before the connections come (its RSS barely moves, or
        # shrinks after a collection): its memory per connection is its live heap's growth,
        # after a full GC (jcmd's class histogram makes one), when the JDK's jcmd is there.
        heap=()
        if command -v jcmd >/dev/null; then
            heap=(--server-heap-cmd "jcmd $pid GC.class_histogram | awk '/^Total/ {print \$3}'")
        fi
        # A running JVM is warm: a short pump first (its JIT compiles the hot paths).
        "$bin/swim-bench" "$host" pump --ms 1500 --node /unit/warmup >/dev/null 2>&1 || true
    fi
}

# run NAME SIDE ARGS...: swim-bench against the current server, JSON into $out/NAME.SIDE.json
run() {
    local name=$1 side=$2; shift 2
    printf '== %-16s %-4s ' "$name" "$side"
    local t=$SECONDS
    local extra=()
    [ "$side" = java ] && extra=("${heap[@]}")
    "$bin/swim-bench" "$host" "$@" --server-pid "$pid" "${extra[@]}" --json \
        >"$out/$name.$side.json" 2>"$out/$name.$side.err" ||
        printf '(failed: %s) ' "$(tail -n1 "$out/$name.$side.err")"
    printf '%ss\n' "$((SECONDS - t))"
}

# group SCENARIOS...: each "NAME ARGS..." against a fresh swim-server, then a fresh Java server.
group() {
    for side in cpp java; do
        start "$side"
        for s in "$@"; do
            # shellcheck disable=SC2086
            run ${s%% *} "$side" ${s#* }
        done
        stop_servers
    done
}

echo "== machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n1)"
echo "   date $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD), load $(cut -d' ' -f1 /proc/loadavg)"
echo "   java: $(java -version 2>&1 | head -n1)"
group "fanout-raw-100 fanout --clients 100 --raw --ms $pump_ms"
group "fanout-10 fanout --clients 10 --ms $pump_ms"
group "latency latency --rate 1000 --seconds $lat_s"
maps=()
for n in $map_sizes; do
    maps+=("map-sync-raw-$n map-sync --entries $n --raw --timeout 120")
    maps+=("map-sync-$n map-sync --entries $n --timeout 120")
done
group "${maps[@]}" "map-events map-events --entries $ev_n --timeout 120"
group "connections connections --count $conn_n --timeout 120"
group "downlinks downlinks --count $dl_n --timeout 120"
group "load-rate load --connections 4 --downlinks 8 --push rate --rate 1000 --seconds $lat_s"
echo

python3 - "$out" "$map_sizes" <<'EOF'
import json, math, os, sys

out, sizes = sys.argv[1], sys.argv[2].split()

def load(name, side):
    try:
        with open(os.path.join(out, f"{name}.{side}.json")) as f:
            return json.load(f)
    except Exception as e:
        return {"ok": False, "metrics": {}, "notes": [f"no result ({e.__class__.__name__})"]}

def m(name, key, side="cpp"):
    return load(name, side).get("metrics", {}).get(key, {}).get("value")

def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"

# (scenario, metric, label, better)
rows = [("fanout-raw-100", "events_per_s", "fanout, 100 bare clients: events/s", "high"),
        ("fanout-raw-100", "server_cpu_us_per_event", "fanout: server CPU per event (us)", "low"),
        ("fanout-raw-100", "delivered_fraction", "fanout: events / values pumped", None),
        ("fanout-10", "events_per_s", "fanout, 10 swim clients: events/s", "high"),
        ("latency", "p50_us", "latency 1,000 sets/s: p50 (us)", "low"),
        ("latency", "p99_us", "latency: p99 (us)", "low"),
        ("latency", "p99_9_us", "latency: p99.9 (us)", "low")]
for n in sizes:
    rows += [(f"map-sync-raw-{n}", "sync_s", f"map sync, {int(n):,} entries, bare (s)", "low"),
             (f"map-sync-{n}", "sync_s", f"map sync, {int(n):,} entries, swim client (s)", "low")]
rows += [("map-events", "events_per_s", "map events into one downlink: /s", "high"),
         ("connections", "sync_s", "connections: connect and sync all (s)", "low"),
         ("connections", "server_bytes_per_connection", "server bytes per idle connection", "low"),
         ("downlinks", "sync_s", "downlinks: sync all (s)", "low"),
         ("downlinks", "server_bytes_per_agent_uplink", "server bytes per agent + uplink", "low"),
         ("load-rate", "p99_us", "load, 32 downlinks at 1,000 sets/s: p99 (us)", "low")]

print("ratio: how many times better swim-server is (higher: ours/Java; lower: Java/ours)")
print()
head = "| {:<46} | {:>13} | {:>13} | {:>7} |"
print(head.format("scenario", "swim-server", "Java server", "ratio"))
print("|" + "-" * 48 + "|" + "-" * 14 + ":|" + "-" * 14 + ":|" + "-" * 8 + ":|")
# A JVM's memory: its live heap's growth when measured (a lower bound: live objects only, no
# room for its collector), not its RSS (resident before the test).
java_key = {"server_bytes_per_connection": "server_heap_bytes_per_connection",
            "server_bytes_per_agent_uplink": "server_heap_bytes_per_agent_uplink"}
heap_used = False
for name, key, label, better in rows:
    a, b = m(name, key), m(name, key, "java")
    if key in java_key and m(name, java_key[key], "java") is not None:
        b = m(name, java_key[key], "java")
        label += " *"
        heap_used = True
    ratio = "-"
    if better and a and b:
        ratio = f"{(a / b if better == 'high' else b / a):.2g}x"
    print(head.format(label, fmt(a), fmt(b), ratio))
if heap_used:
    print()
    print("* swim-server: RSS growth; Java server: live heap growth after a full GC (jcmd), a lower")
    print("  bound (its RSS is resident before the test); its RSS growth is in the JSON")
print()
for name in dict.fromkeys(r[0] for r in rows):
    for side in ("cpp", "java"):
        r = load(name, side)
        if not r.get("ok", False) or r.get("notes"):
            print(f"note ({side}, {name}): " + "; ".join(r.get("notes", [])))

def goal(text, ok):
    print(f"  {'met   ' if ok else 'MISSED'} {text}")

print()
print("goals (issue 18)")
ev, ev_j = m("fanout-raw-100", "events_per_s"), m("fanout-raw-100", "events_per_s", "java")
if ev and ev_j:
    goal(f"fanout, 100 bare clients: >= 20x Java's events/s: {math.floor(ev / ev_j * 100) / 100:.2f}x (rounded down)", ev / ev_j >= 20)
cpu = m("fanout-raw-100", "server_cpu_us_per_event")
if cpu is not None:
    goal(f"fanout: <= 0.1 us of server CPU per delivered event: {fmt(cpu)} us", cpu <= 0.1)
p99, p999 = m("latency", "p99_us"), m("latency", "p99_9_us")
if p99 is not None:
    goal(f"latency at 1,000 sets/s: p99 < 200 us: {fmt(p99)} us", p99 < 200)
    goal(f"latency at 1,000 sets/s: p99.9 < 500 us: {fmt(p999)} us", p999 < 500)
for n, limit in (("100000", 0.05), ("1000000", 0.5)):
    s = m(f"map-sync-raw-{n}", "sync_s")  # (the server's time: a bare client)
    if s is not None:
        goal(f"map sync of {int(n):,} entries < {limit} s (bare client): {fmt(s)} s", s < limit)
mev = m("map-events", "events_per_s")
if mev is not None:
    goal(f"map events >= 2M/s into one downlink: {fmt(mev)}", mev >= 2e6)
bpc = m("connections", "server_bytes_per_connection")
if bpc is not None:
    goal(f"<= 4 KB per idle connection: {fmt(bpc)} B", bpc <= 4096)
bpa = m("downlinks", "server_bytes_per_agent_uplink")
if bpa is not None:
    goal(f"<= 1 KB per agent + uplink: {fmt(bpa)} B", bpa <= 1024)
EOF
