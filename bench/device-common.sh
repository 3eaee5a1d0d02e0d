# Sourced by bench/attention-device.sh, llama-all-device.sh and matvec-device.sh: their output
# files and shared helpers. Sets `out` ($OUT, default .), `models` ($MODELS_TMP, default
# /tmp/wasmgpu-models), `jsonl` ($out/bench.jsonl, emptied) and `log` ($out/log.txt, which gets
# the date and the GPU's name and driver); exports XDG_CACHE_HOME (default /tmp/cache); defines
# `tag`.
out=${OUT:-.}
models=${MODELS_TMP:-/tmp/wasmgpu-models}
mkdir -p "$out" "$models"
export XDG_CACHE_HOME=${XDG_CACHE_HOME:-/tmp/cache}
jsonl=$out/bench.jsonl
log=$out/log.txt
: > "$jsonl"
{ date -u; nvidia-smi --query-gpu=name,driver_version --format=csv 2>&1; } >> "$log"

# tag TAG: the JSON object on stdin with the object TAG merged into it.
tag() {
  python3 -c 'import json,sys; d=json.load(sys.stdin); d.update(json.loads(sys.argv[1])); print(json.dumps(d))' "$1"
}
