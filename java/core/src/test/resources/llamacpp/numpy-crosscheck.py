#!/usr/bin/env python3
"""Independent check of the stories260K goldens: a plain float64 NumPy Llama forward pass.

Not part of any test; it tells how far a straightforward, high-precision implementation lands from
llama.cpp (F16 KV cache, F16-rounded Q in K.Q, float32 everywhere else), which is a realistic floor
for the engine's logits tolerance, and whether its greedy tokens agree.

Usage: python3 numpy-crosscheck.py [--stories PATH]
"""
import argparse
import base64
import gzip
import json
from pathlib import Path

import numpy as np
import gguf

HERE = Path(__file__).resolve().parent


class Llama:
    def __init__(self, path, kv_f16=False):
        r = gguf.GGUFReader(str(path))
        f = {k: v.contents() for k, v in r.fields.items() if not k.startswith("tokenizer.")}
        self.n_layer = f["llama.block_count"]
        self.n_head = f["llama.attention.head_count"]
        self.n_kv = f["llama.attention.head_count_kv"]
        self.dim = f["llama.embedding_length"]
        self.hd = self.dim // self.n_head
        self.eps = f["llama.attention.layer_norm_rms_epsilon"]
        self.base = f.get("llama.rope.freq_base", 10000.0)
        self.kv_f16 = kv_f16
        self.w = {}
        for t in r.tensors:
            ne = [int(x) for x in t.shape]
            a = gguf.quants.dequantize(np.asarray(t.data), gguf.GGMLQuantizationType(t.tensor_type))
            # ggml ne = [cols, rows]: a row-major (rows, cols) matrix, y = W @ x
            self.w[t.name] = a.reshape(list(reversed(ne))).astype(np.float64)
        self.out = self.w.get("output.weight", self.w["token_embd.weight"])

    def rmsnorm(self, x, w):
        return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + self.eps) * w

    def rope(self, x, pos):  # x: (T, heads, hd); llama.cpp "normal" mode: adjacent pairs
        i = np.arange(self.hd // 2)
        theta = pos[:, None] * self.base ** (-2.0 * i / self.hd)  # (T, hd/2)
        c, s = np.cos(theta)[:, None, :], np.sin(theta)[:, None, :]
        x0, x1 = x[..., 0::2], x[..., 1::2]
        y = np.empty_like(x)
        y[..., 0::2] = x0 * c - x1 * s
        y[..., 1::2] = x0 * s + x1 * c
        return y

    def forward(self, tokens):
        """Logits for every position of `tokens` (full causal attention, no cache)."""
        T = len(tokens)
        pos = np.arange(T, dtype=np.float64)
        x = self.w["token_embd.weight"][tokens]
        mask = np.triu(np.full((T, T), -np.inf), 1)
        group = self.n_head // self.n_kv
        for l in range(self.n_layer):
            p = f"blk.{l}."
            h = self.rmsnorm(x, self.w[p + "attn_norm.weight"])
            q = (h @ self.w[p + "attn_q.weight"].T).reshape(T, self.n_head, self.hd)
            k = (h @ self.w[p + "attn_k.weight"].T).reshape(T, self.n_kv, self.hd)
            v = (h @ self.w[p + "attn_v.weight"].T).reshape(T, self.n_kv, self.hd)
            q, k = self.rope(q, pos), self.rope(k, pos)
            if self.kv_f16:  # mimic llama.cpp without flash attention: F16 cache, Q rounded to F16 for K.Q
                k = k.astype(np.float16).astype(np.float64)
                v = v.astype(np.float16).astype(np.float64)
                q = q.astype(np.float16).astype(np.float64)
            att = np.empty((T, self.n_head, self.hd))
            for hh in range(self.n_head):
                kv = hh // group
                s = q[:, hh, :] @ k[:, kv, :].T / np.sqrt(self.hd) + mask
                s = np.exp(s - s.max(axis=1, keepdims=True))
                s /= s.sum(axis=1, keepdims=True)
                if self.kv_f16:  # KQ.V multiplies the F16 V cache by softmax(KQ) converted to F16
                    s = s.astype(np.float16).astype(np.float64)
                att[:, hh, :] = s @ v[:, kv, :]
            x = x + att.reshape(T, self.dim) @ self.w[p + "attn_output.weight"].T
            h = self.rmsnorm(x, self.w[p + "ffn_norm.weight"])
            g = h @ self.w[p + "ffn_gate.weight"].T
            u = h @ self.w[p + "ffn_up.weight"].T
            x = x + (g / (1 + np.exp(-g)) * u) @ self.w[p + "ffn_down.weight"].T
        return self.rmsnorm(x, self.w["output_norm.weight"]) @ self.out.T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories", default="/work/shared/models/stories260K.gguf")
    ap.add_argument("--no-greedy", action="store_true")
    a = ap.parse_args()
    gen = json.loads((HERE / "stories260K.generation.json").read_text())
    lg = json.loads(gzip.decompress((HERE / "stories260K.logits.json.gz").read_bytes()))
    for kv_f16 in (False, True):
        m = Llama(a.stories, kv_f16)
        print(f"--- float64 NumPy, {'F16 K/V/Q rounding' if kv_f16 else 'no F16 rounding'}")
        for case in lg["cases"]:
            seq = case["prompt_ids"] + case["generated_ids"]
            logits = m.forward(seq)
            for p in case["positions"]:
                ref = np.frombuffer(base64.b64decode(p["logits_minus_max_f32le_b64"]), "<f4").astype(np.float64)
                mine = logits[p["pos"]] - logits[p["pos"]].max()
                print(f"logits {case['name']:6s} step {p['step']:2d}: max |diff| = {np.abs(mine - ref).max():.2e}")
        for case in [] if a.no_greedy else gen["cases"]:
            seq = list(case["prompt_ids"])
            n0 = len(seq)
            for _ in range(gen["n_generate"]):
                seq.append(int(np.argmax(m.forward(seq)[-1])))
            got = seq[n0:]
            same = next((i for i, (x, y) in enumerate(zip(got, case["generated_ids"])) if x != y), None)
            print(f"greedy {case['name']:6s}: " + ("all 64 tokens identical" if same is None else
                  f"first difference at step {same} (llama.cpp margin there {case['steps'][same]['margin']})"))


if __name__ == "__main__":
    main()
