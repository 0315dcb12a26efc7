#!/bin/sh
# layers.sh: each library is compiled with only its own headers and those below it, so
# an include that goes up the layers (analysis/ -> ui/ or src/, ui/ -> src/) does not
# compile, while one that goes down does. Flags come from Makefile.am (LAYER_FLAGS_*).
. "$TOP_SRCDIR/tests/cli/lib.sh"

# compiles LAYER HEADER: a file of LAYER including HEADER compiles with LAYER's flags.
compiles() {
	eval "flags=\$LAYER_FLAGS_$1"
	printf '#include "%s"\nint lwq_layer_probe;\n' "$2" >"$WORK/probe.c"
	# shellcheck disable=SC2086
	(cd "$TOP_BUILDDIR" && $CC $flags -fsyntax-only "$WORK/probe.c") 2>"$WORK/cc.err"
}
refused() { ! compiles "$@" && grep -q "$2" "$WORK/cc.err"; }

check "analysis/ compiles its own header" compiles ANALYSIS plan.h
check "analysis/ cannot include src/ (model_h5.h)" refused ANALYSIS model_h5.h
check "analysis/ cannot include ui/ (ui_state.h)" refused ANALYSIS ui_state.h
check "ui/ compiles an analysis/ header" compiles UI plan.h
check "ui/ cannot include src/ (model_h5.h)" refused UI model_h5.h
check "ui/ cannot include src/ by path (src/model_h5.h)" refused UI src/model_h5.h
check "src/ sees all three layers" compiles SRC model_h5.h
done_testing
