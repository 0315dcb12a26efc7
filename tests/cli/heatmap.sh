#!/bin/sh
# heatmap.sh: lwq heatmap on the demo model: PNGs that decode, SVGs that validate, bad input.
. "$TOP_SRCDIR/tests/cli/lib.sh"
PNG_INFO="$TOP_BUILDDIR/tests/unit/test_png"

# Bad command lines need no model.
fails_with "missing -o is a usage error" 2 "missing -o" "$LWQ" heatmap x.h5
fails_with "unknown metric is a usage error" 2 "--metric must be lim, zd, .*, not 'heat'" \
	"$LWQ" heatmap x.h5 --metric heat -o "$WORK/x.png"
fails_with "--scale 0 is a usage error" 2 "scale must be 1 to 8" \
	"$LWQ" heatmap x.h5 --scale 0 -o "$WORK/x.png"
fails_with "an output that is neither .png nor .svg" 2 "name the output .png or .svg" \
	"$LWQ" heatmap x.h5 -o "$WORK/x.jpg"
fails_with "--log without --curves" 2 "--log is for --curves" "$LWQ" heatmap x.h5 --log -o "$WORK/x.png"
fails_with "--curves with --metric" 2 "--metric and --tokens are for the heatmap" \
	"$LWQ" heatmap x.h5 --curves --metric lim -o "$WORK/x.png"
fails_with "--metric plan without --plan" 2 "needs --plan" \
	"$LWQ" heatmap x.h5 --metric plan -o "$WORK/x.png"
fails_with "missing model file" 1 "nope.h5" "$LWQ" heatmap "$WORK/nope.h5" -o "$WORK/x.png"
check "nothing written for a missing model" test ! -e "$WORK/x.png"
echo "not hdf5" >"$WORK/broken.h5"
fails_with "broken model file" 1 "broken.h5" "$LWQ" heatmap "$WORK/broken.h5" -o "$WORK/x.png"

need_shared
D="$SHARED_DATA/models/lwq-demo-16L"
M="$WORK/demo.h5"
ok "import the demo model" "$LWQ" --quiet import "$D" -o "$M"

fails_with "no scores: says which verbs" 1 "no scores or activations: run lwq capture" \
	"$LWQ" heatmap "$M" -o "$WORK/none.png"
check "no image left after the failure" test ! -e "$WORK/none.png"
ok "score (weights only: ZD, RTN)" "$LWQ" --quiet score "$M"
fails_with "LIM needs activations" 1 "no LIM scores: run lwq capture, then lwq score" \
	"$LWQ" heatmap "$M" --metric lim -o "$WORK/lim.png"
fails_with "tokens need activations" 1 "no activations for the per-token panel: run lwq capture" \
	"$LWQ" heatmap "$M" --metric tokens -o "$WORK/tok.png"
fails_with "measured needs score --measure" 1 "no measured sensitivity: run lwq score --measure" \
	"$LWQ" heatmap "$M" --metric measured -o "$WORK/measured.png"
ok "zd-tensor heatmap from weights only" "$LWQ" heatmap "$M" --metric zd-tensor -o "$WORK/zdt.png"
ok "zd-tensor image decodes" sh -c "'$PNG_INFO' --info '$WORK/zdt.png'"

ok "capture a little calibration text" "$LWQ" --quiet capture "$M" --ids "$D/heldout.ids.i32" \
	--windows 2 --seq-len 128
ok "score again with LIM" "$LWQ" --quiet score "$M"
ok "plan at 3 bits" "$LWQ" --quiet plan "$M" --avg-bits 3 -o "$WORK/plan.json"
ok "heatmap with every column and the plan" \
	"$LWQ" heatmap "$M" --plan "$WORK/plan.json" --scale 1 -o "$WORK/all.png"
cp "$WORK/out" "$WORK/summary"
check "summary names the size" grep -q "^wrote $WORK/all.png: [0-9]*x[0-9]* pixels, 16 layers" \
	"$WORK/summary"
ok "image decodes" sh -c "'$PNG_INFO' --info '$WORK/all.png' >'$WORK/dims'"
check "decoded size equals the summary" \
	grep -q "$(tr ' ' x <"$WORK/dims") pixels" "$WORK/summary"
check "PNG signature" sh -c "head -c 8 '$WORK/all.png' | od -An -c | grep -q 'P   N   G'"
for metric in lim zd tokens plan rtn; do
	ok "--metric $metric" "$LWQ" --quiet heatmap "$M" --metric "$metric" \
		--plan "$WORK/plan.json" -o "$WORK/$metric.png"
	ok "--metric $metric decodes" "$PNG_INFO" --info "$WORK/$metric.png"
done
ok "--color-scale rank --tokens --token-scale all" "$LWQ" --quiet heatmap "$M" --plan \
	"$WORK/plan.json" --scale 1 --color-scale rank --tokens --token-scale all -o "$WORK/rank.png"
check "value and rank colourings differ" sh -c "! cmp -s '$WORK/rank.png' '$WORK/all.png'"

# SVG: the same layout as vectors, text as text; valid XML with one rect per cell.
ok "SVG by the file name" "$LWQ" heatmap "$M" --plan "$WORK/plan.json" --tokens -o "$WORK/all.svg"
check "summary says vector" grep -q "^wrote $WORK/all.svg: [0-9]*x[0-9]* px (vector), 16 layers" \
	"$WORK/out"
if [ -n "$XMLLINT" ]; then
	ok "xmllint accepts the SVG" "$XMLLINT" --noout "$WORK/all.svg"
else
	skip_rest "xmllint not installed (Debian package libxml2-utils)"
