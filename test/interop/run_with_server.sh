#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Starts the Node WARP server (official @swim/warp codecs) on a free port, runs the given test
# command with SWIM_INTEROP_HOST=warp://127.0.0.1:<port>, and stops the server.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ ! -d "$here/node_modules/@swim/warp" ]]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
out="$(mktemp)"
node "$here/warp_server.mjs" --port 0 >"$out" &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 100); do
    if grep -q '^listening ' "$out"; then break; fi
    if ! kill -0 "$server" 2>/dev/null; then echo "the Node WARP server did not start" >&2; exit 1; fi
    sleep 0.1
done
port="$(awk '/^listening /{print $2}' "$out")"
[[ -n "$port" ]] || { echo "the Node WARP server printed no port" >&2; exit 1; }
SWIM_INTEROP_HOST="warp://127.0.0.1:$port" "$@"
