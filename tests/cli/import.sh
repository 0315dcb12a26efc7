#!/bin/sh
# import.sh: lwq import on the real models gives files whose every weight equals the
# source bit for bit, and lwq info reports them correctly.
. "$TOP_SRCDIR/tests/cli/lib.sh"
need_shared
M="$SHARED_DATA/models"
CHECKER="$TOP_BUILDDIR/tests/unit/test_import_exact"
OUT="$WORK/dest"
mkdir -p "$OUT"

for model in lwq-demo-16L lwq-ref-24L; do
	ok "import $model" "$LWQ" import "$M/$model" -o "$OUT/$model.h5"
	check "$model: summary line" grep -q "^$OUT/$model.h5: LlamaForCausalLM, .* layers" "$WORK/out"
	ok "$model: every tensor and tokenizer.json bit-exact" "$CHECKER" "$M/$model" "$OUT/$model.h5"
done
ok "import stories260K (llama2.c)" "$LWQ" --quiet import "$M/stories260K/stories260K.bin" \
	-o "$OUT/stories.h5" --name tiny-stories
check "--quiet prints nothing" test ! -s "$WORK/out"
ok "-q after the verb is --quiet too" "$LWQ" import "$M/stories260K/stories260K.bin" \
	-o "$OUT/stories-q.h5" -q
check "-q after the verb prints nothing" test ! -s "$WORK/out"
ok "stories260K: every weight bit-exact, q/k rows in rotate_half order" \
	"$CHECKER" "$M/stories260K/stories260K.bin" "$OUT/stories.h5"
check "no temp files left beside the outputs" sh -c "! ls -A '$OUT' | grep -q tmp"

ok "info (text)" "$LWQ" info "$OUT/lwq-ref-24L.h5"
check "info shows the shape" grep -q "^heads *6 (2 KV heads, head_dim 48)" "$WORK/out"
check "info shows the tokenizer" \
	grep -q "^tokenizer *byte-level BPE, 8192 tokens, pattern gpt2, 539478 bytes" "$WORK/out"
check "info lists absent sections" grep -q "^activations *absent" "$WORK/out"

# --json against figures computed here from the safetensors header and config.json.
need_cmd python3
json_matches() { # json_matches MODEL_DIR H5
	"$LWQ" info --json "$2" >"$WORK/info.json" && python3 - "$1" "$WORK/info.json" <<'EOF'
import json, struct, sys
src, info = sys.argv[1], json.load(open(sys.argv[2]))
cfg = json.load(open(src + "/config.json"))
with open(src + "/model.safetensors", "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
params = nbytes = 0
for name, t in header.items():
    if name == "__metadata__":
        continue
    count = 1
    for d in t["shape"]:
        count *= d
    params += count
    nbytes += t["data_offsets"][1] - t["data_offsets"][0]
c = info["config"]
assert info["format_version"] == [1, 0], info["format_version"]
assert info["parameters"]["total"] == params, (info["parameters"], params)
assert info["parameters"]["total"] == info["parameters"]["layer_linears"] + info["parameters"]["outside_linears"]
assert info["weights"]["values"] == params
assert info["weights"]["bytes_by_dtype"]["bf16"] == nbytes
for key in ("num_hidden_layers", "hidden_size", "intermediate_size", "num_attention_heads",
            "num_key_value_heads", "head_dim", "vocab_size", "max_position_embeddings",
            "rms_norm_eps", "tie_word_embeddings", "bos_token_id", "eos_token_id"):
    assert c[key] == cfg[key], (key, c[key], cfg[key])
assert c["rope_theta"] == cfg["rope_parameters"]["rope_theta"]
assert info["tokenizer"]["kind"] == "hf-tokenizer-json"
assert info["activations"] is None and info["scores"] is None
assert info["source_format"] == "hf-safetensors"
EOF
}
ok "info --json agrees with config.json and the safetensors header (ref)" \
	json_matches "$M/lwq-ref-24L" "$OUT/lwq-ref-24L.h5"
ok "info --json agrees with config.json and the safetensors header (demo)" \
	json_matches "$M/lwq-demo-16L" "$OUT/lwq-demo-16L.h5"
ok "info --json of the llama2.c import" sh -c "'$LWQ' info --json '$OUT/stories.h5' >'$WORK/s.json'"
check "llama2.c: name, tied head, source_format" python3 -c "
import json; i = json.load(open('$WORK/s.json'))
assert i['model_name'] == 'tiny-stories' and i['source_format'] == 'llama2c'
assert i['config']['tie_word_embeddings'] is True and i['config']['num_key_value_heads'] == 4
assert i['tokenizer']['kind'] == 'none' and i['parameters']['total'] == 260032"

# --dtype converts: bf16 widens to f32 exactly; f32 narrows to f16 rounding to nearest even.
ok "import --dtype f32 --force over an existing file" \
	"$LWQ" import "$M/lwq-demo-16L" -o "$OUT/lwq-demo-16L.h5" --dtype f32 --force
ok "import --dtype f16" "$LWQ" import "$M/stories260K/stories260K.bin" -o "$OUT/s16.h5" --dtype f16
ok "h5dump a widened tensor" h5dump -d /weights/layers/003/up -b LE -o "$WORK/up.bin" "$OUT/lwq-demo-16L.h5"
ok "h5dump a narrowed tensor" h5dump -d /weights/layers/002/v -b LE -o "$WORK/v.bin" "$OUT/s16.h5"
check "bf16 -> f32 is exact widening" python3 - "$M/lwq-demo-16L/model.safetensors" "$WORK/up.bin" <<'EOF'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    t = json.loads(f.read(n))["model.layers.3.mlp.up_proj.weight"]
    f.seek(8 + n + t["data_offsets"][0])
    raw = f.read(t["data_offsets"][1] - t["data_offsets"][0])
want = b"".join(b"\0\0" + raw[i:i + 2] for i in range(0, len(raw), 2))
assert open(sys.argv[2], "rb").read() == want
EOF
check "f32 -> f16 rounds like IEEE binary16" python3 - "$M/stories260K/stories260K.bin" "$WORK/v.bin" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
dim, hid, L, heads, kv, vocab, seq = struct.unpack("<7i", data[:28])
hd = dim // heads
off = 28 + 4 * (vocab * dim + L * dim + L * dim * dim + L * dim * kv * hd)  # start of wv
off += 4 * 2 * dim * kv * hd  # layer 2
n = dim * kv * hd
vals = struct.unpack("<%df" % n, data[off:off + 4 * n])
assert open(sys.argv[2], "rb").read() == struct.pack("<%de" % n, *vals)
EOF
check "info --json counts f16 bytes" sh -c "'$LWQ' info --json '$OUT/s16.h5' | python3 -c '
import json, sys; w = json.load(sys.stdin)[\"weights\"]
assert w[\"bytes_by_dtype\"][\"f16\"] == 2 * w[\"values\"] and w[\"bytes_by_dtype\"][\"f32\"] == 0'"
done_testing
