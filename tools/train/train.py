#!/usr/bin/env python3
"""Trains the small llama-architecture model on the tokenized Brown corpus and exports it.

Architecture (what src/nn's `llama` forward pass computes):
  x = token_embd[ids]
  per layer:  h = x + Wo · attn(RoPE(Wq·rms(x)), RoPE(Wk·rms(x)), Wv·rms(x))   (causal, GQA)
              x = h + Wdown · (silu(Wgate·rms(h)) * Wup·rms(h))
  logits = token_embdᵀ · rms(x)   (tied embeddings)
  rms(x) = x / sqrt(mean(x²) + 1e-5) * weight; no biases.
  RoPE is the "normal" (GGML mode 0) layout: the pair (2i, 2i+1) of each head is rotated by
  pos * theta^(-2i/head_dim), theta 10000. A query head h reads KV head h // (n_heads/n_kv_heads).

Outputs in --out:
  export/   config.json, tokenizer.json, tensors.json, tensors.bin (f32 little-endian, the trained
            weights ROUNDED TO F16, GGUF tensor names and GGUF shapes: ne0 is the contiguous one)
  fixtures.json, fixtures-logits.bin   PyTorch f32 logits (from the f16-rounded weights) at every
            position of a few prompts, and the greedy continuation of each
  metrics.json, samples.txt
The export is written as soon as training ends, before anything that could fail later.
"""

import argparse
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizer import BOS_ID, EOS_ID, Tokenizer  # noqa: E402

FIXTURE_PROMPTS = [
    "The jury said",
    "It was a",
    "He looked at the",
    "The Fulton County Grand Jury said Friday an investigation of",
]


def log(msg):
    print(msg, flush=True)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        xf = x.float()
        y = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return y.type_as(x) * self.weight


def rope_tables(head_dim, n_pos, theta, device):
    # Angles in float64, as exact as the C++ side can get; tables in float32.
    inv = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    ang = torch.arange(n_pos, dtype=torch.float64)[:, None] * inv[None, :]
    return ang.cos().float().to(device), ang.sin().float().to(device)


def apply_rope(x, cos, sin):
    """x: [B, T, H, D]; cos, sin: [T, D/2]. Rotates the adjacent pairs (2i, 2i+1)."""
    cos, sin = cos[None, :, None, :], sin[None, :, None, :]
    xf = x.float()
    x0, x1 = xf[..., 0::2], xf[..., 1::2]
    out = torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1).flatten(-2)
    return out.type_as(x)


class Attention(nn.Module):
    def __init__(self, cfg, dropout):
        super().__init__()
        self.n_heads, self.n_kv = cfg["n_heads"], cfg["n_kv_heads"]
        self.head_dim = cfg["dim"] // self.n_heads
        d = cfg["dim"]
        self.wq = nn.Linear(d, self.n_heads * self.head_dim, bias=False)
        self.wk = nn.Linear(d, self.n_kv * self.head_dim, bias=False)
        self.wv = nn.Linear(d, self.n_kv * self.head_dim, bias=False)
        self.wo = nn.Linear(self.n_heads * self.head_dim, d, bias=False)
        self.dropout = dropout

    def forward(self, x, cos, sin, exact):
        B, T, _ = x.shape
        q = self.wq(x).view(B, T, self.n_heads, self.head_dim)
        k = self.wk(x).view(B, T, self.n_kv, self.head_dim)
        v = self.wv(x).view(B, T, self.n_kv, self.head_dim)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        rep = self.n_heads // self.n_kv
        # [B, H, T, D]; KV head j serves query heads j*rep .. j*rep+rep-1.
        q = q.transpose(1, 2)
        k = k.transpose(1, 2).repeat_interleave(rep, dim=1)
        v = v.transpose(1, 2).repeat_interleave(rep, dim=1)
        drop = self.dropout if self.training else 0.0
        if exact or not hasattr(F, "scaled_dot_product_attention"):
            att = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
            mask = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
            att = att.masked_fill(~mask, float("-inf")).softmax(-1)
            if drop:
                att = F.dropout(att, drop)
            y = att @ v
        else:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=drop, is_causal=True)
        return self.wo(y.transpose(1, 2).reshape(B, T, -1))


