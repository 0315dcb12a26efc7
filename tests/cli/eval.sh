#!/bin/sh
# eval.sh: lwq eval on the demo model: output forms, plans (pruning changes perplexity),
# and bad input that must fail with one clear line and leave the model file untouched.
. "$TOP_SRCDIR/tests/cli/lib.sh"
demo_model

# ---- output --------------------------------------------------------------------
ok "eval --ids" "$LWQ" eval "$MODEL" --ids "$IDS" --offset 8192 $SMALL
check "text output names perplexity, NLL, predictions, speed" sh -c \
	"grep -q '^perplexity  *[0-9.]*$' '$WORK/out' && grep -q '^nll ' '$WORK/out' &&
	 grep -q '^predictions  126 (2 windows of 64 tokens from offset 8192)' '$WORK/out' &&
	 grep -q 'tokens/s' '$WORK/out'"
ppl_text=$(sed -n 's/^perplexity  *//p' "$WORK/out")
check "perplexity of the demo model is plausible ($ppl_text)" \
	awk -v p="$ppl_text" 'BEGIN { exit !(p > 2 && p < 40) }'

ok "eval --json" "$LWQ" eval "$MODEL" --ids "$IDS" --offset 8192 $SMALL --json
check "--json is one object with the documented keys in order" sh -c \
	"[ \$(wc -l <'$WORK/out') -eq 1 ] && grep -q '^{\"model\": \".*\", \"plan\": null, \"source\": \"ids:.*\", \"offset\": 8192, \"windows\": 2, \"seq_len\": 64, \"tokens\": 128, \"perplexity\": [0-9.e+-]*, \"nll_sum\": .*, \"nll_mean\": .*, \"predictions\": 126, \"seconds\": .*, \"tokens_per_second\": .*}$' '$WORK/out'"
ppl_json=$(sed 's/.*"perplexity": \([0-9.e+-]*\),.*/\1/' "$WORK/out")
check "text and JSON agree ($ppl_text, $ppl_json)" \
	awk -v a="$ppl_text" -v b="$ppl_json" 'BEGIN { d = a - b; exit !(d < 1e-3 && d > -1e-3) }'

head -c 4000 "$D/heldout.txt" >"$WORK/short.txt"
ok "eval --text without --windows uses every full window" \
	"$LWQ" eval "$MODEL" --text "$WORK/short.txt" --seq-len 128 --threads 1
check "... and says so" sh -c "grep -q 'by default' '$WORK/out' && grep -q 'at most 64 by default' '$WORK/err'"
ok "eval without --windows on a long source" "$LWQ" eval "$MODEL" --ids "$IDS" --seq-len 16
check "... takes at most 64 windows, and says so" sh -c \
	"grep -q '(64 windows of 16 tokens from offset 0, by default)' '$WORK/out' &&
	 grep -q '64 windows of 16 tokens from offset 0 (at most 64 by default; --windows for more)' '$WORK/err'"

# ---- plans -------------------------------------------------------------------------
plan() { # plan FILE N_LAYERS BITS...: a plan file with one entry per layer
	out=$1; n=$2; shift 2
	{
		printf '{"format": "lwq-plan", "version": 1, "model": {"name": "lwq-demo-16L", '
		printf '"n_layers": %d}, "order": "manual", "levels": 2, "high_bits": 8, ' "$n"
		printf '"low_bits": 4, "group_size": 32, "layers": ['
		i=0
		for b in "$@"; do
			[ $i -gt 0 ] && printf ', '
			printf '{"layer": %d, "bits": %d}' $i "$b"; i=$((i + 1))
		done
		printf ']}\n'
	} >"$out"
}
plan "$WORK/all8.json" 16 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8
plan "$WORK/skip5.json" 16 8 8 8 8 8 0 8 8 8 8 8 8 8 8 8 8
plan "$WORK/wide.json" 24 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8 8
ok "eval --plan (8 bits everywhere)" "$LWQ" eval "$MODEL" --plan "$WORK/all8.json" \
	--ids "$IDS" --offset 8192 $SMALL
ppl8=$(sed -n 's/^perplexity  *//p' "$WORK/out")
ok "eval --plan pruning layer 5" "$LWQ" eval "$MODEL" --plan "$WORK/skip5.json" \
	--ids "$IDS" --offset 8192 $SMALL
