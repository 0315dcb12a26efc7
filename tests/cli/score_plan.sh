#!/bin/sh
# score_plan.sh: lwq score, plan and sweep on the real 16-layer demo model.
. "$TOP_SRCDIR/tests/cli/lib.sh"
need_shared

DEMO="$SHARED_DATA/models/lwq-demo-16L"
M="$WORK/demo.h5"
IDS="$DEMO/heldout.ids.i32"
"$LWQ" -q import "$DEMO" -o "$M" >/dev/null 2>&1 || { echo "Bail out! import failed"; exit 1; }

# ---- score without activations: ZD and RTN errors, no LIM ----
ok "score without activations" sh -c '"$LWQ" score "$1" >"$2/score.txt"' _ "$M" "$WORK"
check "... then one line says what to run next (capture, or plan by ZD)" \
	grep -q "^lwq: score: next: lwq capture $M --text FILE for LIM, or plan by ZD" "$WORK/err"
check "score says LIM needs capture" grep -q "LIM unavailable.*lwq capture" "$WORK/score.txt"
check "score reports the 2-bit layer size (67.50 KiB)" grep -q "2-bit 67.50 KiB" "$WORK/score.txt"
ok "second score reads the cache" sh -c '"$LWQ" score "$1" | grep -q "scores cached"' _ "$M"
ok "score --csv" sh -c '"$LWQ" score --csv "$1" >"$2/score.csv"' _ "$M" "$WORK"
check "csv header" grep -qx "layer,params,lim,zd,rank_lim,rank_zd,err_2,err_3,err_4,err_8,werr_2,werr_3,werr_4,werr_8,bytes_2,bytes_3,bytes_4,bytes_8" "$WORK/score.csv"
check "csv has 16 layer rows, empty LIM, 184320 params" \
	test "$(awk -F, 'NR > 1 && $2 == 184320 && $3 == "" && $15 == 69120' "$WORK/score.csv" | wc -l)" -eq 16
check "RTN error falls with bits on every layer" \
	test "$(awk -F, 'NR > 1 && $7 > $8 && $8 > $9 && $9 > $10 && $10 > 0' "$WORK/score.csv" | wc -l)" -eq 16
ok "score --json" sh -c '"$LWQ" score --json "$1" >"$2/score.json"' _ "$M" "$WORK"
check "json has null LIM and per-tensor errors" sh -c \
	'grep -q "\"lim\": null" "$1" && grep -q "\"rtn_err_tensor\"" "$1" && grep -q "\"cached\": true" "$1"' _ "$WORK/score.json"
fails_with "group size 128 does not divide 352" 1 "group size 128 does not divide the row length 352 of down" \
	"$LWQ" score --group-size 128 "$M"
ok "score --group-size 16 recomputes" sh -c '"$LWQ" score -g 16 "$1" | grep -q "computed (group size 16)"' _ "$M"
# bf16 weights reach the layer ZD through a histogram of their 16-bit words, f32 weights
# through a second read of every tensor: the same values must give the same scores.
"$LWQ" -q import "$DEMO" --dtype f32 -o "$WORK/demo-f32.h5" >/dev/null 2>&1
ok "bf16 and the same weights as f32 score alike (ZD, per tensor, RTN errors)" sh -c \
	'"$LWQ" -q score -g 16 --force --json "$1" >"$3/bf16.json" &&
	 "$LWQ" -q score -g 16 --force --json "$2" >"$3/f32.json" &&
	 grep -q "\"zd_tensor\"" "$3/f32.json" && cmp "$3/bf16.json" "$3/f32.json"' \
	_ "$M" "$WORK/demo-f32.h5" "$WORK"
ok "scores on one thread are the scores of two" sh -c \
	'OPENBLAS_NUM_THREADS=1 "$LWQ" -q score -g 16 --force --json "$1" >"$2/one.json" &&
	 OPENBLAS_NUM_THREADS=2 "$LWQ" -q score -g 16 --force --json "$1" >"$2/two.json" &&
	 cmp "$2/one.json" "$2/two.json"' _ "$M" "$WORK"
fails_with "score --json --csv" 2 "exclusive" "$LWQ" score --json --csv "$M"
fails_with "score on a missing file" 1 "lwq: score: " "$LWQ" score "$WORK/none.h5"

# ---- plan without activations ----
fails_with "plan without activations needs --order" 1 "no activations.*--order" \
	"$LWQ" plan "$M" --budget 2.4MiB
