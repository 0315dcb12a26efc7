#!/bin/sh
# explorer.sh: drives the real explorer in tmux (send-keys, capture-pane): slider, prompts,
# resize, exports, and that every way out gives the terminal back.
. "$TOP_SRCDIR/tests/cli/lib.sh"
PNG_INFO="$TOP_BUILDDIR/tests/unit/test_png"

. "$TOP_SRCDIR/tests/tui/lib.sh"
high_on_screen() { grep -o '[0-9]*/16 high' "$WORK/screen" | head -1 | cut -d/ -f1; }
# "2.41 MiB" as the explorer prints sizes (analysis/units.c format_size)
fmt_size() {
	awk -v b="$1" 'BEGIN { split("B KiB MiB GiB TiB", u, " "); v = b; k = 1;
		while (v >= 1024 && k < 5) { v /= 1024; k++ }
		if (k == 1) printf "%.0f B\n", v; else printf "%.2f %s\n", v, u[k] }'
}
json_field() { grep "\"$1\"" | head -1 | grep -o -- '-*[0-9][0-9.]*' | tail -1; }

# ---- synthetic data: the interface itself -------------------------------------------
start 80 24 "$LWQ explore --synthetic 16"
check "opens at 80x24" wait_for "Budget"
check "half of the layers high" wait_for " 8/16 high"
check "16 layer rows" wait_for "^L015"
check "status line: model, layers, params, plan total, help hint" \
	wait_for "synthetic | 16 layers | 3.48M params | plan total .* ?:help"
keys Right Right Right
check "three steps right: 11 high" wait_for " 11/16 high"
keys Left Left Left Left Left
check "five steps left: 6 high" wait_for " 6/16 high"
keys '>'
check "> puts every layer high" wait_for " 16/16 high"
keys '<'
check "< puts every layer low" wait_for " 0/16 high"
keys b 3.25 Enter
check "typed 3.25 bits: 10 high" wait_for " 10/16 high"
keys b lots Enter
check "a bad typed budget is shown, not fatal" wait_for "not a size"
keys Escape
check "escape closes the prompt" wait_gone "Budget (3.5GiB"
keys p
check "p: 8/4 pair" wait_for "order lim 8/4"
keys p
check "p: three widths" wait_for "@8 .*@4 .*@2"
keys p
check "p: back to 4/2" wait_for "order lim 4/2"
keys o
check "o: next order is zd" wait_for "order zd 4/2"
keys H
check "H pins the selected layer" wait_for "layer 0 pinned high"
keys j j l
check "cursor moves: layer 2, ZD" wait_for "L002 ZD = "
keys s
check "s sorts by the selected column" wait_for "rows by ZD"
keys '?'
check "? opens the help" wait_for "lwq explorer keys"
check "help lists the pin keys" wait_for "pin selected layer"
check "help lists the export keys" wait_for "export plan JSON"
check "help legend: score columns" wait_for "LIM -cos(in, out)  ZD share |z|>1  q k v o g u d ZD per tensor  bit plan"
check "help legend: RTN columns and curve letters" \
	wait_for "R2 R4 RTN error at 2/4 bits  curves: L lim Z zd I zd-inverse R reverse-lim"
check "help legend: the other curve letters" wait_for "O optimal (lower case: another quantizer)"
check "help at 80x24: mouse note on the bottom border" wait_for "mouse: click a cell .* wheel scrolls"
check "help at 80x24: title, first key, legend, closing note all on screen" \
	sh -c "grep -q 'lwq explorer keys.*any key closes' '$WORK/screen' &&
	       grep -q 'budget up / down by one layer' '$WORK/screen' &&
	       grep -q 'another quantizer' '$WORK/screen'"
# No help line runs into the right border: the column before it is blank on every row.
check "help at 80x24: no line is cut at the right edge" \
	sh -c "! grep '^│' '$WORK/screen' | grep -v ' │\$'"
keys Space
check "any key closes the help" wait_gone "lwq explorer keys"
T resize-window -t tui -x 160 -y 48
check "resized to 160x48: wider cells show values" wait_for "^L000.*-0\.[0-9][0-9] "
check "resized: lines use the width" sh -c "[ \$(awk '{ if (length > m) m = length } END { print m }' '$WORK/screen') -gt 120 ]"
T resize-window -t tui -x 60 -y 14
check "resized to 60x14: still draws" wait_for "Budget"
T resize-window -t tui -x 30 -y 8
check "too small: says so" wait_for "terminal too small"
T resize-window -t tui -x 80 -y 24
check "back at 80x24" wait_for "Budget"
keys q
check "q quits with status 0" wait_for "EXIT=0"
check "terminal restored after q" restored
check "no sanitizer reports" clean_stderr

