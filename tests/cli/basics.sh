#!/bin/sh
# basics.sh: top-level usage, verb help, unknown verbs.
. "$TOP_SRCDIR/tests/cli/lib.sh"

ok "lwq --help lists verbs" sh -c '"$LWQ" --help | grep -q "import"'
ok "lwq --version" sh -c '"$LWQ" --version | grep -q "^lwq "'
for verb in import info capture score plan sweep eval export heatmap explore; do
	ok "lwq $verb --help" sh -c "\"\$LWQ\" $verb --help | grep -q 'Usage: lwq $verb'"
done
# Every verb on a model file words a wrong operand count the same way.
for verb in info capture score plan sweep eval export heatmap; do
	fails_with "lwq $verb without MODEL.h5" 2 "^lwq: $verb: expected one MODEL.h5, got none$" \
		"$LWQ" $verb
	fails_with "lwq $verb with two files" 2 \
		"^lwq: $verb: expected one MODEL.h5, got extra argument 'b.h5'$" "$LWQ" $verb a.h5 b.h5
done
fails_with "lwq explore with two files" 2 \
	"^lwq: explore: expected one MODEL.h5, got extra argument 'b.h5'$" "$LWQ" explore a.h5 b.h5
# Options come from each verb's table: errors name the option as the user wrote it.
fails_with "unknown short option" 2 "^lwq: plan: unknown option '-Z'$" "$LWQ" plan a.h5 -Z
fails_with "unknown letter inside a cluster" 2 "^lwq: score: unknown option '-x'$" \
	"$LWQ" score a.h5 -fx
fails_with "long option without its value" 2 "^lwq: eval: option '--windows' needs a value$" \
	"$LWQ" eval a.h5 --windows
fails_with "short option without its value" 2 "^lwq: plan: option '-b' needs a value$" \
	"$LWQ" plan a.h5 -b
fails_with "value out of range" 2 "^lwq: capture: --windows must be a whole number >= 1, not '0'$" \
	"$LWQ" capture a.h5 --ids x -w 0
fails_with "word not in the list" 2 "^lwq: export: --format must be lwq or gguf, not 'onnx'$" \
	"$LWQ" export a.h5 -F onnx -o x
ok "--help wins over a bad option" sh -c '"$LWQ" plan --frob --help | grep -q "^  -P, --pin"'
ok "-q and --help in any verb" sh -c '"$LWQ" info x.h5 -q -h | grep -q "^  -q, --quiet"'
# A full stdout is an error of the verb, checked once for all of them.
DEMO="$TOP_SRCDIR/data/demo.h5"
if [ -w /dev/full ]; then
	fails_with "info to a full disk" 1 "^lwq: info: cannot write output: No space left" \
		sh -c '"$LWQ" info "$1" >/dev/full' _ "$DEMO"
	fails_with "plan --json to a full disk" 1 "^lwq: plan: cannot write output" \
		sh -c '"$LWQ" plan "$1" --avg-bits 3 --json >/dev/full' _ "$DEMO"
	fails_with "--help to a full disk" 1 "^lwq: cannot write output" \
		sh -c '"$LWQ" --help >/dev/full'
fi
fails_with "unknown verb is a usage error" 2 "not a verb" "$LWQ" frobnicate
fails_with "unknown global option" 2 "unknown option" "$LWQ" --frob
done_testing
