#!/usr/bin/env bash
# Builds llama.cpp's own llama-perplexity and llama-bench from the llama.cpp source that node-llama-cpp
# ships (node_modules/node-llama-cpp/llama/gitRelease.bundle), linked against node-llama-cpp's prebuilt
# shared libraries -- so they run exactly the library code that made the goldens, and only two tools
# get compiled (a few CPU-minutes instead of a full llama.cpp build).
#
# Usage (after `npm ci` here):
#   ./llamacpp-tools.sh build [WORKDIR]                      # -> WORKDIR/bin/{llama-perplexity,llama-bench}
#   ./llamacpp-tools.sh ppl   [WORKDIR] MODEL CTX [FA]       # llama-perplexity over ppl-text.txt
#   ./llamacpp-tools.sh bench [WORKDIR] MODEL                # pp128 / tg64 at 1 and 2 threads
#   ./llamacpp-tools.sh compare [WORKDIR] MODEL...           # panllama bench and llama-bench, same files and
#                                                            # settings (PP=128,512 TG=64 THREADS=1,2 REPS=3)
# WORKDIR defaults to /tmp/panllama-llamacpp-tools.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bins="$here/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64"
cmd="${1:?build|ppl|bench}"; shift
work="${1:-/tmp/panllama-llamacpp-tools}"; [ $# -gt 0 ] && shift

case "$cmd" in
build)
    [ -d "$bins" ] || { echo "run npm ci first" >&2; exit 1; }
    mkdir -p "$work/bin"
    [ -d "$work/src" ] || git clone -q "$here/node_modules/node-llama-cpp/llama/gitRelease.bundle" "$work/src"
    flags=(-O2 -std=c++17 -DNDEBUG -I"$work/src/include" -I"$work/src/common" -I"$work/src/ggml/include" -I"$work/src/vendor")
    libs=(-L"$bins" -l:libllama-common.so -l:libllama.v0.4.0.so -l:libggml.v0.4.0.so -l:libggml-base.so -Wl,-rpath,"$bins")
    g++ "${flags[@]}" "$work/src/tools/perplexity/perplexity.cpp" "$work/src/tools/perplexity/main.cpp" \
        -o "$work/bin/llama-perplexity" "${libs[@]}"
    g++ "${flags[@]}" "$work/src/tools/llama-bench/llama-bench.cpp" "$work/src/tools/llama-bench/main.cpp" \
        -o "$work/bin/llama-bench" "${libs[@]}"
    # ggml loads its CPU variant (haswell, skylakex, ...) from the executable's directory
    for f in "$bins"/libggml-cpu-*.so; do ln -sf "$f" "$work/bin/"; done
    ;;
ppl)
    model="${1:?model}"; ctx="${2:?ctx}"; fa="${3:-off}"
    echo "flash_attn = $fa (command line)"
    "$work/bin/llama-perplexity" -m "$model" -f "$here/ppl-text.txt" -c "$ctx" -t 2 -fa "$fa" 2>&1 \
        | grep -E "system_info|calculating perplexity|Final estimate"
    ;;
bench)
    model="${1:?model}"
    "$work/bin/llama-bench" -m "$model" -p 128 -n 64 -t 1,2 -fa 0 -r 3 -o md
    ;;
compare)
    # Side by side on the same files: llama.cpp without flash attention (the path panllama's F16 KV
    # cache follows), both with an F16 KV cache. Each row is the mean of REPS runs after a warm-up.
    [ $# -gt 0 ] || { echo "compare: give model files" >&2; exit 1; }
    root="$(cd "$here/../../../../../.." && pwd)"
    pp="${PP:-128,512}"; tg="${TG:-64}"; threads="${THREADS:-1,2}"; reps="${REPS:-3}"
    for model in "$@"; do
        echo "== $(basename "$model") -- load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
        "$root/panllama" bench -m "$model" -p "$pp" -n "$tg" -t "$threads" -r "$reps"
        "$work/bin/llama-bench" -m "$model" -p "$pp" -n "$tg" -t "$threads" -fa 0 -r "$reps" -o md 2>/dev/null
        echo "   load after: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
    done
    ;;
*) echo "unknown command $cmd" >&2; exit 1 ;;
esac
