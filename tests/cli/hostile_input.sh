#!/bin/sh
# hostile_input.sh: inputs crafted to overflow sizes, shift data or break a writer, each
# once found to crash, misread or corrupt: one clear line, exit 1, nothing written.
. "$TOP_SRCDIR/tests/cli/lib.sh"
need_cmd python3
MK="python3 $TOP_SRCDIR/tests/cli/mk_hf_model.py"
OUT="$WORK/dest"
mkdir -p "$OUT"
import_fails() { # import_fails DESCRIPTION PATTERN SRC: exit 1, PATTERN, $OUT stays empty
	fails_with "$1" 1 "$2" "$LWQ" import "$3" -o "$OUT/model.h5"
	check "$1: nothing left behind" [ -z "$(ls -A "$OUT")" ]
}
# edit_st DIR PYTHON: rewrites DIR/model.safetensors; PYTHON edits `header` (a dict) and
# may set `shift` (bytes to take off the stated header length, the JSON padded to match).
edit_st() {
	python3 - "$1/model.safetensors" "$2" <<'PY'
import json, struct, sys
path, code = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header, data, shift = json.loads(raw[8:8 + n]), raw[8 + n:], 0
exec(code)
text = json.dumps(header).encode() + b" " * shift
open(path, "wb").write(struct.pack("<Q", len(text) - shift) + text + data)
PY
}
# edit_cfg DIR PYTHON: rewrites DIR/config.json; PYTHON edits `cfg`.
edit_cfg() {
	python3 - "$1/config.json" "$2" <<'PY'
import json, sys
path, code = sys.argv[1], sys.argv[2]
cfg = json.load(open(path))
exec(code)
json.dump(cfg, open(path, "w"))
PY
}

# ---- safetensors ---------------------------------------------------------------------
$MK "$WORK/short"
edit_st "$WORK/short" "shift = 2"
import_fails "header length 2 short (every tensor would be read 2 bytes early)" \
	"model.safetensors: the last 2 bytes of the data belong to no tensor" "$WORK/short"
$MK "$WORK/gap"
edit_st "$WORK/gap" "header['model.norm.weight']['shape'] = [7]; header['model.norm.weight']['data_offsets'][1] -= 4"
import_fails "bytes between two tensors" "belong to no tensor" "$WORK/gap"
$MK "$WORK/huge"
edit_st "$WORK/huge" "header['model.norm.weight']['shape'] = [2**40, 2**40]"
import_fails "shape [2^40, 2^40] (product overflows)" "tensor 'model.norm.weight' has a bad shape" "$WORK/huge"
$MK "$WORK/wrap"
edit_st "$WORK/wrap" "header['extra.weight'] = {'dtype': 'F32', 'shape': [2**40, 2**22], 'data_offsets': [0, 0]}"
import_fails "F32 [2^40, 2^22] in 0 bytes (count x 4 wraps to 0)" "tensor 'extra.weight' has a bad shape" "$WORK/wrap"

# ---- config.json sizes that overflowed int arithmetic --------------------------------
for field in num_attention_heads num_key_value_heads head_dim; do
	$MK "$WORK/cfg-$field"
	edit_cfg "$WORK/cfg-$field" "cfg['$field'] = 2**30; cfg['num_attention_heads'] = 2**30 if '$field' != 'head_dim' else cfg['num_attention_heads']"
	import_fails "config.json $field = 2^30" "config.json: config sizes are implausibly large" "$WORK/cfg-$field"
done

# ---- llama2.c -------------------------------------------------------------------------
python3 -c "
import struct, sys
open(sys.argv[1], 'wb').write(struct.pack('<7i', 64, 172, 5, 8, 4, -2**31, 512))" "$WORK/min.bin"
import_fails "llama2.c vocab_size = INT32_MIN (its negation overflows)" \
	"min.bin: config has a non-positive size" "$WORK/min.bin"

# ---- tokenizer.json, checked at import --------------------------------------------------
need_shared
TOK="$SHARED_DATA/models/lwq-demo-16L/tokenizer.json"
$MK "$WORK/tok-big"
cp "$TOK" "$WORK/tok-big/tokenizer.json"
import_fails "a tokenizer whose ids the model's 16 embeddings cannot hold" \
	"tokenizer.json: token ids reach 2047 but the model's vocabulary has 16 entries" "$WORK/tok-big"
$MK "$WORK/tok-bad"
printf '{"model": ' >"$WORK/tok-bad/tokenizer.json"
import_fails "a tokenizer.json that is not JSON" "tok-bad/tokenizer.json: " "$WORK/tok-bad"
cp -r "$SHARED_DATA/models/lwq-demo-16L" "$WORK/tok-far"
chmod -R u+w "$WORK/tok-far"
python3 - "$WORK/tok-far/tokenizer.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
t["added_tokens"].append({"id": 2**30 - 1, "content": "<far>", "single_word": False,
                          "lstrip": False, "rstrip": False, "normalized": False, "special": True})
json.dump(t, open(sys.argv[1], "w"))
PY
import_fails "one added id near 2^30 (tables sized by it would take 56 GiB)" \
	"tokenizer.json: added token '<far>' has id 1073741823, but the vocabulary gives it 2048" \
	"$WORK/tok-far"

# ---- model files ------------------------------------------------------------------------
demo_model
check "text attributes (dtype \"bf16\": 5 bytes) are fixed-length strings, not in the global heap" sh -c \
	"h5dump -A '$MODEL' >'$WORK/attrs' && grep -q 'STRSIZE 5;' '$WORK/attrs' &&
	 ! grep -q 'H5T_VARIABLE' '$WORK/attrs'"
python3 -c "
import sys
b = bytearray(open(sys.argv[1], 'rb').read()); b[300000] ^= 0x55
open(sys.argv[2], 'wb').write(b)" "$MODEL" "$WORK/flipped.h5"
fails_with "a byte flipped inside the embedding's data: its checksum catches it" 1 \
	"flipped.h5: cannot read .*/weights/embed (damaged file?)" \
	"$LWQ" eval "$WORK/flipped.h5" --ids "$IDS" --windows 1 --seq-len 16
OLD="$TOP_SRCDIR/data/demo.h5"
if [ -f "$OLD" ] && h5dump -A "$OLD" 2>/dev/null | grep -q H5T_VARIABLE; then
	ok "a file with variable-length strings (the bundled demo) still reads" \
		"$LWQ" info "$OLD"
fi

# ---- plans -----------------------------------------------------------------------------
ok "import with the model name @LAYERS@" \
	"$LWQ" --quiet import "$D" -o "$WORK/at.h5" --name @LAYERS@
ok "plan -o" "$LWQ" plan "$WORK/at.h5" --avg-bits 3 --order zd -o "$WORK/at.json"
ok "plan --from that file -o again (the placeholder in the name is left alone)" \
	"$LWQ" plan "$WORK/at.h5" --from "$WORK/at.json" -o "$WORK/at2.json"
check "the name survives and both plans agree" sh -c \
	"grep -q '\"name\": \"@LAYERS@\"' '$WORK/at2.json' &&
	 [ \"\$(grep -c '\"layer\":' '$WORK/at.json')\" -eq 16 ] &&
	 [ \"\$(grep '\"layer\":' '$WORK/at.json')\" = \"\$(grep '\"layer\":' '$WORK/at2.json')\" ]"
done_testing
