#!/usr/bin/env bash
# Builds the libFuzzer targets of dpi with clang under ASan and UBSan: the packet decoders and
# flow tables (fuzz-packet-decoder), and the sFlow datagram decoder feeding them
# (fuzz-sflow-decoder). Replays each committed regression corpus, then fuzzes each for its share
# of the time from a copy of it.
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
targets=(packet-decoder sflow-decoder)
flags=(-std=c++17 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined -I"$here")
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
for target in "${targets[@]}"; do
    "$clang" "${flags[@]}" -fsanitize=fuzzer "$here/tests/dpi/fuzz-$target.cc" "$archive" \
        "${libs[@]}" -o "$build/fuzz/fuzz-$target"
done
# Every committed input first: a regression must fail here, whatever the fuzzing finds.
for target in "${targets[@]}"; do
    "$build/fuzz/fuzz-$target" -runs=0 "$here/tests/dpi/corpus/$target"
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
        work="$build/fuzz/corpus-$target"
        rm -rf "$work" && mkdir -p "$work" && cp "$here/tests/dpi/corpus/$target"/* "$work"/
        "$build/fuzz/fuzz-$target" -max_total_time="$share" -rss_limit_mb=1024 \
            -print_final_stats=1 -artifact_prefix="$build/fuzz/$target-" "$work"
    done
fi
