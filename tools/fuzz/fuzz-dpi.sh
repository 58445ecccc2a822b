#!/usr/bin/env bash
# Builds the libFuzzer targets with clang under ASan and UBSan: the packet decoders and flow
# tables (fuzz-packet-decoder), the sFlow datagram decoder feeding them (fuzz-sflow-decoder), and
# the JSON readers: design files and rules files (fuzz-design-reader), scenario files
# (fuzz-scenario-reader, which links the ns-3 libraries and BUILD_DIR's fabric library, so it is
# left out until that is built). Replays each committed regression corpus, then fuzzes each for
# its share of the time from a copy of it.
#   bash tools/fuzz/fuzz-dpi.sh BUILD_DIR [SECONDS]      (default 30 s in all; 0: replay only)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build="${1:?usage: fuzz-dpi.sh BUILD_DIR [SECONDS]}"
seconds="${2:-30}"
clang=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$clang" ]; then
    echo "fuzz-dpi: clang++ is not installed (Debian packages clang and libclang-rt-14-dev)" >&2
    exit 2
fi
# Each target as FOLDER/NAME: tests/FOLDER/fuzz-NAME.cc, its corpus in tests/FOLDER/corpus/NAME.
targets=(dpi/packet-decoder dpi/sflow-decoder topologies/design-reader)
fabric_archive="$build/fabric/libfabricscope-fabric.a"
# What the ns-3 library shares with the flow engine (routes, wire layouts, CRCs) is its own.
fabric_plain_archive="$build/fabric/libfabricscope-fabric-plain.a"
telemetry_archive="$build/telemetry/libfabricscope-telemetry.a"
designs_source="$build/topologies/reference-designs-source.cc"
if [ -f "$fabric_archive" ] && [ -f "$fabric_plain_archive" ] && [ -f "$designs_source" ]; then
    targets+=(fabric/scenario-reader)
else
    echo "fuzz-dpi: the fabric libraries are not built; leaving out fuzz-scenario-reader" >&2
fi
# JSON documents are small: longer inputs only slow the readers' fuzzing down.
declare -A limits=([topologies/design-reader]="-max_len=8192"
                   [fabric/scenario-reader]="-max_len=8192 -timeout=10")
flags=(-std=c++17 -gline-tables-only -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -I"$here")
libs=(-lz)
if pkg-config --exists libisal 2>/dev/null; then
    read -r -a isal <<<"$(pkg-config --libs libisal)"
    libs+=("${isal[@]}")
fi
mkdir -p "$build/fuzz/objects"
rm -f "$build"/fuzz/objects/*.o
# The decoders once, instrumented for coverage, in an archive: each target links what it uses.
for source in "$here"/dpi/*.cc; do
    name=$(basename "$source" .cc)
    case "$name" in
        capture-*|gzip-stream|link-type) ;; # reading files is not what these targets fuzz
        application-classifier) ;;           # nDPI is fuzzed by its own project
        *) printf '%s\n' "$source" ;;
    esac
done | OBJECTS="$build/fuzz/objects" xargs -P 2 -I{} sh -c \
    '"$0" "$@" -fsanitize=fuzzer-no-link -c "{}" -o "$OBJECTS/$(basename "{}" .cc).o"' \
    "$clang" "${flags[@]}"
archive="$build/fuzz/libdpi-fuzz.a"
rm -f "$archive"
ar rcs "$archive" "$build"/fuzz/objects/*.o
# The JSON readers the same way in an archive of their own: telemetry's reading and rules (not
# its renderers), the design model, and for scenarios the traffic model and the fabric's scenario
# reading (ns-3 headers).
mkdir -p "$build/fuzz/json-objects"
rm -f "$build"/fuzz/json-objects/*.o
{
    for name in json-object-reader strict-json-builder text-format rule-config finding; do
        printf '%s\n' "$here/telemetry/model/$name.cc"
    done
    for source in "$here"/topologies/model/*.cc; do
        [ "$(basename "$source")" = reference-designs.cc ] || printf '%s\n' "$source"
    done
    if [[ " ${targets[*]} " == *" fabric/scenario-reader "* ]]; then
        printf '%s\n' "$here"/traffic/model/*.cc "$here"/fabric/helper/scenario*.cc \
            "$here/topologies/model/reference-designs.cc" "$designs_source"
    fi
} | OBJECTS="$build/fuzz/json-objects" xargs -P 2 -I{} sh -c \
    '"$0" "$@" -fsanitize=fuzzer-no-link -c "{}" -o "$OBJECTS/$(basename "{}" .cc).o"' \
    "$clang" "${flags[@]}"
json_archive="$build/fuzz/libjson-fuzz.a"
rm -f "$json_archive"
ar rcs "$json_archive" "$build"/fuzz/json-objects/*.o
for target in "${targets[@]}"; do
    folder=${target%/*}
    name=${target#*/}
    case "$folder" in
        dpi) link=("$archive" "${libs[@]}") ;;
        topologies) link=("$json_archive") ;;
        # The reader instrumented, the rest of the fabric library as built, and ns-3. The
        # libraries are built from unity sources, whose objects hold the readers too: the
        # instrumented copies come first and are the ones kept.
        fabric) link=(-Wl,--allow-multiple-definition
                      -Wl,--start-group "$json_archive" "$fabric_archive" "$fabric_plain_archive"
                      "$build/fabric/libfabricscope-flow.a" "$telemetry_archive" -Wl,--end-group
                      -lns3-network -lns3-stats -lns3-core) ;;
    esac
    "$clang" "${flags[@]}" -fsanitize=fuzzer "$here/tests/$folder/fuzz-$name.cc" "${link[@]}" \
        -o "$build/fuzz/fuzz-$name"
done
# Every committed input first: a regression must fail here, whatever the fuzzing finds.
for target in "${targets[@]}"; do
    "$build/fuzz/fuzz-${target#*/}" -runs=0 "$here/tests/${target%/*}/corpus/${target#*/}"
done
if [ "$seconds" -gt 0 ]; then
    # The time is shared: each target fuzzes for its part, the last one for what is left.
    left="$seconds"
    remaining=${#targets[@]}
    for target in "${targets[@]}"; do
        share=$(( left / remaining ))
        [ "$share" -ge 1 ] || share=1
        left=$(( left - share ))
        remaining=$(( remaining - 1 ))
        name=${target#*/}
        work="$build/fuzz/corpus-$name"
        rm -rf "$work" && mkdir -p "$work" && cp "$here/tests/${target%/*}/corpus/$name"/* "$work"/
        read -r -a extra <<<"${limits[$target]:-}"
        "$build/fuzz/fuzz-$name" -max_total_time="$share" -rss_limit_mb=1024 "${extra[@]}" \
            -print_final_stats=1 -artifact_prefix="$build/fuzz/$name-" "$work"
    done
fi
