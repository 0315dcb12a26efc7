#!/bin/sh
# basics.sh: top-level usage, verb help, unknown verbs.
. "$TOP_SRCDIR/tests/cli/lib.sh"

ok "lwq --help lists verbs" sh -c '"$LWQ" --help | grep -q "import"'
ok "lwq --version" sh -c '"$LWQ" --version | grep -q "^lwq "'
for verb in import info capture score plan sweep eval export heatmap explore; do
	ok "lwq $verb --help" sh -c "\"\$LWQ\" $verb --help | grep -q 'Usage: lwq $verb'"
done
fails_with "unknown verb is a usage error" 2 "not a verb" "$LWQ" frobnicate
fails_with "unknown global option" 2 "unknown option" "$LWQ" --frob
done_testing