class FeedForward(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.w1 = nn.Linear(cfg["dim"], cfg["ffn_dim"], bias=False)  # ffn_gate
        self.w3 = nn.Linear(cfg["dim"], cfg["ffn_dim"], bias=False)  # ffn_up
        self.w2 = nn.Linear(cfg["ffn_dim"], cfg["dim"], bias=False)  # ffn_down

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, cfg, dropout):
        super().__init__()
        self.attn_norm = RMSNorm(cfg["dim"], cfg["norm_eps"])
        self.attn = Attention(cfg, dropout)
        self.ffn_norm = RMSNorm(cfg["dim"], cfg["norm_eps"])
        self.ffn = FeedForward(cfg)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, cos, sin, exact):
        x = x + self.drop(self.attn(self.attn_norm(x), cos, sin, exact))
        return x + self.drop(self.ffn(self.ffn_norm(x)))


class Llama(nn.Module):
    def __init__(self, cfg, dropout=0.0):
        super().__init__()
        self.cfg = cfg
        self.tok_embeddings = nn.Embedding(cfg["vocab_size"], cfg["dim"])
        self.layers = nn.ModuleList(Block(cfg, dropout) for _ in range(cfg["n_layers"]))
        self.norm = RMSNorm(cfg["dim"], cfg["norm_eps"])
        self.drop = nn.Dropout(dropout)
        self.register_buffer("cos", torch.zeros(0), persistent=False)
        self.register_buffer("sin", torch.zeros(0), persistent=False)
        self._init_weights()

    def _init_weights(self):
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02
                if name.endswith("wo.weight") or name.endswith("w2.weight"):
                    std = 0.02 / math.sqrt(2 * self.cfg["n_layers"])
                nn.init.normal_(p, 0.0, std)

    def forward(self, ids, exact=False):
        T = ids.shape[1]
        if self.cos.shape[0] < T or self.cos.device != ids.device:
            head_dim = self.cfg["dim"] // self.cfg["n_heads"]
            n = max(T, self.cfg["max_seq_len"])
            self.cos, self.sin = rope_tables(head_dim, n, self.cfg["rope_theta"], ids.device)
        cos, sin = self.cos[:T], self.sin[:T]
        x = self.drop(self.tok_embeddings(ids))
        for layer in self.layers:
            x = layer(x, cos, sin, exact)
        x = self.norm(x)
        return x @ self.tok_embeddings.weight.t().to(x.dtype)


def gguf_tensors(model):
    """(GGUF name, PyTorch tensor) in file order. A PyTorch [out, in] matrix stored row-major
    is the GGUF tensor of shape [in, out] (ne0 = in, the contiguous dimension)."""
    out = [("token_embd.weight", model.tok_embeddings.weight)]
    for i, layer in enumerate(model.layers):
        out += [
            (f"blk.{i}.attn_norm.weight", layer.attn_norm.weight),
            (f"blk.{i}.attn_q.weight", layer.attn.wq.weight),
            (f"blk.{i}.attn_k.weight", layer.attn.wk.weight),
            (f"blk.{i}.attn_v.weight", layer.attn.wv.weight),
            (f"blk.{i}.attn_output.weight", layer.attn.wo.weight),
            (f"blk.{i}.ffn_norm.weight", layer.ffn_norm.weight),
            (f"blk.{i}.ffn_gate.weight", layer.ffn.w1.weight),
            (f"blk.{i}.ffn_up.weight", layer.ffn.w3.weight),
            (f"blk.{i}.ffn_down.weight", layer.ffn.w2.weight),
        ]
    out.append(("output_norm.weight", model.norm.weight))
    return out


