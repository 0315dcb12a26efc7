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

# skip_rest REASON: skip the rest of the script: all of it when no test ran yet, else
# as one skipped test after the results so far.
skip_rest() {
	if [ "$TAP_N" -eq 0 ]; then
		echo "1..0 # SKIP $1"; exit 0
	fi
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N # SKIP $1"
	done_testing; exit
}

need_shared() { # the rest needs the real models in ../shared/data
	[ -f "$SHARED_DATA/README.md" ] || skip_rest "../shared/data is absent"
}

need_cmd() { # need_cmd PROGRAM...: the rest needs these programs (e.g. python3, tmux)
	for prog; do
		command -v "$prog" >/dev/null 2>&1 || skip_rest "$prog is not installed"
	done
}

# demo_model: the real 16-layer demo model imported into $MODEL (one test), with $D its
# directory, $IDS its token ids and $SMALL a quick run; `unchanged` is then true while
# the file is byte for byte as imported.
demo_model() {
	need_shared
	D="$SHARED_DATA/models/lwq-demo-16L"
	IDS="$D/heldout.ids.i32"
	MODEL="$WORK/demo.h5"
	SMALL="--seq-len 64 --windows 2"
	ok "import the demo model" "$LWQ" --quiet import "$D" -o "$MODEL"
	SUM=$(cksum <"$MODEL")
}
unchanged() { [ "$(cksum <"$MODEL")" = "$SUM" ]; }

done_testing() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
