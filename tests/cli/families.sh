#!/bin/sh
# families.sh: tiny random-weight models shaped like Qwen2 (q/k/v biases), Qwen3 (per-head
# q/k norms, head_dim apart from hidden, tied embeddings), Mistral (sliding window) and
# Llama-3.2 (llama3 RoPE scaling, tied embeddings), each with its family's real tokenizer
# and a 32k-152k vocabulary, taken end to end: import, tokenize, capture, score, plan,
# eval, export to lwq and GGUF; the forward pass checked against the token-by-token
# reference; the GGUF run by llama.cpp's llama-perplexity when it is on PATH (or named
# by $LLAMA_PERPLEXITY) and knows the architecture.
. "$TOP_SRCDIR/tests/cli/lib.sh"
need_cmd python3
need_shared
MK="python3 $TOP_SRCDIR/tests/cli/mk_hf_model.py"
TOK="$SHARED_DATA/tokenizers"
TEXT="$TOK/texts/heldout.txt"
PPL=${LLAMA_PERPLEXITY:-$(command -v llama-perplexity)}
SIZE="set=hidden_size:64 set=intermediate_size:128 set=num_attention_heads:4 \
set=num_key_value_heads:2 set=num_hidden_layers:4 set=max_position_embeddings:256 random=3"
RUN="--windows 3 --seq-len 64"

# name architecture tokenizer vocabulary head_dim extra-settings...
family() {
	name=$1 arch=$2 tok=$3 vocab=$4 hd=$5
	shift 5
	$MK "$WORK/$name" arch="$arch" set=vocab_size:"$vocab" set=head_dim:"$hd" $SIZE "$@" \
		tokenizer="$TOK/$tok"
	M="$WORK/$name.h5"
	ok "$name: import" "$LWQ" --quiet import "$WORK/$name" -o "$M"
	ok "$name: forward pass equals the token-by-token reference" \
		"$TOP_BUILDDIR/tests/unit/test_forward" "$M"
	ok "$name: tokenize" "$LWQ" tokenize "$M" --text "$TEXT" -o "$WORK/$name.i32"
	check "$name: ... the library's ids" cmp -s "$WORK/$name.i32" "$TOK/$tok/heldout.plain.i32"
	ok "$name: capture --text" "$LWQ" --quiet capture "$M" --text "$TEXT" $RUN
	ok "$name: score" "$LWQ" --quiet score "$M"
	ok "$name: plan" "$LWQ" --quiet plan "$M" --avg-bits 3 -o "$WORK/$name.plan.json"
	ok "$name: eval unquantized" "$LWQ" eval "$M" --text "$TEXT" --offset 300 $RUN
	full=$(sed -n 's/^perplexity  *//p' "$WORK/out")
	ok "$name: eval with the plan" "$LWQ" eval "$M" --plan "$WORK/$name.plan.json" \
		--text "$TEXT" --offset 300 $RUN
	planned=$(sed -n 's/^perplexity  *//p' "$WORK/out")
	check "$name: both perplexities finite ($full, $planned)" awk -v a="$full" -v b="$planned" \
		'BEGIN { exit !(a > 1 && b > 1 && a < 1e9 && b < 1e9) }'
	ok "$name: export lwq" "$LWQ" --quiet export "$M" --plan "$WORK/$name.plan.json" \
		-o "$WORK/$name.q.h5"
	ok "$name: eval of the export" "$LWQ" eval "$WORK/$name.q.h5" --text "$TEXT" --offset 300 $RUN
	exported=$(sed -n 's/^perplexity  *//p' "$WORK/out")
	check "$name: ... the plan's perplexity ($exported vs $planned)" awk -v a="$exported" \
		-v b="$planned" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-6 * b) }'
}

