#!/usr/bin/env python3
"""mk_hf_model.py: writes a tiny Hugging Face model directory (config.json +
model.safetensors) for import tests, optionally broken in one chosen way.

Usage: mk_hf_model.py DIR [EDIT...]   where EDIT is one of
  arch=NAME            architectures[0]
  rope=TYPE            rope_parameters.rope_type
  shape=TENSOR:a,b     write TENSOR with another shape
  dtype=TENSOR:DT      write TENSOR as DT (F32 F16 BF16 I64 ...)
  drop=TENSOR          leave TENSOR out
  extra=TENSOR         add an unknown TENSOR
  overlap              make the last two tensors share bytes
  badspan              make one tensor's byte span disagree with dtype x shape
  shards               split into two shards with model.safetensors.index.json
  bf16                 store every tensor as BF16
  set=KEY:JSON         config.json KEY = JSON value (set=vocab_size:32000)
  random=SEED          small random F32 weights (norms near 1), seeded
  scale=TENSOR:F       with random=SEED: TENSOR's values times F (F32 range)
  tokenizer=DIR        copy DIR's tokenizer.json (and tokenizer_config.json) beside
The architecture decides the tensors: Qwen2ForCausalLM adds q/k/v biases,
Qwen3ForCausalLM adds per-head q_norm/k_norm, tie_word_embeddings drops lm_head.
"""
import json
import os
import random
import shutil
import struct
import sys

SIZES = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "U8": 1}
CFG = dict(architectures=["LlamaForCausalLM"], hidden_size=8, intermediate_size=12,
           num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1,
           head_dim=4, vocab_size=16, max_position_embeddings=64, rms_norm_eps=1e-5,
           rope_parameters={"rope_theta": 10000.0, "rope_type": "default"},
           tie_word_embeddings=False, bos_token_id=1, eos_token_id=2,
           hidden_act="silu")


def tensor_list(cfg):
    h, f, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    q = cfg["num_attention_heads"] * cfg["head_dim"]
    kv = cfg["num_key_value_heads"] * cfg["head_dim"]
    arch = cfg["architectures"][0]
    out = [("model.embed_tokens.weight", [v, h])]
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        out += [(p + "input_layernorm.weight", [h]),
                (p + "self_attn.q_proj.weight", [q, h]),
                (p + "self_attn.k_proj.weight", [kv, h]),
                (p + "self_attn.v_proj.weight", [kv, h])]
        if arch == "Qwen2ForCausalLM" or cfg.get("attention_bias"):
            out += [(p + "self_attn.q_proj.bias", [q]), (p + "self_attn.k_proj.bias", [kv]),
                    (p + "self_attn.v_proj.bias", [kv])]
        if arch == "Qwen3ForCausalLM":
            out += [(p + "self_attn.q_norm.weight", [cfg["head_dim"]]),
                    (p + "self_attn.k_norm.weight", [cfg["head_dim"]])]
        out += [(p + "self_attn.o_proj.weight", [h, q]),
                (p + "post_attention_layernorm.weight", [h]),
                (p + "mlp.gate_proj.weight", [f, h]),
                (p + "mlp.up_proj.weight", [f, h]),
                (p + "mlp.down_proj.weight", [h, f])]
    out.append(("model.norm.weight", [h]))
    if not cfg.get("tie_word_embeddings"):
        out.append(("lm_head.weight", [v, h]))
    return out


def random_payload(rng, name, count, factor=1.0):
    """Small random weights; norms near 1 so a forward pass stays well scaled."""
    if name.endswith("norm.weight"):
        vals = [1.0 + rng.uniform(-0.2, 0.2) for _ in range(count)]
    else:
        vals = [rng.gauss(0.0, 0.1) for _ in range(count)]
    return struct.pack("<%df" % count, *[v * factor for v in vals])


def payload(index, dtype, count):
    """Distinct, deterministic bytes for each tensor."""
    size = SIZES[dtype]
    if dtype == "F32":
        return b"".join(struct.pack("<f", (index * 1000 + k) * 0.001) for k in range(count))
    return bytes(((index * 37 + k * 11) & 0xff) for k in range(count * size))


def write_safetensors(path, entries, edits):
    header, blobs, pos = {"__metadata__": {"format": "pt"}}, [], 0
    for name, dtype, shape, data in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [pos, pos + len(data)]}
        blobs.append(data)
        pos += len(data)
    names = [e[0] for e in entries]
    if "overlap" in edits and len(names) >= 2:
        a, b = header[names[-2]], header[names[-1]]
        size = b["data_offsets"][1] - b["data_offsets"][0]
        b["data_offsets"] = [a["data_offsets"][0], a["data_offsets"][0] + size]
    if "badspan" in edits:
        off = header[names[1]]["data_offsets"]
        header[names[1]]["data_offsets"] = [off[0], off[1] - 2]
    text = json.dumps(header).encode()
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        out.write(b"".join(blobs))


def main():
    out_dir, edits = sys.argv[1], sys.argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    cfg = json.loads(json.dumps(CFG))
    shapes, dtypes, drop, extra = {}, {}, set(), []
    base = "BF16" if "bf16" in edits else "F32"
    rng, tokenizer_dir, scales = None, None, {}
    for e in edits:
        key, _, val = e.partition("=")
        if key == "arch":
            cfg["architectures"] = [val]
        elif key == "rope":
            cfg["rope_parameters"]["rope_type"] = val
        elif key == "shape":
            name, dims = val.split(":")
            shapes[name] = [int(d) for d in dims.split(",")]
        elif key == "dtype":
            name, dt = val.split(":")
            dtypes[name] = dt
        elif key == "drop":
            drop.add(val)
        elif key == "extra":
            extra.append(val)
        elif key == "set":
            name, _, value = val.partition(":")
            cfg[name] = json.loads(value)
        elif key == "random":
            rng = random.Random(int(val))
        elif key == "scale":
            name, _, factor = val.rpartition(":")
            scales[name] = float(factor)
        elif key == "tokenizer":
            tokenizer_dir = val
    entries = []
    for i, (name, shape) in enumerate(tensor_list(cfg) + [(n, [2]) for n in extra]):
        if name in drop:
            continue
        shape = shapes.get(name, shape)
        dtype = dtypes.get(name, base)
        count = 1
        for d in shape:
            count *= d
        data = random_payload(rng, name, count, scales.get(name, 1.0)) \
            if rng and dtype == "F32" else payload(i, dtype, count)
        entries.append((name, dtype, shape, data))
    for f in ("tokenizer.json", "tokenizer_config.json") if tokenizer_dir else ():
        if os.path.exists(os.path.join(tokenizer_dir, f)):
            shutil.copy(os.path.join(tokenizer_dir, f), os.path.join(out_dir, f))
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    if "shards" in edits:
        half = len(entries) // 2
        parts = [entries[:half], entries[half:]]
        weight_map = {}
        for k, part in enumerate(parts):
            shard = "model-%05d-of-00002.safetensors" % (k + 1)
            write_safetensors(os.path.join(out_dir, shard), part, edits)
            weight_map.update({e[0]: shard for e in part})
        with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {}, "weight_map": weight_map}, f)
    else:
        write_safetensors(os.path.join(out_dir, "model.safetensors"), entries, edits)


if __name__ == "__main__":
    main()
