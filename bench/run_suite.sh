#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
#
# The whole benchmark suite in one go: the Recon/WARP codec against the official JS codec
# (run_codec_bench.sh), then swim-bench against swim-server beside the official JS client,
# and the server scenarios (run_client_bench.sh), then the server against the official Java
# server (run_server_bench.sh, when java and ../shared/peers are there), then the store
# (run_store_bench.sh). Each builds what it runs (Release, in
# SWIM_BENCH_BUILD_DIR, default <repo>/build-bench) unless --no-build; other arguments go to
# run_client_bench.sh (--quick, --no-server, ...).
#
#   bench/run_suite.sh [--no-build] [run_client_bench.sh options]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build_args=()
client_args=()
quick_args=()
for a in "$@"; do
    case "$a" in
        --no-build) build_args=(--no-build) ;;
        --quick) client_args+=("$a"); quick_args=(--quick) ;;
        -h|--help) sed -n '3,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) client_args+=("$a") ;;
    esac
done

echo "==== codec: swim-cpp against @swim/recon + @swim/warp"
bash "$here/run_codec_bench.sh" "${build_args[@]}"
echo
echo "==== client and server: swim-bench against @swim/client, on swim-server"
bash "$here/run_client_bench.sh" "${build_args[@]}" "${client_args[@]}"
echo
if command -v java >/dev/null && [ -x "$here/../../shared/peers/java-server" ]; then
    echo "==== server: swim-server against the official Java server"
    bash "$here/run_server_bench.sh" "${build_args[@]}" "${quick_args[@]}"
else
    echo "==== server against the Java server: skipped (needs java and ../shared/peers)"
fi
echo
echo "==== the store: durable updates, latency, reload"
bash "$here/run_store_bench.sh" "${build_args[@]}" "${quick_args[@]}"