gguf() { # gguf NAME ARCH: export GGUF and, when llama.cpp knows ARCH, run it
	name=$1
	ok "$1: export gguf" "$LWQ" --quiet export "$WORK/$1.h5" --plan "$WORK/$1.plan.json" \
		--format gguf -o "$WORK/$1.gguf"
	[ -n "$PPL" ] && [ -x "$PPL" ] || return 0
	head -c 40000 "$TEXT" >"$WORK/ppl.txt"
	"$PPL" -m "$WORK/$1.gguf" -f "$WORK/ppl.txt" -c 64 -b 64 --chunks 3 -t 1 \
		>"$WORK/ppl.out" 2>&1
	TAP_N=$((TAP_N + 1))
	if grep -q "unknown model architecture: '$2'" "$WORK/ppl.out"; then
		echo "ok $TAP_N - $1: llama.cpp runs the GGUF # SKIP this llama.cpp predates '$2'"
	elif grep -q "Final estimate: PPL" "$WORK/ppl.out"; then
		echo "ok $TAP_N - $1: llama.cpp runs the GGUF ($2): $(grep -o 'PPL = [0-9.]*' \
			"$WORK/ppl.out")"
	else
		echo "not ok $TAP_N - $1: llama.cpp runs the GGUF ($2)"
		TAP_FAILED=$((TAP_FAILED + 1)); tail -5 "$WORK/ppl.out" | sed 's/^/#   /'
	fi
}

family qwen2 Qwen2ForCausalLM qwen3 151669 16
check "qwen2: info says q/k/v biases" sh -c "'$LWQ' info '$WORK/qwen2.h5' | grep -q '^qkv bias *yes'"
gguf qwen2 qwen2

family qwen3 Qwen3ForCausalLM qwen3 151669 32 set=tie_word_embeddings:true
check "qwen3: info says per-head q/k norms" \
	sh -c "'$LWQ' info '$WORK/qwen3.h5' | grep -q '^q/k norm *per head, before RoPE'"
gguf qwen3 qwen3

family mistral MistralForCausalLM mistral 32000 16 set=sliding_window:16
check "mistral: info says BOS starts each window" \
	sh -c "'$LWQ' info '$WORK/mistral.h5' | grep -q '^BOS *id 1'"
gguf mistral llama
python3 "$TOP_SRCDIR/tests/cli/gguf_vocab.py" "$WORK/mistral.gguf" >"$WORK/vocab.txt"
for kv in tokenizer.ggml.model=llama tokenizer.ggml.add_space_prefix=True \
	  tokenizer.ggml.scores=len:32000 tokenizer.ggml.token_type=len:32000 \
	  tokenizer.ggml.unknown_token_id=0 tokenizer.ggml.bos_token_id=1 byte_tokens=256 \
	  byte_tokens_named=256 scores_distinct=1; do
	check "mistral: GGUF vocabulary has $kv" grep -qx "$kv" "$WORK/vocab.txt"
done
# llama.cpp's own tokenizer on the exported vocabulary gives the library's ids.
TOKENIZE=${LLAMA_TOKENIZE:-$(command -v llama-tokenize)}
for text in heldout wiki stress1; do
	TAP_N=$((TAP_N + 1))
	if [ -z "$TOKENIZE" ] || [ ! -x "$TOKENIZE" ]; then
		echo "ok $TAP_N - mistral: llama-tokenize on $text # SKIP llama-tokenize not found"
		continue
	fi
	"$TOKENIZE" -m "$WORK/mistral.gguf" -f "$TOK/texts/$text.txt" --ids --no-bos --no-escape \
		--log-disable 2>/dev/null | tr -d '[] ' | tr ',' '\n' >"$WORK/llama.ids"
	python3 -c 'import struct, sys; d = open(sys.argv[1], "rb").read()
print("\n".join(str(i) for i in struct.unpack("<%di" % (len(d) // 4), d)))' \
		"$TOK/mistral/$text.plain.i32" >"$WORK/ref.ids"
	if cmp -s "$WORK/llama.ids" "$WORK/ref.ids"; then
		echo "ok $TAP_N - mistral: llama-tokenize on $text gives the library's ids"
	else
		echo "not ok $TAP_N - mistral: llama-tokenize on $text gives the library's ids"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
done

family llama3 LlamaForCausalLM llama3 128256 16 set=tie_word_embeddings:true \
	'set=rope_parameters:{"rope_theta":500000.0,"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":32}'
gguf llama3 llama

done_testing