fails_with "plan --order lim without activations" 1 "order lim needs LIM scores.*lwq capture" \
	"$LWQ" plan "$M" --budget 2.4MiB --order lim
ok "plan --order zd" sh -c '"$LWQ" plan "$1" --order zd --budget 2.4MiB >"$2/plan.txt"' _ "$M" "$WORK"
# M_lo = 2162944 bytes (16 x 69120 + fixed 1057024), L_hi - L_lo = 46080: 2.4 MiB -> 7 high
check "2.4MiB: 7 of 16 high" grep -q "7 of 16 layers at 4 bits" "$WORK/plan.txt"
check "range in bytes" grep -q "M_lo, 2162944 bytes.*M_hi, 2900224 bytes" "$WORK/plan.txt"
ok "budget exactly M_lo: no high layer" sh -c \
	'"$LWQ" plan "$1" --order zd --budget 2162944 | grep -q "0 of 16 layers at 4 bits"' _ "$M"
ok "budget exactly M_hi: every layer high" sh -c \
	'"$LWQ" plan "$1" --order zd --budget 2900224 | grep -q "16 of 16 layers at 4 bits"' _ "$M"
fails_with "one byte below M_lo: bytes where MiB would look equal" 1 \
	"budget 2162943 bytes (2.06 MiB) is below the smallest plan, 2162944 bytes (2.06 MiB) (every layer at 2 bits; all-high is 2.77 MiB)" \
	"$LWQ" plan "$M" --order zd --budget 2162943 -o "$WORK/low.json"
check "no plan file left behind" test ! -e "$WORK/low.json"
ok "budget above M_hi: capped at all-high" "$LWQ" plan "$M" --order zd --budget 3MiB
check "... the plan is all-high" grep -q "16 of 16 layers at 4 bits" "$WORK/out"
check "... with one note naming the all-high size" sh -c "[ \$(wc -l <'$WORK/err') -eq 1 ] &&
	grep -q 'note: budget 3MiB is more than all-high needs: every layer at 4 bits fits at 2900224 bytes (2.77 MiB)' '$WORK/err'"
ok "--avg-bits between two layer counts" "$LWQ" plan "$M" --order zd --avg-bits 3.3
check "... says what it rounded down to" grep -q "note: --avg-bits 3.3 gives 3.25 average bits" "$WORK/err"
ok "--avg-bits met exactly" "$LWQ" plan "$M" --order zd --avg-bits 3
check "... no note" test ! -s "$WORK/err"
fails_with "bad size" 2 "--budget must be a size such as 3.2MiB, 850MB or 1e9, not '12 parsecs'" "$LWQ" plan "$M" --order zd --budget "12 parsecs"
fails_with "two modes" 2 "only one of" "$LWQ" plan "$M" --budget 2MiB --avg-bits 3
fails_with "no mode" 2 "give --budget" "$LWQ" plan "$M" --order zd
fails_with "average out of range" 1 "average of 4.5 bits is outside the feasible range 2 .. 4 bits" \
	"$LWQ" plan "$M" --order zd --avg-bits 4.5
fails_with "unknown order" 1 "unknown order 'lmi'" "$LWQ" plan "$M" --order lmi --avg-bits 3
fails_with "pin outside the model" 1 "--pin 16: the model has 16 layers" \
	"$LWQ" plan "$M" --order zd --avg-bits 3 --pin 16=hi
ok "random order, 3.75 bits -> 14 high" sh -c \
	'"$LWQ" plan "$1" --order random:5 --avg-bits 3.75 | grep -q "14 of 16 layers at 4 bits"' _ "$M"
printf '15,14,13,12,11,10,9,8\n7 6 5 4 3 2 1 0\n' >"$WORK/order.txt"
ok "order file: 2 high = layers 15 and 14" sh -c \
	'"$LWQ" plan "$1" --order "file:$2" --high-layers 2 | grep -q "^4-bit layers (2): 14 15$"' _ "$M" "$WORK/order.txt"
printf '15,14\n' >"$WORK/short.txt"
fails_with "incomplete order file" 1 "short.txt: layer 0 is missing" \
	"$LWQ" plan "$M" --order "file:$WORK/short.txt" --high-layers 2

