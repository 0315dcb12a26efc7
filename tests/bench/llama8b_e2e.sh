#!/bin/sh
# llama8b_e2e.sh: lwq end to end on a random-weight, Llama-3-8B-shaped model (32 layers,
# hidden 4096, intermediate 14336, 32 heads, 8 KV heads, vocabulary 128256, bf16 in
# safetensors shards with an index: about 16 GB). Prints the time and peak RSS of every
# step, import against cp throughput, the ZD scan against a sequential read, and the
# explorer's time to its first screen. Not a pass/fail test, and not run by `make bench`:
# it writes 16 GB and keeps two cores busy for most of an hour.
#   tests/bench/llama8b_e2e.sh [BUILD_DIR] [WORK_DIR]
# SHAPE="LAYERS HIDDEN INTERMEDIATE HEADS KV_HEADS VOCAB" makes a smaller model (to try
# the script); KEEP=1 leaves the files; TOKENIZER names a tokenizer.json to put beside
# the model (default: the Llama 3 one in ../shared/data when present). Capture reads
# text through it when that works, else random token ids.
set -eu
BUILD=$(cd "${1:-.}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SHARED_DATA=${SHARED_DATA:-$SRC/../shared/data}
WORK=${2:-${TMPDIR:-/tmp}/lwq-8b}
LWQ="$BUILD/lwq"
TOKENIZER=${TOKENIZER:-$SHARED_DATA/tokenizers/llama3/tokenizer.json}
TEXT=$SHARED_DATA/tokenizers/texts/wiki.txt
[ -x "$LWQ" ] || { echo "no lwq in $BUILD"; exit 1; }
command -v tmux >/dev/null || { echo "tmux is needed for the explorer step"; exit 77; }
make -s -C "$BUILD" tests/bench/mk_llama_model >/dev/null
mkdir -p "$WORK"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
M="$WORK/hf"
mkdir -p "$M"

echo "machine: $(nproc) cores, $(free -g | awk '/^Mem/ { print $2 }') GiB, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$LWQ" --version | sed -n 2p

# step LABEL COMMAND...: wall time and peak RSS, the command's output kept in $WORK/out
step() {
	label=$1; shift
	/usr/bin/time -v "$@" >"$WORK/out" 2>"$WORK/time" || {
		echo "$label FAILED:"; tail -5 "$WORK/time"; exit 1; }
	secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time" |
	       awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time")
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$WORK/time")
	printf '%-30s %8.1f s wall %8.1f s CPU   peak RSS %7.0f MiB\n' "$label" "$secs" "$cpu" \
	       "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')"
	last_secs=$secs
}
mib_per_s() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f MiB/s", b / 1048576 / (s > 0 ? s : 1e-9) }'; }

if [ -n "${SHAPE:-}" ]; then
	# shellcheck disable=SC2086
	step "generate (bf16, $SHAPE)" "$BUILD/tests/bench/mk_llama_model" "$M" $SHAPE
else
	step "generate (Llama-3-8B shape)" "$BUILD/tests/bench/mk_llama_model" "$M"
fi
[ -f "$TOKENIZER" ] && cp "$TOKENIZER" "$M/tokenizer.json"
bytes=$(cat "$M"/*.safetensors | wc -c)
echo "    $(ls "$M"/*.safetensors | wc -l) shards, $(mib_per_s "$bytes" 1 | sed 's| MiB/s| MiB|')"
sync

# cp of the largest shard: the disk's copy throughput on this machine right now
big=$(ls -S "$M"/*.safetensors | head -1)
big_bytes=$(wc -c <"$big")
step "cp one shard" cp "$big" "$WORK/shard-copy"
cp_secs=$last_secs
rm -f "$WORK/shard-copy"
echo "    cp: $(mib_per_s "$big_bytes" "$cp_secs")"
step "read one shard (dd)" dd if="$big" of=/dev/null bs=64M
read_secs=$last_secs
echo "    sequential read: $(mib_per_s "$big_bytes" "$read_secs") (from the page cache when the shard is still there)"

step "import" "$LWQ" --quiet import "$M" -o "$WORK/m.h5"
echo "    import: $(mib_per_s "$bytes" "$last_secs"), $(awk -v a="$bytes" -v s="$last_secs" -v b="$big_bytes" -v c="$cp_secs" \
	'BEGIN { printf "%.0f%% of cp", 100 * (a / s) / (b / c) }')"
step "import --link" "$LWQ" import --link "$M" -o "$WORK/linked.h5"
cp "$WORK/time" "$WORK/link.err"
echo "    linked file: $(wc -c <"$WORK/linked.h5") bytes"
step "info" "$LWQ" info "$WORK/m.h5"
step "info (linked)" "$LWQ" info "$WORK/linked.h5"
grep '^weights' "$WORK/out" | sed 's/^/    /'

# Text when lwq can tokenize it with this tokenizer (import warns when it cannot).
if [ -f "$M/tokenizer.json" ] && [ -f "$TEXT" ] && ! grep -q "will not work" "$WORK/link.err"; then
	tokens="--text $TEXT"
else
	python3 -c "import random, struct, sys
random.seed(1)
sys.stdout.buffer.write(b''.join(struct.pack('<i', random.randrange(128000)) for _ in range(4096)))" \
		>"$WORK/ids.i32"
	tokens="--ids $WORK/ids.i32"
	echo "    (capture from random token ids: lwq cannot tokenize with this tokenizer.json)"
fi
# shellcheck disable=SC2086
step "capture 4 x 512" "$LWQ" --quiet capture "$WORK/m.h5" $tokens --windows 4 --seq-len 512
step "score" "$LWQ" --quiet score "$WORK/m.h5"
linear_bytes=$(awk -v b="$bytes" 'BEGIN { print b }')
echo "    score reads every weight twice (moments, then the count above one sigma) and"
echo "    rounds each at 2, 3, 4 and 8 bits: $(mib_per_s "$((2 * linear_bytes))" "$last_secs") of weights read"
step "score (cached)" "$LWQ" --quiet score "$WORK/m.h5"
step "plan 4/2 bits, 3 avg bits" "$LWQ" plan "$WORK/m.h5" --avg-bits 3 --high 4 --low 2 -o "$WORK/plan.json"
step "export GGUF (Q4_K/Q2_K)" "$LWQ" --quiet export "$WORK/m.h5" --plan "$WORK/plan.json" -o "$WORK/m.gguf"
echo "    $(wc -c <"$WORK/m.gguf") bytes"
rm -f "$WORK/m.gguf"
step "export lwq" "$LWQ" --quiet export "$WORK/m.h5" --plan "$WORK/plan.json" --format lwq -o "$WORK/q.h5"
echo "    $(wc -c <"$WORK/q.h5") bytes"
rm -f "$WORK/q.h5"

# Explorer: time from start to a first screen that shows the model's name.
session="lwq8b$$"
start=$(date +%s.%N)
tmux new-session -d -s "$session" -x 120 -y 40 "$LWQ $WORK/m.h5"
shown=""
for _ in $(seq 200); do
	if tmux capture-pane -p -t "$session" 2>/dev/null | grep -q "hf\|layers"; then
		shown=$(date +%s.%N)
		break
	fi
	sleep 0.02
done
rss=$(ps -o rss= -p "$(tmux list-panes -t "$session" -F '#{pane_pid}')" 2>/dev/null || echo 0)
tmux kill-session -t "$session" 2>/dev/null || true
if [ -n "$shown" ]; then
	printf '%-30s %8.2f s to the first screen, RSS %.0f MiB\n' "explorer" \
	       "$(awk -v a="$start" -v b="$shown" 'BEGIN { print b - a }')" \
	       "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')"
else
	echo "explorer: no screen within 4 s"
fi
