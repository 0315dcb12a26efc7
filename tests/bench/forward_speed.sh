#!/bin/sh
# forward_speed.sh: speed of lwq eval and capture on lwq-ref-24L (and the demo model's
# reference perplexity), as tokens/s, peak RSS and the share of measured sgemm FLOP/s.
# Not a pass/fail test. Run from a build configured WITHOUT --enable-sanitizers:
#   tests/bench/forward_speed.sh [BUILD_DIR]       (default: the current directory)
# Needs ../shared/data (or SHARED_DATA) and /usr/bin/time (Debian package time).
set -eu
BUILD=$(cd "${1:-.}" && pwd)
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SHARED_DATA=${SHARED_DATA:-$SRC/../shared/data}
LWQ="$BUILD/lwq"
THREADS=${OPENBLAS_NUM_THREADS:-2}
export OPENBLAS_NUM_THREADS=$THREADS
[ -x "$LWQ" ] || { echo "no lwq in $BUILD"; exit 1; }
[ -f "$SHARED_DATA/README.md" ] || { echo "no shared data at $SHARED_DATA"; exit 77; }
if grep -q '^SAN_FLAGS = -fsanitize' "$BUILD/Makefile" 2>/dev/null; then
	echo "warning: $BUILD is a sanitizer build; figures will be slow"
fi
make -s -C "$BUILD" tests/bench/sgemm_peak >/dev/null
# sgemm_peak runs the kernels lwq runs: lwq may pick them itself (man lwq, ENVIRONMENT).
core=$("$LWQ" --version | sed -n 's/^BLAS: .*, core \([A-Za-z0-9]*\),.*/\1/p')
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-$core}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lwq-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1 /proc/loadavg), OPENBLAS_NUM_THREADS=$THREADS"
peak=$("$BUILD/tests/bench/sgemm_peak" 2048 2048 2048 5 | sed 's/.*: \([0-9.]*\) GFLOP.*/\1/')
shaped=$("$BUILD/tests/bench/sgemm_peak" 1024 768 288 20 | sed 's/.*: \([0-9.]*\) GFLOP.*/\1/')
echo "sgemm peak: $peak GFLOP/s (2048^3), $shaped GFLOP/s (1024x768x288, a 24L linear)"

# On a shared machine wall time depends on the load; the CPU-second figure does less so.
# FLOPs per token of one window of L tokens: 2 x (linear params) per layer, attention
# 2 x 2 x (L + 1) / 2 x q_dim per layer (causal: on average half the window), LM head.
flops_per_token() { # LAYERS HIDDEN FF HEADS KV HEAD_DIM VOCAB L WITH_HEAD
	awk -v n="$1" -v h="$2" -v f="$3" -v nh="$4" -v kv="$5" -v hd="$6" -v v="$7" \
	    -v L="$8" -v head="$9" 'BEGIN {
		q = nh * hd; k = kv * hd
		lin = h * (q + 2 * k) + q * h + 3 * h * f
		print n * (2 * lin + 2 * (L + 1) * q) + head * 2 * h * v }'
}

run() { # run LABEL TOKENS FLOPS_PER_TOKEN COMMAND...: time, RSS, share of peak
	label=$1; tokens=$2; fpt=$3; shift 3
	/usr/bin/time -v "$@" >"$WORK/out" 2>"$WORK/time" || { cat "$WORK/time"; exit 1; }
	secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time" |
	       awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
	cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$WORK/time")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time")
	awk -v l="$label" -v t="$tokens" -v s="$secs" -v c="$cpu" -v r="$rss" -v f="$fpt" \
	    -v p="$peak" 'BEGIN {
		g = t * f / s / 1e9
		printf "%-24s %6.1f s wall, %6.1f s CPU, %6.0f tokens/s, peak RSS %5.1f MiB, %5.1f GFLOP/s = %4.1f%% of sgemm peak (%4.1f GFLOP per CPU-second)\n",
		       l, s, c, t / s, r / 1024, g, 100 * g / p, t * f / c / 1e9 }'
}

for model in lwq-demo-16L lwq-ref-24L; do
	"$LWQ" --quiet import "$SHARED_DATA/models/$model" -o "$WORK/$model.h5"
done
IDS="$SHARED_DATA/models/lwq-ref-24L/heldout.ids.i32"
eval_f=$(flops_per_token 24 288 768 6 2 48 8192 512 1)
capt_f=$(flops_per_token 24 288 768 6 2 48 8192 512 0)

run "eval 24L, 64 x 512" 32768 "$eval_f" \
	"$LWQ" eval "$WORK/lwq-ref-24L.h5" --ids "$IDS" --offset 8192 --windows 64 --json
sed 's/.*"perplexity": \([0-9.]*\).*"nll_mean": \([0-9.]*\).*/    lwq-ref-24L perplexity \1 (mean NLL \2)/' "$WORK/out"
run "capture 24L, 16 x 512" 8192 "$capt_f" \
	"$LWQ" capture "$WORK/lwq-ref-24L.h5" --ids "$IDS" --offset 0 --windows 16
sed -n 's/^streams: /    streams: /p' "$WORK/out"
demo_f=$(flops_per_token 16 128 352 4 2 32 2048 512 1)
run "eval 16L, 64 x 512" 32768 "$demo_f" \
	"$LWQ" eval "$WORK/lwq-demo-16L.h5" --ids "$SHARED_DATA/models/lwq-demo-16L/heldout.ids.i32" \
	--offset 8192 --windows 64 --json
sed 's/.*"perplexity": \([0-9.]*\).*"nll_mean": \([0-9.]*\).*/    lwq-demo-16L perplexity \1 (mean NLL \2)/' "$WORK/out"
