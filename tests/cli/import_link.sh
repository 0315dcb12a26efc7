#!/bin/sh
# import_link.sh: lwq import --link writes weights that refer to the safetensors files in
# place, read back bit for bit; moving or changing a source is refused with one line
# naming it, never read as wrong numbers.
. "$TOP_SRCDIR/tests/cli/lib.sh"
need_cmd python3
MK="python3 $TOP_SRCDIR/tests/cli/mk_hf_model.py"
CHECKER="$TOP_BUILDDIR/tests/unit/test_import_exact"

$MK "$WORK/m1"
$MK "$WORK/m1b" bf16
for m in m1 m1b; do
	printf '{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": []}}' >"$WORK/$m/tokenizer.json"
	ok "import --link ($m)" "$LWQ" import --link "$WORK/$m" -o "$WORK/$m.h5"
	ok "every weight reads back bit-exact through the links" "$CHECKER" "$WORK/$m" "$WORK/$m.h5"
done
$MK "$WORK/m2" shards bf16
ok "import --link a sharded bf16 model" "$LWQ" import --link "$WORK/m2" -o "$WORK/l.h5"
ok "info on the linked file" "$LWQ" info "$WORK/l.h5"
check "info says the weights are kept in 2 linked files" \
	grep -q "^weights .*kept in 2 linked source files$" "$WORK/out"
ok "info --json" "$LWQ" info --json "$WORK/l.h5"
check "... linked_files is 2" grep -q '"linked_files": 2' "$WORK/out"
ok "a copied import" "$LWQ" import "$WORK/m2" -o "$WORK/c.h5"
ok "info --json of the copy" "$LWQ" info --json "$WORK/c.h5"
check "... linked_files is 0" grep -q '"linked_files": 0' "$WORK/out"
if command -v h5dump >/dev/null 2>&1; then
	check "other HDF5 readers see the same weights in both files" sh -c \
		"h5dump -g /weights '$WORK/l.h5' | sed 1d >'$WORK/l.dump' &&
		 h5dump -g /weights '$WORK/c.h5' | sed 1d >'$WORK/c.dump' &&
		 cmp -s '$WORK/l.dump' '$WORK/c.dump'"
fi
check "the linked file is much smaller than the copy" sh -c \
	"[ \$(wc -c <'$WORK/l.h5') -lt \$(wc -c <'$WORK/c.h5') ]"

# ---- sources that moved or changed -------------------------------------------------
shard=$(ls "$WORK/m2"/*.safetensors | head -1)
touch -d '2001-01-01' "$shard"
fails_with "a source with another mtime is refused, naming it" 1 \
	"^lwq: info: $shard: changed since .* was imported with --link" "$LWQ" info "$WORK/l.h5"
fails_with "... by every verb" 1 "$shard: changed since" \
	"$LWQ" eval "$WORK/l.h5" --ids "$WORK/l.h5" --windows 1 --seq-len 4
ok "import --link again" "$LWQ" import --link --force "$WORK/m2" -o "$WORK/l.h5"
printf 'x' >>"$shard"
fails_with "a source that grew is refused, naming it and both sizes" 1 \
	"^lwq: info: $shard: changed since .*size now [0-9]* bytes, was [0-9]*" \
	"$LWQ" info "$WORK/l.h5"
$MK "$WORK/m3" shards bf16
ok "import --link a fresh copy" "$LWQ" import --link "$WORK/m3" -o "$WORK/l3.h5"
mv "$WORK/m3" "$WORK/m3-moved"
fails_with "a moved source is refused, naming the path recorded" 1 \
	"^lwq: info: $WORK/m3/model-.*safetensors: No such file" "$LWQ" info "$WORK/l3.h5"

# ---- what --link cannot do ---------------------------------------------------------
fails_with "--link with --dtype is a usage error" 2 "cannot be combined with --dtype" \
	"$LWQ" import --link --dtype f32 "$WORK/m3-moved" -o "$WORK/x.h5"
printf 'not a checkpoint' >"$WORK/model.bin"
fails_with "--link on a llama2.c checkpoint" 1 "" \
	"$LWQ" import --link "$WORK/model.bin" -o "$WORK/x.h5"
check "no output left behind" test ! -e "$WORK/x.h5"

# ---- a real model: same perplexity ---------------------------------------------------
need_shared
D="$SHARED_DATA/models/lwq-demo-16L"
ok "import --link the demo model" "$LWQ" --quiet import --link "$D" -o "$WORK/demo-l.h5"
ok "import the demo model" "$LWQ" --quiet import "$D" -o "$WORK/demo-c.h5"
for f in demo-l demo-c; do
	"$LWQ" eval "$WORK/$f.h5" --ids "$D/heldout.ids.i32" --offset 8192 --seq-len 128 \
		--windows 2 --json | sed 's/.*"perplexity": \([0-9.e+-]*\),.*/\1/' >"$WORK/$f.ppl"
done
check "the same perplexity, to every digit ($(cat "$WORK/demo-l.ppl"))" sh -c \
	"[ -s '$WORK/demo-l.ppl' ] && cmp -s '$WORK/demo-l.ppl' '$WORK/demo-c.ppl'"
done_testing
