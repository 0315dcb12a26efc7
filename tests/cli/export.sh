#!/bin/sh
# export.sh: lwq export on the demo model: the quantized lwq file evaluates to exactly the
# perplexity of `eval --plan`, its size is the planner's, GGUF comes out with the fallback
# warning, and every bad input fails with one line, status 1 and no file left behind.
. "$TOP_SRCDIR/tests/cli/lib.sh"
need_shared

DEMO="$SHARED_DATA/models/lwq-demo-16L"
M="$WORK/demo.h5"
P="$WORK/plan.json"
IDS="$DEMO/heldout.ids.i32"
EVAL="--ids $IDS --offset 8192 --windows 2 --seq-len 128 --json"

ok "import the demo model" "$LWQ" import "$DEMO" -o "$M"
ok "plan at 3 bits on average (zd order)" "$LWQ" plan "$M" --avg-bits 3 --order zd -o "$P"

# json_field NAME FILE: the value of a top-level number or string field in one-line JSON
json_field() { sed -n "s/.*\"$1\": *\"\{0,1\}\([^,\"}]*\).*/\1/p" "$2"; }

# ---- lwq format ----
ok "export --format lwq" sh -c '"$LWQ" export "$1" --plan "$2" --format lwq -o "$3" --json >"$4"' \
	sh "$M" "$P" "$WORK/q.h5" "$WORK/q.json"
bytes=$(json_field bytes "$WORK/q.json")
tensor=$(json_field tensor_bytes "$WORK/q.json")
planned=$(json_field plan_bytes "$WORK/q.json")
tok=$(stat -c %s "$DEMO/tokenizer.json")
check "tensor data is exactly the planner's bytes ($tensor = $planned)" [ "$tensor" -eq "$planned" ]
# HDF5 bookkeeping: at most 2 KiB per quantized linear (16 x 7) plus 64 KiB; the planner
# does not count the tokenizer, which the file carries.
limit=$((planned + planned / 100 + tok + 2048 * 112 + 65536))
check "file size $bytes <= planned $planned + 1% + tokenizer $tok + HDF5 overhead ($limit)" \
	[ "$bytes" -le "$limit" -a "$bytes" -gt "$planned" ]
ok "lwq info reports the file as quantized" sh -c '"$LWQ" info "$1" | grep -q "^quantized *rtn-asym, group"' \
	sh "$WORK/q.h5"
"$LWQ" eval "$M" --plan "$P" $EVAL >"$WORK/e1.json" 2>"$WORK/e1.err"
"$LWQ" eval "$WORK/q.h5" $EVAL >"$WORK/e2.json" 2>"$WORK/e2.err"
p1=$(json_field perplexity "$WORK/e1.json")
p2=$(json_field perplexity "$WORK/e2.json")
check "eval of the exported file = eval --plan on the original ($p1 = $p2)" \
	[ -n "$p1" -a "$p1" = "$p2" ]
ok "eval of the exported file, as text" sh -c '"$LWQ" eval "$1" --ids "$2" --windows 1 --seq-len 32' \
	sh "$WORK/q.h5" "$DEMO/heldout.ids.i32"
check "... says it runs stored quantized, and from which plan (not 'unquantized')" \
	grep -q "^plan  *stored quantized (plan: order .*, .* average bits, rtn-asym; exported from" \
	"$WORK/out"

# ---- GGUF ----
ok "export --format gguf warns about the 32-value fallback" sh -c \
	'"$LWQ" export "$1" --plan "$2" -o "$3" --json >"$4" 2>"$5" && grep -q "not a multiple of 256" "$5"' \
	sh "$M" "$P" "$WORK/q.gguf" "$WORK/g.json" "$WORK/g.err"
check "the GGUF file starts with GGUF, 16 layers" [ "$(head -c 4 "$WORK/q.gguf")" = GGUF -a \
	"$(json_field layers "$WORK/g.json")" = 16 ]
# rows are quantized on all of the BLAS's threads: one thread must write the same bytes
ok "GGUF export on one thread" env OPENBLAS_NUM_THREADS=1 "$LWQ" -q export "$M" --plan "$P" \
	-o "$WORK/q1.gguf"
