#!/bin/sh
# kld.sh: eval --kld / --score-from / --method gguf, score --measure and plan --optimize
# on the demo model, and their bad input (one line, exit 1 or 2, nothing written).
. "$TOP_SRCDIR/tests/cli/lib.sh"
demo_model
SMALL="--seq-len 64 --windows 2"
json_num() { sed -n "s/.*\"$1\": \([-0-9.e+]*\).*/\1/p" "$WORK/out"; }

cp "$MODEL" "$WORK/bare.h5"
ok "capture 2 short windows" "$LWQ" -q capture "$MODEL" --ids "$IDS" $SMALL
ok "score" "$LWQ" -q score "$MODEL" -g 32
ok "plan: 8 of 16 layers low by LIM" "$LWQ" -q plan "$MODEL" --high-layers 8 -g 32 \
	-o "$WORK/lim.json"

# ---- eval --kld -----------------------------------------------------------------
ok "eval --kld --json" "$LWQ" eval "$MODEL" --plan "$WORK/lim.json" --kld --json \
	--ids "$IDS" --offset 8192 $SMALL
kld=$(json_num kld); top1=$(json_num top1); ratio=$(json_num ppl_ratio)
ppl=$(json_num perplexity); base=$(json_num ppl_base)
check "KLD > 0 and same top in (0, 1) (kld $kld, top1 $top1)" \
	awk -v k="$kld" -v t="$top1" 'BEGIN { exit !(k > 0 && k < 5 && t > 0.3 && t < 1) }'
check "ppl_ratio = perplexity / ppl_base ($ratio)" \
	awk -v r="$ratio" -v p="$ppl" -v b="$base" 'BEGIN { d = r - p / b; exit !(d < 1e-6 && d > -1e-6) }'
check "JSON has every statistic" sh -c "for k in kld_stderr kld_median kld_p99 kld_p999 \
	kld_max top1_stderr delta_p delta_p_stderr ln_ppl_ratio; do \
	grep -q \"\\\"\$k\\\": \" '$WORK/out' || exit 1; done"
ok "unquantized eval" "$LWQ" eval "$MODEL" --ids "$IDS" --offset 8192 $SMALL --json
check "ppl_base equals the unquantized eval ($base)" \
	awk -v a="$base" -v b="$(json_num perplexity)" 'BEGIN { d = a / b - 1; exit !(d < 1e-5 && d > -1e-5) }'

ok "--score-from 32" "$LWQ" eval "$MODEL" --plan "$WORK/lim.json" --kld --json \
	--score-from 32 --ids "$IDS" --offset 8192 $SMALL
check "--score-from 32 scores positions 32..62: 2 x 31 predictions, llama-perplexity convention" \
	sh -c "grep -q '\"predictions\": 62,' '$WORK/out' &&
	       grep -q 'llama-perplexity (positions n/2..n-2)' '$WORK/out'"
ok "--method gguf" "$LWQ" eval "$MODEL" --plan "$WORK/lim.json" --method gguf --kld \
	--ids "$IDS" --offset 8192 $SMALL
check "text output names KLD, same top, method gguf" sh -c \
	"grep -q '^KLD  *mean' '$WORK/out' && grep -q '^same top' '$WORK/out' &&
	 grep -q '^method  *gguf' '$WORK/out'"

fails_with "--kld without a plan" 2 "give --plan" \
	"$LWQ" eval "$MODEL" --kld --ids "$IDS" $SMALL
fails_with "--score-from at the window length" 1 "score-from 63 leaves nothing" \
	"$LWQ" eval "$MODEL" --plan "$WORK/lim.json" --score-from 63 --ids "$IDS" $SMALL

# ---- score --measure, plan --optimize -------------------------------------------------
fails_with "--optimize without measurements names the command" 1 \
	"run: lwq score --measure" \
	"$LWQ" plan "$MODEL" --optimize --widths 2,3,4 --budget 3MB
ok "score --measure (1 window)" "$LWQ" -q score "$MODEL" --measure -g 32 --windows 1 --json
check "16 layers x 3 widths, KLD falls with bits in every layer" sh -c \
	"python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); L=d[\"layers\"];
