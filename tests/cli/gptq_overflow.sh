#!/bin/sh
# gptq_overflow.sh: a model whose attention overflows float: GPTQ cannot factor the
# Hessian of o's inputs; eval and both exports stop with one line naming the layer and
# the linear, exit 1, and leave no file behind.
. "$TOP_SRCDIR/tests/cli/lib.sh"
need_cmd python3
MK="python3 $TOP_SRCDIR/tests/cli/mk_hf_model.py"

# layer 1's input norm at 1e30: its q and k reach 1e29, their products overflow to inf
# and the softmax of inf - inf gives NaN attention outputs
ok "a tiny model with an overflowing layer 1" $MK "$WORK/hf" random=3 \
	scale=model.layers.1.input_layernorm.weight:1e30
ok "import it" "$LWQ" --quiet import "$WORK/hf" -o "$WORK/m.h5"
python3 -c "
import struct, random
r = random.Random(1)
open('$WORK/ids.i32', 'wb').write(struct.pack('<1024i', *[r.randrange(16) for _ in range(1024)]))"
ok "a plan: both layers at 2 bits" "$LWQ" plan "$WORK/m.h5" --high-layers 0 --order zd \
	--low 2 --high 4 --group-size 4 -o "$WORK/plan.json"
SUM=$(cksum <"$WORK/m.h5")
GPTQ="--plan $WORK/plan.json --method gptq --calib-ids $WORK/ids.i32"

fails_with "eval --method gptq" 1 "m.h5: layer 1: o: Hessian holds a NaN or infinity" \
	"$LWQ" eval "$WORK/m.h5" $GPTQ --ids "$WORK/ids.i32" --seq-len 64 --windows 2
check "... in one line" test "$(wc -l <"$WORK/err")" -eq 1
mkdir "$WORK/outdir"
fails_with "export --method gptq" 1 "layer 1: o: Hessian holds a NaN or infinity" \
	"$LWQ" export "$WORK/m.h5" $GPTQ -o "$WORK/outdir/q.h5"
check "... in one line" test "$(wc -l <"$WORK/err")" -eq 1
check "... leaves nothing in the output directory" sh -c "[ -z \"\$(ls -A '$WORK/outdir')\" ]"
check "the model file is unchanged" sh -c "[ \"\$(cksum <'$WORK/m.h5')\" = '$SUM' ]"

# a GGUF needs a tokenizer (the demo model's, with its vocabulary size) and rows of 32
# for o to get a block type (rows of 8 are stored F16, without GPTQ)
need_shared
ok "a wider model with the demo's tokenizer" $MK "$WORK/hft" random=3 set=vocab_size:2048 \
	set=hidden_size:32 set=head_dim:16 set=intermediate_size:64 \
	tokenizer="$SHARED_DATA/models/lwq-demo-16L" scale=model.layers.1.input_layernorm.weight:1e30
ok "import it" "$LWQ" --quiet import "$WORK/hft" -o "$WORK/t.h5"
ok "its plan" "$LWQ" plan "$WORK/t.h5" --high-layers 0 --order zd --low 2 --high 4 \
	--group-size 4 -o "$WORK/tplan.json"
fails_with "export --format gguf --method gptq" 1 "t.h5: layer 1: o: Hessian holds a NaN or infinity" \
	"$LWQ" export "$WORK/t.h5" --plan "$WORK/tplan.json" --method gptq \
	--calib-ids "$WORK/ids.i32" --format gguf -o "$WORK/outdir/q.gguf"
check "... leaves nothing in the output directory" sh -c "[ -z \"\$(ls -A '$WORK/outdir')\" ]"
done_testing
