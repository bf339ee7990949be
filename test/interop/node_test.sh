#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs the pinned npm packages if missing, then runs a Node script of this folder.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ ! -d "$here/node_modules/@swim/warp" ]]; then
    (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
cd "$here"
exec node "$@"
