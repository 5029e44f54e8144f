#!/usr/bin/env python3
"""Regenerates quant_q5_0.bin / quant_q5_1.bin (and quant_q5_k.bin): quant_input.f32 (see make_goldens.py)
quantized by llama.cpp's own reference quantizers quantize_row_q5_0_ref / q5_1_ref / q5_K_ref, called
through ctypes from a prebuilt libggml-base.so (e.g. node-llama-cpp's bins/linux-x64), plus
quant_<type>.f32: those bytes dequantized by gguf-py (an independent port of the formats).

Run: python3 native/tests/data/make_q5_goldens.py /path/to/libggml-base.so
"""
import ctypes
import os
import sys

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import quants

here = os.path.dirname(os.path.abspath(__file__))
lib = ctypes.CDLL(sys.argv[1] if len(sys.argv) > 1 else
                  "/tmp/lcpp/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so")
x = np.fromfile(os.path.join(here, "quant_input.f32"), dtype=np.float32)
for name, sym, t, block_elems, block_bytes in [("q5_0", "quantize_row_q5_0_ref", T.Q5_0, 32, 22),
                                               ("q5_1", "quantize_row_q5_1_ref", T.Q5_1, 32, 24),
                                               ("q5_k", "quantize_row_q5_K_ref", T.Q5_K, 256, 176)]:
    fn = getattr(lib, sym)
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    out = np.zeros(x.size // block_elems * block_bytes, dtype=np.uint8)
    fn(x.ctypes.data, out.ctypes.data, x.size)
    out.tofile(os.path.join(here, f"quant_{name}.bin"))
    quants.dequantize(out, t).astype(np.float32).reshape(-1).tofile(os.path.join(here, f"quant_{name}.f32"))
    print(name, out.size, "bytes")
