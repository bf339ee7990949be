#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Starts a real WARP server serving the demo plan on a free loopback port, runs the given test
# command with SWIM_PEER_HOST=warp://127.0.0.1:<port>, and stops the server:
#
#   run_with_peer.sh java <command...>                  the official SwimOS Java server,
#                                                       ../shared/peers/java-server
#   run_with_peer.sh swim-server=<path> <command...>    our swim-server
#
# Exits 77 (ctest: skipped) with a message only when ../shared/peers is absent (a clone
# without it); a missing java is an error (scripts/test.sh installs it).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
peer="${1:?usage: run_with_peer.sh java|swim-server=PATH COMMAND...}"
shift

if [[ "$peer" == java ]]; then
    peers="${SWIM_SHARED_DIR:-$here/../../../shared}/peers"
    if [[ ! -x "$peers/java-server" ]]; then
        echo "SKIPPED: $peers/java-server not found (this clone has no ../shared/peers);" \
            "the interop tests against the official Java server need it" >&2
        exit 77
    fi
    if ! command -v java >/dev/null 2>&1; then
        echo "error: no java on PATH (apt-get install openjdk-17-jre-headless)" >&2
        exit 1
    fi
    export SWIM_PEERS_RUN
    SWIM_PEERS_RUN="$(mktemp -d)"
    port=""
    trap '[[ -n "$port" ]] && "$peers/java-server" stop "$port" >/dev/null 2>&1; rm -rf "$SWIM_PEERS_RUN"' EXIT
    for _ in 1 2 3 4 5 6 7 8; do
        try=$((20000 + RANDOM % 30000))
        if "$peers/java-server" start "$try" >&2; then
            port="$try"
            break
        fi
    done
    if [[ -z "$port" ]]; then
        echo "error: the Java server did not start" >&2
        cat "$SWIM_PEERS_RUN"/*.log >&2 2>/dev/null || true
        exit 1
    fi
else
    server="${peer#swim-server=}"
    out="$(mktemp)"
    "$server" --port 0 --bench-agents >"$out" 2>&1 &
    pid=$!
    trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$out"' EXIT
    for _ in $(seq 1 100); do
        if grep -q '^listening ' "$out"; then break; fi
        if ! kill -0 "$pid" 2>/dev/null; then echo "swim-server did not start:" >&2; cat "$out" >&2; exit 1; fi
        sleep 0.1
    done
    port="$(sed -n 's|^listening warp://[^:]*:\([0-9]*\).*|\1|p' "$out" | head -n 1)"
    [[ -n "$port" ]] || { echo "swim-server printed no port" >&2; cat "$out" >&2; exit 1; }
fi
SWIM_PEER_HOST="warp://127.0.0.1:$port" "$@"