def write_export(model, tok, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(model.cfg, f, indent=1)
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tok.to_json(), f, ensure_ascii=False)
    entries, offset = [], 0
    with open(os.path.join(out_dir, "tensors.bin"), "wb") as f:
        for name, t in gguf_tensors(model):
            data = t.detach().float().cpu().numpy().astype("<f4")
            entries.append({"name": name, "shape": list(reversed(data.shape)), "offset": offset,
                            "dtype": "f32"})
            f.write(data.tobytes())
            offset += data.nbytes
    with open(os.path.join(out_dir, "tensors.json"), "w") as f:
        json.dump(entries, f, indent=1)
    log(f"export written to {out_dir} ({offset} bytes of tensors, {len(entries)} tensors)")


def load_tokens(path):
    return torch.from_numpy(np.fromfile(path, dtype="<u2").astype(np.int64))


@torch.no_grad()
def evaluate(model, val, seq_len, batch, device):
    """Mean cross-entropy over consecutive non-overlapping windows of the validation stream."""
    model.eval()
    n_win = (len(val) - 1) // seq_len
    x = val[: n_win * seq_len].view(n_win, seq_len)
    y = val[1: n_win * seq_len + 1].view(n_win, seq_len)
    total, count = 0.0, 0
    for i in range(0, n_win, batch):
        xb, yb = x[i:i + batch].to(device), y[i:i + batch].to(device)
        with autocast(device):
            logits = model(xb)
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), yb.reshape(-1),
                               reduction="sum")
        total += loss.item()
        count += yb.numel()
    model.train()
    return total / count


def autocast(device):
    if device.type == "cuda":
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return torch.autocast("cpu", enabled=False)


@torch.no_grad()
def generate(model, ids, n, temperature=0.0, top_k=0, gen=None):
    """Plain recompute-everything sampling in f32 on the model's device; stops after EOS."""
    ids = list(ids)
    margins = []
    for _ in range(n):
        x = torch.tensor([ids[-model.cfg["max_seq_len"]:]], device=model.tok_embeddings.weight.device)
        logits = model(x, exact=True)[0, -1].float()
        top2 = logits.topk(2).values
        margins.append(float(top2[0] - top2[1]))
        if temperature <= 0:
            nxt = int(logits.argmax())
        else:
            logits = logits / temperature
            if top_k:
                kth = logits.topk(top_k).values[-1]
                logits = logits.masked_fill(logits < kth, float("-inf"))
            nxt = int(torch.multinomial(logits.softmax(-1), 1, generator=gen))
        ids.append(nxt)
        if nxt == EOS_ID:
            break
    return ids, margins


def write_fixtures(model, tok, out_dir):
    """f32 logits at every prompt position (CPU, exact attention) and the greedy continuation."""
    model = model.cpu().float().eval()
    prompts, blobs, offset = [], [], 0
    for text in FIXTURE_PROMPTS:
        ids = tok.encode(text, add_bos=True)
        with torch.no_grad():
            logits = model(torch.tensor([ids]), exact=True)[0].float().numpy().astype("<f4")
        full, margins = generate(model, ids, 32)
        greedy = full[len(ids):]
        prompts.append({
            "text": text, "ids": ids,
            "logits_offset": offset, "logits_shape": list(logits.shape),
            "prompt_argmax": [int(i) for i in logits.argmax(-1)],
            "greedy_ids": greedy, "greedy_text": tok.decode(greedy),
            "greedy_top2_margins": [round(m, 5) for m in margins],
            "stopped_at_eos": bool(greedy and greedy[-1] == EOS_ID),
        })
        blobs.append(logits.tobytes())
        offset += logits.nbytes
    blob = b"".join(blobs)
    with open(os.path.join(out_dir, "fixtures-logits.bin"), "wb") as f:
        f.write(blob)
    fixtures = {
        "about": "PyTorch f32 logits of models/brown (weights rounded to f16) at every prompt "
                 "position, row-major [positions, vocab], little-endian f32, concatenated in "
                 "prompt order (logits_offset in bytes). ids include BOS. greedy_ids: the greedy "
                 "continuation (argmax, at most 32 tokens, stopping after EOS), recomputed over "
                 "the whole sequence each step; greedy_top2_margins: top-1 minus top-2 logit at "
                 "each greedy step.",
        "vocab_size": model.cfg["vocab_size"], "bos_id": BOS_ID, "eos_id": EOS_ID,
        "logits_file": "fixtures-logits.bin", "logits_dtype": "f32",
        "logits_bytes": len(blob), "logits_sha256": hashlib.sha256(blob).hexdigest(),
        "prompts": prompts,
    }
    with open(os.path.join(out_dir, "fixtures.json"), "w", encoding="utf-8") as f:
        json.dump(fixtures, f, indent=1, ensure_ascii=False)
    for p in prompts:
        log(f"fixture {p['text']!r} -> {p['greedy_text']!r}")