fi
# LIM, ZD, 7 tensors, 2 RTN, plan bits: 12 columns of 16 layers.
check "192 cells" test "$(grep -c '<rect [^>]*class="cell"' "$WORK/all.svg")" = 192
check "16 row labels as text" test "$(grep -c 'class="row-label">[0-9]*</text>' "$WORK/all.svg")" = 16
check "a colour bar per group (LIM ZD tensor R2 R4 plan tokens)" \
	test "$(grep -c 'class="key-bar"' "$WORK/all.svg")" = 7
check "title names the model" grep -q 'class="title">lwq-demo-16L' "$WORK/all.svg"
check "the token panel states its smoothing" grep -q 'mean of [0-9]*-token bins' "$WORK/all.svg"
check "font family named" grep -q 'font-family="DejaVu Sans' "$WORK/all.svg"

# --font: a fontconfig name or a file; the default is DejaVu Sans.
DEJAVU=$(fc-match -f '%{file}' 'DejaVu Sans' 2>/dev/null || echo /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf)
ok "--font with the default's file" "$LWQ" --quiet heatmap "$M" --plan "$WORK/plan.json" \
	--scale 1 --font "$DEJAVU" -o "$WORK/font.png"
check "same image as the default font" cmp -s "$WORK/font.png" "$WORK/all.png"
fails_with "--font naming a missing file" 1 "nofont.ttf: not a scalable font" \
	"$LWQ" heatmap "$M" --font "$WORK/nofont.ttf" -o "$WORK/nofont.png"
check "nothing written for a bad font" test ! -e "$WORK/nofont.png"

# --curves: the bundled demo file holds six sweeps of 17 points.
DEMO="$TOP_SRCDIR/data/demo.h5"
fails_with "--curves without sweeps" 1 "no sweeps: run lwq sweep" \
	"$LWQ" heatmap "$M" --curves -o "$WORK/nocurves.png"
ok "--curves PNG" "$LWQ" heatmap "$DEMO" --curves -o "$WORK/curves.png"
check "summary counts the curves" grep -q "^wrote $WORK/curves.png: [0-9]*x[0-9]* pixels, 6 sweep curves" "$WORK/out"
ok "--curves PNG decodes" "$PNG_INFO" --info "$WORK/curves.png"
ok "--curves --log --plan as SVG" "$LWQ" --quiet heatmap "$DEMO" --curves --log --plan "$WORK/plan.json" \
	-o "$WORK/curves.svg"
if [ -n "$XMLLINT" ]; then
	ok "xmllint accepts the curves SVG" "$XMLLINT" --noout "$WORK/curves.svg"
fi
check "one line per sweep" test "$(grep -c '<polyline [^>]*class="curve"' "$WORK/curves.svg")" = 6
check "a marker per point, 6 x 17" test "$(grep -c 'class="marker"' "$WORK/curves.svg")" = 102
check "the unquantized reference line" test "$(grep -c 'class="reference"' "$WORK/curves.svg")" = 1
check "a legend entry per order" test "$(grep -c 'class="legend-label"' "$WORK/curves.svg")" = 6
check "the plan's average bits marked" grep -q 'class="plan-label">plan 3.00 bits' "$WORK/curves.svg"
check "log axis ticks 1-2-5" grep -q 'class="tick-label">200</text>' "$WORK/curves.svg"

# A sweep that measured KLD: the curves get a second panel beside perplexity.
ok "a short sweep with --kld" "$LWQ" --quiet sweep "$M" --ids "$D/heldout.ids.i32" --offset 4096 \
	--windows 1 --seq-len 64 --orders lim --step 8 --kld
ok "--curves with KLD" "$LWQ" --quiet heatmap "$M" --curves -o "$WORK/kld.svg"
check "a KLD panel" grep -q 'class="axis-title">KL divergence to the unquantized model' "$WORK/kld.svg"
check "the lim line in both panels" test "$(grep -c '<polyline [^>]*class="curve"' "$WORK/kld.svg")" = 2
check "title names both" grep -q 'class="title">lwq-demo-16L: perplexity and KL divergence' "$WORK/kld.svg"

cp "$WORK/all.png" "$WORK/keep.png"
fails_with "existing output without --force" 1 "already exists (use --force" \
	"$LWQ" heatmap "$M" --scale 2 -o "$WORK/all.png"
check "existing output untouched" cmp -s "$WORK/all.png" "$WORK/keep.png"
ok "--force overwrites" "$LWQ" --quiet heatmap "$M" --scale 2 -o "$WORK/all.png" --force
check "overwritten" sh -c "! cmp -s '$WORK/all.png' '$WORK/keep.png'"
fails_with "unwritable output directory" 1 "does not exist" \
	"$LWQ" heatmap "$M" -o "$WORK/no/such/dir/x.png"
mkdir "$WORK/ro" && chmod 555 "$WORK/ro"
if [ "$(id -u)" != 0 ]; then
	fails_with "read-only output directory" 1 "not writable" "$LWQ" heatmap "$M" -o "$WORK/ro/x.png"
fi
check "no temp files left" sh -c "! ls -a '$WORK' '$WORK/ro' | grep -q '\.tmp\.'"
sed 's/"n_layers": 16/"n_layers": 12/' "$WORK/plan.json" >"$WORK/plan12.json"
fails_with "plan for another model" 1 "12 layers" "$LWQ" heatmap "$M" --plan "$WORK/plan12.json" \
	-o "$WORK/p.png"
check "nothing written for a bad plan" test ! -e "$WORK/p.png"
done_testing
