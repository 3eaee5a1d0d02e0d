#!/usr/bin/env bash
# Decode attention before/after in one device call, for bench/results/llama-h100-attention.md:
#  1. the attention kernels of the first build on the device against the CPU reference
#     (nn_gpu_test's attention tests: there the subgroup kernel takes its shuffle path at
#     head_dim 64, and the split's last-workgroup combine runs on real concurrency);
#  2. the kernel alone (nn_attention_bench of the first build: tinyllama-1.1b heads, positions x
#     splits), its kernels and VARIANTS/*.spv (e.g. the previous kernel, an empty kernel for the
#     dispatch floor; compiled with glslc);
#  3. `wasmgpu bench llama` on tinyllama-1.1b Q4_0 after 64- and 512-token prompts, every build
#     in turn, two rounds; then the first build with the split forced (WASMGPU_ATTN_SPLIT).
#
#   bench/attention-device.sh NAME=BUILD...     e.g. new=build-device/attn base=build-device/final
#
# A BUILD without lib/ uses LIB (default: the first build's lib/). VARIANTS: a folder (default: FIRST_BUILD/variants).
# SPLITS: "PROMPT:SPLIT ..." runs for part 3. Writes $OUT/bench.jsonl (one object per bench llama
# run, tagged) and $OUT/log.txt.
set -uo pipefail
source "$(dirname "$0")/device-common.sh"
names=() dirs=()
for a in "$@"; do names+=("${a%%=*}"); dirs+=("${a#*=}"); done
first=${dirs[0]}
with() {  # with BUILD CMD...: CMD with BUILD's libraries
  local b=$1 lib=$1/lib
  shift
  [[ -d $lib ]] || lib=${LIB:-$first/lib}
  LD_LIBRARY_PATH=$PWD/$lib "$@"
}
echo "== 1. tests" >> "$log"
with "$first" "$first/bin/nn_gpu_test" \
  --gtest_filter='GpuKernels.AttentionDecode*:LlamaGpu.AttentionSplitOver*' >> "$log" 2>&1 ||
  echo "TESTS FAILED" >> "$log"
echo "== 2. kernel alone" >> "$log"
with "$first" "$first/bin/nn_attention_bench" 200 "${VARIANTS:-$first/variants}"/*.spv >> "$log" 2>&1
echo "== 3. bench llama" >> "$log"
m=$models/tinyllama-1.1b-q4_0.gguf
[[ -f $m ]] || with "$first" "$first/bin/wasmgpu-gguf" synth --shape tinyllama-1.1b --type q4_0 \
  -o "$m" >> "$log" 2>&1
bench() {  # bench TAG BUILD ARGS...
  local t=$1 b=$2
  shift 2
  with "$b" "$b/bin/wasmgpu" bench llama "$m" "$@" --json 2>> "$log" | tag "$t" >> "$jsonl" ||
    echo "FAILED $t" >> "$log"
}
for round in 1 2; do
  for prompt in 64 512; do
    for i in "${!names[@]}"; do
      bench "{\"build\":\"${names[$i]}\",\"split\":\"auto\",\"prompt\":$prompt,\"round\":$round}" \
        "${dirs[$i]}" -n 128 --prompt $prompt --prompt-runs 1
    done
  done
done
for run in ${SPLITS:-64:2 512:1 512:2 512:8}; do
  prompt=${run%:*} split=${run#*:}
  WASMGPU_ATTN_SPLIT=$split bench \
    "{\"build\":\"${names[0]}\",\"split\":$split,\"prompt\":$prompt,\"round\":1}" "$first" \
    -n 128 --prompt $prompt --prompt-runs 1
done
python3 - "$jsonl" >> "$log" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    ops = d.get("gpu_op_median_us", {})
    print(f"{d['build']:5} split {str(d['split']):4} prompt {d['prompt']:3} r{d['round']}: "
          f"decode {d['decode_tok_s']:6.1f} tok/s, gpu step {d.get('gpu_step_median_us', 0):6.0f} us, "
          f"attention {ops.get('attention', 0):5.0f} us, wo {ops.get('wo', 0):5.0f} us, "
          f"tokens {d['tokens'][:6]}")
PY
echo "== done" >> "$log"
