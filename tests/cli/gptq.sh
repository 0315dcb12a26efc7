#!/bin/sh
# gptq.sh: --method gptq on the demo model: calibration from capture or --calib-ids, GPTQ
# beats RTN at 2 bits, the lwq export stores exactly what eval ran, and bad input fails
# with one line and leaves nothing behind.
. "$TOP_SRCDIR/tests/cli/lib.sh"
demo_model

ALL2="$WORK/all2.json"
ok "a plan with every layer at 2 bits, groups of 32" "$LWQ" plan "$MODEL" --high-layers 0 \
	--order zd --low 2 --high 4 --group-size 32 -o "$ALL2"
SUM=$(cksum <"$MODEL")     # plan -o records the plan in the model file
EVAL="--ids $IDS --offset 8192 --seq-len 128 --windows 2"

# ---- no calibration ---------------------------------------------------------------
fails_with "eval --method gptq before any capture" 1 "no calibration tokens for GPTQ: run lwq capture" \
	"$LWQ" eval "$MODEL" --plan "$ALL2" --method gptq $EVAL
mkdir "$WORK/outdir"
fails_with "export --method gptq before any capture" 1 "run lwq capture" \
	"$LWQ" export "$MODEL" --plan "$ALL2" --method gptq -o "$WORK/outdir/none.h5"
check "... leaves nothing in the output directory" sh -c "[ -z \"\$(ls -A '$WORK/outdir')\" ]"
check "model file unchanged" unchanged

# ---- options ------------------------------------------------------------------------
fails_with "--method other" 2 "--method must be rtn, gguf, gptq or gguf-gptq, not 'other'" \
	"$LWQ" eval "$MODEL" --plan "$ALL2" --method other $EVAL
fails_with "--damp 1.5" 2 "--damp must be a fraction in \[0, 1\], not 1.5" \
	"$LWQ" eval "$MODEL" --plan "$ALL2" --method gptq --damp 1.5 $EVAL
fails_with "--damp without --method gptq" 2 "are for --method gptq" \
	"$LWQ" eval "$MODEL" --plan "$ALL2" --damp 0.1 $EVAL
fails_with "--calib-text and --calib-ids together" 2 "not both" \
	"$LWQ" eval "$MODEL" --plan "$ALL2" --method gptq --calib-ids "$IDS" \
	--calib-text "$D/heldout.txt" $EVAL
fails_with "export --format lwq --method gguf-gptq" 2 "is for --format gguf" \
	"$LWQ" export "$MODEL" --plan "$ALL2" --method gguf-gptq -o "$WORK/x.h5"

# ---- too few calibration tokens: a warning with the count --------------------------
ok "capture 1 window of 64 tokens" "$LWQ" --quiet capture "$MODEL" --ids "$IDS" --windows 1 \
	--seq-len 64 --keep-streams none
ok "eval --method gptq on 64 calibration tokens" "$LWQ" eval "$MODEL" --plan "$ALL2" \
	--method gptq $EVAL
check "... warns: 64 tokens, fewer than the 352 inputs of down" \
	grep -q "warning: 64 calibration tokens are fewer than the 352 inputs of the widest linear (down): its Hessian is singular.*at least 3520 tokens$" "$WORK/err"

# ---- the real thing -----------------------------------------------------------------
ok "capture 2 windows of 512" "$LWQ" --quiet capture "$MODEL" --ids "$IDS" --windows 2 \
	--seq-len 512 --keep-streams none --force
