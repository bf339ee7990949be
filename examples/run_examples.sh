#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Runs each example against SWIM_INTEROP_HOST (a fresh server: run through
# test/interop/run_with_server.sh) and compares its output with expected/<name>.txt.
# Usage: run_examples.sh BIN_DIR
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$1"
passed=0
failed=0
for name in value_downlink value_downlink_blocking map_downlink map_downlink_blocking; do
    # Each example starts from an empty lane: reset it through a fresh node is not possible
    # with fixed node names, so the runner resets the lanes first with swim-cli.
    "$bin/swim-cli" command "$SWIM_INTEROP_HOST" /hotel/room/123 light '' >/dev/null
    "$bin/swim-cli" command "$SWIM_INTEROP_HOST" /hotel/lobby elevators '@clear' >/dev/null
    out="$(timeout 30 "$bin/$name" "$SWIM_INTEROP_HOST" 2>&1)"
    status=$?
    want="$(cat "$here/expected/$name.txt")"
    if [[ $status -eq 0 && "$out" == "$want" ]]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $name (status $status)"
        diff <(echo "$want") <(echo "$out") | sed 's/^/  /'
    fi
done
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