assert len(L) == 16 and d[\"widths\"] == [2, 3, 4]
assert all(l[\"kld\"][0] > l[\"kld\"][1] > l[\"kld\"][2] > 0 for l in L)
assert set(d[\"spearman_with_measured\"]) == {\"lim\", \"zd\", \"zd-inverse\"}' '$WORK/out'"
ok "score shows the rank correlations" "$LWQ" score "$MODEL" -g 32
check "... with the measured order" grep -q "Spearman rank correlation with the measured" \
	"$WORK/out"
ok "score --force recomputes the other scores" "$LWQ" -q score "$MODEL" -g 16 --force
ok "plan --order measured (the table survived)" "$LWQ" plan "$MODEL" --order measured \
	--high-layers 8 -g 32
budget=$("$LWQ" plan "$MODEL" --high-layers 8 -g 32 | sed -n 's/^total: .* (\([0-9]*\) bytes).*/\1/p')
ok "plan --optimize at the LIM plan's size ($budget bytes)" "$LWQ" plan "$MODEL" --optimize \
	--widths 2,3,4 --budget "$budget" --json -o "$WORK/opt.json"
check "the optimal plan mixes widths and fits" sh -c \
	"grep -q '\"order\": \"optimal\"' '$WORK/opt.json' && grep -q '\"bits\": 3' '$WORK/opt.json'"
ok "eval the optimal plan" "$LWQ" eval "$MODEL" --plan "$WORK/opt.json" --kld --json \
	--ids "$IDS" --offset 8192 $SMALL
ok "--emit gptqmodel of a mixed plan" "$LWQ" plan "$MODEL" --optimize --budget "$budget" \
	--emit gptqmodel
check "... has per-layer widths 2, 3 and 4" sh -c \
	"grep -q '\"bits\": 3' '$WORK/out' && grep -q '\"bits\": 4' '$WORK/out'"
ok "--target gguf sizes" "$LWQ" plan "$MODEL" --optimize --budget 10MB --target gguf
check "... says so" grep -q "GGUF tensor bytes" "$WORK/out"
fails_with "a budget below the smallest plan gives the range" 1 "below the smallest plan: .* \.\. " \
	"$LWQ" plan "$MODEL" --optimize --budget 1MB
fails_with "a width that was not measured" 1 "width 8 was not measured" \
	"$LWQ" plan "$MODEL" --optimize --widths 2,8 --budget "$budget"
fails_with "a width the lwq format cannot store" 1 "width 5: the lwq format cannot store it" \
	"$LWQ" plan "$MODEL" --optimize --widths 2,5 --budget "$budget"
fails_with "a width the gguf format cannot store" 1 "width 7: the gguf format cannot store it" \
	"$LWQ" plan "$MODEL" --optimize --widths 2,7 --budget 10MB --target gguf
fails_with "measuring a width RTN cannot store" 1 "rtn stores 2, 3, 4 or 8 bits, not 6" \
	"$LWQ" score "$MODEL" --measure --widths 2,6 --windows 1
fails_with "a malformed width list" 2 "widths" \
	"$LWQ" plan "$MODEL" --optimize --widths 2,,3 --budget "$budget"
fails_with "--optimize with --high-layers" 2 "budget SIZE or --avg-bits" \
	"$LWQ" plan "$MODEL" --optimize --high-layers 3
fails_with "--measure without a capture" 1 "run: lwq capture" \
	"$LWQ" score "$WORK/bare.h5" --measure
ok "sweep --kld" "$LWQ" -q sweep "$MODEL" --ids "$IDS" --offset 8192 $SMALL --orders lim \
	--step 8 --kld -g 32 --csv
check "... three points with KLD rising from 4 bits to 2 bits" sh -c \
	"awk -F, 'NR > 1 { k[NR] = \$6 } END { exit !(NR == 4 && k[2] > 0 && k[2] < k[3] && k[3] < k[4]) }' '$WORK/out'"
need_kld() { h5dump -d /sweeps/lim/kld "$MODEL" | grep -q 'DATASPACE  SIMPLE { ( 3 )'; }
check "the stored curve has its kld array (3 points)" need_kld
fails_with "sweep --score-from past the window" 1 "leaves nothing" \
	"$LWQ" sweep "$MODEL" --ids "$IDS" $SMALL --score-from 70
rm -f "$WORK/none.json"
fails_with "nothing written on a bad budget" 1 "below" \
	"$LWQ" plan "$MODEL" --optimize --budget 1MB -o "$WORK/none.json"
check "... no plan file" test ! -e "$WORK/none.json"
done_testing
