#!/usr/bin/env python3
"""Checks an export directory against the fixtures with an independent NumPy forward pass.

It reads only config.json, tensors.json and tensors.bin (GGUF names and shapes, ne0 contiguous),
computes the llama forward pass the way a GGUF runtime does (normal RoPE on adjacent pairs, GQA
with query head h reading KV head h // (n_heads / n_kv_heads), tied embeddings), and compares its
logits with fixtures-logits.bin, and the prompt ids with the Python tokenizer's encoding. It also
checks the sha256 recorded in fixtures.json.

Usage: check_export.py EXPORT_DIR FIXTURES_DIR [TOKENS.bin ...]
With token files (uint16 ids, as tokenizer.py encode writes them), it also prints the mean
cross-entropy of the model over up to 40 evenly spaced 256-token windows of each.
"""

import hashlib
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizer import Tokenizer  # noqa: E402


def load_export(d):
    cfg = json.load(open(os.path.join(d, "config.json")))
    blob = open(os.path.join(d, "tensors.bin"), "rb").read()
    w = {}
    for e in json.load(open(os.path.join(d, "tensors.json"))):
        n = int(np.prod(e["shape"]))
        a = np.frombuffer(blob, dtype="<f4", count=n, offset=e["offset"])
        # GGUF shape [ne0, ne1] is the row-major array [ne1][ne0].
        w[e["name"]] = a.reshape(list(reversed(e["shape"]))).astype(np.float64)
    return cfg, w


def rms(x, g, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g


def forward(cfg, w, ids):
    d, H, KV = cfg["dim"], cfg["n_heads"], cfg["n_kv_heads"]
    hd, T, eps = d // H, len(ids), cfg["norm_eps"]
    x = w["token_embd.weight"][ids]  # [T, d]
    pos = np.arange(T)[:, None]
    inv = cfg["rope_theta"] ** (-np.arange(0, hd, 2) / hd)
    cos, sin = np.cos(pos * inv), np.sin(pos * inv)  # [T, hd/2]

    def rope(v):  # [T, heads, hd]
        a, b = v[..., 0::2], v[..., 1::2]
        out = np.empty_like(v)
        out[..., 0::2] = a * cos[:, None] - b * sin[:, None]
        out[..., 1::2] = a * sin[:, None] + b * cos[:, None]
        return out

    mask = np.triu(np.full((T, T), -np.inf), 1)
    for i in range(cfg["n_layers"]):
        p = f"blk.{i}."
        h = rms(x, w[p + "attn_norm.weight"], eps)
        q = rope((h @ w[p + "attn_q.weight"].T).reshape(T, H, hd))
        k = rope((h @ w[p + "attn_k.weight"].T).reshape(T, KV, hd))
        v = (h @ w[p + "attn_v.weight"].T).reshape(T, KV, hd)
        out = np.empty((T, H, hd))
        for head in range(H):
            kv = head // (H // KV)
            s = q[:, head] @ k[:, kv].T / np.sqrt(hd) + mask
            s = np.exp(s - s.max(-1, keepdims=True))
            out[:, head] = (s / s.sum(-1, keepdims=True)) @ v[:, kv]
        x = x + out.reshape(T, d) @ w[p + "attn_output.weight"].T
        h = rms(x, w[p + "ffn_norm.weight"], eps)
        g = h @ w[p + "ffn_gate.weight"].T
        u = h @ w[p + "ffn_up.weight"].T
        x = x + (g / (1 + np.exp(-g)) * u) @ w[p + "ffn_down.weight"].T
    x = rms(x, w["output_norm.weight"], eps)
    out_w = w.get("output.weight", w["token_embd.weight"])
    return x @ out_w.T


def mean_loss(cfg, w, path, max_windows=40):
    ids = np.fromfile(path, dtype="<u2").astype(np.int64)
    T = cfg["max_seq_len"]
    n_win = (len(ids) - 1) // T
    total, count = 0.0, 0
    for k in np.linspace(0, n_win - 1, min(n_win, max_windows)).astype(int):
        x, y = ids[k * T:(k + 1) * T], ids[k * T + 1:(k + 1) * T + 1]
        logits = forward(cfg, w, x)
        m = logits.max(-1, keepdims=True)
        lse = (m + np.log(np.exp(logits - m).sum(-1, keepdims=True)))[:, 0]
        total += float((lse - logits[np.arange(T), y]).sum())
        count += T
    return total / count, count


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    export_dir, fix_dir = argv[:2]
    cfg, w = load_export(export_dir)
    for path in argv[2:]:
        loss, n = mean_loss(cfg, w, path)
        print(f"{path}: loss {loss:.4f} (ppl {np.exp(loss):.1f}) over {n} tokens")
    tok = Tokenizer.load(os.path.join(export_dir, "tokenizer.json"))
    fx = json.load(open(os.path.join(fix_dir, "fixtures.json")))
    blob = open(os.path.join(fix_dir, fx["logits_file"]), "rb").read()
    ok = hashlib.sha256(blob).hexdigest() == fx["logits_sha256"]
    print(f"sha256 of {fx['logits_file']}: {'matches' if ok else 'DIFFERS'}")
    worst = 0.0
    for p in fx["prompts"]:
        ids = tok.encode(p["text"])
        if ids != p["ids"]:
            print(f"{p['text']!r}: tokenizer gives {ids}, fixtures hold {p['ids']}")
            ok = False
        ref = np.frombuffer(blob, dtype="<f4", count=int(np.prod(p["logits_shape"])),
                            offset=p["logits_offset"]).reshape(p["logits_shape"])
        mine = forward(cfg, w, p["ids"])
        err = np.abs(mine - ref).max()
        top1 = (mine.argmax(-1) == ref.argmax(-1)).all()
        worst = max(worst, err)
        # Greedy continuation, recomputed in float64.
        seq = list(p["ids"])
        for _ in p["greedy_ids"]:
            seq.append(int(forward(cfg, w, seq)[-1].argmax()))
        greedy_ok = seq[len(p["ids"]):] == p["greedy_ids"]
        print(f"{p['text']!r}: {len(p['ids'])} positions, max |logit diff| {err:.2e}, "
              f"top-1 {'equal' if top1 else 'DIFFERS'}, greedy {'equal' if greedy_ok else 'DIFFERS'}")
        ok = ok and top1 and greedy_ok and err < 1e-3
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
