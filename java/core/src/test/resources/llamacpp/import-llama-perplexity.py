#!/usr/bin/env python3
"""Records llama-perplexity's own output (see llamacpp-tools.sh) in <model>.perplexity.json.

Usage: python3 import-llama-perplexity.py MODEL_KEY LOG [LOG ...]
  e.g. ./llamacpp-tools.sh ppl /tmp/t smol.gguf 512 off > c512.log
       python3 import-llama-perplexity.py smollm2-135m-instruct-q4_1 c512.log
Each log becomes (or replaces) an entry of "llama_perplexity_runs", keyed by n_ctx and flash attention.
When the JSON file does not exist yet it is created with the same header fields generate-goldens.mjs writes.
"""
import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse(log: str) -> dict:
    calc = re.search(r"calculating perplexity over (\d+) chunks, n_ctx=(\d+), batch_size=(\d+), n_seq=(\d+)", log)
    final = re.search(r"Final estimate: PPL = ([0-9.]+) \+/- ([0-9.]+)", log)
    fa = re.search(r"flash_attn\s*=\s*(\w+)", log)
    if not calc or not final:
        raise SystemExit("not a complete llama-perplexity log")
    n_chunks, n_ctx, n_batch, n_seq = map(int, calc.groups())
    return {
        "n_ctx": n_ctx,
        "flash_attn": fa is not None and fa.group(1) in ("enabled", "1", "true", "on"),
        "n_chunks": n_chunks,
        "scored_tokens": n_chunks * (n_ctx - n_ctx // 2 - 1),
        "ppl": float(final.group(1)),
        "ppl_stderr": float(final.group(2)),
        "running_ppl": [float(x) for x in re.findall(r"\[\d+\]([0-9.]+),", log)],
        "tool": f"llama-perplexity -c {n_ctx} -t 2 (n_batch={n_batch}, n_seq={n_seq}); printed to 4/5 decimals",
    }


def main():
    key, logs = sys.argv[1], sys.argv[2:]
    path = HERE / f"{key}.perplexity.json"
    text = (HERE / "ppl-text.txt").read_bytes()
    if path.exists():
        data = json.loads(path.read_text())
    else:  # header from the tokenization golden of the same model
        tok = json.loads((HERE / f"{key}.tokens.json").read_text())
        data = {"model": tok["model"], "text": "ppl-text.txt", "text_sha256": hashlib.sha256(text).hexdigest(),
                "n_tokens": len(tok["ppl_text"]["ids"]),
                "method": "see README.md; computed by llama.cpp's llama-perplexity itself",
                "runs": []}
    runs = data.get("llama_perplexity_runs", [])
    for log in logs:
        r = parse(Path(log).read_text(errors="replace"))
        runs = [x for x in runs if (x["n_ctx"], x["flash_attn"]) != (r["n_ctx"], r["flash_attn"])] + [r]
        print(key, r["n_ctx"], r["flash_attn"], r["ppl"], "+/-", r["ppl_stderr"])
    data["llama_perplexity_runs"] = sorted(runs, key=lambda x: (x["n_ctx"], x["flash_attn"]))
    body = json.dumps(data, indent=1)
    # keep number arrays on one line, like generate-goldens.mjs
    body = re.sub(r"\[[^\[\]{}]*\]", lambda m: re.sub(r"\s*\n\s*", " ", m.group(0)).replace("[ ", "[").replace(" ]", "]"), body)
    path.write_text(body + "\n")


if __name__ == "__main__":
    main()
