#!/bin/bash
# Runs on the GPU machine, from a folder that holds train.py, tokenizer.py, tokenizer.json,
# train.bin and val.bin (see docs/models.md). Trains two models at once on the one GPU, which a
# model this small leaves mostly idle, with dropout 0.2 (a) and 0.3 (b), each for as many steps
# as the time budget allows. Keeps the one with the lower validation loss.
# Usage: device_run.sh OUT_DIR [train.py options...]
set -u
out=${1:?usage: device_run.sh OUT_DIR [train.py options]}
shift
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.cuda.is_available())'
export PYTHONUNBUFFERED=1
python3 train.py --out /tmp/run-a --dropout 0.2 --seed 1 "$@" >"$out/run-a.log" 2>&1 &
python3 train.py --out /tmp/run-b --dropout 0.3 --seed 2 "$@" >"$out/run-b.log" 2>&1 &
wait
tail -n 25 "$out/run-a.log" "$out/run-b.log"
python3 - "$out" <<'PY'
import json, os, shutil, sys, tarfile
out = sys.argv[1]
runs = []
for r in ("/tmp/run-a", "/tmp/run-b"):
    try:
        m = json.load(open(os.path.join(r, "metrics.json")))
        runs.append((m.get("val_loss_f16_weights", m["best_val_loss"]), r))
    except Exception as e:
        print(f"{r}: no metrics ({e!r})")
if not runs:
    sys.exit("Neither run finished.")
loss, best = min(runs)
print(f"picked {best} (val loss {loss:.4f})")
for name in ("metrics.json", "samples.txt", "fixtures.json", "fixtures-logits.bin"):
    if os.path.exists(os.path.join(best, name)):
        shutil.copy(os.path.join(best, name), os.path.join(out, name))
with tarfile.open(os.path.join(out, "export.tar.gz"), "w:gz") as t:
    t.add(os.path.join(best, "export"), arcname="export")
PY
ls -la "$out"
