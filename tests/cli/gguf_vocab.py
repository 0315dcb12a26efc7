#!/usr/bin/env python3
"""gguf_vocab.py FILE.gguf: prints the tokenizer keys of a GGUF file, one per line, as
KEY=VALUE (arrays as KEY=len:N, with a few checks of their contents), read with a parser
of its own so the test does not trust lwq's reader."""
import struct
import sys

SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
           10: "<Q", 11: "<q", 12: "<d"}


def read(f, fmt):
    return struct.unpack(fmt, f.read(struct.calcsize(fmt)))[0]


def value(f, vtype):
    if vtype == 8:
        return f.read(read(f, "<Q")).decode("utf-8")
    if vtype == 9:
        etype, n = read(f, "<I"), read(f, "<Q")
        return [value(f, etype) for _ in range(n)]
    return read(f, SCALARS[vtype])


with open(sys.argv[1], "rb") as f:
    assert f.read(4) == b"GGUF", "not a GGUF file"
    version, n_tensors, n_kv = read(f, "<I"), read(f, "<Q"), read(f, "<Q")
    kv = {}
    for _ in range(n_kv):
        key = f.read(read(f, "<Q")).decode("utf-8")
        kv[key] = value(f, read(f, "<I"))

for key in sorted(k for k in kv if k.startswith("tokenizer.")):
    v = kv[key]
    print(f"{key}=len:{len(v)}" if isinstance(v, list) else f"{key}={v}")
tokens, types = kv.get("tokenizer.ggml.tokens", []), kv.get("tokenizer.ggml.token_type", [])
scores = kv.get("tokenizer.ggml.scores", [])
byte_tokens = [t for t, ty in zip(tokens, types) if ty == 6]
print("byte_tokens=%d" % len(byte_tokens))
print("byte_tokens_named=%d" % sum(t.startswith("<0x") for t in byte_tokens))
# merge ranks as scores: no two merged tokens share one, none is above 0
merged = [s for s in scores if s > -1e8]
print("scores_distinct=%d" % (len(set(merged)) == len(merged)))
print("scores_max=%g" % (max(scores) if scores else 0))
