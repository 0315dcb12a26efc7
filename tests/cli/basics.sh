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
fails_with "unknown verb is a usage error" 2 "not a verb" "$LWQ" frobnicate
fails_with "unknown global option" 2 "unknown option" "$LWQ" --frob
done_testing
