#!/usr/bin/env bash
# Installs every Debian package fabricscope needs (only what is missing, quietly) and builds it.
#   bash tools/setup.sh            install + build (build/fabricscope)
#   bash tools/setup.sh --tests    install + build + run every test, sanitizer build included
# Test cases that need something from outside the repository are skipped with their reason when
# it is missing (and fail when CI=true): FABRICSCOPE_EXTERNAL_CAPTURES=DIR names the folder of
# the opt-in external captures (real captures made by others, not part of the repository).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${FABRICSCOPE_BUILD_DIR:-$here/build}"
run_tests=0
for arg in "$@"; do
    case "$arg" in
        --tests) run_tests=1 ;;
        -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
        *) echo "setup.sh: unknown option $arg (expected --tests)" >&2; exit 2 ;;
    esac
done

packages=(
    build-essential cmake pkg-config
    libns3-dev ns3 libgsl-dev          # ns-3.37; its CMake package needs ns3 and libgsl-dev too
    libpcap-dev zlib1g-dev libisal-dev libndpi-dev libboost-dev nlohmann-json3-dev catch2 libspdlog-dev libcli11-dev
    libjs-chart.js                     # charts embedded in the HTML reports
    tshark chromium python3            # cross-checks: captures, HTML rendering, PNG checks
    clang libclang-rt-14-dev           # libFuzzer for the packet decoders
    prometheus pmacct tcpdump          # real peers of `collect`: a Prometheus server, sFlow probes
    slurm-wlm munge                    # a single-node Slurm that sweeps' job arrays run on
)

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

jobs=$(nproc)
cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    "-DFABRICSCOPE_EXTERNAL_CAPTURES=${FABRICSCOPE_EXTERNAL_CAPTURES:-}" >/dev/null
if ! cmake --build "$build" -j "$jobs" >"$build/build.log" 2>&1; then
    grep -E -B2 -A8 'error' "$build/build.log" | head -80 >&2 || tail -40 "$build/build.log" >&2
    echo "setup: build failed (full log: $build/build.log)" >&2
    exit 1
fi
echo "setup: built $build/fabricscope"

if [ "$run_tests" -eq 1 ]; then
    status=0
    ctest --test-dir "$build" --output-on-failure -j "$jobs" || status=$?
    # ctest lists skipped cases without their reasons; the reasons are in its log.
    log="$build/Testing/Temporary/LastTest.log"
    if [ -f "$log" ] && grep -q '^skipped: ' "$log"; then
        echo "setup: skipped, with the reason:"
        grep '^skipped: ' "$log" | sort -u | sed 's/^skipped: /  /'
    fi
    exit "$status"
fi
