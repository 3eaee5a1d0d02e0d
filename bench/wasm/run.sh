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

# More kernels (bench/wasm/guests/kernels.c), reported beside the matmul: native cc -O2 and
# `wasmgpu run`, alternating, 5 runs each; per kernel the median of the runs' medians.
if [ -x "$build/bin/wasmgpu-bench-kernels" ] && [ -f "$build/bench/wasm/kernels.wasm" ]; then
  "$wasmgpu" compile "$build/bench/wasm/kernels.wasm" >/dev/null
  python3 - "$build/bin/wasmgpu-bench-kernels" "$wasmgpu" "$build/bench/wasm/kernels.wasm" <<'PY'
import re, statistics, subprocess, sys
native, wasmgpu, wasm = sys.argv[1:]
runs = {"native cc -O2": [native, "300"], "wasmgpu run": [wasmgpu, "run", wasm, "300"]}
ms, sums = {}, {}
for _ in range(5):
    for runner, cmd in runs.items():
        out = subprocess.run(cmd, stdout=subprocess.PIPE, check=True, text=True).stdout
        for m in re.finditer(r"(\S+) reps=\d+ median_ms=([\d.]+) checksum=(\S+)", out):
            ms.setdefault((m[1], runner), []).append(float(m[2]))
            sums.setdefault(m[1], set()).add(m[3])
print()
print("| kernel (kernels.c) | native cc -O2 ms | wasmgpu ms | wasmgpu / native | checksums agree |")
print("|---|---:|---:|---:|---|")
for k in sorted(sums):
    n = statistics.median(ms[(k, "native cc -O2")])
    w = statistics.median(ms[(k, "wasmgpu run")])
    print(f"| {k} | {n:.4f} | {w:.4f} | {w / n:.2f} | {'yes' if len(sums[k]) == 1 else 'NO: ' + ' '.join(sorted(sums[k]))} |")
PY
fi

# A real program, if the nn tests are built: CPU inference of a synthetic stories15M (q8_0) with
# src/nn compiled natively and to wasm32 (tests/nn), 32 greedy tokens; wall and CPU time
# (user + system, less sensitive to other load on the machine), medians of 5.
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
import hashlib, os, resource, subprocess, sys, time
native, wasmgpu, d, node_js = sys.argv[1:]
args = ["once upon a time", "32", "0", "0"]
runs = {
    "native (g++ -O3, the Release build of src/nn)": [native, os.path.join(d, "parity_stories15m_q8_0.gguf")] + args,
    "wasmgpu run": [wasmgpu, "run", "--dir", d + "::/models", os.path.join(d, "cpu_generate.wasm"),
                    "/models/parity_stories15m_q8_0.gguf"] + args,
    "node (V8)": ["node", "--no-warnings", node_js, os.path.join(d, "cpu_generate.wasm"), d,
                  "/models/parity_stories15m_q8_0.gguf"] + args,
}
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
print()
print("| stories15M q8_0 on CPU, 32 tokens | wall ms (median of 5) | CPU ms (median of 5) | output md5 |")
print("|---|---:|---:|---|")
for name, cmd in runs.items():
    walls, cpus, digest = [], [], ""
    for _ in range(5):
        c0, t0 = cpu(), time.perf_counter()
        out = subprocess.run(cmd, stdout=subprocess.PIPE, check=True).stdout
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((cpu() - c0) * 1000)
        digest = hashlib.md5(out).hexdigest()[:12]
    walls.sort()
    cpus.sort()
    print(f"| {name} | {walls[2]:.0f} | {cpus[2]:.0f} | {digest} |")
PY
fi
