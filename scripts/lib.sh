# SPDX-License-Identifier: BSL-1.0
# Shared by scripts/test.sh and scripts/demo.sh: install what is missing, configure, build.
# Source it from bash; it sets SWIM_ROOT (the repository root) and defines the swim_* helpers.
# shellcheck shell=bash

SWIM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

# Parallel build jobs: SWIM_JOBS if set, else every core.
SWIM_JOBS="${SWIM_JOBS:-$(nproc 2>/dev/null || echo 2)}"

# Packages a fresh Debian 12 needs to build and test everything.
SWIM_APT_PACKAGES=(
    g++ cmake make
    libboost1.81-dev libboost-json1.81-dev libboost-test1.81-dev
    libssl-dev ccache
    librocksdb-dev # the durable store (server_config::store)
    clang libclang-rt-14-dev
    llvm-14 # llvm-symbolizer, for readable sanitizer stacks (a clang Recommends, not a Depends)
)

swim_section() {
    # (With the script's time so far: a slow stage shows in the log.)
    printf '\n==== %s (%ds in) ====\n' "$*" "$SECONDS"
}

swim_note() {
    printf -- '---- %s\n' "$*"
}

# Runs a command as root: directly when we are root, else through sudo.
swim_as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: need root or sudo to run: $*" >&2
        return 1
    fi
}

# Installs the apt packages that are missing; runs apt-get update once, only when needed.
swim_install_deps() {
    swim_section "Dependencies"
    if ! command -v dpkg >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
        swim_note "no dpkg/apt-get: not a Debian system, skipping installation"
        swim_note "needs: ${SWIM_APT_PACKAGES[*]} nodejs npm"
        return 0
    fi
    local missing=() pkg
    for pkg in "${SWIM_APT_PACKAGES[@]}"; do
        if ! dpkg -s "$pkg" >/dev/null 2>&1; then
            missing+=("$pkg")
        fi
    done
    # Node.js (for the JS interop tests and benchmarks): any node on PATH will do.
    if ! command -v node >/dev/null 2>&1; then
        missing+=(nodejs npm ca-certificates)
    fi
    # Java 17 runs the official SwimOS Java server (../shared/peers) for the interop tests.
    if ! command -v java >/dev/null 2>&1 && [[ -d "$SWIM_ROOT/../shared/peers" ]]; then
        missing+=(openjdk-17-jre-headless)
        # (Its post-install script needs this folder, which slim images leave out.)
        swim_as_root mkdir -p /usr/share/man/man1
    fi
    if [[ ${#missing[@]} -eq 0 ]]; then
        swim_note "all present"
        return 0
    fi
    swim_note "installing: ${missing[*]}"
    swim_as_root apt-get update -q
    swim_as_root apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# swim_configure <build-dir> [cmake args...]: configures (or refreshes) a build directory.
swim_configure() {
    local dir="$1"
    shift
    swim_section "Configure ${dir}"
    cmake -S "$SWIM_ROOT" -B "$SWIM_ROOT/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
}

# swim_build <build-dir> [cmake --build args...]
swim_build() {
    local dir="$1"
    shift
    swim_section "Build ${dir} (-j${SWIM_JOBS})"
    cmake --build "$SWIM_ROOT/$dir" -j "$SWIM_JOBS" "$@"
}

# Configures and builds build/, the tree the tests and the demo run from; extra arguments go
# to cmake (scripts/test.sh passes -DSWIM_SANITIZE=...; without one the cached choice stays).
swim_build_main() {
    swim_configure build -DSWIM_WARNINGS_AS_ERRORS=ON "$@"
    swim_build build
}