def write_samples(model, tok, out_dir, device):
    model = model.to(device).eval()
    gen = torch.Generator(device=device).manual_seed(1234)
    lines = []
    for text in ["The jury said", "It was a", "She", "In the morning", "The man"]:
        ids = tok.encode(text)
        g, _ = generate(model, ids, 64)
        lines.append(f"greedy    {text!r}: {tok.decode(g)}")
        s, _ = generate(model, ids, 64, temperature=0.8, top_k=40, gen=gen)
        lines.append(f"temp 0.8  {text!r}: {tok.decode(s)}")
    with open(os.path.join(out_dir, "samples.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    for line in lines:
        log(line)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=".", help="holds train.bin, val.bin, tokenizer.json")
    ap.add_argument("--out", required=True)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--n-layers", type=int, default=6)
    ap.add_argument("--n-heads", type=int, default=8)
    ap.add_argument("--n-kv-heads", type=int, default=4)
    ap.add_argument("--ffn-dim", type=int, default=512)
    ap.add_argument("--seq-len", type=int, default=256)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--min-lr-frac", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=200)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--max-steps", type=int, default=20000)
    ap.add_argument("--time-budget", type=float, default=170.0,
                    help="seconds of training; the step count is set from the measured speed")
    ap.add_argument("--eval-every", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = ap.parse_args(argv)

    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    if device.type == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        log(f"device: {torch.cuda.get_device_name(device)}, torch {torch.__version__}")
    os.makedirs(args.out, exist_ok=True)
    tok = Tokenizer.load(os.path.join(args.data, "tokenizer.json"))
    train_ids = load_tokens(os.path.join(args.data, "train.bin"))
    val_ids = load_tokens(os.path.join(args.data, "val.bin"))
    cfg = {"dim": args.dim, "n_layers": args.n_layers, "n_heads": args.n_heads,
           "n_kv_heads": args.n_kv_heads, "ffn_dim": args.ffn_dim,
           "vocab_size": len(tok.tokens), "max_seq_len": args.seq_len, "norm_eps": 1e-5,
           "rope_theta": 10000.0, "tied_embeddings": True}
    model = Llama(cfg, args.dropout).to(device)
    n_params = sum(p.numel() for p in model.parameters())
    log(f"config {json.dumps(cfg)}; {n_params} parameters; dropout {args.dropout}")
    log(f"train {len(train_ids)} tokens, val {len(val_ids)} tokens")

    data = train_ids.to(device)
    T = args.seq_len
    bos_starts = (train_ids[: len(train_ids) - T - 1] == BOS_ID).nonzero().squeeze(1).to(device)
    n_starts = len(train_ids) - T - 1

    def batch():
        # Half the windows start at a paragraph's BOS (position 0 is BOS, as at inference), half
        # anywhere, so every token is a target about equally often.
        half = args.batch // 2
        s1 = bos_starts[torch.randint(len(bos_starts), (half,), device=device)]
        s2 = torch.randint(n_starts, (args.batch - half,), device=device)
        idx = torch.cat([s1, s2])[:, None] + torch.arange(T + 1, device=device)[None, :]
        w = data[idx]
        return w[:, :-1], w[:, 1:]

    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt_kw = {"fused": True} if device.type == "cuda" else {}
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), **opt_kw)

    def lr_at(step, total):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        p = min(1.0, (step - args.warmup) / max(1, total - args.warmup))
        return args.lr * (args.min_lr_frac + (1 - args.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * p)))

    total_steps = args.max_steps
    best = (float("inf"), -1, None)
    history = []
    t0 = time.time()
    calibrated = False
    t20 = t0
    smooth = None
    step = 0
    while step < total_steps:
        for g in opt.param_groups:
            g["lr"] = lr_at(step, total_steps)
        x, y = batch()
        with autocast(device):
            logits = model(x)
        loss = F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        if step in (20, 120) and not calibrated and device.type == "cuda":
            torch.cuda.synchronize()
        if step == 20:
            t20 = time.time()  # Speed is measured over steps 20..120, after the warm-up.
        if step == 120 and not calibrated:
            per_step = (time.time() - t20) / 100
            left = args.time_budget - (time.time() - t0)
            # Evaluations cost a few percent; leave room for them.
            total_steps = max(step + 1, min(args.max_steps, step + int(left * 0.95 / per_step)))
            calibrated = True
            log(f"{per_step * 1000:.1f} ms a step -> {total_steps} steps "
                f"({total_steps * args.batch * T / len(train_ids):.1f} epochs)")
        if step % 50 == 0 or step == 1:
            lv = loss.item()
            smooth = lv if smooth is None else 0.9 * smooth + 0.1 * lv
        if step % args.eval_every == 0 or step == total_steps:
            vl = evaluate(model, val_ids, T, 64, device)
            history.append({"step": step, "train_loss": smooth, "val_loss": vl,
                            "time_s": round(time.time() - t0, 1)})
            mark = ""
            if vl < best[0]:
                best = (vl, step, {k: v.detach().clone() for k, v in model.state_dict().items()})
                mark = " *"
            log(f"step {step}/{total_steps} lr {lr_at(step, total_steps):.2e} train {smooth:.4f} "
                f"val {vl:.4f} (ppl {math.exp(vl):.1f}) {time.time() - t0:.0f}s{mark}")
    train_time = time.time() - t0
    log(f"trained {step} steps in {train_time:.0f}s; best val {best[0]:.4f} at step {best[1]}")

    # The shipped weights are the best checkpoint rounded to f16; everything below uses them.
    model.load_state_dict(best[2])
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    write_export(model, tok, os.path.join(args.out, "export"))

    metrics = {"parameters": n_params, "config": cfg, "dropout": args.dropout, "lr": args.lr,
               "batch": args.batch, "seq_len": T, "steps": step, "train_seconds": round(train_time, 1),
               "tokens_seen": step * args.batch * T, "train_tokens": len(train_ids),
               "val_tokens": len(val_ids), "best_step": best[1], "best_val_loss": best[0],
               "history": history}
    try:
        vl16 = evaluate(model.to(device), val_ids, T, 64, device)
        metrics["val_loss_f16_weights"] = vl16
        metrics["val_ppl_f16_weights"] = math.exp(vl16)
        at_best = [h for h in history if h["step"] == best[1]]
        metrics["train_loss_at_best"] = at_best[0]["train_loss"] if at_best else None
        log(f"val loss with f16 weights {vl16:.4f} (ppl {math.exp(vl16):.1f})")
    except Exception as e:  # Keep going: the export is already safe.
        log(f"evaluation with f16 weights failed: {e!r}")
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    for name, fn in [("samples", lambda: write_samples(model, tok, args.out, device)),
                     ("fixtures", lambda: write_fixtures(model, tok, args.out))]:
        try:
            fn()
        except Exception as e:
            log(f"writing {name} failed: {e!r}")
    log("done")


if __name__ == "__main__":
    main(sys.argv[1:])