start 80 24 "$LWQ explore --synthetic 128"
check "128 layers open" wait_for "rows 1-16"
keys End
check "End shows the last layer" wait_for "^L127"
check "status says which rows" wait_for "rows 113-128"
keys PPage
check "PgUp raises the budget by a tenth of the layers" wait_for " 76/128 high"
keys q
check "quit" wait_for "EXIT=0"

start 80 24 "$LWQ explore --synthetic 16"
check "started for a signal" wait_for "Budget"
pid=$(pgrep -P "$(T display -p -t tui '#{pane_pid}')" | head -1)
check "found the explorer's pid" test -n "$pid"
kill -TERM "$pid" 2>/dev/null
check "SIGTERM ends it" wait_for "EXIT="
check "terminal restored after SIGTERM" restored

fails_with "not a terminal: one clear line" 1 "needs a terminal" \
	sh -c "'$LWQ' explore --synthetic 4 </dev/null >/dev/null"
echo "not hdf5" >"$WORK/broken.h5"
start 80 24 "$LWQ broken.h5"
check "a broken file: error line, status 1" wait_for "EXIT=1"
check "the error names the file" grep -q "lwq: explore: broken.h5: not an HDF5 file" "$WORK/stderr"
check "terminal untouched" restored

# ---- the bundled demo: the perplexity curve stays inside its frame --------------------
# framed COLS: every line of the slider block (from "Budget" to the line above the status
# line) ends with the curve frame's right border, in the last column: nothing of the
# curve is drawn past it.
framed() {
	sed -n '/^Budget/,$p' "$WORK/screen" | sed '$d' >"$WORK/block"
	[ "$(wc -l <"$WORK/block")" -ge 6 ] || return 1
	while IFS= read -r line; do
		trimmed=$(printf '%s' "$line" | sed 's/ *$//')
		case $trimmed in *│) ;; *) return 1 ;; esac
		[ "$(printf '%s' "$trimmed" | LC_ALL=C.UTF-8 wc -m)" -eq "$1" ] || return 1
	done <"$WORK/block"
}
start 100 30 "$LWQ explore '$TOP_SRCDIR/data/demo.h5'"
check "demo at 100x30: curves drawn" wait_for "ppl L"
check "100x30: every curve row ends at the frame's right border" framed 100
for size in 70x12 160x48 250x60 84x20; do
	T resize-window -t tui -x "${size%x*}" -y "${size#*x}"
	sleep 0.5
	check "$size: curves drawn" wait_for "ppl L"
	check "$size: every curve row ends at the frame's right border" framed "${size%x*}"
done
# has_braille FILE: any character of U+2800..U+28FF (UTF-8 E2 A0..A3 xx), byte-wise.
has_braille() { LC_ALL=C grep -q "$(printf '\342[\240-\243]')" "$1"; }
letters_only() { grep -q 'LL' "$1" && ! has_braille "$1"; }
# Braille curves (2x4 dots per cell) in a UTF-8 terminal; the status line names the
# heatmap's colouring and 'c' switches it.
T resize-window -t tui -x 100 -y 30
sleep 0.5
check "back at 100x30" wait_for "ppl L"
check "100x30: curves in braille dots" has_braille "$WORK/screen"
T capture-pane -e -p -t tui >"$WORK/escapes"
# On 256 colours each order has its palette colour: lim is Okabe-Ito blue (xterm 25).
if [ "$(TERM=$(T show -gv default-terminal) tput colors 2>/dev/null)" = 256 ]; then
	check "256 colours: the lim curve in its figure colour" grep -q '38;5;25m' "$WORK/escapes"
fi
check "status line: colour=rank with the ramp" wait_for "colour=rank"
keys c
check "c: colours by value" wait_for "colours* by value"
check "axis: perplexity at the top, middle and bottom" sh -c \
	"[ \$(sed -n '/^Budget/,\$p' '$WORK/screen' | grep -c '│ *[0-9][0-9.]* ') -ge 3 ]"
