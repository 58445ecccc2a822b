#!/usr/bin/env bash
# Builds the libFuzzer target of the packet decoders and flow tables with clang under ASan and
# UBSan, replays the committed regression corpus, then fuzzes for a while from a copy of it.
#   bash tools/fuzz/fuzz-dpi.sh BUILD_DIR [SECONDS]      (default 30 s; 0: replay only)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build="${1:?usage: fuzz-dpi.sh BUILD_DIR [SECONDS]}"
seconds="${2:-30}"
clang=$(command -v clang++-14 || command -v clang++ || true)
if [ -z "$clang" ]; then
    echo "fuzz-dpi: clang++ is not installed; skipping" >&2
    exit 0
fi
mkdir -p "$build/fuzz"
sources=()
for source in "$here"/dpi/*.cc; do
    case "$(basename "$source")" in
        capture-*|gzip-stream.cc|link-type.cc) ;; # reading files is not what this target fuzzes
        application-classifier.cc) ;;             # nDPI is fuzzed by its own project
        *) sources+=("$source") ;;
    esac
done
binary="$build/fuzz/fuzz-packet-decoder"
"$clang" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$here" "$here/tests/dpi/fuzz-packet-decoder.cc" "${sources[@]}" -lz -lisal -o "$binary"
corpus="$here/tests/dpi/corpus/packet-decoder"
# Every committed input first: a regression must fail here, whatever the fuzzing finds.
"$binary" -runs=0 "$corpus"
if [ "$seconds" -gt 0 ]; then
    work="$build/fuzz/corpus"
    rm -rf "$work" && mkdir -p "$work" && cp "$corpus"/* "$work"/
    "$binary" -max_total_time="$seconds" -rss_limit_mb=1024 -print_final_stats=1 \
        -artifact_prefix="$build/fuzz/" "$work"
fi
