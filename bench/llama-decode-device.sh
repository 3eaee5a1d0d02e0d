#!/usr/bin/env bash
# `wasmgpu bench llama` on synthetic llama shapes (made on the spot with wasmgpu-gguf synth), GPU
# (wide) and portable matvec kernels side by side, plus examples/llama of a baseline build, for
# bench/results/llama-*.md. One JSON line per run into OUT/bench.jsonl, human tables on stdout.
#
#   bench/llama-decode-device.sh BUILD [BASELINE_BUILD]
#
# BUILD has bin/{wasmgpu,wasmgpu-gguf} and lib/; BASELINE_BUILD (optional) bin/llama and lib/.
set -uo pipefail
build=$1
base=${2:-}
out=${OUT:-.}
models=${MODELS_TMP:-/tmp/wasmgpu-models}
mkdir -p "$out" "$models"
jsonl=$out/bench.jsonl
: > "$jsonl"
run() { LD_LIBRARY_PATH=$PWD/$build/lib "$build/bin/$@"; }
run wasmgpu info --json > "$out/info.json"
run wasmgpu bench floor --iterations 300
for spec in "stories15m q4_0" "tinyllama-1.1b q4_0" "tinyllama-1.1b q8_0" "tinyllama-1.1b f16"; do
  set -- $spec
  m=$models/$1-$2.gguf
  run wasmgpu-gguf synth --shape "$1" --type "$2" -o "$m" > /dev/null
  for mv in wide portable; do
    echo "== $1 $2 matvec=$mv"
    run wasmgpu bench llama "$m" --matvec $mv -n 128 --prompt 64 --prompt-runs 2
    run wasmgpu bench llama "$m" --matvec $mv -n 128 --prompt 64 --prompt-runs 2 --json >> "$jsonl"
  done
  if [[ -n $base ]]; then
    echo "== $1 $2 baseline examples/llama"
    LD_LIBRARY_PATH=$PWD/$base/lib "$base/bin/llama" --model "$m" --prompt "The jury said" \
      -n 128 --temp 0 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"run": "baseline", "model": sys.argv[1], **d["timings"]}))' "$m" \
      | tee -a "$jsonl"
  fi
  [[ $1 == tinyllama-1.1b && $2 != q4_0 ]] && rm -f "$m"
done
# Long context: a 512-token prompt then decode (attention over ~600 positions).
m=$models/tinyllama-1.1b-q4_0.gguf
echo "== tinyllama q4_0 after a 512-token prompt"
run wasmgpu bench llama "$m" -n 64 --prompt 512 --prompt-runs 1
