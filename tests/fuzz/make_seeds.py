#!/usr/bin/env python3
"""make_seeds.py: writes the small seed inputs of every fuzz target into corpus/NAME/.

Usage: make_seeds.py CORPUS_DIR
The seeds are tiny, valid (or nearly valid) instances of each format, built here so no
model data is copied into the tree; libFuzzer grows the corpus from them.
"""
import json
import os
import struct
import sys

OUT = sys.argv[1]


def put(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data)


# ---- safetensors -----------------------------------------------------------------------
def safetensors(tensors, pad=0):
    header, blobs, pos = {"__metadata__": {"format": "pt"}}, [], 0
    for name, dtype, shape, data in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [pos, pos + len(data)]}
        blobs.append(data)
        pos += len(data)
    text = json.dumps(header).encode() + b" " * pad
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


f32 = lambda n: struct.pack("<%df" % n, *[0.25 * k for k in range(n)])
put("safetensors", "two_f32", safetensors([("a.weight", "F32", [2, 3], f32(6)),
                                           ("b.bias", "F32", [3], f32(3))]))
put("safetensors", "bf16_padded", safetensors([("embed", "BF16", [4, 2], bytes(range(16))),
                                               ("norm", "F16", [2], b"\x00\x3c\x00\x40")], 6))
put("safetensors", "empty_tensor", safetensors([("z", "F32", [0, 4], b""),
                                                ("i", "I64", [1], b"\x01" * 8)]))

# ---- config.json -----------------------------------------------------------------------
CFG = dict(architectures=["LlamaForCausalLM"], hidden_size=8, intermediate_size=12,
           num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1, head_dim=4,
           vocab_size=16, max_position_embeddings=64, rms_norm_eps=1e-5,
           rope_parameters={"rope_theta": 10000.0, "rope_type": "default"},
           tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)
put("config_json", "llama_rope_parameters", json.dumps(CFG))
old = dict(CFG, rope_theta=500000.0,
           rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                         "high_freq_factor": 4.0, "original_max_position_embeddings": 8192})
del old["rope_parameters"]
put("config_json", "llama3_scaling", json.dumps(old))
put("config_json", "qwen2_tied", json.dumps(dict(CFG, architectures=["Qwen2ForCausalLM"],
                                                  tie_word_embeddings=True, sliding_window=32)))


# ---- tokenizer.json (byte-level BPE) -----------------------------------------------------
def byte_chars():
    keep = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
    chars, extra = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


