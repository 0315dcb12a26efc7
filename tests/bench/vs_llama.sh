#!/bin/sh
# vs_llama.sh: lwq eval against llama.cpp's f32 prompt processing (llama-bench pp512) on
# lwq-ref-24L, run alternately in one session so both see the same machine load, and
# the forward pass's share of the measured sgemm peak. Not a pass/fail test.
#   tests/bench/vs_llama.sh [BUILD_DIR] [ROUNDS]
# LLAMA_CPP_BIN names the directory of llama-bench and llama-quantize (default
# /work/llama.cpp/build/bin, else PATH). Reports the best round of each: on a shared
# machine the best is the least disturbed. Exits 77 when a piece is missing.
set -eu
BUILD=$(cd "${1:-.}" && pwd)
ROUNDS=${2:-3}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
SHARED_DATA=${SHARED_DATA:-$SRC/../shared/data}
LWQ="$BUILD/lwq"
THREADS=${OPENBLAS_NUM_THREADS:-2}
BIN=${LLAMA_CPP_BIN:-/work/llama.cpp/build/bin}
bench=$BIN/llama-bench quantize=$BIN/llama-quantize
[ -x "$bench" ] || bench=$(command -v llama-bench || true)
[ -x "$quantize" ] || quantize=$(command -v llama-quantize || true)
[ -x "$LWQ" ] || { echo "no lwq in $BUILD"; exit 1; }
[ -f "$SHARED_DATA/README.md" ] || { echo "no shared data at $SHARED_DATA"; exit 77; }
[ -n "$bench" ] && [ -n "$quantize" ] || { echo "llama-bench/llama-quantize not found"; exit 77; }
make -s -C "$BUILD" tests/bench/sgemm_peak >/dev/null
# sgemm_peak runs the kernels lwq runs: lwq may pick them itself (man lwq, ENVIRONMENT).
blas=$("$LWQ" --version | sed -n 2p)
core=$(echo "$blas" | sed -n 's/^BLAS: .*, core \([A-Za-z0-9]*\),.*/\1/p')
export OPENBLAS_CORETYPE="${OPENBLAS_CORETYPE:-$core}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lwq-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

MODEL="$SHARED_DATA/models/lwq-ref-24L"
"$LWQ" --quiet import "$MODEL" -o "$WORK/ref.h5"
"$LWQ" --quiet export "$WORK/ref.h5" --format gguf --f16 --embed-type f32 -o "$WORK/ref-f16.gguf" >/dev/null
"$quantize" "$WORK/ref-f16.gguf" "$WORK/ref-f32.gguf" F32 >/dev/null 2>&1
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $THREADS threads"
echo "$blas"

# FLOPs per token of a 512-token window (see forward_speed.sh): linears, causal
# attention and, for lwq eval, the LM head at every position.
fpt=$(awk 'BEGIN { h = 288; f = 768; q = 288; k = 96; L = 512
	lin = h * (q + 2 * k) + q * h + 3 * h * f
	print 24 * (2 * lin + 2 * (L + 1) * q) + 2 * h * 8192 }')
best_lwq=0 best_llama=0 best_peak=0
for r in $(seq "$ROUNDS"); do
	peak=$(OPENBLAS_NUM_THREADS=$THREADS "$BUILD/tests/bench/sgemm_peak" 2048 2048 2048 3 |
	       sed 's/.*: \([0-9.]*\) GFLOP.*/\1/')
	llama=$("$bench" -m "$WORK/ref-f32.gguf" -p 512 -n 0 -t "$THREADS" -r 3 -o csv 2>/dev/null |
		awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /avg_ts/) c = i; next }
			 { gsub(/"/, "", $c); print $c }')
	lwq=$(OPENBLAS_NUM_THREADS=$THREADS "$LWQ" eval "$WORK/ref.h5" --ids "$MODEL/heldout.ids.i32" \
		--offset 8192 --windows 16 --json |
	      sed 's/.*"tokens_per_second": \([0-9.]*\).*/\1/')
	printf 'round %d: lwq eval %6.0f tokens/s, llama.cpp pp512 %6.0f tokens/s, sgemm peak %5.1f GFLOP/s\n' \
		"$r" "$lwq" "$llama" "$peak"
	best_lwq=$(awk -v a="$best_lwq" -v b="$lwq" 'BEGIN { print (b > a ? b : a) }')
	best_llama=$(awk -v a="$best_llama" -v b="$llama" 'BEGIN { print (b > a ? b : a) }')
	best_peak=$(awk -v a="$best_peak" -v b="$peak" 'BEGIN { print (b > a ? b : a) }')
done
awk -v l="$best_lwq" -v c="$best_llama" -v p="$best_peak" -v f="$fpt" -v t="$THREADS" 'BEGIN {
	printf "best of each: lwq eval %.0f tokens/s, llama.cpp pp512 %.0f tokens/s, sgemm peak %.1f GFLOP/s\n", l, c, p
	printf "ratio 1: lwq eval / llama.cpp f32 pp512, %d threads: %.2fx (target >= 1.3x)\n", t, l / c
	printf "ratio 2: forward pass / sgemm peak: %.1f GFLOP/s / %.1f = %.1f%% (target >= 50%%)\n",
	       l * f / 1e9, p, 100 * l * f / 1e9 / p }'
