#!/bin/sh
# blas.sh: lwq --version describes the BLAS; lwq picks tuned OpenBLAS kernels when the
# library fell back to a generic core, never overrides the user's OPENBLAS_CORETYPE, and
# the kernels it picks give the same perplexity as the generic ones.
. "$TOP_SRCDIR/tests/cli/lib.sh"
unset OPENBLAS_CORETYPE

ok "lwq --version" "$LWQ" --version
check "it names the BLAS, its core and its threads" \
	grep -q '^BLAS: OpenBLAS [0-9.]*, core [A-Za-z0-9]*, [0-9]* threads*' "$WORK/out"
auto=$(sed -n 's/^BLAS: .*, core \([A-Za-z0-9]*\),.*/\1/p' "$WORK/out")
chosen=0
grep -q 'set by lwq; the library detected' "$WORK/out" && chosen=1

ok "lwq --version with OPENBLAS_CORETYPE=Prescott" env OPENBLAS_CORETYPE=Prescott "$LWQ" --version
check "the user's core is kept and said to come from the environment" \
	grep -q '^BLAS: .*, core Prescott, .*(OPENBLAS_CORETYPE=Prescott from the environment)$' "$WORK/out"
ok "threads follow OPENBLAS_NUM_THREADS" env OPENBLAS_NUM_THREADS=1 "$LWQ" --version
check "... 1 thread" grep -q ', 1 thread\( \|$\)' "$WORK/out"
check "... and no idle-thread timeout to set" sh -c "! grep -q 'THREAD_TIMEOUT' '$WORK/out'"
unset OPENBLAS_THREAD_TIMEOUT
ok "lwq --version on 2 threads" env OPENBLAS_NUM_THREADS=2 "$LWQ" --version
check "idle BLAS threads sleep after 2^16 cycles, set by lwq" \
	grep -q '^BLAS threads: idle threads sleep after 2^16 cycles (OPENBLAS_THREAD_TIMEOUT set by lwq)$' \
	"$WORK/out"
ok "lwq --version with OPENBLAS_THREAD_TIMEOUT=20" \
	env OPENBLAS_NUM_THREADS=2 OPENBLAS_THREAD_TIMEOUT=20 "$LWQ" --version
check "the user's timeout is kept" \
	grep -q '^BLAS threads: OPENBLAS_THREAD_TIMEOUT=20 from the environment$' "$WORK/out"

flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
has() { case " $flags " in *" $1 "*) return 0 ;; esac; return 1; }
if [ $chosen -eq 1 ]; then
	case $auto in
	Cooperlake) want="avx512f avx512bw avx512vl avx512dq avx512_bf16" ;;
	SkylakeX) want="avx512f avx512bw avx512vl avx512dq" ;;
	Haswell) want="avx2 fma" ;;
	*) want=none ;;
	esac
	ok_flags=1
	for f in $want; do has "$f" || ok_flags=0; done
	check "the chosen core ($auto) matches the CPU's vector units" [ "$ok_flags" -eq 1 ]
elif has avx2 && has fma; then
	check "the library's own core ($auto) is a tuned one on this AVX2 CPU" \
		sh -c "echo '$auto' | grep -q -i -x -E 'haswell|zen|skylakex|cooperlake|sapphirerapids'"
fi

# ---- same numbers with either kernel -----------------------------------------------
demo_model
[ $chosen -eq 1 ] || skip_rest "the BLAS already runs tuned kernels here"
run_eval() { # run_eval CORETYPE|auto JSON?: perplexity of the demo model
	if [ "$1" = auto ]; then
		"$LWQ" eval "$MODEL" --ids "$IDS" --offset 8192 --seq-len 256 --windows 4 $2
	else
		env OPENBLAS_CORETYPE=$1 \
			"$LWQ" eval "$MODEL" --ids "$IDS" --offset 8192 --seq-len 256 --windows 4 $2
	fi
}
generic=$(run_eval Prescott | sed -n 's/^perplexity  *//p')
tuned=$(run_eval auto | sed -n 's/^perplexity  *//p')
check "perplexity is the same to the last printed digit ($generic generic, $tuned $auto)" \
	[ -n "$generic" -a "$generic" = "$tuned" ]
# The two kernels add the same products in a different order: the full-precision figure
# may move in the 7th significant digit, never more.
g=$(run_eval Prescott --json | sed 's/.*"perplexity": \([0-9.e+-]*\),.*/\1/')
t=$(run_eval auto --json | sed 's/.*"perplexity": \([0-9.e+-]*\),.*/\1/')
check "JSON perplexities agree within 1e-6 relative ($g, $t)" \
	awk -v a="$g" -v b="$t" 'BEGIN { d = (a - b) / a; exit !(a > 1 && d < 1e-6 && d > -1e-6) }'
done_testing
