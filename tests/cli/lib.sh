# lib.sh: TAP helpers for CLI tests that drive the real lwq binary.
# Sourced by tests/cli/*.sh. Env from Makefile.am: LWQ, TOP_SRCDIR, SHARED_DATA.
: "${LWQ:?LWQ must point at the lwq binary}"
TAP_N=0
TAP_FAILED=0
WORK=$(mktemp -d "${TMPDIR:-/tmp}/lwq-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

ok() { # ok DESCRIPTION COMMAND...
	desc=$1; shift
	TAP_N=$((TAP_N + 1))
	if "$@" >"$WORK/out" 2>"$WORK/err"; then
		echo "ok $TAP_N - $desc"
	else
		echo "not ok $TAP_N - $desc"; TAP_FAILED=$((TAP_FAILED + 1))
		sed 's/^/#   /' "$WORK/out" "$WORK/err" | head -20
	fi
}

# fails_with DESCRIPTION STATUS PATTERN COMMAND...: exits STATUS, stderr one line matching PATTERN.
fails_with() {
	desc=$1; want=$2; pattern=$3; shift 3
	TAP_N=$((TAP_N + 1))
	"$@" >"$WORK/out" 2>"$WORK/err"; got=$?
	lines=$(wc -l <"$WORK/err")
	if [ "$got" -eq "$want" ] && grep -q -- "$pattern" "$WORK/err" && [ "$lines" -le 2 ] &&
	   ! grep -q -E 'AddressSanitizer|runtime error|LeakSanitizer' "$WORK/err"; then
		echo "ok $TAP_N - $desc"
	else
		echo "not ok $TAP_N - $desc (status $got, want $want /$pattern/)"
		TAP_FAILED=$((TAP_FAILED + 1)); sed 's/^/#   /' "$WORK/err" | head -20
	fi
}

check() { # check DESCRIPTION TEST-EXPRESSION...
	desc=$1; shift
	TAP_N=$((TAP_N + 1))
	if "$@"; then echo "ok $TAP_N - $desc"; else
		echo "not ok $TAP_N - $desc"; TAP_FAILED=$((TAP_FAILED + 1)); fi
}

need_shared() { # skip the whole script when the real models are absent
	if [ ! -f "$SHARED_DATA/README.md" ]; then
		echo "1..0 # SKIP ../shared/data is absent"; exit 0
	fi
}

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
