#!/bin/sh
# gptq_gguf.sh: export --format gguf --method gptq on the demo model: GPTQ onto the GGUF
# block types, predicted by eval --method gguf-gptq; options; bad input; llama.cpp's
# llama-perplexity (from $LLAMA_PERPLEXITY or the PATH) runs the file when present.
. "$TOP_SRCDIR/tests/cli/lib.sh"
demo_model

PLAN="$WORK/plan.json"
ok "a plan: 8 layers at 8 bits (Q8_0), 8 at 3 (Q4_0 for the demo's short rows)" \
	"$LWQ" plan "$MODEL" --high-layers 8 --order zd --low 3 --high 8 -o "$PLAN"
SUM=$(cksum <"$MODEL")
EVAL="--ids $IDS --offset 8192 --seq-len 512 --windows 16"

mkdir "$WORK/outdir"
fails_with "export --format gguf --method gptq before any capture" 1 "run lwq capture" \
	"$LWQ" export "$MODEL" --plan "$PLAN" --method gptq -o "$WORK/outdir/none.gguf"
check "... leaves nothing in the output directory" sh -c "[ -z \"\$(ls -A '$WORK/outdir')\" ]"
fails_with "--method gguf-gptq is for the GGUF format" 2 "is for --format gguf" \
	"$LWQ" export "$MODEL" --plan "$PLAN" --method gguf-gptq -o "$WORK/x.h5"
fails_with "eval --method gguf-gptq --damp 2" 2 "--damp must be a fraction" \
	"$LWQ" eval "$MODEL" --plan "$PLAN" --method gguf-gptq --damp 2 $EVAL
check "model file unchanged" unchanged

ok "capture 2 windows of 512" "$LWQ" --quiet capture "$MODEL" --ids "$IDS" --windows 2 \
	--seq-len 512 --keep-streams none
ok "export --format gguf --method gptq" "$LWQ" export "$MODEL" --plan "$PLAN" --method gptq \
	-o "$WORK/gptq.gguf"
check "... says it wrote a GGUF" grep -q "^wrote .*gptq.gguf: gguf, 16 layers" "$WORK/out"
ok "--method gguf-gptq is the same export" "$LWQ" --quiet export "$MODEL" --plan "$PLAN" \
	--method gguf-gptq --format gguf -o "$WORK/gptq2.gguf"
check "... byte for byte" cmp "$WORK/gptq.gguf" "$WORK/gptq2.gguf"
ok "the activation-aware export of the same plan" "$LWQ" --quiet export "$MODEL" \
	--plan "$PLAN" --format gguf -o "$WORK/aware.gguf"
check "a GGUF of the same size and header, other codes" sh -c "
	[ \"\$(head -c 4 '$WORK/gptq.gguf')\" = GGUF ] &&
	[ \$(wc -c <'$WORK/gptq.gguf') -eq \$(wc -c <'$WORK/aware.gguf') ] &&
	! cmp -s '$WORK/gptq.gguf' '$WORK/aware.gguf'"
ok "export --method gptq --act-order --no-importance" "$LWQ" --quiet export "$MODEL" \
	--plan "$PLAN" --method gptq --act-order --no-importance -o "$WORK/act.gguf"
check "... other codes again" sh -c "! cmp -s '$WORK/gptq.gguf' '$WORK/act.gguf'"

# 16 windows of 512: fewer leave the differences below the noise of the windows
ok "eval --method gguf" "$LWQ" eval "$MODEL" --plan "$PLAN" --method gguf $EVAL
aware=$(sed -n 's/^perplexity  *//p' "$WORK/out")
ok "eval --method gguf-gptq" "$LWQ" eval "$MODEL" --plan "$PLAN" --method gguf-gptq $EVAL --json
gptq=$(python3 -c "import json; d = json.load(open('$WORK/out')); \
assert d['method'] == 'gguf-gptq' and len(d['gptq_layers']) == 16; print(d['perplexity'])")
check "... reports its method and GPTQ's layers ($gptq)" test -n "$gptq"
check "GPTQ on the GGUF grid beats the activation-aware rounding ($aware -> $gptq)" \
	awk -v a="$aware" -v g="$gptq" 'BEGIN { exit !(g < a) }'
ok "eval --method gguf --no-importance" "$LWQ" eval "$MODEL" --plan "$PLAN" --method gguf \
	--no-importance $EVAL
plain=$(sed -n 's/^perplexity  *//p' "$WORK/out")
ok "eval --method gguf-gptq --no-importance" "$LWQ" eval "$MODEL" --plan "$PLAN" \
	--method gguf-gptq --no-importance $EVAL
plain_gptq=$(sed -n 's/^perplexity  *//p' "$WORK/out")
check "... beats plain rounding too ($plain -> $plain_gptq)" \
	awk -v a="$plain" -v g="$plain_gptq" 'BEGIN { exit !(g < a) }'

PPL=${LLAMA_PERPLEXITY:-$(command -v llama-perplexity)}
[ -n "$PPL" ] && [ -x "$PPL" ] || skip_rest "llama-perplexity not found (set LLAMA_PERPLEXITY)"
head -c 20000 "$D/heldout.txt" >"$WORK/ppl.txt"
ok "llama-perplexity runs the GPTQ GGUF" "$PPL" -m "$WORK/gptq.gguf" -f "$WORK/ppl.txt" \
	-c 128 -b 128 --chunks 4 -t 1
check "... to a finite perplexity" sh -c "grep -E 'Final estimate: PPL = [0-9]+\.[0-9]+' '$WORK/out' '$WORK/err'"
done_testing
