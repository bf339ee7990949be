#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
#
# Client benchmark: swim-bench (ours) against the official JS client (@swim/client 4.0.0,
# bench/js/client_bench.mjs) in the same scenarios against the same swim-server, one after the
# other in the same run, then one table with both figures and the ratio.
#
#   bench/run_client_bench.sh [--no-build] [--quick] [--js-downlinks N] [--js-timeout SECONDS]
#                             [--server-only | --no-server]
#
# --quick runs shorter and smaller (pump 1 s, latency 2 s, maps 10k and 100k, 50k map events,
# 10k downlinks, 1k connections).
# Then the server scenarios, ours only, each against a fresh swim-server (its memory deltas
# are then its own): fanout to 1, 10 and 100 clients (swim clients, then bare WebSocket
# receivers: --raw), 10k connections, 100k downlinks with the server's memory per agent and
# uplink, then per uplink alone (a second connection to the same agents), and `load`: 4
# connections x 8 downlinks, value lanes pumped, value lanes set at 1,000/s (latency of every
# downlink), map lanes filled. --server-only runs only those, --no-server skips them.
# --js-downlinks N: downlinks for the JS client in the downlinks scenario (default: the same
# as ours, 100000). Environment: SWIM_BENCH_BUILD_DIR (default <repo>/build-bench),
# SWIM_BENCH_JOBS (default 1). Raw JSON of every run is kept in $build/client_bench/.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
build=${SWIM_BENCH_BUILD_DIR:-$root/build-bench}
jobs=${SWIM_BENCH_JOBS:-1}
do_build=1
quick=0
js_downlinks=
js_timeout=60
client_part=1
server_part=1

while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) do_build=0; shift ;;
        --quick) quick=1; shift ;;
        --js-downlinks) js_downlinks=$2; shift 2 ;;
        --js-timeout) js_timeout=$2; shift 2 ;;
        --server-only) client_part=0; shift ;;
        --no-server) server_part=0; shift ;;
        -h|--help) sed -n '3,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "run_client_bench.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done

if [ "$quick" = 1 ]; then
    pump_ms=1000; lat_s=2; map_sizes="10000 100000"; dl_count=10000; ev_n=50000; conn_n=1000
else
    pump_ms=2000; lat_s=5; map_sizes="10000 100000 1000000"; dl_count=100000; ev_n=200000
    conn_n=10000
fi
js_downlinks=${js_downlinks:-$dl_count}

if [ "$do_build" = 1 ]; then
    bench_build "$root" "$build" "$jobs" client_bench swim_server_tool swim_bench_tool
fi

js_dir=$root/bench/js
if [ "$client_part" = 1 ] && [ ! -d "$js_dir/node_modules/@swim/client" ]; then
    (cd "$js_dir" && npm ci --no-audit --no-fund)
fi

out=$build/client_bench
mkdir -p "$out"
rm -f "$out"/*.json

server_log=$out/swim-server.log
server_pid=
host=
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=
    fi
}
trap stop_server EXIT
# start_server: a fresh swim-server on a free port; sets server_pid and host.
start_server() {
    stop_server
    # Remove the last run's log first: the redirection below truncates it only once the
    # background job runs, and the loop must not read the old address meanwhile.
    rm -f "$server_log"
    touch "$server_log"
    "$build/bin/swim-server" --host 127.0.0.1 --port 0 --bench-agents >"$server_log" 2>&1 &
    server_pid=$!
    host=
    for _ in $(seq 1 100); do
        host=$(sed -n 's/^listening \(warp:\/\/[^[:space:]]*\).*/\1/p' "$server_log" | head -n1)
        [ -n "$host" ] && break
        sleep 0.1
    done
    if [ -z "$host" ]; then
        cat "$server_log" >&2
        echo "run_client_bench.sh: swim-server did not start" >&2
        exit 1
    fi
}
start_server

server_rss() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1000 }' "/proc/$server_pid/status"; }

echo "== machine"
echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "commit:   $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (+ local changes)')"
echo "nproc:    $(nproc)"
echo "cpu:      $(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n1)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min, before the run)"
[ "$client_part" = 1 ] && echo "node:     $(node --version)"
echo "ulimit:   $(ulimit -n) open files"
echo "server:   $host (swim-server, pid $server_pid)"

