#!/bin/sh
# import_bad.sh: broken inputs to lwq import and lwq info give one clear line, exit 1,
# and leave no output or temp file behind. Inputs are built here from scratch.
. "$TOP_SRCDIR/tests/cli/lib.sh"
need_cmd python3
MK="python3 $TOP_SRCDIR/tests/cli/mk_hf_model.py"
FIXTURE="$TOP_BUILDDIR/tests/unit/test_model_h5"
OUT="$WORK/dest"
mkdir -p "$OUT"

no_output() { # nothing at all was left in $OUT (no model, no temp file)
	[ -z "$(ls -A "$OUT")" ]
}

# import_fails DESCRIPTION PATTERN SRC: exit 1 with PATTERN, and $OUT stays empty.
import_fails() {
	fails_with "$1" 1 "$2" "$LWQ" import "$3" -o "$OUT/model.h5"
	check "$1: no output or temp file left" no_output
}

# A well-formed tiny model imports, so the failures below are due to their one defect.
$MK "$WORK/good"
ok "the tiny model imports" "$LWQ" import "$WORK/good" -o "$WORK/good.h5"
$MK "$WORK/sharded" shards
ok "a sharded model imports" "$LWQ" import "$WORK/sharded" -o "$WORK/sharded.h5"

$MK "$WORK/trunc"
f="$WORK/trunc/model.safetensors"
head -c $(($(wc -c <"$f") - 10)) "$f" >"$f.cut" && mv "$f.cut" "$f"
import_fails "truncated safetensors" "model.safetensors: tensor 'lm_head.weight' data_offsets .* (file truncated?)" "$WORK/trunc"

$MK "$WORK/hlen"
f="$WORK/hlen/model.safetensors"
{ printf '\377\377\377\377\377\377\000\000'; tail -c +9 "$f"; } >"$f.bad" && mv "$f.bad" "$f"
import_fails "header length beyond the file" "header length 281474976710655 exceeds file size" "$WORK/hlen"

$MK "$WORK/json"
printf '{"architectures": ["LlamaForCausalLM"], "hidden_size": 8,,}' >"$WORK/json/config.json"
import_fails "malformed config.json" "config.json: invalid JSON at line 1" "$WORK/json"

$MK "$WORK/shape" shape=model.layers.1.self_attn.k_proj.weight:8,8
import_fails "tensor shape disagrees with config" \
	"tensor 'model.layers.1.self_attn.k_proj.weight' has shape \[8, 8\] but config.json implies \[4, 8\]" \
	"$WORK/shape"

$MK "$WORK/i64" dtype=model.layers.0.mlp.up_proj.weight:I64
import_fails "unsupported tensor dtype" \
	"tensor 'model.layers.0.mlp.up_proj.weight' has dtype I64 (supported: F32, F16, BF16)" "$WORK/i64"

$MK "$WORK/shard" shards
rm "$WORK/shard/model-00002-of-00002.safetensors"
import_fails "missing shard" "model-00002-of-00002.safetensors' (named in model.safetensors.index.json) is missing" "$WORK/shard"

$MK "$WORK/arch" arch=GPT2LMHeadModel
import_fails "unsupported architecture" \
	"config.json: unsupported architecture 'GPT2LMHeadModel' (supported: LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM)" \
	"$WORK/arch"

$MK "$WORK/yarn" rope=yarn
import_fails "unsupported rope scaling" "unsupported rope scaling 'yarn'" "$WORK/yarn"

$MK "$WORK/drop" drop=model.layers.1.mlp.down_proj.weight
import_fails "missing tensor" "tensor 'model.layers.1.mlp.down_proj.weight' is missing" "$WORK/drop"

$MK "$WORK/extra" extra=model.layers.0.self_attn.o_proj.bias
import_fails "unexpected tensor" "unexpected tensor 'model.layers.0.self_attn.o_proj.bias'" "$WORK/extra"