ok "eval, RTN at 2 bits" "$LWQ" eval "$MODEL" --plan "$ALL2" $EVAL
rtn=$(sed -n 's/^perplexity  *//p' "$WORK/out")
ok "eval, GPTQ at 2 bits" "$LWQ" eval "$MODEL" --plan "$ALL2" --method gptq $EVAL
gptq=$(sed -n 's/^perplexity  *//p' "$WORK/out")
check "... warns: 1024 tokens, fewer than 10 per input of down" grep -q "warning: 1024 calibration tokens are fewer than 10 per input of the widest linear (down, 352 inputs): its Hessian is a noisy estimate and GPTQ can do worse than RTN; calibrate on at least 3520 tokens$" "$WORK/err"
check "... says the method" grep -q -E "^method +gptq$" "$WORK/out"
ok "eval --method gptq --json" "$LWQ" eval "$MODEL" --plan "$ALL2" --method gptq $EVAL --json
check "... gptq_layers: 16 layers at 2 bits with seconds and peak memory" python3 -c "
import json, sys
d = json.load(open('$WORK/out'))
L = d['gptq_layers']
assert d['method'] == 'gptq' and [x['layer'] for x in L] == list(range(16))
assert all(x['bits'] == 2 and x['seconds'] > 0 and x['peak_rss_bytes'] > 1e6 for x in L)
assert abs(d['perplexity'] - $gptq) < 1e-3 * $gptq
"
check "GPTQ beats RTN by more than 10% at 2 bits ($rtn -> $gptq)" \
	awk -v r="$rtn" -v g="$gptq" 'BEGIN { exit !(g < 0.9 * r) }'

ok "export --method gptq" "$LWQ" --quiet export "$MODEL" --plan "$ALL2" --method gptq \
	-o "$WORK/gptq.h5"
ok "eval of the export" "$LWQ" eval "$WORK/gptq.h5" $EVAL
exported=$(sed -n 's/^perplexity  *//p' "$WORK/out")
check "the export evaluates exactly as eval --method gptq ($gptq = $exported)" \
	[ "$gptq" = "$exported" ]
ok "info --json of the export" "$LWQ" info "$WORK/gptq.h5" --json
check "... records the quantizer gptq" grep -q '"quantizer": "gptq"' "$WORK/out"

head -c 16384 "$IDS" >"$WORK/calib.i32"
ok "eval --calib-ids (8 windows of 512 tokens)" "$LWQ" eval "$MODEL" --plan "$ALL2" \
	--method gptq --calib-ids "$WORK/calib.i32" $EVAL
calib=$(sed -n 's/^perplexity  *//p' "$WORK/out")
check "... no warning with 4096 calibration tokens" sh -c "! grep -q warning '$WORK/err'"
check "other calibration, other result, still better than RTN ($calib)" \
	awk -v r="$rtn" -v g="$gptq" -v c="$calib" 'BEGIN { exit !(c != g && c < r) }'
ok "eval --method gptq --act-order --damp 0.05" "$LWQ" eval "$MODEL" --plan "$ALL2" \
	--method gptq --act-order --damp 0.05 $EVAL
act=$(sed -n 's/^perplexity  *//p' "$WORK/out")
check "act-order runs and beats RTN ($act)" awk -v r="$rtn" -v a="$act" 'BEGIN { exit !(a < r) }'

# ---- sweep: curves per method ---------------------------------------------------------
ok "sweep --method gptq" "$LWQ" --quiet sweep "$MODEL" --ids "$IDS" --offset 8192 --seq-len 128 \
	--windows 2 --orders zd --step 8 --group-size 32 --method gptq --json
check "... says the method in JSON" grep -q '"method": "gptq"' "$WORK/out"
gptq16=$(tr -d '\n ' <"$WORK/out" | sed 's/.*"n_low":16,"avg_bits":[0-9.]*,"bytes":[0-9]*,"ppl":\([0-9.]*\).*/\1/')
check "the all-2-bit point is eval --method gptq's perplexity ($gptq16 vs $gptq)" \
	awk -v a="$gptq16" -v b="$gptq" 'BEGIN { d = a - b; exit !(d < 1e-3 * b && d > -1e-3 * b) }'
ok "sweep (RTN) of the same order" "$LWQ" --quiet sweep "$MODEL" --ids "$IDS" --offset 8192 \
	--seq-len 128 --windows 2 --orders zd --step 8 --group-size 32
ok "both curves are stored side by side" h5ls "$MODEL/sweeps"
check "... as zd and zd@gptq" sh -c "grep -q '^zd  *Group' '$WORK/out' && grep -q '^zd@gptq  *Group' '$WORK/out'"
ok "the GPTQ curve records its method" h5dump -a /sweeps/zd@gptq/method "$MODEL"
check "... gptq" grep -q '"gptq"' "$WORK/out"

done_testing
