#!/bin/sh
# run.sh: builds every fuzz target with clang's libFuzzer (sources instrumented for
# coverage, ASan and UBSan) and runs each for FUZZ_SECONDS; new inputs go to
# tests/fuzz/work/NAME (in the build tree), crash inputs to tests/fuzz/crashes/NAME/.
# Called by `make fuzz`: run.sh SRCDIR "TARGETS" LIBRARY-SOURCES...; FUZZ_LIBS comes
# after the instrumented library, so the normal build's objects stand in for any file
# clang could not compile.
# Env: FUZZ_CC, FUZZ_SECONDS, FUZZ_CPPFLAGS, FUZZ_LIBS, SHARED_DATA (the real models:
# their small files seed the work corpora), FUZZ_MERGE=1 to fold new coverage into the
# saved corpus.
set -e
srcdir=$1; targets=$2; shift 2
build=tests/fuzz/build
mkdir -p "$build/obj"
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
for src; do
	case $src in src/cmd_*.c) continue ;; *.c) ;; *) continue ;; esac   # parsers, not verbs
	o="$build/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	if [ ! "$o" -nt "$srcdir/$src" ]; then
		echo "  CC (fuzz) $src"
		# A file clang cannot build is left out: the link says so if a target needs it.
		$FUZZ_CC $flags -fsanitize=fuzzer-no-link $FUZZ_CPPFLAGS -c "$srcdir/$src" -o "$o" \
			2>"$build/cc.err" || { echo "  (left out: $(head -1 "$build/cc.err"))"; rm -f "$o"; }
	fi
done
rm -f "$build/liblwq-fuzz.a"
ar cr "$build/liblwq-fuzz.a" "$build"/obj/*.o
for t in $targets; do
	$FUZZ_CC $flags -fsanitize=fuzzer $FUZZ_CPPFLAGS -I"$srcdir/tests/fuzz" \
		"$srcdir/tests/fuzz/fuzz_$t.c" "$srcdir/tests/fuzz/fuzz_util.c" \
		"$build/liblwq-fuzz.a" $FUZZ_LIBS -o "$build/fuzz_$t"
done
status=0
for t in $targets; do
	work="tests/fuzz/work/$t"
	crashes="$srcdir/tests/fuzz/crashes/$t"
	mkdir -p "$work" "$crashes"
	max_len=8192
	case $t in   # seeds from the real models, where they are small enough to mutate
	config_json) seeds="$SHARED_DATA/models/lwq-demo-16L/config.json $SHARED_DATA/models/lwq-ref-24L/config.json" ;;
	tokenizer_json) seeds="$SHARED_DATA/models/lwq-demo-16L/tokenizer.json"; max_len=131072 ;;
	llama2c) seeds="$SHARED_DATA/models/stories260K/stories260K.bin"; max_len=1100000 ;;
	*) seeds= ;;
	esac
	for s in $seeds; do
		[ -f "$s" ] && cp "$s" "$work/shared-$(basename "$(dirname "$s")")-$(basename "$s")"
	done
	echo "== fuzz_$t for $FUZZ_SECONDS s"
	if ! "$build/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -print_final_stats=1 \
		-artifact_prefix="$crashes/" -timeout=10 -rss_limit_mb=4096 -max_len=$max_len \
		"$work" "$srcdir/tests/fuzz/corpus/$t" >"$work.log" 2>&1; then
		echo "   FINDING: see $work.log and $crashes/"; status=1
	fi
	grep -E '^#[0-9]+.*(DONE|INITED)|stat::number_of_executed_units' "$work.log" | tail -3
	if [ "${FUZZ_MERGE:-0}" = 1 ]; then
		"$build/fuzz_$t" -merge=1 "$srcdir/tests/fuzz/corpus/$t" "$work" >/dev/null 2>&1
	fi
done
exit $status
