#!/usr/bin/env python3
"""Regenerates quant_q4_k.bin / quant_q6_k.bin: quant_input.f32 (see make_goldens.py) quantized by
llama.cpp's own reference quantizers, quantize_row_q4_K_ref / quantize_row_q6_K_ref, called through
ctypes from a prebuilt libggml-base.so (e.g. node-llama-cpp's bins/linux-x64). gguf-py has no
K-quant quantizer, so ggml itself is the reference here.

Run: python3 native/tests/data/make_kquant_goldens.py /path/to/libggml-base.so
"""
import ctypes
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
lib = ctypes.CDLL(sys.argv[1] if len(sys.argv) > 1 else
                  "/tmp/lcpp/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so")
x = np.fromfile(os.path.join(here, "quant_input.f32"), dtype=np.float32)
for name, fn, block_bytes in [("q4_k", lib.quantize_row_q4_K_ref, 144), ("q6_k", lib.quantize_row_q6_K_ref, 210)]:
    out = np.zeros(x.size // 256 * block_bytes, dtype=np.uint8)
    fn.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    fn(x.ctypes.data, out.ctypes.data, x.size)
    out.tofile(os.path.join(here, f"quant_{name}.bin"))
    print(name, out.size, "bytes")