keys q
check "quit the demo" wait_for "EXIT=0"
check "no sanitizer reports" clean_stderr

# Without UTF-8 the curves fall back to letters on the character grid.
start 100 30 "env LC_ALL=C $LWQ explore '$TOP_SRCDIR/data/demo.h5'"
check "C locale: curves drawn" wait_for "ppl L"
check "C locale: letters, no braille" letters_only "$WORK/screen"
check "C locale: every curve row ends at the frame's right border" sh -c \
	"sed -n '/^Budget/,\$p' '$WORK/screen' | sed '\$d' | grep -v '|\$' | grep -q . && exit 1 || exit 0"
keys q
check "quit the C-locale demo" wait_for "EXIT=0"

# 8 colours and none: the curves stay braille, monochrome (the current order bold).
for colours in 8 mono; do
	start 100 30 "env LWQ_COLORS=$colours $LWQ explore '$TOP_SRCDIR/data/demo.h5'"
	check "LWQ_COLORS=$colours: curves drawn" wait_for "ppl L"
	check "LWQ_COLORS=$colours: in braille" has_braille "$WORK/screen"
	T capture-pane -e -p -t tui >"$WORK/escapes"
	check "LWQ_COLORS=$colours: no 256-colour curve colours" sh -c "! grep -q '38;5;' '$WORK/escapes'"
	keys q
	check "LWQ_COLORS=$colours: quits cleanly" wait_for "EXIT=0"
done

# ---- lwq sweep on a terminal: one progress line, the evaluations' layers inside it ----
cp "$TOP_SRCDIR/data/demo.h5" "$WORK/sweep.h5"
T kill-server >/dev/null 2>&1
SERVER=$((SERVER + 1))
T new-session -d -x 120 -y 10 -s tui "cd '$WORK' && '$LWQ' sweep sweep.h5 --text \
'$TOP_SRCDIR/man/lwq.1' --windows 8 --seq-len 128 --orders lim,zd >/dev/null; echo EXIT=\$?; sleep 600"
check "sweep shows order, step, layer, rate and ETA on one line" \
	wait_for "^sweep: order lim, step [0-9]*/16, layer [0-9]*/16, [0-9]* tok/s, ETA [0-9]" 60
eval_lines=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	screen | grep -q "^eval:" && eval_lines=$((eval_lines + 1))
	[ "$(screen | grep -c .)" -le 1 ] || eval_lines=$((eval_lines + 100))
	sleep 0.1
done
check "no inner eval line fights it (one line only)" test "$eval_lines" -eq 0
pid=$(pgrep -P "$(T display -p -t tui '#{pane_pid}')" | head -1)
kill -TERM "$pid" 2>/dev/null
check "the sweep stops on SIGTERM" wait_for "EXIT="

# ---- the demo model: the screen agrees with lwq plan --------------------------------
need_shared
D="$SHARED_DATA/models/lwq-demo-16L"
M="$WORK/demo.h5"
ok "import the demo model" "$LWQ" --quiet import "$D" -o "$M"
start 80 24 "$LWQ demo.h5"
check "no activations: LIM asks for capture before score" \
	wait_for "L000 LIM: no data (run lwq capture, then lwq score)"
check "no activations: the list of what to run fits 80 columns" \
	wait_for "^missing .*activations (lwq capture).*sweeps (lwq sweep) *\$"
keys q
check "quits" wait_for "EXIT=0"
ok "capture" "$LWQ" --quiet capture "$M" --ids "$D/heldout.ids.i32" --windows 2 --seq-len 128
ok "score" "$LWQ" --quiet score "$M"
ok "sweep lim" "$LWQ" --quiet sweep "$M" --ids "$D/heldout.ids.i32" --offset 8192 \
	--windows 1 --seq-len 128 --orders lim --step 8

