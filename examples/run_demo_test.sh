#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Runs the demo and compares what it prints with the expected output (the embedded server's
# address, which changes every run, left out).
# Usage: run_demo_test.sh SWIM_DEMO EXPECTED
set -uo pipefail
out="$(timeout 60 "$1" 2>&1)"
status=$?
got="$(printf '%s\n' "$out" | grep -v '^   embedded server at ')"
want="$(cat "$2")"
if [[ $status -ne 0 || "$got" != "$want" ]]; then
    echo "FAIL swim_demo (status $status)"
    diff <(echo "$want") <(echo "$got") | sed 's/^/  /'
    exit 1
fi
echo "swim_demo: output as expected"