# ---- capture a little, then LIM ----
if "$LWQ" -q capture "$M" --ids "$IDS" --windows 2 --seq-len 64 >/dev/null 2>&1; then
	ok "score after capture has LIM" sh -c '"$LWQ" score --csv "$1" >"$2/score2.csv"' _ "$M" "$WORK"
	check "LIM and weighted errors filled, LIM in [-1, 1]" \
		test "$(awk -F, 'NR > 1 && $3 != "" && $3 >= -1 && $3 <= 1 && $11 != ""' "$WORK/score2.csv" | wc -l)" -eq 16
	check "LIM ranks are a permutation of 1..16" \
		test "$(awk -F, 'NR > 1 { print $5 }' "$WORK/score2.csv" | sort -n | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 "
	# the most important layers by LIM are the high ones
	top4=$(awk -F, 'NR > 1 && $5 <= 4 { print $1 }' "$WORK/score2.csv" | sort -n | tr '\n' ' ')
	ok "plan defaults to lim; high layers = LIM top 4" sh -c \
		'"$LWQ" plan "$1" --high-layers 4 | grep -q "^4-bit layers (4): $2$"' _ "$M" "${top4% }"
	ok "plan -o writes a plan file" "$LWQ" plan "$M" --avg-bits 3 -o "$WORK/p.json"
	check "plan file names its format and 8 high layers" sh -c \
		'grep -q "\"format\": \"lwq-plan\"" "$1" && grep -q "\"n_high\": 8" "$1"' _ "$WORK/p.json"
	fails_with "existing plan file without --force" 1 "already exists" \
		"$LWQ" plan "$M" --avg-bits 3 -o "$WORK/p.json"
	ok "--force overwrites" "$LWQ" plan "$M" --avg-bits 2.5 -o "$WORK/p.json" --force
	ok "--from reads it back" sh -c \
		'"$LWQ" plan "$1" --from "$2" | grep -q "4 of 16 layers at 4 bits"' _ "$M" "$WORK/p.json"
	ok "--from --json reproduces the file" sh -c \
		'"$LWQ" plan "$1" --from "$2" --json | cmp -s - "$2"' _ "$M" "$WORK/p.json"
	ok "three levels with pins" sh -c '"$LWQ" plan "$1" --budget 3MiB --levels 3 --pin 0=lo --pin 5=mid >"$2/p3.txt"' _ "$M" "$WORK"
	check "three-level plan lists 8-bit layers" grep -q "^8-bit layers" "$WORK/p3.txt"
	check "... and the pinned layers" grep -qx "pinned (2): 0 5" "$WORK/p3.txt"
	ok "a plan file with pins" "$LWQ" plan "$M" --avg-bits 3 --pin 2=hi --pin 7=lo -o "$WORK/pins.json"
	check "... lists them" sh -c "tr -d ' \n' <'$WORK/pins.json' | grep -q '\"pins\":\[2,7\],\"layers\"'"
	ok "--from a plan with pins says which" sh -c \
		'"$LWQ" plan "$1" --from "$2" | grep -qx "pinned (2): 2 7"' _ "$M" "$WORK/pins.json"
	ok "... and --json reproduces the file" sh -c \
		'"$LWQ" plan "$1" --from "$2" --json | cmp -s - "$2"' _ "$M" "$WORK/pins.json"
	ok "prune order drops layers to 0 bits" sh -c \
		'"$LWQ" plan "$1" --order prune --high-layers 12 --csv | grep -c ",0,[0-9]*,0$" | grep -qx 4' _ "$M"
	ok "--emit llama-quantize" "$LWQ" plan "$M" --avg-bits 3 --emit llama-quantize
	fails_with "--emit unknown format" 1 "lwq: plan: " "$LWQ" plan "$M" --avg-bits 3 --emit frob

	# ---- bad plan files ----
	sed 's/"n_layers": 16/"n_layers": 32/' "$WORK/p.json" >"$WORK/bad.json"
	fails_with "plan for another layer count" 1 "bad.json: plan has 32 layers, model has 16" \
		"$LWQ" plan "$M" --from "$WORK/bad.json"
	sed 's/"layer": 15,/"layer": 16,/' "$WORK/p.json" >"$WORK/bad.json"
	fails_with "layer outside the model" 1 "bad.json: layer 16 is outside the model (16 layers)" \
		"$LWQ" plan "$M" --from "$WORK/bad.json"
	sed 's/"layer": 3, "bits": [0-9]/"layer": 3, "bits": 5/' "$WORK/p.json" >"$WORK/bad.json"
	fails_with "unsupported bits" 1 "bad.json: layers\[3\]: \"bits\" is 5 bits" \
		"$LWQ" plan "$M" --from "$WORK/bad.json"
	sed 's/"group_size": 32/"group_size": 64/' "$WORK/p.json" >"$WORK/bad.json"
	fails_with "group size not dividing the rows" 1 "group size 64 does not divide the row length 352 of down" \
		"$LWQ" plan "$M" --from "$WORK/bad.json"
	sed 's/lwq-plan/lwq-model/' "$WORK/p.json" >"$WORK/bad.json"
	fails_with "wrong format" 1 "not an lwq plan" "$LWQ" plan "$M" --from "$WORK/bad.json"
	head -c 100 "$WORK/p.json" >"$WORK/bad.json"
	fails_with "truncated JSON" 1 "bad.json: not valid JSON" "$LWQ" plan "$M" --from "$WORK/bad.json"

	# ---- a tiny sweep ----
	ok "sweep, 2 orders, step 8" sh -c '"$LWQ" sweep "$1" --ids "$2" --offset 4096 --windows 1 \
		--seq-len 32 --step 8 --orders lim,zd --csv >"$3/sweep.csv"' _ "$M" "$IDS" "$WORK"
	check "sweep csv: header and 2 x 3 points" test "$(wc -l <"$WORK/sweep.csv")" -eq 7
	check "n_low 0 is the same plan and perplexity for both orders" \
		test "$(awk -F, '$2 == 0 { print $5 }' "$WORK/sweep.csv" | sort -u | wc -l)" -eq 1
	check "all-low point is the same for both orders" \
		test "$(awk -F, '$2 == 16 { print $3, $5 }' "$WORK/sweep.csv" | sort -u | wc -l)" -eq 1
	check "avg bits 4, 3, 2 at n_low 0, 8, 16" \
		test "$(awk -F, '$1 == "lim" { printf "%s ", $3 }' "$WORK/sweep.csv")" = "4 3 2 "
	ok "sweep curves stored in the model file" sh -c \
		'h5ls -r "$1" | grep -q "^/sweeps/zd/ppl"' _ "$M"
	# Resuming from kept residual streams must not change a single bit: step 1 makes
	# consecutive plans differ in one layer, so most evaluations resume mid-model. A
	# stream here is 4 x 64 x 128 floats: 1 MiB keeps 7 of the 15 boundaries.
	for mib in 0 1 512; do
		"$LWQ" --quiet sweep "$M" --ids "$IDS" --offset 4096 --windows 4 --seq-len 64 \
			--orders zd,lim,random:3 --cache-mib $mib --json \
			| grep -v '"source"' >"$WORK/sweep-$mib.json"
	done
	check "sweep results are identical with no, a 1 MiB and a 512 MiB stream cache" sh -c \
		"[ -s '$WORK/sweep-0.json' ] && grep -q '\"ppl\"' '$WORK/sweep-0.json' &&
		 cmp -s '$WORK/sweep-0.json' '$WORK/sweep-1.json' &&
		 cmp -s '$WORK/sweep-0.json' '$WORK/sweep-512.json'"
	# A long sweep measures on a read-only handle: others can read the file meanwhile,
	# and killing it leaves the file openable (not marked as in use by a writer).
	"$LWQ" --quiet sweep "$M" --ids "$IDS" --windows 8 --seq-len 256 --orders lim,zd \
		>/dev/null 2>&1 &
	sweep_pid=$!
	sleep 1
	check "the long sweep is still running" kill -0 "$sweep_pid"
	ok "lwq info reads the file while the sweep runs" "$LWQ" info "$M"
	kill -KILL "$sweep_pid"
	wait "$sweep_pid" 2>/dev/null
	ok "a sweep killed with SIGKILL leaves the file openable for writing" \
		"$LWQ" plan "$M" --high-layers 4 -o "$WORK/after-kill.json"
	fails_with "sweep with an unknown order fails before evaluating" 1 "unknown order 'frob'" \
		"$LWQ" sweep "$M" --ids "$IDS" --windows 1 --seq-len 32 --orders lim,frob
	fails_with "sweep without tokens" 2 "exactly one of --text" "$LWQ" sweep "$M"
else
	echo "# capture is not available yet: LIM, plan file and sweep cases skipped"
fi
done_testing
