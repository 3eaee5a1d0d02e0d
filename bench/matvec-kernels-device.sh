#!/usr/bin/env bash
# Decode matrix-vector kernel variants side by side on the H100 (docs/decode-matvec.md):
# nn_matvec_bench over tinyllama-1.1b's matrices and llama3.2-1b's classifier, every type,
# weights in enough copies that the L2 cache holds none. Full lines in $OUT/sweep.txt.
#
#   bench/matvec-kernels-device.sh BUILD      (BUILD with bin/nn_matvec_bench and lib/)
# TYPES (default "q4_0 q8_0 f16"); SHAPES (default all below); VARIANTS: extra variants (see
# tests/nn/matvec_bench.cpp), each given the type's and kind's defines.
set -uo pipefail
b=$1
out=${OUT:-.}
mkdir -p "$out"
sweep=$out/sweep.txt
{ date -u; nvidia-smi --query-gpu=name,driver_version,clocks.max.sm --format=csv 2>&1; } >> "$sweep"
K=${KERNELS:-src/nn/kernels}  # the GLSL the variants compile from
# name rows n_in kind copies
shapes=("tiny 64 2048 plain 200" "qkv 2560 2048 norm 40" "wo 2048 2048 plain 50" "ffn 11264 2048 ffn 8"
        "down 2048 5632 plain 20" "output 32000 2048 norm 4" "out128k 128256 2048 norm 2")
for type in ${TYPES:-q4_0 q8_0 f16}; do
  T=W_$(echo "$type" | tr a-z A-Z)
  [[ $type == q4_0 ]] && T=$T,Q4_SCALED_X
  for s in "${shapes[@]}"; do
    set -- $s
    name=$1 rows=$2 n_in=$3 kind=$4 copies=$5
    [[ -n ${SHAPES:-} && " $SHAPES " != *" $name "* ]] && continue
    D=$T
    [[ $kind == norm ]] && D=$D,NORM
    [[ $kind == ffn ]] && D=$D,NORM,SWIGLU
    J=JMAX=$(( (n_in / 32 + 31) / 32 ))
    v=("matvec_wide.glsl:8:$D,USE_SUBGROUPS")
    if [[ $type == q* ]]; then
      v+=("matvec_dot8.glsl:8:$D,$J,ROWS=2" "matvec_dot8.glsl:16:$D,$J,ROWS=4"
          "matvec_dot8.glsl:32:$D,$J,ROWS=4,THREADS=256" "matvec_dot8.glsl:64:$D,$J,ROWS=8,THREADS=256"
          "matvec_dot8.glsl:4:$D,$J,ROWS=2,THREADS=64")
      [[ $rows -ge 16384 ]] && v+=("matvec_pipe.glsl:24:$D:3")
    fi
    for e in ${VARIANTS:-}; do v+=("${e/@/$D,$J}"); done
    echo "== $type $name" >> "$sweep"
    LD_LIBRARY_PATH=$PWD/$b/lib "$b/bin/nn_matvec_bench" $K "$type" "$rows" "$n_in" "$kind" \
      "$copies" "${v[@]}" >> "$sweep" 2>&1
  done
done
# Compact: type shape variant us GB/s ok
awk '/^== /{t=$2" "$3; next} /us .*GB\/s/{v=$1; sub(/:W_[^:]*/, "", v); gsub(/,?(NORM|SWIGLU|USE_SUBGROUPS|Q4_SCALED_X|W_[A-Z0-9_]+)/, "", $1);
     for(i=1;i<=NF;i++){ if($i=="us") us=$(i-1); if($i=="GB/s") gb=$(i-1)}; print t, $1, us, gb, ($0 ~ / ok /) ? "ok" : "WRONG"; next} {print}' "$sweep"
