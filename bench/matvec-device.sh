#!/usr/bin/env bash
# Matrix-vector kernel sweep on tinyllama-1.1b (docs/decode-matvec.md): a baseline build and
# a new one side by side in one device call, `wasmgpu bench llama --json` per variant (env vars
# select the new build's variants), alternating rounds. One JSON object per run, tagged, in
# $OUT/bench.jsonl; a one-line summary per run in $OUT/log.txt.
#
#   bench/matvec-device.sh NEW_BUILD BASE_BUILD     each with bin/{wasmgpu,wasmgpu-gguf}, lib/
# VARIANTS: ';'-separated "tag env..." for the new build (default below); ROUNDS (default 2);
# TYPES (default q4_0).
set -uo pipefail
new=$1 base=$2
source "$(dirname "$0")/device-common.sh"
bench() {  # bench BUILD TAG MODEL ENV...
  local b=$1 t=$2 m=$3
  shift 3
  env LD_LIBRARY_PATH=$PWD/$b/lib "$@" "$b/bin/wasmgpu" bench llama "$m" -n 128 --prompt 64 \
    --prompt-runs 1 --json 2>> "$log" | tag "$t" >> "$jsonl" || echo "FAILED $t" >> "$log"
}
IFS=";" read -ra variants <<< "${VARIANTS:-new;new-pipe-off WASMGPU_MATVEC_PIPE=0;new-pipe-all WASMGPU_MATVEC_PIPE=2}"
for type in ${TYPES:-q4_0}; do
  m=$models/tinyllama-1.1b-$type.gguf
  [[ -f $m ]] || LD_LIBRARY_PATH=$PWD/$new/lib "$new/bin/wasmgpu-gguf" synth \
    --shape tinyllama-1.1b --type "$type" -o "$m" >> "$log" 2>&1
  for round in $(seq "${ROUNDS:-2}"); do
    bench "$base" "{\"build\":\"base\",\"variant\":\"base\",\"type\":\"$type\",\"round\":$round}" "$m"
    for v in "${variants[@]}"; do
      set -- $v
      vt=$1
      shift
      bench "$new" "{\"build\":\"new\",\"variant\":\"$vt\",\"type\":\"$type\",\"round\":$round}" "$m" "$@"
      [[ $type == q4_0 ]] || break  # other types: the default variant only
    done
  done
done
python3 - "$jsonl" >> "$log" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    a = d.get("matvec_alone", {})
    al = " ".join(f"{k}={v['us']:.1f}" for k, v in a.items())
    ops = " ".join(f"{k}={v:.0f}" for k, v in d.get("gpu_op_median_us", {}).items())
    print(f"{d['type']} r{d['round']} {d['variant']:10} tok/s {d['decode_tok_s']:7.1f} "
          f"gpu step {d.get('gpu_step_median_us', 0):7.1f} | alone {al} | ops {ops} | "
          f"tokens {d['tokens'][:6]}")
PY
cat "$log"
