#!/bin/sh
# fit.sh: every text of the explorer whole at 80x24, in every state (the demo with all its
# data, pins, orders, pairs, methods, the prompts and their errors, exports, a model
# without activations, one of 24 layers, a terminal too small); the selected layer in
# detail on a tall terminal; a plan exported with pins equal to lwq plan --pin's.
. "$TOP_SRCDIR/tests/cli/lib.sh"
. "$TOP_SRCDIR/tests/tui/lib.sh"

# shows PATTERN...: the screen shows each (a whole line or what ends at the curve's
# border), waiting for the first
shows() {
	wait_for "$1" || return 1
	for p; do
		grep -q -- "$p" "$WORK/screen" || { echo "#   missing: $p"; return 1; }
	done
}
# Left of the curve (55 columns at 80) a line is whole when the border follows blanks or
# the text's own last character: the pattern with " *│" after it.
B=' *│'
NUM='[-0-9.e]*'
# until_order NAME: presses o until the prediction line names the order
until_order() {
	for i in 1 2 3 4 5 6 7 8 9; do
		screen | grep -q "^order $1 " && return 0
		keys o
		sleep 0.3
	done
	return 1
}

cp "$TOP_SRCDIR/data/demo.h5" "$WORK/demo.h5"
start 80 24 "$LWQ explore demo.h5"
check "demo: the plan's numbers whole" \
	shows "^[0-9.]* MiB  [0-9.]* bits  8/16 high (4-bit)  plan [0-9.]* MiB$B"
check "demo: order, pair and predicted perplexity whole" \
	shows "^order lim 4/2  ppl ~ $NUM (sweep, rtn)$B"
check "demo: the selected cell with its rank in the order" \
	shows "^L000 LIM = $NUM  lim rank 1 of 16 (most important)│"
check "demo: status line with the hints" \
	shows "^ lwq-demo-16L | 16 layers | 3.48M params | plan total [0-9.]* MiB *?:help q:quit *\$"
keys H j L
check "two pins: counted on the prediction line" \
	shows "^order lim 4/2  ppl ~ $NUM (sweep, rtn)  2 pinned$B" "layer 1 pinned low"
check "the cell line of layer 1" shows "^L001 LIM = $NUM  lim rank [0-9]* of 16$B"
until_order reverse-lim
check "order reverse-lim: whole, the pins still counted" \
	shows "^order reverse-lim 4/2  ppl ~ $NUM (rtn)  2 pinned$B"
keys p p
check "8/4/2: counts and 'no rtn sweep' whole" \
	shows "^[0-9.]* MiB  [0-9.]* bits  [0-9]*@8 [0-9]*@4 [0-9]*@2  plan [0-9.]* MiB$B" \
	      "^order reverse-lim 8/4/2  no rtn sweep  2 pinned$B"
keys m
check "m: the method message whole" \
	shows "^method: only rtn sweeps stored (lwq sweep --method gptq adds another) *\$"
keys p
check "pair 4/2 again" shows "^order reverse-lim 4/2  ppl"
until_order lim
check "order lim again" shows "^order lim 4/2  ppl"
keys b
check "budget prompt whole" shows "^Budget (3.5GiB, 850MB, or 3.25 bits): *\$"
keys lots Enter
check "a bad budget: the error whole above the prompt" \
	shows "^budget: 'lots' is not a size (3.5GiB, 850MB) or average bits (3.25) *\$"
keys Escape b 9GiB Enter
check "a budget above all-high: the note whole" \
	shows "^budget 9.00 GiB: fits at all-high, [0-9.]* MiB (every layer 4-bit); capped *\$"
keys j k
check "all-high: the curve's axis label whole" shows "4 bits│\$"
keys b 1MB Enter
check "a budget below all-low: the error whole" \
	shows "^budget 976.56 KiB is below the smallest plan (all 2-bit, [0-9.]* MiB) *\$"
keys Escape e C-u pinned.json Enter
check "export: the result whole" shows "^wrote pinned.json$B"
keys x
check "export model: the prompt whole" shows "^Quantized model file: demo-[0-9.]*bit-q.h5 *\$"
keys Escape q
check "quits" wait_for "EXIT=0"
check "no sanitizer reports" clean_stderr

# The plan on screen is lwq plan's with the same pins, budget and order: byte for byte.
bytes=$(grep '"bytes"' "$WORK/pinned.json" | grep -o '[0-9]*')
ok "lwq plan with the explorer's pins and budget" \
	"$LWQ" plan "$WORK/demo.h5" --budget "$bytes" --pin 0=hi --pin 1=lo -o "$WORK/cli.json"
check "the explorer's plan file equals lwq plan's" cmp "$WORK/pinned.json" "$WORK/cli.json"
check "... and lists the pins" grep -q '"pins": \[' "$WORK/pinned.json"