def tokenizer(template=False):
    chars = byte_chars()
    vocab = {chars[b]: b for b in range(256)}
    merges = [("\u0120", "t"), ("h", "e"), ("\u0120t", "he"), ("i", "n"), ("\u0120", "a")]
    for a, b in merges:
        vocab[a + b] = len(vocab)
    added = [{"id": len(vocab), "content": "<s>", "single_word": False, "lstrip": False,
              "rstrip": False, "normalized": False, "special": True}]
    tok = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
           "normalizer": None,
           "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False,
                             "trim_offsets": True, "use_regex": True},
           "post_processor": {"type": "ByteLevel", "add_prefix_space": True,
                              "trim_offsets": False, "use_regex": True},
           "decoder": {"type": "ByteLevel"},
           "model": {"type": "BPE", "dropout": None, "unk_token": None,
                     "continuing_subword_prefix": None, "end_of_word_suffix": None,
                     "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                     "vocab": vocab, "merges": [a + " " + b for a, b in merges]}}
    if template:
        tok["post_processor"] = {"type": "TemplateProcessing",
                                 "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                            {"Sequence": {"id": "A", "type_id": 0}}],
                                 "pair": [], "special_tokens": {"<s>": {"id": "<s>",
                                                                        "ids": [len(vocab)],
                                                                        "tokens": ["<s>"]}}}
        tok["model"]["merges"] = [[a, b] for a, b in merges]
    return json.dumps(tok, ensure_ascii=False).encode()


put("tokenizer_json", "byte_bpe", tokenizer())
put("tokenizer_json", "template_pairs_with_text",
    tokenizer(True) + b"\0<s>the theatre in a tin\n\xe2\x80\x94 caf\xc3\xa9")

# ---- llama2.c checkpoints ----------------------------------------------------------------
def llama2c(dim, hidden, layers, heads, kv, vocab, seq):
    hd = dim // heads
    n = abs(vocab) * dim + layers * (dim + heads * hd * dim + 2 * kv * hd * dim + dim * heads * hd
                                     + dim + 3 * hidden * dim) + dim + seq * hd
    if vocab < 0:
        n += -vocab * dim
    return struct.pack("<7i", dim, hidden, layers, heads, kv, vocab, seq) + f32(n)


put("llama2c", "shared_classifier", llama2c(8, 12, 1, 2, 1, 16, 4))
put("llama2c", "own_classifier", llama2c(8, 12, 2, 2, 2, -16, 2))

# ---- plan files --------------------------------------------------------------------------
def plan(n, bits, name="lwq-demo-16L", params=3477632, **extra):
    p = {"format": "lwq-plan", "version": 1,
         "model": {"name": name, "params": params, "n_layers": n},
         "order": "lim", "levels": 2, "high_bits": 4, "low_bits": 2, "group_size": 32,
         "layers": [{"layer": i, "bits": bits[i % len(bits)]} for i in range(n)],
         "totals": {"bytes": 2531584, "avg_bits": 3.0, "n_high": n // 2}}
    p.update(extra)
    return json.dumps(p, indent=2)


put("plan_file", "demo_two_levels", plan(16, [4, 2]))
put("plan_file", "three_levels", plan(16, [8, 4, 2], levels=3, mid_bits=4, high_bits=8))
put("plan_file", "prune_name_placeholder", plan(4, [4, 0], name="@LAYERS@", params=1000,
                                                order="prune", low_bits=0))


# ---- GGUF v3 -----------------------------------------------------------------------------
def gstr(s):
    s = s.encode()
    return struct.pack("<Q", len(s)) + s


def gguf(align=32):
    kv = [gstr("general.alignment") + struct.pack("<II", 4, align),
          gstr("general.architecture") + struct.pack("<I", 8) + gstr("llama"),
          gstr("llama.block_count") + struct.pack("<II", 4, 1),
          gstr("tokenizer.ggml.tokens") + struct.pack("<IIQ", 9, 8, 2) + gstr("a") + gstr("")]
    q8 = struct.pack("<e", 0.5) + bytes(range(32))         # one Q8_0 block of 32
    tensors = [("a.weight", 0, [3, 2], f32(6)), ("blk.0.attn_q.weight", 8, [32, 1], q8)]
    info, data = b"", b""
    for name, typ, ne, blob in tensors:
        data += b"\0" * (-len(data) % align)
        info += gstr(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", d) for d in ne)
        info += struct.pack("<IQ", typ, len(data))
        data += blob
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(kv)) + b"".join(kv) + info
    return head + b"\0" * (-len(head) % align) + data


put("gguf", "f32_and_q8_0", gguf())
put("gguf", "align_64", gguf(64))

# ---- token files (see fuzz_token_file.c: 4 bytes of settings, then the file) ------------
ids = struct.pack("<12i", *[1, 5, 7, 0, 2, 3, 9, 4, 11, 6, 8, 10])
put("token_file", "ids_two_windows", b"\x00\x02\x04\x00" + ids)
put("token_file", "ids_offset_all_windows", b"\x01\x03\x02\x02" + ids)
put("token_file", "text", b"\x02\x01\x03\x00the theatre in a tin, and then the end.\n")
put("token_file", "text_all_windows", b"\x03\x02\x02\x01<s>the\tthe\n\xc3\xa9\xf0\x9f\x98\x80")
