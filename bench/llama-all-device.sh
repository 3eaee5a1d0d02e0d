#!/usr/bin/env bash
# Issue 5's figures in one device call, for bench/results/llama-h100-all.md:
#  1. `wasmgpu bench llama` for every synthetic shape in F16, Q8_0 and Q4_0 (llama3.2-1b: Q4_0):
#     decode after a prompt, and prefill of that prompt (512 tokens where the context allows);
#  2. tinyllama-1.1b Q4_0 with the attention split over 1, auto and 4 workgroups per head
#     (WASMGPU_ATTN_SPLIT), after 64- and 512-token prompts, two rounds alternating;
#  3. examples/llama native vs as a guest (`wasmgpu run llama.wasm`), greedy, alternating.
#
#   bench/llama-all-device.sh BUILD     BUILD has bin/{wasmgpu,wasmgpu-gguf,llama}, lib/,
#                                       examples/llama.wasm
# PARTS (default "1 2 3") and SHAPES (default: all four) pick a subset.
# Writes $OUT/bench.jsonl (one object per run, tagged), $OUT/log.txt and $OUT/info.json: few
# files, because the device returns at most 8.
set -uo pipefail
build=$1
source "$(dirname "$0")/device-common.sh"
export LD_LIBRARY_PATH=$PWD/$build/lib
W=$build/bin/wasmgpu
"$W" info --json > "$out/info.json"
"$W" bench floor --iterations 300 >> "$log" 2>&1

bench() {  # bench TAG MODEL ARGS...
  local t=$1 m=$2
  shift 2
  "$W" bench llama "$m" "$@" --json 2>> "$log" | tag "$t" >> "$jsonl" || echo "FAILED $t" >> "$log"
}
synth() {  # synth SHAPE TYPE -> path
  local m=$models/$1-$2.gguf
  [[ -f $m ]] || "$build/bin/wasmgpu-gguf" synth --shape "$1" --type "$2" -o "$m" >> "$log" 2>&1
  echo "$m"
}

parts=${PARTS:-1 2 3}
if [[ " $parts " == *" 1 "* ]]; then
echo "== 1. every shape and type" >> "$log"
for shape in ${SHAPES:-stories15m stories110m tinyllama-1.1b llama3.2-1b}; do
  for type in f16 q8_0 q4_0; do
    [[ $shape == llama3.2-1b && $type != q4_0 ]] && continue
    m=$(synth "$shape" "$type")
    sizes="-n 128 --prompt 512"
    # stories15m's context is 256 positions (the bench also needs room for its extra steps).
    [[ $shape == stories15m ]] && sizes="-n 64 --prompt 32"
    bench "{\"part\":\"shapes\",\"shape\":\"$shape\",\"type\":\"$type\"}" "$m" \
      $sizes --prompt-runs 3
  done
done
fi

if [[ " $parts " == *" 2 "* ]]; then
echo "== 2. attention split" >> "$log"
m=$(synth tinyllama-1.1b q4_0)
for round in 1 2; do
  for prompt in 64 512; do
    for split in 1 0 4; do
      WASMGPU_ATTN_SPLIT=$split bench \
        "{\"part\":\"split\",\"split\":$split,\"prompt\":$prompt,\"round\":$round}" "$m" \
        -n 128 --prompt $prompt --prompt-runs 1
    done
  done
done
fi

if [[ " $parts " == *" 3 "* ]]; then
echo "== 3. native vs guest" >> "$log"
"$W" compile "$build/examples/llama.wasm" >> "$log" 2>&1
for m in models/brown/brown-f16.gguf "$(synth stories15m q4_0)" "$(synth tinyllama-1.1b q4_0)"; do
  for round in 1 2; do
    for kind in native wasm; do
      if [[ $kind == native ]]; then
        cmd=("$build/bin/llama")
      else
        cmd=("$W" run --dir "$(dirname "$m")" "$build/examples/llama.wasm" --)
      fi
      "${cmd[@]}" --model "$m" --prompt "The jury said" -n 128 --temp 0 --json 2>> "$log" |
        python3 -c 'import json,sys; d=json.load(sys.stdin); t=json.loads(sys.argv[1]); print(json.dumps({**t, **d["timings"], "tokens": d["tokens"], "adapter": d["adapter"]}))' \
          "{\"part\":\"guest\",\"model\":\"$m\",\"build\":\"$kind\",\"round\":$round}" >> "$jsonl" ||
        echo "FAILED $kind $m" >> "$log"
    done
  done
done
fi
echo "== done" >> "$log"
