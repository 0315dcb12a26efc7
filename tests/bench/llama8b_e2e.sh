#!/bin/sh
# llama8b_e2e.sh: lwq end to end on a random-weight, Llama-3-8B-shaped model (32 layers,
# hidden 4096, intermediate 14336, 32 heads, 8 KV heads, vocabulary 128256, bf16 in
# safetensors shards with an index: about 16 GB). Runs every step a user would, each under
# /usr/bin/time -v, and prints a table of wall time, CPU time (user + system), peak RSS
# and throughput: generate, cp and a sequential read of the model for reference, import
# (a copy) and import --link, info, capture (4 x 512 tokens), the ZD scan (plan --order zd
# on a fresh linked file), score, plan (4/2 bits), export to GGUF (Q4_K/Q2_K) and to the
# lwq format, eval of one window, and the explorer's time to its first screen.
#
# Not a pass/fail test, and not run by `make bench`: it writes about 50 GB (the model, a
# copy for the cp figure, the imported copy, the exports; each removed when measured) and
# keeps two cores busy for about half an hour. Run it from a build directory:
#   tests/bench/llama8b_e2e.sh [BUILD_DIR] [WORK_DIR]        (WORK_DIR: /tmp/lwq-8b)
# As root it drops the page cache (/proc/sys/vm/drop_caches) before the reads it
# compares, so the disk is measured cold; otherwise the figures say "cache state unknown".
# SHAPE="LAYERS HIDDEN INTERMEDIATE HEADS KV_HEADS VOCAB" makes a smaller model (to try the
# script: SHAPE="2 256 768 4 2 8192" runs in a minute); KEEP=1 leaves the files; MODEL=DIR
# takes an existing Hugging Face directory instead of generating one; TOKENIZER names a
# tokenizer.json to put beside the model (default: the Llama 3 one in ../shared/data when
# present). Capture and eval read text through it when lwq can, else random token ids.
set -eu
BUILD=$(cd "${1:-.}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SHARED_DATA=${SHARED_DATA:-$SRC/../shared/data}
WORK=${2:-${TMPDIR:-/tmp}/lwq-8b}
LWQ="$BUILD/lwq"
TOKENIZER=${TOKENIZER:-$SHARED_DATA/tokenizers/llama3/tokenizer.json}
TEXT=$SHARED_DATA/tokenizers/texts/wiki.txt
[ -x "$LWQ" ] || { echo "no lwq in $BUILD"; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time (Debian package time) is needed"; exit 77; }
command -v tmux >/dev/null || { echo "tmux is needed for the explorer step"; exit 77; }
mkdir -p "$WORK"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
TABLE="$WORK/table"
: >"$TABLE"

echo "machine: $(nproc) cores, $(free -g | awk '/^Mem/ { print $2 }') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$LWQ" --version | sed -n 2p

# cold: drop the page cache when allowed, so the next read comes from the disk
if [ -w /proc/sys/vm/drop_caches ]; then
	cold() { sync; echo 3 >/proc/sys/vm/drop_caches; }
	CACHE="cold cache"
else
	cold() { sync; }
	CACHE="cache state unknown"
fi

mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }
rate() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f MiB/s", b / 1048576 / (s > 0 ? s : 1e-9) }'; }

# step LABEL NOTE COMMAND...: wall, CPU and peak RSS of COMMAND into the table; its output
# in $WORK/out, /usr/bin/time's report in $WORK/time; $last_secs is the wall time
step() {
	label=$1 note=$2; shift 2
	nice /usr/bin/time -v "$@" >"$WORK/out" 2>"$WORK/time" || {
		echo "$label FAILED:"; tail -5 "$WORK/time"; exit 1; }
	last_secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time" |
		    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$WORK/time")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time")
	row=$(printf '%-26s %8.1f %8.1f %8.0f  %s' "$label" "$last_secs" "$cpu" \
		     "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "$note")
	echo "$row" >>"$TABLE"
	echo "$row"
}
# note: appends text to the last row's note
note() { sed -i '$ s|$| '"$1"'|' "$TABLE"; echo "    $1"; }

M=${MODEL:-}
if [ -z "$M" ]; then
	make -s -C "$BUILD" tests/bench/mk_llama_model >/dev/null
	M="$WORK/hf"
	mkdir -p "$M"
	# shellcheck disable=SC2086
	step "generate" "${SHAPE:-Llama-3-8B shape}" "$BUILD/tests/bench/mk_llama_model" "$M" ${SHAPE:-}
fi
[ -f "$TOKENIZER" ] && [ ! -f "$M/tokenizer.json" ] && cp "$TOKENIZER" "$M/tokenizer.json"
bytes=$(cat "$M"/*.safetensors | wc -c)
echo "    $(ls "$M"/*.safetensors | wc -l) shards, $(mib "$bytes") MiB"

# The references: cp of all shards and a sequential read of the largest, both from disk.
cold
step "cp of the shards + sync" "($CACHE)" sh -c 'mkdir -p "$2" && cp "$1"/*.safetensors "$2" && sync' \
	_ "$M" "$WORK/copy"
cp_secs=$last_secs
note "$(rate "$bytes" "$cp_secs")"
rm -rf "$WORK/copy"
big=$(ls -S "$M"/*.safetensors | head -1)
big_bytes=$(wc -c <"$big")
cold
step "sequential read (dd)" "($CACHE)" dd if="$big" of=/dev/null bs=64M
read_rate=$(awk -v b="$big_bytes" -v s="$last_secs" 'BEGIN { print b / (s > 0 ? s : 1e-9) }')
note "$(rate "$big_bytes" "$last_secs") of the largest shard"

cold
step "import (copy)" "($CACHE)" "$LWQ" --quiet import "$M" -o "$WORK/m.h5"
note "$(rate "$bytes" "$last_secs"), $(awk -v s="$last_secs" -v c="$cp_secs" \
	'BEGIN { printf "%.0f%% of cp", 100 * c / s }')"
step "info (copy)" "" "$LWQ" info "$WORK/m.h5"
rm -f "$WORK/m.h5"
step "import --link" "" "$LWQ" import --link "$M" -o "$WORK/linked.h5"
cp "$WORK/time" "$WORK/link.err"
note "file $(wc -c <"$WORK/linked.h5") bytes"
step "info (linked)" "" "$LWQ" info "$WORK/linked.h5"

# Text when lwq can tokenize it with this tokenizer (import warns when it cannot).
if [ -f "$M/tokenizer.json" ] && [ -f "$TEXT" ] && ! grep -q "will not work" "$WORK/link.err"; then
	tokens="--text $TEXT"
else
	python3 -c "import random, struct, sys
random.seed(1)
sys.stdout.buffer.write(b''.join(struct.pack('<i', random.randrange(int(sys.argv[1]))) for _ in range(8192)))" \
		"$(sed -n 's/.*"vocab_size": *\([0-9]*\).*/\1/p' "$M/config.json")" >"$WORK/ids.i32"
	tokens="--ids $WORK/ids.i32"
	echo "    (random token ids: lwq cannot tokenize with this tokenizer.json)"
fi
# shellcheck disable=SC2086
step "capture 4 x 512" "" "$LWQ" --quiet capture "$WORK/linked.h5" $tokens --windows 4 --seq-len 512
note "$(awk -v s="$last_secs" 'BEGIN { printf "%.1f tokens/s", 2048 / s }')"

# The ZD scan alone: plan --order zd on a linked file without scores reads every linear
# once (2 bytes a weight) and computes nothing else.
linear_bytes=$(python3 -c "import json, sys
c = json.load(open(sys.argv[1]))
h, f, L = c['hidden_size'], c['intermediate_size'], c['num_hidden_layers']
hd = c.get('head_dim') or h // c['num_attention_heads']
q, kv = c['num_attention_heads'] * hd, c['num_key_value_heads'] * hd
print(2 * L * (h * q + 2 * h * kv + q * h + 3 * h * f))" "$M/config.json")
"$LWQ" --quiet import --link "$M" -o "$WORK/zd.h5" >/dev/null 2>&1
cold
step "ZD scan (plan --order zd)" "($CACHE)" "$LWQ" plan "$WORK/zd.h5" --order zd --avg-bits 3 --high 4 --low 2
note "$(rate "$linear_bytes" "$last_secs") of linears, $(awk -v b="$linear_bytes" -v s="$last_secs" \
	-v r="$read_rate" 'BEGIN { printf "%.0f%% of the sequential read", 100 * b / s / r }')"
rm -f "$WORK/zd.h5"

cold
step "score" "($CACHE)" "$LWQ" --quiet score "$WORK/linked.h5"
note "ZD + RTN errors at 2/3/4/8 bits: $(rate "$linear_bytes" "$last_secs") of linears"
step "score (cached)" "" "$LWQ" --quiet score "$WORK/linked.h5"
step "plan 4/2 bits, 3 avg bits" "" "$LWQ" plan "$WORK/linked.h5" --avg-bits 3 --high 4 --low 2 \
	-o "$WORK/plan.json"
step "export GGUF (Q4_K/Q2_K)" "" "$LWQ" --quiet export "$WORK/linked.h5" --plan "$WORK/plan.json" \
	-o "$WORK/m.gguf"
note "$(mib "$(wc -c <"$WORK/m.gguf")") MiB written"
rm -f "$WORK/m.gguf"
step "export lwq" "" "$LWQ" --quiet export "$WORK/linked.h5" --plan "$WORK/plan.json" --format lwq \
	-o "$WORK/q.h5"
note "$(mib "$(wc -c <"$WORK/q.h5")") MiB written"
rm -f "$WORK/q.h5"
# shellcheck disable=SC2086
step "eval 1 x 512" "" "$LWQ" --quiet eval "$WORK/linked.h5" $tokens --windows 1 --seq-len 512
note "ppl $(sed -n 's/.*perplexity[^0-9]*\([0-9.]*\).*/\1/p' "$WORK/out" | head -1)"

# Explorer: time from start to a first screen that shows the model's name.
session="lwq8b$$"
start=$(date +%s.%N)
tmux new-session -d -s "$session" -x 120 -y 40 "$LWQ $WORK/linked.h5"
shown=""
for _ in $(seq 500); do
	if tmux capture-pane -p -t "$session" 2>/dev/null | grep -q "$(basename "$M")\|layers"; then
		shown=$(date +%s.%N)
		break
	fi
	sleep 0.02
done
rss=$(ps -o rss= -p "$(tmux list-panes -t "$session" -F '#{pane_pid}')" 2>/dev/null || echo 0)
tmux kill-session -t "$session" 2>/dev/null || true
if [ -n "$shown" ]; then
	printf '%-26s %8.2f %8s %8.0f  %s\n' "explorer (first screen)" \
	       "$(awk -v a="$start" -v b="$shown" 'BEGIN { print b - a }')" "-" \
	       "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')" "RSS after the first screen" >>"$TABLE"
else
	echo "explorer (first screen)    no screen within 10 s" >>"$TABLE"
fi

echo
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-26s %8s %8s %8s  %s\n' "step" "wall s" "CPU s" "RSS MiB" "throughput, notes"
cat "$TABLE"
