#!/usr/bin/env python3
"""examples/llama, native and as a Wasm guest, against models/brown's PyTorch fixtures.

Checks, for each fixture prompt: greedy generation (--temp 0 --json) of the native build and of
the guest under `wasmgpu run` equals PyTorch's greedy continuation token for token (the text too);
a sampled generation gives the same tokens in both builds; bad input is refused with a message.
Prints 'N passed, M failed' and exits non-zero on any failure.
"""
import argparse
import json
import os
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--llama", required=True)
ap.add_argument("--wasmgpu", required=True)
ap.add_argument("--wasm", required=True)
ap.add_argument("--models", required=True)
ap.add_argument("--cache", required=True)
args = ap.parse_args()

env = dict(os.environ, XDG_CACHE_HOME=args.cache)
models_parent = os.path.dirname(os.path.abspath(args.models))
model_rel = "models/brown/brown-f16.gguf"
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def run(build, extra):
    if build == "native":
        cmd = [args.llama, "--model", model_rel] + extra
    else:
        cmd = [args.wasmgpu, "run", "--dir", "models", args.wasm, "--", "--model", model_rel] + extra
    return subprocess.run(cmd, cwd=models_parent, env=env, capture_output=True, text=True,
                          timeout=300)


def generate(build, prompt, extra):
    p = run(build, ["--prompt", prompt, "--json"] + extra)
    if p.returncode != 0:
        return None, f"exit {p.returncode}: {p.stderr.strip()[-500:]}"
    try:
        return json.loads(p.stdout), ""
    except json.JSONDecodeError as e:
        return None, f"bad JSON ({e}): {p.stdout[:200]!r}"


fixtures = json.load(open(os.path.join(args.models, "brown", "fixtures.json")))
eos = fixtures["eos_id"]
for fx in fixtures["prompts"]:
    expected = [t for t in fx["greedy_ids"] if t != eos]  # the example does not print EOS
    n = len(fx["greedy_ids"])
    outputs = {}
    for build in ("native", "wasm"):
        out, err = generate(build, fx["text"], ["--temp", "0", "-n", str(n)])
        name = f"{build} greedy '{fx['text']}'"
        if out is None:
            check(name, False, err)
            continue
        outputs[build] = out
        check(name + " tokens", out["tokens"] == expected,
              f"got {out['tokens']}, PyTorch {expected}")
        check(name + " prompt ids", out["prompt_tokens"] == fx["ids"],
              f"got {out['prompt_tokens']}, Python tokenizer {fx['ids']}")
        check(name + " text", out["text"].strip() == fx["greedy_text"].strip(),
              f"got {out['text']!r}, PyTorch {fx['greedy_text']!r}")

# Sampling is bit-reproducible across builds: same seed, same tokens.
sampled = {}
for build in ("native", "wasm"):
    out, err = generate(build, "It was a",
                        ["--temp", "0.8", "--top-k", "40", "--top-p", "0.95", "--seed", "7",
                         "-n", "24"])
    check(f"{build} sampled run", out is not None and len(out["tokens"]) > 0, err)
    if out is not None:
        sampled[build] = out["tokens"]
if len(sampled) == 2:
    check("sampled tokens equal across builds", sampled["native"] == sampled["wasm"],
          f"native {sampled['native']} wasm {sampled['wasm']}")

# --logits K gives K entries per generated position, largest first.
out, err = generate("native", "The man", ["--temp", "0", "-n", "4", "--logits", "3"])
ok = (out is not None and len(out["logits"]) == len(out["tokens"]) and
      all(len(row) == 3 and row[0]["logit"] >= row[1]["logit"] >= row[2]["logit"] and
          row[0]["id"] == tok for row, tok in zip(out["logits"], out["tokens"])))
check("--logits 3 rows match the greedy tokens", ok, err or str(out)[:300])

# Bad input: a clear message and a non-zero exit, in both builds.
for build in ("native", "wasm"):
    p = (subprocess.run([args.llama, "--model", "models/missing.gguf"], cwd=models_parent,
                        env=env, capture_output=True, text=True)
         if build == "native" else
         subprocess.run([args.wasmgpu, "run", "--dir", "models", args.wasm, "--", "--model",
                         "models/missing.gguf"], cwd=models_parent, env=env,
                        capture_output=True, text=True))
    check(f"{build} missing model refused", p.returncode != 0 and "missing.gguf" in p.stderr,
          f"exit {p.returncode}, stderr {p.stderr!r}")
# A device lost mid-generation (here: every submission outlives a 1 ms GPU timeout) is an error
# with the reason, never text made from stale logits.
lost_env = dict(env, WASMGPU_GPU_TIMEOUT_MS="1", WASMGPU_PREFILL_BATCH="0")
for build in ("native", "wasm"):
    cmd = ([args.llama] if build == "native" else
           [args.wasmgpu, "run", "--dir", "models", args.wasm, "--"])
    p = subprocess.run(cmd + ["--model", model_rel, "--prompt", "The jury said that the city",
                              "-n", "8", "--temp", "0"], cwd=models_parent, env=lost_env,
                       capture_output=True, text=True, timeout=300)
    check(f"{build} device loss reported",
          p.returncode != 0 and "The GPU device was lost" in p.stderr
          and "WASMGPU_GPU_TIMEOUT_MS" in p.stderr,
          f"exit {p.returncode}, stderr {p.stderr[-400:]!r}")
p = run("native", ["-n", "x"])
check("bad -n refused", p.returncode == 2 and "-n expects a number, not 'x'" in p.stderr,
      p.stderr)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
