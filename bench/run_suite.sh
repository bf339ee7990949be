#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
#
# The whole benchmark suite in one go: the Recon/WARP codec against the official JS codec
# (run_codec_bench.sh), then swim-bench against swim-server beside the official JS client,
# and the server scenarios (run_client_bench.sh). Each builds what it runs (Release, in
# SWIM_BENCH_BUILD_DIR, default <repo>/build-bench) unless --no-build; other arguments go to
# run_client_bench.sh (--quick, --no-server, ...).
#
#   bench/run_suite.sh [--no-build] [run_client_bench.sh options]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_args=()
client_args=()
for a in "$@"; do
    case "$a" in
        --no-build) build_args=(--no-build) ;;
        -h|--help) sed -n '3,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) client_args+=("$a") ;;
    esac
done

echo "==== codec: swim-cpp against @swim/recon + @swim/warp"
bash "$here/run_codec_bench.sh" "${build_args[@]}"
echo
echo "==== client and server: swim-bench against @swim/client, on swim-server"
bash "$here/run_client_bench.sh" "${build_args[@]}" "${client_args[@]}"