# run NAME ARGS... : ours, then JS, with the same arguments; JSON into $out/NAME.{cpp,js}.json
run() {
    local name=$1; shift
    local js_extra=()
    if [ "$name" = downlinks ]; then js_extra=(--count "$js_downlinks" --timeout "$js_timeout"); fi
    printf '== %-14s ours ' "$name"
    local t=$SECONDS
    "$build/bin/swim-bench" "$host" "$@" --json >"$out/$name.cpp.json" 2>"$out/$name.cpp.err" ||
        printf '(failed: %s) ' "$(tail -n1 "$out/$name.cpp.err")"
    printf '%ss, JS ' "$((SECONDS - t))"
    t=$SECONDS
    node --expose-gc "$js_dir/client_bench.mjs" "$host" "$@" "${js_extra[@]}" \
        >"$out/$name.js.json" 2>"$out/$name.js.err" ||
        printf '(failed) '
    printf '%ss, server RSS %s MB\n' "$((SECONDS - t))" "$(server_rss)"
}

# ours NAME ARGS... : ours only, with the server's pid; JSON into $out/NAME.cpp.json
ours() {
    local name=$1; shift
    printf '== %-18s ours ' "$name"
    local t=$SECONDS
    "$build/bin/swim-bench" "$host" "$@" --server-pid "$server_pid" --json \
        >"$out/$name.cpp.json" 2>"$out/$name.cpp.err" ||
        printf '(failed: %s) ' "$(tail -n1 "$out/$name.cpp.err")"
    printf '%ss, server RSS %s MB, load %s\n' "$((SECONDS - t))" "$(server_rss)" \
        "$(cut -d' ' -f1 /proc/loadavg)"
}

if [ "$client_part" = 1 ]; then
    run pump pump --ms "$pump_ms"
    run map-events map-events --entries "$ev_n"
    run latency latency --rate 1000 --seconds "$lat_s"
    for n in $map_sizes; do
        run "map-sync-$n" map-sync --entries "$n"
    done
    run downlinks downlinks --count "$dl_count"
fi
if [ "$server_part" = 1 ]; then
    echo "== server scenarios (ours only; a fresh swim-server for each group)"
    start_server
    for n in 1 10 100; do
        ours "fanout-$n" fanout --clients "$n" --ms "$pump_ms"
        ours "fanout-raw-$n" fanout --clients "$n" --ms "$pump_ms" --raw
    done
    start_server
    ours load-pump load --connections 4 --downlinks 8 --push pump --ms "$pump_ms"
    ours load-rate load --connections 4 --downlinks 8 --push rate --rate 1000 --seconds "$lat_s"
    ours load-fill load --connections 4 --downlinks 8 --kind map --push fill --entries 10000
    start_server
    ours connections connections --count "$conn_n" --timeout 120
    start_server
    ours server-downlinks downlinks --count "$dl_count" --again --timeout 120
fi
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (after the run)"
echo

python3 - "$out" "$map_sizes" "$client_part" "$server_part" <<'EOF'
import json
import os
import sys

out = sys.argv[1]
sizes = sys.argv[2].split()
client_part = sys.argv[3] == "1"
server_part = sys.argv[4] == "1"


def load(name, side):
    path = os.path.join(out, f"{name}.{side}.json")
    try:
        with open(path) as f:
            return json.loads(f.read())
    except Exception as e:  # a crashed run leaves an empty file
        return {"ok": False, "metrics": {}, "notes": [f"no result ({e.__class__.__name__})"]}


# (scenario, metric, label, better): better "high", "low" or None (context, no ratio)
rows = [("pump", "events_per_s", "events/s received", "high"),
        ("pump", "pump_rate", "pump rate (values/s)", None),
        ("pump", "delivered_fraction", "events / values", "high"),
        ("pump", "cpu_s", "client CPU (s)", None),
        ("map-events", "events_per_s", "map updates/s", "high"),
        ("map-events", "cpu_us_per_event", "client CPU/update (us)", "low"),
        ("latency", "p50_us", "p50 (us)", "low"),
        ("latency", "p90_us", "p90 (us)", "low"),
        ("latency", "p99_us", "p99 (us)", "low"),
        ("latency", "p99_9_us", "p99.9 (us)", "low"),
        ("latency", "cpu_pct", "client CPU (% core)", "low"),
        ("latency", "rss_mb", "RSS (MB)", "low")]
for n in sizes:
    rows += [(f"map-sync-{n}", "sync_s", "sync time (s)", "low"),
             (f"map-sync-{n}", "rss_mb", "RSS after sync (MB)", "low"),
             (f"map-sync-{n}", "rss_delta_mb", "RSS delta (MB)", "low"),
             (f"map-sync-{n}", "fill_s", "server fill (s)", None)]