check "... is byte for byte the file of two threads" cmp "$WORK/q.gguf" "$WORK/q1.gguf"
ok "--f16 GGUF for llama-quantize" "$LWQ" export "$M" --format gguf --f16 -o "$WORK/f16.gguf"
check "the F16 file is larger than the quantized one" \
	[ "$(stat -c %s "$WORK/f16.gguf")" -gt "$(stat -c %s "$WORK/q.gguf")" ]

# ---- refusals: one line, status 1, nothing written ----
OUT="$WORK/dest" # ($WORK/out and err are lib.sh's)
mkdir "$OUT"
empty() { [ -z "$(ls -A "$OUT")" ]; }
sed 's/"n_layers": 16/"n_layers": 24/' "$P" >"$WORK/other.json"
fails_with "a plan for another model (layer count)" 1 "plan has 24 layers, model has 16" \
	"$LWQ" export "$M" --plan "$WORK/other.json" -o "$OUT/x.h5"
sed 's/"params": [0-9]*/"params": 12345/' "$P" >"$WORK/other.json"
fails_with "a plan for another model (parameters)" 1 "12345 parameters" \
	"$LWQ" export "$M" --plan "$WORK/other.json" -o "$OUT/x.gguf"
sed '0,/"bits": [0-9]/s/"bits": [0-9]/"bits": 7/' "$P" >"$WORK/seven.json"
fails_with "7 bits cannot be stored" 1 "7 bits" \
	"$LWQ" export "$M" --plan "$WORK/seven.json" -o "$OUT/x.h5"
sed 's/"group_size": [0-9]*/"group_size": 48/' "$P" >"$WORK/g48.json"
fails_with "group size 48 does not divide rows of 128" 1 "group size 48 does not divide" \
	"$LWQ" export "$M" --plan "$WORK/g48.json" -o "$OUT/x.h5"
check "no output after the refusals" empty
cp "$WORK/q.gguf" "$OUT/keep.gguf"
fails_with "an existing output needs --force" 1 "already exists" \
	"$LWQ" export "$M" --plan "$P" -o "$OUT/keep.gguf"
check "the existing file is untouched" cmp -s "$WORK/q.gguf" "$OUT/keep.gguf"
rm -f "$OUT/keep.gguf"
fails_with "output in a missing directory" 1 "does not exist" \
	"$LWQ" export "$M" --plan "$P" -o "$WORK/no/such/dir/x.h5"
if [ "$(id -u)" != 0 ]; then
	mkdir "$WORK/ro" && chmod 555 "$WORK/ro"
	fails_with "output in a read-only directory" 1 "not writable" \
		"$LWQ" export "$M" --plan "$P" -o "$WORK/ro/x.h5"
else
	echo "ok $((TAP_N = TAP_N + 1)) - output in a read-only directory # SKIP root may write anywhere"
fi
# A full disk, simulated by a 1-2 MiB file size limit (writes past it fail with EFBIG): the
# export sees it cannot fit before writing (the writers' own failure paths are unit-tested).
for f in lwq gguf; do
	fails_with "disk full while writing $f" 1 "can be written there (disk full" sh -c \
		'trap "" XFSZ; ulimit -f 2048; exec "$LWQ" export "$1" --plan "$2" -o "$3"' \
		sh "$M" "$P" "$OUT/full.$f"
	check "no partial $f file or temp file left" empty
done
fails_with "unknown format" 2 "must be lwq or gguf" "$LWQ" export "$M" --plan "$P" --format onnx -o "$OUT/x"
fails_with "--f16 with a plan" 2 "drop --plan" "$LWQ" export "$M" --plan "$P" --f16 -o "$OUT/x.gguf"
fails_with "missing plan" 2 "missing --plan" "$LWQ" export "$M" -o "$OUT/x.h5"
fails_with "not a model file" 1 "not an HDF5 file" "$LWQ" export "$P" --plan "$P" -o "$OUT/x.h5"
check "still nothing in the output directory" empty
done_testing
