#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
#
# Installs what is missing, builds build/ like scripts/test.sh, then runs the demo
# (build/bin/swim_demo) with any arguments given to this script.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SWIM_ROOT"

swim_install_deps
swim_build_main

swim_section "Demo"
demo="build/bin/swim_demo"
if [[ -x "$demo" ]]; then
    exec "$demo" "$@"
fi
echo "The demo does not exist yet ($demo was not built): it arrives with the client and server."
