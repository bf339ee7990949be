#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# swim-cli against the Node WARP server (run through run_with_server.sh): exact outputs and
# exit statuses. Usage: cli_test.sh PATH/TO/swim-cli
set -uo pipefail
cli="$1"
host="${SWIM_INTEROP_HOST:?run through run_with_server.sh}"
node="/unit/cli$$"
passed=0
failed=0

check() {  # name expected-status expected-stdout command...
    local name="$1" want_status="$2" want_out="$3"
    shift 3
    local out status
    out="$("$@" 2>/tmp/swim_cli_err.$$)"
    status=$?
    if [[ "$status" == "$want_status" && "$out" == "$want_out" ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name: status $status (want $want_status)"
        echo "  stdout: $out"
        echo "  want:   $want_out"
        echo "  stderr: $(cat /tmp/swim_cli_err.$$)"
    fi
}

stderr_has() {  # name text
    if grep -q -- "$2" /tmp/swim_cli_err.$$; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $1: stderr lacks '$2': $(cat /tmp/swim_cli_err.$$)"
    fi
}

check "get empty lane" 0 'null' "$cli" get "$host" "$node" value
check "set" 0 '' "$cli" set "$host" "$node" value 42
check "get after set" 0 '42' "$cli" get "$host" "$node" value
check "sync value" 0 $'{"event":"linked"}\n{"event":"set","value":42}\n{"event":"synced"}' \
    "$cli" sync "$host" "$node" value --count 3
check "put quoted key" 0 '' "$cli" put "$host" "$node" map '"elevator #3"' '{floor:3}'
check "put" 0 '' "$cli" put "$host" "$node" map e1 1
check "get map" 0 '{"e1":1,"elevator #3":{"floor":3}}' "$cli" get "$host" "$node" map --map
check "remove" 0 '' "$cli" remove "$host" "$node" map e1
check "sync map" 0 \
    $'{"event":"linked"}\n{"event":"update","key":"elevator #3","value":{"floor":3}}\n{"event":"synced"}' \
    "$cli" sync "$host" "$node" map --map --count 3
check "command" 0 '' "$cli" command "$host" "$node" cmd '{msg:hello}'
check "link times out quietly" 0 '{"event":"linked"}' "$cli" link "$host" "$node" value --timeout 1
check "node not found" 1 '' "$cli" get "$host" /no/such/node value
stderr_has "node not found reason" nodeNotFound
check "lane not found" 1 '{"event":"unlinked","reason":"laneNotFound"}' "$cli" sync "$host" "$node" nolane
stderr_has "lane not found reason" laneNotFound
check "unreachable host" 1 '' "$cli" get warp://127.0.0.1:1 /a b --timeout 3
stderr_has "unreachable reason" "refused"
started=$SECONDS
check "unreachable host, streaming" 1 '' "$cli" sync warp://127.0.0.1:1 /a b --timeout 2
stderr_has "unreachable streaming reason" "cannot connect to 127.0.0.1:1"
stderr_has "unreachable streaming retries" "trying again"
if ((SECONDS - started > 5)); then
    failed=$((failed + 1))
    echo "FAIL unreachable host, streaming: took $((SECONDS - started)) s with --timeout 2"
else
    passed=$((passed + 1))
fi
check "bad scheme" 1 '' "$cli" get http://example /a b
stderr_has "bad scheme reason" "unsupported scheme 'http'"
check "bad recon" 2 '' "$cli" set "$host" "$node" value '{'
stderr_has "bad recon reason" "VALUE is not valid Recon: unterminated record at 0"
check "unknown command" 2 '' "$cli" frob
check "bad count" 2 '' "$cli" sync "$host" "$node" value --count zero
rm -f /tmp/swim_cli_err.$$
echo "$passed passed, $failed failed"
[[ "$failed" == 0 ]]
