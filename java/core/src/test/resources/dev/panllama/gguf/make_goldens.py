#!/usr/bin/env python3
"""Regenerates gguf-py-goldens.gguf: a GGUF file written by the python gguf package (gguf-py, the
reference writer of llama.cpp) holding metadata of every value type and reference quantizations
(gguf.quants, bit-exact with ggml's quantize_row_*_ref) of fixed inputs. Tests read it with our
reader and compare our Java quantizer's bytes with gguf-py's.

    pip install gguf numpy; python3 make_goldens.py
"""
import numpy as np
import gguf
from gguf import quants, GGMLQuantizationType as Q

rng = np.random.RandomState(42)
blocks = [
    rng.normal(0, 1, 32 * 40),                       # ordinary weights
    rng.normal(0, 1e-3, 32 * 4),                     # small
    rng.uniform(-1000, 1000, 32 * 4),                # large
    np.zeros(32),                                    # all zero: d == 0
    np.full(32, 0.25),                               # constant
    np.full(32, -3.0),                               # constant negative
    np.concatenate([[127.0], np.arange(-15.5, 15.5)]),           # q8_0 halves: id == 1, .5 ties
    np.concatenate([[-127.0], -np.arange(-15.5, 15.5)]),
    np.concatenate([[8.0], -8.0 * np.ones(1), np.linspace(-7.5, 7.5, 30)]),  # q4_0 |max| tie
    np.concatenate([[1e-30], np.full(31, -1e-30)]),  # tiny: fp16 d underflows
]
x = np.concatenate(blocks).astype(np.float32)
n = x.size
assert n % 32 == 0

w = gguf.GGUFWriter("gguf-py-goldens.gguf", arch="goldens")
w.add_uint8("t.u8", 250)
w.add_int8("t.i8", -100)
w.add_uint16("t.u16", 65000)
w.add_int16("t.i16", -32000)
w.add_uint32("t.u32", 4000000000)
w.add_int32("t.i32", -2000000000)
w.add_float32("t.f32", 3.25)
w.add_uint64("t.u64", 18000000000000000000)
w.add_int64("t.i64", -9000000000000000000)
w.add_float64("t.f64", -1.0e300)
w.add_bool("t.bool", True)
w.add_string("t.str", "héllo ✓ \U0001F600")
w.add_array("t.arr.str", ["a", "", "ü", "\n"])
w.add_array("t.arr.i32", [1, -2, 3])
w.add_array("t.arr.f32", [0.5, -1.5])
w.add_array("t.arr.bool", [True, False, True])
w.add_array("t.arr.nested", [[1, 2], [3]])
w.add_tensor("input", x)
for name, qt in [("q8_0", Q.Q8_0), ("q4_0", Q.Q4_0), ("q4_1", Q.Q4_1), ("f16", Q.F16), ("bf16", Q.BF16)]:
    data = quants.quantize(x, qt)
    w.add_tensor(name, data, raw_dtype=qt)
    # gguf-py's dequantization of the same bytes, to check ours
    w.add_tensor("dequant_" + name, quants.dequantize(data, qt).astype(np.float32).reshape(-1))
# a 2-d tensor: 4 rows of 64
w.add_tensor("matrix", np.arange(256, dtype=np.float32).reshape(4, 64))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
print("wrote gguf-py-goldens.gguf with", n, "values")
