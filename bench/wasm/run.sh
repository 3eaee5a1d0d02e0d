#!/usr/bin/env bash
# CPU benchmarks of guest code. The matmul comparison (native cc -O2, native scalar, wasmgpu,
# Node, interleaved) and the cache-hit start-up are `wasmgpu bench cpu` (tools/wasmgpu/
# cmd_bench_cpu.cpp); this script runs it and adds what it does not cover: a real program.
# Usage:
#   bench/wasm/run.sh [build-dir] [wasmgpu bench cpu options...]
set -euo pipefail
build=${1:-build}
shift || true
wasmgpu="$build/bin/wasmgpu"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$wasmgpu" bench cpu "$@"

# A real program, if the nn tests are built: CPU inference of a synthetic stories15M (q8_0) with
# src/nn compiled natively and to wasm32 (tests/nn), 32 greedy tokens; wall time, median of 3.
nn_dir="$build/tests/nn"
model="$nn_dir/parity_stories15m_q8_0.gguf"
if [ -x "$build/bin/nn_cpu_generate" ] && [ -f "$nn_dir/cpu_generate.wasm" ] && [ -f "$model" ]; then
  "$wasmgpu" compile "$nn_dir/cpu_generate.wasm" >/dev/null
  cat > "$work/node_nn.js" <<'JS'
const { WASI } = require("node:wasi");
const fs = require("fs");
const [wasm, dir, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: "preview1", args: ["cpu_generate", ...args], preopens: { "/models": dir } });
WebAssembly.instantiate(fs.readFileSync(wasm), wasi.getImportObject())
  .then(({ instance }) => process.exit(wasi.start(instance)));
JS
  python3 - "$build/bin/nn_cpu_generate" "$wasmgpu" "$nn_dir" "$work/node_nn.js" <<'PY'
import hashlib, os, subprocess, sys, time
native, wasmgpu, d, node_js = sys.argv[1:]
args = ["once upon a time", "32", "0", "0"]
runs = {
    "native (g++ -O2)": [native, os.path.join(d, "parity_stories15m_q8_0.gguf")] + args,
    "wasmgpu run": [wasmgpu, "run", "--dir", d + "::/models", os.path.join(d, "cpu_generate.wasm"),
                    "/models/parity_stories15m_q8_0.gguf"] + args,
    "node (V8)": ["node", "--no-warnings", node_js, os.path.join(d, "cpu_generate.wasm"), d,
                  "/models/parity_stories15m_q8_0.gguf"] + args,
}
print()
print("| stories15M q8_0 on CPU, 32 tokens | wall ms (median of 3) | output md5 |")
print("|---|---:|---|")
for name, cmd in runs.items():
    times, digest = [], ""
    for _ in range(3):
        t0 = time.perf_counter()
        out = subprocess.run(cmd, stdout=subprocess.PIPE, check=True).stdout
        times.append((time.perf_counter() - t0) * 1000)
        digest = hashlib.md5(out).hexdigest()[:12]
    times.sort()
    print(f"| {name} | {times[1]:.0f} | {digest} |")
PY
fi
