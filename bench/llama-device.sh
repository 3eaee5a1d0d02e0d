#!/usr/bin/env bash
# examples/llama decode and prompt speed on synthetic llama shapes and the shipped brown model,
# native (build/bin/llama) and as a Wasm guest (wasmgpu run llama.wasm), greedy, one JSON line per
# run into OUT_DIR/llama.jsonl.
#
#   bench/llama-device.sh [BUILD_DIR] [OUT_DIR]
#
# Synthetic models are made on the spot with wasmgpu-gguf synth (too large to ship).
set -euo pipefail
build=${1:-build}
out=${2:-${OUT:-.}}
mkdir -p "$out"
models=${MODELS_TMP:-/tmp/wasmgpu-models}
mkdir -p "$models"
jsonl=$out/llama.jsonl
: > "$jsonl"
# A long English prompt; each shape's run takes as many tokens as its test needs (-p words).
words=$(for i in $(seq 1 400); do printf 'the jury said that the city was in the state of %d ' "$i"; done)

run() {  # run NAME BUILD MODEL PROMPT N
  local name=$1 kind=$2 model=$3 prompt=$4 n=$5 line
  if [[ $kind == native ]]; then
    line=$("$build/bin/llama" --model "$model" --prompt "$prompt" -n "$n" --temp 0 --json)
  else
    line=$("$build/bin/wasmgpu" run --dir "$(dirname "$model")" "$build/examples/llama.wasm" -- \
             --model "$model" --prompt "$prompt" -n "$n" --temp 0 --json)
  fi
  python3 - "$name" "$kind" "$line" >> "$jsonl" <<'PY'
import json, sys
name, kind, line = sys.argv[1:4]
d = json.loads(line)
print(json.dumps({"run": name, "build": kind, "adapter": d["adapter"],
                  "prompt_tokens": len(d["prompt_tokens"]), "generated": len(d["tokens"]),
                  **d["timings"], "logits_host_mapped": d["logits_host_mapped"]}))
PY
  tail -n 1 "$jsonl"
}

# The shipped model, both builds (the guest is compiled into the cache on its first run).
"$build/bin/wasmgpu" compile "$build/examples/llama.wasm" >/dev/null
for kind in native wasm; do
  run brown-f16 $kind models/brown/brown-f16.gguf "The jury said" 128
done
for shape in stories15m tinyllama-1.1b; do
  for type in f16 q8_0 q4_0; do
    m=$models/$shape-$type.gguf
    /usr/bin/time -f "synth $shape $type: %e s" "$build/bin/wasmgpu-gguf" synth --shape $shape --type $type -o "$m" >/dev/null
    # decode: a short prompt, 128 generated tokens; prompt: ~512 tokens (what the context allows).
    run "$shape-$type decode" native "$m" "The jury said" 128
    if [[ $shape == tinyllama-1.1b ]]; then
      run "$shape-$type prompt512" native "$m" "$(echo "$words" | cut -d" " -f1-329)" 1
    fi
    [[ $type == q4_0 ]] && run "$shape-$type decode" wasm "$m" "The jury said" 128
    [[ $shape == tinyllama-1.1b ]] && rm -f "$m"
  done
done