start 30 8 "$LWQ explore demo.h5"
whole_notice() {
	wait_for "needs" >/dev/null && tr '\n' ' ' <"$WORK/screen" | tr -s ' ' |
		grep -q 'terminal too small (30x8): lwq needs 50x12'
}
check "30x8: the too-small notice whole, wrapped at spaces" whole_notice
T resize-window -t tui -x 50 -y 12
check "50x12: the status line keeps the whole name" shows "^ lwq-demo-16L | plan "
keys q

# ---- tall terminals: the selected layer in detail ------------------------------------
start 80 50 "$LWQ explore demo.h5"
"$LWQ" score "$WORK/demo.h5" --csv 2>/dev/null | awk -F, 'NR == 3 {
	printf "%.6g %.6g %.6g %.6g %d\n", $3, $4, $7, $9, $17 }' >"$WORK/layer1"
read -r lim zd err2 err4 bytes4 <"$WORK/layer1"
keys j
check "80x50: the selected layer's plan line" \
	shows "^Layer 1: [24]-bit in the plan, [0-9.]* KiB$B"
check "80x50: the layer's sizes at the pair's widths" \
	shows "^size 2-bit [0-9.]* KiB, 4-bit $(awk -v b="$bytes4" 'BEGIN { printf "%.2f", b / 1024 }') KiB$B"
check "80x50: LIM as lwq score has it ($lim), ranked by value" \
	shows "^LIM  *$lim  *[0-9]*[a-z][a-z] largest of 16$B"
check "80x50: ZD ($zd) and the RTN errors ($err2, $err4)" \
	shows "^ZD  *$zd  *[0-9]*[a-z][a-z] largest of 16$B" "^RTN error 2-bit  *$err2 " \
	      "^RTN error 4-bit  *$err4 "
check "80x50: ZD per tensor on two lines" shows "^ZD  q 0\.[0-9]* k 0\.[0-9]* v " "^    g 0\.[0-9]* u "
check "80x50: per-token LIM spread" shows "^per-token LIM mean $NUM, from $NUM to $NUM$B"
keys q
check "quits" wait_for "EXIT=0"
# Three widths, and measured KL divergences (the synthetic model has them): lists that
# do not fit wrap between their entries.
start 80 50 "$LWQ explore --synthetic 16"
check "80x50 synthetic: measured KLD of the layer, wrapped between widths" \
	shows "^measured KLD 2-bit $NUM, 3-bit $NUM,$B" "^    4-bit $NUM, 8-bit $NUM$B"
keys p p
check "80x50, 8/4/2: the sizes at three widths wrapped between widths" \
	shows "^size 2-bit [0-9.]* KiB, 4-bit [0-9.]* KiB,$B" "^    8-bit [0-9.]* KiB$B"
keys q
check "quits" wait_for "EXIT=0"

# ---- the real models: without activations, and 24 layers ------------------------------
need_shared
ok "import the demo model" "$LWQ" --quiet import "$SHARED_DATA/models/lwq-demo-16L" -o "$WORK/bare.h5"
start 80 24 "$LWQ explore bare.h5"
check "no activations: the cell's hint whole" \
	shows "^L000 LIM: no data (run lwq capture, then lwq score)$B"
check "no activations: what to run, whole" \
	shows "^missing scores (lwq score), activations (lwq capture), sweeps (lwq sweep) *\$"
check "no sweeps: the prediction line whole" shows "^order random:1 4/2  no sweeps: lwq sweep$B"
keys o
check "an order without its scores: what to run, whole" \
	shows "^order [a-z-]* needs scores: run lwq capture, then lwq score *\$"
keys q
start 80 40 "$LWQ explore bare.h5"
check "80x40: the missing list wraps at the slider's width" \
	shows "^missing scores (lwq score), activations (lwq capture),$B" "^sweeps (lwq sweep)$B"
keys q

ok "import the 24-layer model" "$LWQ" --quiet import "$SHARED_DATA/models/lwq-ref-24L" -o "$WORK/ref.h5"
start 80 24 "$LWQ explore ref.h5"
check "24 layers: the plan's numbers whole" \
	shows "^[0-9.]* MiB  [0-9.]* bits  12/24 high\( (4-bit)\)*  plan [0-9.]* MiB$B"
check "24 layers: status with rows and hints" \
	shows "^ lwq-ref-24L | 24 layers | .*plan [0-9.]* MiB | rows 1-16 *?:help q:quit *\$"
keys G
check "24 layers: the last rows" shows "| rows 9-24 "
keys q
check "quits" wait_for "EXIT=0"
check "no sanitizer reports" clean_stderr
done_testing