rows += [("downlinks", "synced", "downlinks synced", None),
         ("downlinks", "sync_s", "time to sync all (s)", "low"),
         ("downlinks", "bytes_per_downlink", "RSS per downlink (B)", "low"),
         ("downlinks", "rss_idle_mb", "RSS idle (MB)", "low")]

def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.3g}"


data = {}


def m(scen, key, side=0):
    return data.get(scen, ({}, {}))[side].get("metrics", {}).get(key, {}).get("value")


def goal(text, ok):
    print(f"  {'met   ' if ok else 'MISSED'} {text}")


if client_part:
    for scen in dict.fromkeys(r[0] for r in rows):
        data[scen] = (load(scen, "cpp"), load(scen, "js"))

    print(f"ours: {data['pump'][0].get('implementation', '?')}")
    print(f"JS:   {data['pump'][1].get('implementation', '?')}")
    print("ratio: how many times better ours is (ours/JS where higher is better, JS/ours where "
          "lower is better); '-' for context rows")
    print()




    head = "| {:<16} | {:<22} | {:>12} | {:>12} | {:>8} |"
    print(head.format("scenario", "metric", "ours", "JS", "ratio"))
    print("|------------------|------------------------|-------------:|-------------:|---------:|")
    for scen, key, label, better in rows:
        cpp, js = data[scen]
        a = cpp.get("metrics", {}).get(key, {}).get("value")
        b = js.get("metrics", {}).get(key, {}).get("value")
        ratio = "-"
        if better and a and b:
            ratio = f"{(a / b if better == 'high' else b / a):.1f}x"
        print(head.format(scen, label, fmt(a), fmt(b), ratio))
    print()
    for scen, (cpp, js) in data.items():
        for side, r in (("ours", cpp), ("JS", js)):
            if not r.get("ok", False) or r.get("notes"):
                print(f"note ({side}, {scen}): ok={r.get('ok')} " + "; ".join(r.get("notes", [])))
    extra = data["pump"][0].get("metrics", {})
    if extra:
        print(f"note: pump last value ours {fmt(extra.get('last_value', {}).get('value'))}, "
              f"JS {fmt(data['pump'][1].get('metrics', {}).get('last_value', {}).get('value'))}")

    print()
    print("goals (issues 3 and 6)")




    ev, ev_js = m("pump", "events_per_s"), m("pump", "events_per_s", 1)
    if ev is not None:
        goal(f">= 1,000,000 events/s into one value downlink: {fmt(ev)}", ev >= 1e6)
    if ev and ev_js:
        goal(f">= 15x the JS client's events/s: {ev / ev_js:.1f}x", ev / ev_js >= 15)
    mev, mev_js = m("map-events", "events_per_s"), m("map-events", "events_per_s", 1)
    if mev is not None:
        goal(f"(map updates, no coalescing) >= 1,000,000 events/s into one downlink: {fmt(mev)}",
             mev >= 1e6)
    if mev and mev_js:
        goal(f"(map updates, no coalescing) >= 15x the JS client: {mev / mev_js:.1f}x",
             mev / mev_js >= 15)
    p99 = m("latency", "p99_us")
    if p99 is not None:
        goal(f"set -> remote did_set p99 < 200 us at 1,000/s: {fmt(p99)} us", p99 < 200)
    rss = m("latency", "rss_mb")
    if rss is not None:
        goal(f"< 10 MB resident in the latency test: {fmt(rss)} MB", rss < 10)
    s100 = m("map-sync-100000", "sync_s")
    if s100 is not None:
        goal(f"100k-entry map sync < 0.1 s: {fmt(s100)} s", s100 < 0.1)
    s1m, r1m = m("map-sync-1000000", "sync_s"), m("map-sync-1000000", "rss_mb")
    if s1m is not None:
        goal(f"1M-entry map sync < 1 s: {fmt(s1m)} s", s1m < 1)
        goal(f"1M-entry map sync < 200 MB resident: {fmt(r1m)} MB", r1m < 200)
    bpd = m("downlinks", "bytes_per_downlink")
    if bpd is not None:
        n = m("downlinks", "synced")
        goal(f"< 1 KB per idle downlink ({fmt(n)} on one connection): {fmt(bpd)} B", bpd < 1024)