start 80 24 "$LWQ demo.h5"
check "opens the model" wait_for "lwq-demo-16L | 16 layers"
check "predicted perplexity from the rtn sweep" wait_for "ppl ~ [0-9.]* (sweep, rtn)"
keys m
check "m with only rtn sweeps: says so" wait_for "method: only rtn sweeps stored"
keys Right Right Right
check "slider: 11 high" wait_for " 11/16 high"
"$LWQ" plan "$M" --high-layers 11 --json >"$WORK/p11.json"
bytes=$(json_field bytes <"$WORK/p11.json")
"$LWQ" plan "$M" --budget "$bytes" --json >"$WORK/pb.json"
check "lwq plan at the slider's budget: 11 high" test "$(json_field n_high <"$WORK/pb.json")" = 11
check "screen total equals lwq plan's bytes" wait_for "plan total $(fmt_size "$bytes")"
for budget in 2600000 2.3MiB; do
	keys b "$budget" Enter
	check "typed $budget" wait_for "budget "
	"$LWQ" plan "$M" --budget "$budget" --json >"$WORK/p.json"
	want=$(json_field n_high <"$WORK/p.json")
	check "typed $budget: $want high, as lwq plan --budget" wait_for " $want/16 high"
	check "typed $budget: total as lwq plan" \
		wait_for "plan total $(fmt_size "$(json_field bytes <"$WORK/p.json")")"
done
keys b 3.25 Enter
"$LWQ" plan "$M" --avg-bits 3.25 --json >"$WORK/p.json"
check "typed 3.25 bits as lwq plan --avg-bits" wait_for " $(json_field n_high <"$WORK/p.json")/16 high"
n_high=$(high_on_screen)

keys e
check "e: plan file prompt with a default name" wait_for "Plan JSON file: demo-3.25bit.json"
keys Enter
check "plan written" wait_for "wrote demo-3.25bit.json"
"$LWQ" plan "$M" --from "$WORK/demo-3.25bit.json" --json >"$WORK/from.json" 2>&1
check "the exported plan reads back with the screen's count" \
	test "$(json_field n_high <"$WORK/from.json")" = "$n_high"
keys w C-u "$WORK/shot.png" Enter
check "w: heatmap PNG written" wait_for "wrote $WORK/shot.png"
check "the PNG decodes" "$PNG_INFO" --info "$WORK/shot.png"
keys w C-u "$WORK/shot.png" Enter
check "same name again: asks before overwriting" wait_for "Overwrite existing file? (y/n)"
keys n
check "n: not written" wait_for "not written"
keys w C-u "/no/such/dir/x.png" Enter
check "unwritable path: error in the UI" wait_for "does not exist"
keys x Enter
check "x: quantized model written" wait_for "wrote demo-3.25bit-q.h5" 120
ok "the exported model opens" "$LWQ" info "$WORK/demo-3.25bit-q.h5"
keys q
check "quit after exports" wait_for "EXIT=0"
check "terminal restored" restored
check "no sanitizer reports" clean_stderr

# ---- two quantizers' sweeps: m moves the prediction to the gptq curve -------------------
ok "sweep lim --method gptq" "$LWQ" --quiet sweep "$M" --ids "$D/heldout.ids.i32" --offset 8192 \
	--windows 1 --seq-len 128 --orders lim --step 8 --method gptq
start 80 24 "$LWQ demo.h5"
check "two methods: starts on rtn" wait_for "ppl ~ [0-9.]* (sweep, rtn)"
keys m
check "m: predicted perplexity from the gptq sweep" wait_for "ppl ~ [0-9.]* (sweep, gptq)"
check "m: the message names the method" wait_for "method gptq: predicted perplexity"
keys x C-u "$WORK/gptq-x.h5" Enter
check "x on gptq: quantized model written" wait_for "wrote $WORK/gptq-x.h5" 120
ok "... info --json of it" "$LWQ" info "$WORK/gptq-x.h5" --json
check "... stores GPTQ's codes" grep -q '"quantizer": "gptq"' "$WORK/out"
keys e C-u "$WORK/gptq-plan.json" Enter
check "the plan on screen written" wait_for "wrote $WORK/gptq-plan.json"
keys x C-u "$WORK/gptq-x.gguf" Enter
check "x on gptq to a .gguf name: written" wait_for "wrote $WORK/gptq-x.gguf" 120
ok "... the same as export --format gguf --method gptq" "$LWQ" --quiet export "$M" \
	--plan "$WORK/gptq-plan.json" --method gptq -o "$WORK/gptq-cli.gguf"
check "... byte for byte" cmp "$WORK/gptq-x.gguf" "$WORK/gptq-cli.gguf"
keys m
check "m again: back to rtn" wait_for "ppl ~ [0-9.]* (sweep, rtn)"
keys q
check "quit after switching methods" wait_for "EXIT=0"
check "no sanitizer reports after switching methods" clean_stderr
done_testing
