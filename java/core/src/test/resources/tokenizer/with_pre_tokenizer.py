"""Copies a vocab-only GGUF file with tokenizer.ggml.pre set to another name (or removed with "-").

Used to record llama.cpp's pre-tokenizers on one vocabulary (see make_goldens.mjs):
    python3 with_pre_tokenizer.py ../shared/tokenizer/ggml-vocab-llama-bpe.gguf qwen2 /tmp/llama-bpe-qwen2.gguf
"""
import sys

import gguf


def main(src: str, pre: str, dst: str) -> None:
    reader = gguf.GGUFReader(src)
    arch = reader.fields["general.architecture"].contents()
    writer = gguf.GGUFWriter(dst, arch)
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture" or key == "tokenizer.ggml.pre":
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(key, field.contents(), vtype, sub_type=sub)
    if pre != "-":
        writer.add_key_value("tokenizer.ggml.pre", pre, gguf.GGUFValueType.STRING)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
