#!/usr/bin/env bash
# CPU benchmark: the same C (matmul.c) run natively, under `wasmgpu run` and under Node's V8,
# side by side, plus wasmgpu's cache-hit start-up time. Usage:
#   bench/wasm/run.sh [build-dir] [reps]
# Prints a Markdown table (what bench/results/wasm-cpu-*.md records).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
reps=${2:-300}
wasmgpu="$build/bin/wasmgpu"
hello="$build/examples/hello.wasm"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"

cc -O2 -o "$work/matmul-native" "$here/matmul.c"
# GCC -O2 vectorizes this kernel with SSE (outer loop over j); wasm32 has no SIMD here (wasm2c
# 1.0.32), so the scalar build is the like-for-like baseline. Both are reported.
cc -O2 -fno-tree-vectorize -o "$work/matmul-native-scalar" "$here/matmul.c"
clang --target=wasm32-wasi --sysroot=/usr -O2 -o "$work/matmul.wasm" "$here/matmul.c"
"$wasmgpu" compile "$work/matmul.wasm" >/dev/null
"$wasmgpu" compile "$hello" >/dev/null

field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p"; }
run3() {  # best of three runs of the median, to damp noise from other work on the machine
  local best=""
  for _ in 1 2 3; do
    local out; out=$("$@")
    local m; m=$(echo "$out" | field median_ms)
    if [ -z "$best" ] || awk "BEGIN{exit !($m < $best)}"; then best=$m; fi
    checksum=$(echo "$out" | field checksum)
  done
  echo "$best $checksum"
}
read -r native native_sum < <(run3 "$work/matmul-native" "$reps")
read -r scalar scalar_sum < <(run3 "$work/matmul-native-scalar" "$reps")
read -r wasmgpu_ms wasmgpu_sum < <(run3 "$wasmgpu" run "$work/matmul.wasm" "$reps")
read -r node_ms node_sum < <(run3 node --no-warnings "$here/node_wasi.mjs" "$work/matmul.wasm" "$reps")

# Cache-hit start-up: wall time of `wasmgpu run hello.wasm`, median of 50 runs.
startup=$(python3 - "$wasmgpu" "$hello" <<'PY'
import subprocess, sys, time
times = []
for _ in range(50):
    t0 = time.perf_counter()
    subprocess.run([sys.argv[1], "run", sys.argv[2]], stdout=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(f"{times[len(times)//2]:.2f} {times[0]:.2f}")
PY
)
read -r startup_median startup_best <<<"$startup"
node_startup=$(python3 - "$here/node_wasi.mjs" "$hello" <<'PY'
import subprocess, sys, time
times = []
for _ in range(10):
    t0 = time.perf_counter()
    subprocess.run(["node", "--no-warnings", sys.argv[1], sys.argv[2]], stdout=subprocess.DEVNULL, check=True)
    times.append((time.perf_counter() - t0) * 1000)
times.sort()
print(f"{times[len(times)//2]:.1f}")
PY
)

ratio() { awk "BEGIN{printf \"%.2f\", $1 / $2}"; }
echo "| runner | median ms per 128x128 matmul | vs native -O2 | vs native scalar | checksum |"
echo "|---|---:|---:|---:|---|"
echo "| native, cc -O2 (auto-vectorized, SSE) | $native | 1.00 | $(ratio "$native" "$scalar") | $native_sum |"
echo "| native, cc -O2 -fno-tree-vectorize (scalar) | $scalar | $(ratio "$scalar" "$native") | 1.00 | $scalar_sum |"
echo "| wasmgpu run (clang wasm32 -O2, wasm2c, cc -O2) | $wasmgpu_ms | $(ratio "$wasmgpu_ms" "$native") | $(ratio "$wasmgpu_ms" "$scalar") | $wasmgpu_sum |"
echo "| node $(node --version) (V8, same .wasm) | $node_ms | $(ratio "$node_ms" "$native") | $(ratio "$node_ms" "$scalar") | $node_sum |"
echo
echo "| start-up (hello.wasm, cache hit) | median ms | best ms |"
echo "|---|---:|---:|"
echo "| wasmgpu run | $startup_median | $startup_best |"
echo "| node node_wasi.mjs | $node_startup | |"
