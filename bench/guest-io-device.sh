#!/usr/bin/env bash
# Guest I/O vs native, side by side in one run (issue 3, "Performance"):
#   native  wasmgpu bench zero-copy --json              (the host program)
#   guest   wasmgpu run guest-io.wasm                   (the same three paths from a wasm guest)
# Both use the same sizes, iterations and workgroup cap (the guest gets the native run's), and
# alternate size by size.
#
#   bench/guest-io-device.sh [BUILD_DIR] [OUT_DIR] [ITERATIONS] [LABEL=MODULE.wasm ...]
#     BUILD_DIR   a build with bin/wasmgpu and examples/guest-io.wasm (default: build;
#                 on the GPU machine: build-device)
#     OUT_DIR     where native.json, guest.json and summary.md go (default: $OUT, else .)
#     LABEL=...   other builds of the guest to run in the same alternation (e.g. the previous
#                 commit's, to compare before and after on one machine state); each adds
#                 LABEL.json and a "LABEL zc / native zc" column
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

shift $(( $# < 3 ? $# : 3 ))
extra_labels=() extra_modules=()
for pair in "$@"; do
  extra_labels+=("${pair%%=*}") extra_modules+=("${pair#*=}")
done

"$wasmgpu" compile "$guest" > /dev/null
for m in "${extra_modules[@]}"; do "$wasmgpu" compile "$m" > /dev/null; done
# Size by size, native then guest, so that both see the same machine state (a shared machine's
# load drifts over minutes); the JSON rows are gathered into native.json and guest.json.
# GUEST_IO_SIZES overrides the sizes (e.g. "256 4096" for a quick check).
read -r -a sizes <<< "${GUEST_IO_SIZES:-256 4096 65536 1048576 4194304 16777216}"
cap=
for n in "${sizes[@]}"; do
  "$wasmgpu" bench zero-copy --json --iterations "$iterations" --sizes "$n" > "$out/native-$n.json"
  [[ -n $cap ]] || cap=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["max_workgroups"])' "$out/native-$n.json")
  "$wasmgpu" run "$guest" --iterations "$iterations" --max-workgroups "$cap" \
      --min-floats "$n" --max-floats "$n" > "$out/guest-$n.json"
  for i in "${!extra_modules[@]}"; do
    "$wasmgpu" run "${extra_modules[$i]}" --iterations "$iterations" --max-workgroups "$cap" \
        --min-floats "$n" --max-floats "$n" > "$out/${extra_labels[$i]}-$n.json"
  done
done
python3 - "$out" "${#extra_labels[@]}" "${sizes[@]}" "${extra_labels[@]}" <<'PY'
import json, sys
out, n_extra = sys.argv[1], int(sys.argv[2])
sizes = sys.argv[3:len(sys.argv) - n_extra]
for side in ["native", "guest"] + sys.argv[len(sys.argv) - n_extra:]:
    parts = [json.load(open(f"{out}/{side}-{n}.json")) for n in sizes]
    merged = dict(parts[0])
    merged["rows"] = [r for p in parts for r in p["rows"]]
    json.dump(merged, open(f"{out}/{side}.json", "w"), indent=1)
PY
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$out/machine.txt"

python3 - "$out" "${extra_labels[@]}" > "$out/summary.md" <<'PY'
import json, sys
out, extra = sys.argv[1], sys.argv[2:]
native = json.load(open(f"{out}/native.json"))
guest = json.load(open(f"{out}/guest.json"))
g = {r["floats"]: r for r in guest["rows"]}
others = {label: {r["floats"]: r for r in json.load(open(f"{out}/{label}.json"))["rows"]}
          for label in extra}
print(f"adapter: {native['adapter']} ({native.get('adapter_type', '?')}), driver: {native.get('driver', '?')}")
print(f"iterations: {native['iterations']} (median), max_workgroups: {native['max_workgroups']}, "
      f"floor_us: {native.get('floor_us', 0):.1f}\n")
print("| floats | native copy | native zero_copy | native resident | guest copy | guest zero_copy "
      "| guest resident | guest zc / native zc | guest zc / guest copy | ok |"
      + "".join(f" {label} zc / native zc |" for label in extra))
print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|:--:|" + "---:|" * len(extra))
def f(v): return "-" if v is None else f"{v:.1f}"
for r in native["rows"]:
    q = g.get(r["floats"])
    if q is None: continue
    nz, gz = r.get("zero_copy_us"), q.get("zero_copy_us")
    vs = f"{gz / nz:.3f}" if nz and gz else "-"
    zc = f"{gz / q['copy_us']:.3f}" if gz else "-"
    ok = "yes" if r["ok"] and q["ok"] else "NO"
    cols = ""
    for label in extra:
        o = others[label].get(r["floats"], {})
        oz = o.get("zero_copy_us")
        cols += f" {oz / nz:.3f} |" if nz and oz and o.get("ok") else " - |"
    print(f"| {r['floats']} | {f(r['copy_us'])} | {f(nz)} | {f(r['resident_us'])} | {f(q['copy_us'])} "
          f"| {f(gz)} | {f(q['resident_us'])} | {vs} | {zc} | {ok} |" + cols)
PY
cat "$out/machine.txt" "$out/summary.md"
