#!/usr/bin/env bash
# The GPU path inside a wasm32 guest: cpu_generate.wasm built with the GPU path, run by
# `wasmgpu run`, must print the same greedy tokens as the native CPU reference and the native GPU
# path. Usage: wasm32_gpu_parity.sh NATIVE_GENERATOR WASMGPU_CLI GUEST_WASM MODEL
set -euo pipefail
native=$1 cli=$2 wasm=$3 model=$4
dir=$(cd "$(dirname "$model")" && pwd)
name=$(basename "$model")
args=("once upon a time" 8 0 0)
cpu=$("$native" "$model" "${args[@]}")
gpu=$("$native" "$model" "${args[@]}" gpu)
guest=$("$cli" run --dir "$dir::/models:ro" "$wasm" "/models/$name" "${args[@]}" gpu)
echo "native CPU: $cpu"
echo "native GPU: $gpu"
echo "guest GPU:  $guest"
[ "$cpu" = "$gpu" ] && [ "$cpu" = "$guest" ]
