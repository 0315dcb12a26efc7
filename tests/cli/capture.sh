#!/bin/sh
# capture.sh: lwq capture on the demo model: what /activations holds, replacing it, and
# bad input that must fail with one clear line and leave the model file untouched.
. "$TOP_SRCDIR/tests/cli/lib.sh"
demo_model
dims() { h5ls "$MODEL$1" | sed -n 's/.*Dataset {\(.*\)}$/\1/p'; }

# ---- bad input first: the fresh file must stay byte for byte the same ----------------
printf '\007\000\000\000\377\377\377\377' >"$WORK/bad.i32"   # ids 7 and -1
fails_with "ids out of vocabulary" 1 "outside \[0, 2048)" \
	"$LWQ" capture "$MODEL" --ids "$WORK/bad.i32" --seq-len 2 --windows 1
: >"$WORK/empty.txt"
fails_with "empty text" 1 "empty.txt: empty text" "$LWQ" capture "$MODEL" --text "$WORK/empty.txt"
head -c 2000 "$D/heldout.txt" >"$WORK/short.txt"
fails_with "default 16 x 512 needs more text than given, says how many" 1 \
	"short.txt: has [0-9]* tokens after offset 0, need 16 x 512 = 8192" \
	"$LWQ" capture "$MODEL" --text "$WORK/short.txt"
fails_with "offset past the end" 1 "has 0 tokens after offset 50000" \
	"$LWQ" capture "$MODEL" --ids "$IDS" --offset 50000 $SMALL
fails_with "bad --keep-streams" 2 "keep-streams" \
	"$LWQ" capture "$MODEL" --ids "$IDS" --keep-streams some
fails_with "ids file with a partial int32" 1 "multiple of 4" \
	sh -c "head -c 6 '$IDS' >'$WORK/odd.i32'; exec \"\$LWQ\" capture '$MODEL' --ids '$WORK/odd.i32' --seq-len 2 --windows 1"
check "the model file is unchanged by every failed capture" unchanged

# ---- a small capture -------------------------------------------------------------------
ok "capture 2 windows of 64, 16 streams kept" \
	"$LWQ" capture "$MODEL" --ids "$IDS" $SMALL --keep-streams 16
check "one line says what to run next (score)" \
	grep -q "^lwq: capture: next: lwq score $MODEL" "$WORK/err"
check "prints the bytes the streams take (17 x 16 x 128 f16 = 68.00 KiB)" \
	grep -q "^streams: 16 token positions x 17 boundaries x 128 values as f16 = 68.00 KiB" "$WORK/out"
check "cos is [16 layers, 128 tokens]" [ "$(dims /activations/cos)" = "16, 128" ]
check "streams are [17, 16, 128]" [ "$(dims /activations/streams)" = "17, 16, 128" ]
check "stream token positions and ids stored" sh -c \
	"[ \"\$(h5ls '$MODEL/activations/stream_tokens' | sed 's/.*{//')\" = '16}' ] &&
	 [ \"\$(h5ls '$MODEL/activations/tokens' | sed 's/.*{//')\" = '128}' ]"
check "input_sq for every layer and site" sh -c \
	"[ \$(h5ls -r '$MODEL/activations/input_sq' | grep -c Dataset) -eq 64 ] &&
	 h5ls '$MODEL/activations/input_sq/015/down' | grep -q '{352}'"
check "attrs windows, seq_len, offset, n_tokens, source" sh -c \
	"h5dump -A -g /activations '$MODEL' >'$WORK/attrs' &&
	 for a in windows seq_len offset n_tokens source; do grep -q \"ATTRIBUTE \\\"\$a\\\"\" '$WORK/attrs' || exit 1; done"
check "LIM per layer listed" grep -q "^   15  *0\.[0-9]*  *-0\.[0-9]*$" "$WORK/out"

SUM=$(cksum <"$MODEL")
fails_with "second capture without --force" 1 "already holds /activations" \
	"$LWQ" capture "$MODEL" --ids "$IDS" $SMALL
check "... leaves the file as it was" unchanged
ok "--force replaces them (--keep-streams none)" \
	"$LWQ" capture "$MODEL" --ids "$IDS" --seq-len 32 --windows 3 --keep-streams none --force
check "new cos is [16, 96]" [ "$(dims /activations/cos)" = "16, 96" ]
check "no streams stored with none" sh -c "! h5ls '$MODEL/activations/streams' >/dev/null 2>&1"
check "no temporary group left" sh -c "! h5ls '$MODEL' | grep -q incomplete"
done_testing