server_rows = [("fanout-1", "swim client"), ("fanout-10", "swim client"),
               ("fanout-100", "swim client"), ("fanout-raw-1", "bare WebSocket"),
               ("fanout-raw-10", "bare WebSocket"), ("fanout-raw-100", "bare WebSocket")]
if server_part:
    load_rows = ["load-pump", "load-rate", "load-fill"]
    for name, _ in server_rows + [("connections", ""), ("server-downlinks", "")]:
        data[name] = (load(name, "cpp"), {})
    for name in load_rows:
        data[name] = (load(name, "cpp"), {})
    print()
    print("server: swim-server pushing to many clients (fanout: one value downlink per "
          "connection, the agent pumps)")
    print()
    head = "| {:<14} | {:<14} | {:>12} | {:>12} | {:>12} | {:>8} | {:>10} |"
    print(head.format("scenario", "receiver", "events/s", "client min/s", "values/s",
                      "ev/vals", "server us/ev"))
    print("|----------------|----------------|-------------:|-------------:|-------------:|"
          "---------:|-------------:|")
    for name, receiver in server_rows:
        print(head.format(name, receiver, fmt(m(name, "events_per_s")),
                          fmt(m(name, "client_events_per_s_min")), fmt(m(name, "pump_rate")),
                          fmt(m(name, "delivered_fraction")),
                          fmt(m(name, "server_cpu_us_per_event"))))
    print()
    print("load: 4 connections x 8 downlinks (pump: value lanes pumped; rate: 1,000 sets/s "
          "spread over the 8 value lanes; fill: 10,000 entries into each of 8 map lanes)")
    print()
    head = "| {:<10} | {:>12} | {:>10} | {:>10} | {:>10} | {:>8} |"
    print(head.format("scenario", "events/s", "p50 us", "p99 us", "CPU us/ev", "RSS MB"))
    print("|------------|-------------:|-----------:|-----------:|-----------:|---------:|")
    for name in load_rows:
        print(head.format(name, fmt(m(name, "events_per_s")), fmt(m(name, "p50_us")),
                          fmt(m(name, "p99_us")), fmt(m(name, "cpu_us_per_event")),
                          fmt(m(name, "rss_mb"))))
    print()
    print("server memory and connections")
    print(f"  connections: {fmt(m('connections', 'synced'))} synced in "
          f"{fmt(m('connections', 'sync_s'))} s, server RSS "
          f"{fmt(m('connections', 'server_rss_before_mb'))} -> "
          f"{fmt(m('connections', 'server_rss_idle_mb'))} MB, "
          f"{fmt(m('connections', 'server_bytes_per_connection'))} B per idle connection "
          f"(with its one uplink)")
    print(f"  downlinks:   {fmt(m('server-downlinks', 'synced'))} agents, one uplink each, on one "
          f"connection: server RSS {fmt(m('server-downlinks', 'server_rss_before_mb'))} -> "
          f"{fmt(m('server-downlinks', 'server_rss_idle_mb'))} MB, "
          f"{fmt(m('server-downlinks', 'server_bytes_per_agent_uplink'))} B per agent + uplink; "
          f"a second connection linking the same lanes: "
          f"{fmt(m('server-downlinks', 'server_bytes_per_uplink'))} B per uplink")
    for name in [n for n, _ in server_rows] + load_rows + ["connections", "server-downlinks"]:
        r = data[name][0]
        if not r.get("ok", False) or r.get("notes"):
            print(f"note ({name}): ok={r.get('ok')} " + "; ".join(r.get("notes", [])))
    print()
    print("goals (issue 4: server; reference: the official Java server delivered about 70,000 "
          "events/s to one downlink on this machine, measured with the official JS client)")
    for name, what in (("fanout-100", "received by 100 swim clients in this process"),
                       ("fanout-raw-100", "received by 100 bare WebSocket receivers")):
        ev = m(name, "events_per_s")
        if ev is not None:
            goal(f">= 700,000 events/s pushed to 100 linked clients (10x Java), {what}: "
                 f"{fmt(ev)} ({ev / 70000:.1f}x)", ev >= 700000)
    n = m("connections", "synced")
    if n is not None:
        goal(f"10,000 connections to one swim-server, each with a synced downlink: {fmt(n)} in "
             f"{fmt(m('connections', 'sync_s'))} s, "
             f"{fmt(m('connections', 'server_bytes_per_connection'))} B of server RSS each",
             n >= 10000)
EOF