$MK "$WORK/overlap" overlap
import_fails "overlapping tensors" "tensors 'model.norm.weight' and 'lm_head.weight' overlap" "$WORK/overlap"

$MK "$WORK/span" badspan
import_fails "byte span disagrees with dtype x shape" "spans 30 bytes but F32 x 8 values need 32" "$WORK/span"

mkdir "$WORK/empty"
import_fails "directory without config.json" "empty: not a Hugging Face model directory (no config.json)" "$WORK/empty"
cp "$WORK/good/config.json" "$WORK/empty/"
import_fails "directory without weights" "no model.safetensors or model.safetensors.index.json" "$WORK/empty"
import_fails "missing source" "cannot open: No such file or directory" "$WORK/absent"

# llama2.c checkpoints: header of 7 int32, then floats; this one is 4 bytes short.
python3 -c '
import struct, sys
dim, hid, layers, heads, kv, vocab, seq = 8, 12, 1, 2, 1, 16, 4
hd = dim // heads
n = vocab*dim + layers*(dim + dim*dim + 2*dim*kv*hd + dim*dim + dim + 3*dim*hid) + dim + seq*hd
sys.stdout.buffer.write(struct.pack("<7i", dim, hid, layers, heads, kv, vocab, seq))
sys.stdout.buffer.write(struct.pack("<%df" % (n - 1), *([0.5] * (n - 1))))
' >"$WORK/short.bin"
import_fails "truncated llama2.c checkpoint" "short.bin: file is .* bytes but its header (dim 8, .*) needs .* (truncated?)" "$WORK/short.bin"
printf 'hello, this is not a checkpoint at all' >"$WORK/text.bin"
import_fails "not a llama2.c checkpoint" "not a llama2.c checkpoint" "$WORK/text.bin"

cp "$WORK/good.h5" "$OUT/model.h5"
fails_with "existing output without --force" 1 "model.h5: already exists (use --force to overwrite)" \
	"$LWQ" import "$WORK/good" -o "$OUT/model.h5"
check "existing output is untouched" cmp -s "$WORK/good.h5" "$OUT/model.h5"
rm -f "$OUT/model.h5"

fails_with "missing -o is a usage error" 2 "missing -o MODEL.h5" "$LWQ" import "$WORK/good"
fails_with "bad --dtype is a usage error" 2 "dtype must be keep, f32, f16 or bf16" \
	"$LWQ" import "$WORK/good" -o "$OUT/x.h5" --dtype q4
fails_with "unknown option is a usage error" 2 "unknown option '--frob'" \
	"$LWQ" import "$WORK/good" -o "$OUT/x.h5" --frob
check "usage errors leave nothing" no_output

# lwq info on things that are not lwq model files.
fails_with "info: missing file" 1 "lwq: info: $WORK/nothing.h5: cannot open: No such file" \
	"$LWQ" info "$WORK/nothing.h5"
fails_with "info: not HDF5" 1 "text.bin: not an HDF5 file" "$LWQ" info "$WORK/text.bin"
chmod 000 "$WORK/good.h5"
if [ -r "$WORK/good.h5" ]; then
	check "info: unreadable file (skipped: running as root)" true
else
	fails_with "info: unreadable file" 1 "good.h5: cannot open: Permission denied" "$LWQ" info "$WORK/good.h5"
fi
chmod 644 "$WORK/good.h5"
"$FIXTURE" foreign "$WORK/foreign.h5"
fails_with "info: HDF5 of another format" 1 "foreign.h5: not an lwq model file (no format attribute)" \
	"$LWQ" info "$WORK/foreign.h5"
"$FIXTURE" newer "$WORK/newer.h5"
fails_with "info: newer major version" 1 "newer.h5: format version 2.0 is newer than this lwq supports (1.x)" \
	"$LWQ" info "$WORK/newer.h5"
fails_with "info: no file is a usage error" 2 "expected one MODEL.h5, got none" "$LWQ" info
done_testing