ppl_skip=$(sed -n 's/^perplexity  *//p' "$WORK/out")
check "8-bit RTN stays within 2% of the original ($ppl_text -> $ppl8)" \
	awk -v a="$ppl_text" -v b="$ppl8" 'BEGIN { exit !(b / a < 1.02 && b / a > 0.98) }'
check "pruning a layer raises perplexity ($ppl8 -> $ppl_skip)" \
	awk -v a="$ppl8" -v b="$ppl_skip" 'BEGIN { exit !(b > a * 1.01) }'

# ---- bad input: one line, exit 1, model untouched -------------------------------
printf '\001\000\000\000\000\020\000\000' >"$WORK/bad.i32"   # ids 1 and 4096 (vocab 2048)
fails_with "ids out of vocabulary" 1 "outside \[0, 2048)" \
	"$LWQ" eval "$MODEL" --ids "$WORK/bad.i32" --seq-len 2 --windows 1
: >"$WORK/empty.txt"
fails_with "empty text" 1 "empty.txt: empty text" \
	"$LWQ" eval "$MODEL" --text "$WORK/empty.txt"
fails_with "fewer tokens than W x L says how many" 1 \
	"has 40960 tokens after offset 0, need 100 x 512 = 51200" \
	"$LWQ" eval "$MODEL" --ids "$IDS" --windows 100
fails_with "plan naming layers the model lacks" 1 "wide.json" \
	"$LWQ" eval "$MODEL" --plan "$WORK/wide.json" --ids "$IDS" $SMALL
fails_with "a text file is not a model" 1 "short.txt" \
	"$LWQ" eval "$WORK/short.txt" --ids "$IDS" $SMALL
fails_with "missing model file" 1 "nothere.h5" \
	"$LWQ" eval "$WORK/nothere.h5" --ids "$IDS" $SMALL
fails_with "--text and --ids together" 2 "exactly one of" \
	"$LWQ" eval "$MODEL" --ids "$IDS" --text "$WORK/short.txt"
fails_with "--seq-len 1 predicts nothing" 2 "seq-len" \
	"$LWQ" eval "$MODEL" --ids "$IDS" --seq-len 1
check "the model file is unchanged by every eval" unchanged

# ---- after capture: evaluation starts after the calibration tokens ----------------------
CAL="$WORK/cal.h5"
cp "$MODEL" "$CAL"
ok "capture [0, 128) of the ids" "$LWQ" --quiet capture "$CAL" --ids "$IDS" $SMALL
ok "eval of the same ids without --offset" "$LWQ" eval "$CAL" --ids "$IDS" $SMALL
check "... starts after the calibration tokens" \
	grep -q "^predictions  126 (2 windows of 64 tokens from offset 128)" "$WORK/out"
check "... and says so" grep -q "started at offset 128, after the calibration tokens \[0, 128)" "$WORK/err"
ok "eval with an --offset inside the calibration range" "$LWQ" eval "$CAL" --ids "$IDS" --offset 64 $SMALL
check "... warns about the overlap" \
	grep -q "warning: tokens \[64, 192) overlap the calibration tokens \[0, 128)" "$WORK/err"
ok "eval with an --offset past it" "$LWQ" eval "$CAL" --ids "$IDS" --offset 128 $SMALL
check "... no warning" test ! -s "$WORK/err"
head -c 40000 "$D/heldout.txt" >"$WORK/other.txt"
ok "eval of another file" "$LWQ" eval "$CAL" --text "$WORK/other.txt" $SMALL
check "... starts at 0" grep -q "from offset 0)" "$WORK/out"
# ---- progress on a terminal ------------------------------------------------------
# The line shows as soon as the work starts ("step 0/N"), not after the first window.
if command -v script >/dev/null 2>&1; then
	ok "eval on a terminal" script -qec "'$LWQ' eval '$MODEL' --ids '$IDS' $SMALL" /dev/null
	check "... shows its progress line before the first step is done" \
		grep -q "eval: step 0/[0-9]*, starting" "$WORK/out"
	cp "$CAL" "$WORK/measure.h5"
	ok "score --measure on a terminal" \
		script -qec "'$LWQ' score '$WORK/measure.h5' --measure --widths 2 --windows 1" /dev/null
	check "... shows its progress line before the first step is done" \
		grep -q "score: layer step 0/[0-9]*, starting" "$WORK/out"
fi
done_testing
