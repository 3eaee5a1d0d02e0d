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
# Runs: "shape type matvec-options...", one line each (SPECS overrides, ';'-separated).
IFS=';' read -ra specs <<< "${SPECS:-stories15m q4_0 --matvec wide;stories15m q4_0 --matvec portable;tinyllama-1.1b q4_0 --matvec wide;tinyllama-1.1b q4_0 --matvec wide --matvec-pairs 1;tinyllama-1.1b q4_0 --matvec portable;tinyllama-1.1b q8_0 --matvec wide;tinyllama-1.1b f16 --matvec wide}"
for spec in "${specs[@]}"; do
  set -- $spec
  shape=$1 type=$2
  shift 2
  m=$models/$shape-$type.gguf
  [[ -f $m ]] || run wasmgpu-gguf synth --shape "$shape" --type "$type" -o "$m" > /dev/null
  # stories15m's context is 256 positions.
  sizes="-n 128 --prompt 64"
  [[ $shape == stories15m ]] && sizes="-n 64 --prompt 32"
  run wasmgpu bench llama "$m" "$@" $sizes --prompt-runs 2 --json >> "$jsonl"
  if [[ -n $base && $type == q4_0 && ! -f $m.base ]]; then
    touch "$m.base"
    LD_LIBRARY_PATH=$PWD/$base/lib "$base/bin/llama" --model "$m" --prompt "The jury said" \
      -n 128 --temp 0 --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps({"run": "baseline", "model": sys.argv[1], **d["timings"]}))' "$m" \
      >> "$jsonl"
  fi
done
# Long context: a 512-token prompt then decode (attention over ~600 positions).
m=$models/tinyllama-1.1b-q4_0.gguf
[[ -f $m ]] && {
echo "== tinyllama q4_0 after a 512-token prompt"
run wasmgpu bench llama "$m" -n 64 --prompt 512 --prompt-runs 1 --profile-steps 8 > "$out/long.txt"
grep -E "prefill|decode,|whole step|attention" "$out/long.txt"
}
# One line per run.
python3 - "$jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("run") == "baseline":
        print(f"baseline {d['model'].split('/')[-1]:28} decode {d['generate_tok_s']:8.1f} tok/s")
        continue
    ops = " ".join(f"{k}={v:.0f}" for k, v in d.get("gpu_op_median_us", {}).items())
    print(f"{d['model'].split('/')[-1]:26} {d['matvec_kernels']:15} p{d['matvec_pairs']} decode {d['decode_tok_s']:7.1f} "
          f"(sync {d['sync_decode_tok_s']:.0f}) sub {d['host_submit_median_us']:.0f} "
          f"ahead {d['record_ahead_median_us']:.0f} wait {d['wait_median_us']:.0f} "
          f"read {d['logits_read_median_us']:.0f} argmax {d['argmax_median_us']:.0f} | "
          f"gpu step {d.get('gpu_step_median_us', 0):.0f} (wait {d.get('timestamped_wait_median_us', 0):.0f}) "
          f"ops {d.get('gpu_step_sum_us', 0):.0f}: {ops} | mv {d.get('gpu_matvec_gb_s', 0):.0f} GB/s | "
          f"eff {d['effective_weight_gb_s']:.0f} | pf {d['prefill_tok_s']:.0f} | {d['tokens'][:4]}")
PY
