#!/usr/bin/env bash
# Guest I/O vs native, side by side in one run (issue 3, "Performance"):
#   native  wasmgpu bench zero-copy --json              (the host program)
#   guest   wasmgpu run guest-io.wasm                   (the same three paths from a wasm guest)
# Both use the same sizes, iterations and workgroup cap (the guest gets the native run's), and
# alternate size by size.
#
#   bench/guest-io-device.sh [BUILD_DIR] [OUT_DIR] [ITERATIONS]
#     BUILD_DIR   a build with bin/wasmgpu and examples/guest-io.wasm (default: build;
#                 on the GPU machine: build-device)
#     OUT_DIR     where native.json, guest.json and summary.md go (default: $OUT, else .)
#
# The guest module is compiled (wasm2c + cc) into the cache on first use; the script compiles it
# before timing anything. Targets: guest zero_copy within 10 % of native zero_copy at every size;
# guest zero_copy/copy <= 0.25 at 4 Mi floats on an H100, <= 0.75 on lavapipe.
set -euo pipefail
build=${1:-build}
out=${2:-${OUT:-.}}
iterations=${3:-30}
wasmgpu=$build/bin/wasmgpu
guest=$build/examples/guest-io.wasm
mkdir -p "$out"
[[ -x $wasmgpu && -f $guest ]] || { echo "need $wasmgpu and $guest" >&2; exit 2; }

{
  echo "date: $(date -u +%FT%TZ)"
  echo "host: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "commit: $(git -C "$(dirname "$0")/.." rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$out/machine.txt"

"$wasmgpu" compile "$guest" > /dev/null
# Size by size, native then guest, so that both see the same machine state (a shared machine's
# load drifts over minutes); the JSON rows are gathered into native.json and guest.json.
sizes=(256 4096 65536 1048576 4194304 16777216)
cap=
for n in "${sizes[@]}"; do
  "$wasmgpu" bench zero-copy --json --iterations "$iterations" --sizes "$n" > "$out/native-$n.json"
  [[ -n $cap ]] || cap=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["max_workgroups"])' "$out/native-$n.json")
  "$wasmgpu" run "$guest" --iterations "$iterations" --max-workgroups "$cap" \
      --min-floats "$n" --max-floats "$n" > "$out/guest-$n.json"
done
python3 - "$out" "${sizes[@]}" <<'PY'
import json, sys
out, sizes = sys.argv[1], sys.argv[2:]
for side in ("native", "guest"):
    parts = [json.load(open(f"{out}/{side}-{n}.json")) for n in sizes]
    merged = dict(parts[0])
    merged["rows"] = [r for p in parts for r in p["rows"]]
    json.dump(merged, open(f"{out}/{side}.json", "w"), indent=1)
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"

python3 - "$out/native.json" "$out/guest.json" > "$out/summary.md" <<'PY'
import json, sys
native = json.load(open(sys.argv[1]))
guest = json.load(open(sys.argv[2]))
g = {r["floats"]: r for r in guest["rows"]}
print(f"adapter: {native['adapter']} ({native.get('adapter_type', '?')}), driver: {native.get('driver', '?')}")
print(f"iterations: {native['iterations']} (median), max_workgroups: {native['max_workgroups']}, "
      f"floor_us: {native.get('floor_us', 0):.1f}\n")
print("| floats | native copy | native zero_copy | native resident | guest copy | guest zero_copy "
      "| guest resident | guest zc / native zc | guest zc / guest copy | ok |")
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--:|")
def f(v): return "-" if v is None else f"{v:.1f}"
for r in native["rows"]:
    q = g.get(r["floats"])
    if q is None: continue
    nz, gz = r.get("zero_copy_us"), q.get("zero_copy_us")
    vs = f"{gz / nz:.3f}" if nz and gz else "-"
    zc = f"{gz / q['copy_us']:.3f}" if gz else "-"
    ok = "yes" if r["ok"] and q["ok"] else "NO"
    print(f"| {r['floats']} | {f(r['copy_us'])} | {f(nz)} | {f(r['resident_us'])} | {f(q['copy_us'])} "
          f"| {f(gz)} | {f(q['resident_us'])} | {vs} | {zc} | {ok} |")
PY
cat "$out/machine.txt" "$out/summary.md"
