#!/bin/sh
# tokenizer_speed.sh BUILDDIR: load time and tokens/s of the real tokenizers in
# ../shared/data/tokenizers (Llama-3 128k, Qwen3 152k, Mistral 32k) on the dictionary
# text, one thread; wall and CPU time (the CPU figure is what a loaded machine hides).
B=${1:-.}
D=${SHARED_DATA:-../shared/data}/tokenizers
[ -f "$D/llama3/tokenizer.json" ] || { echo "tokenizer_speed: $D absent, skipped"; exit 77; }
for t in llama3 qwen3 mistral; do
	printf '%-8s ' "$t"
	"$B/tests/bench/bench_tokenizer" "$D/$t/tokenizer.json" "$D/texts/heldout.txt" 10 || exit 1
done
