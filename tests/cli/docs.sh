#!/bin/sh
# docs.sh: man/lwq.1 has a section for every verb naming every long option that verb's
# --help prints (and its short letter as the help gives it), each short letter means one
# option across every verb, and both man pages render without warnings.
. "$TOP_SRCDIR/tests/cli/lib.sh"
MAN1="$TOP_SRCDIR/man/lwq.1"

# The verbs as `lwq --help` lists them, so a new verb is checked without editing this file.
verbs=$("$LWQ" --help | awk '/^Verbs:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
check "lwq --help lists the verbs" test -n "$verbs"

# section NAME: the lines of man/lwq.1's `.SH NAME` section (NAME in capitals).
section() {
	awk -v name="$1" '/^\.SH/ { t = $0; sub(/^\.SH[ \t]+/, "", t); gsub(/"/, "", t); on = (t == name) }
		on' "$MAN1"
}

# undocumented TEXT-FILE: the long options of stdin that TEXT-FILE never writes in roff
# as \-\-name (a hyphen inside the name as \- or -), followed by no further name letter.
undocumented() {
	grep -o -- '--[a-z][a-z0-9-]*' | sort -u | while read -r opt; do
		name=$(printf '%s' "${opt#--}" | sed 's/-/\\\\?-/g')
		grep -q -E -- "\\\\-\\\\-$name([^a-z0-9\\-]|\\\\[^-]|\$)" "$1" || echo "$opt"
	done
}

"$LWQ" --help >"$WORK/global.help"
man_missing=$(undocumented "$MAN1" <"$WORK/global.help")
check "global options of lwq --help are in man/lwq.1${man_missing:+ (missing: $man_missing)}" \
	test -z "$man_missing"

# short_pairs: "X name" for every "-X, --name" of a --help text on stdin.
short_pairs() {
	sed -n 's/^  -\([A-Za-z]\), --\([a-z0-9-]*\).*/\1 \2/p'
}
# man_pairs FILE: "X name" for every roff "\-X ", " \-\-name" of FILE.
man_pairs() {
	grep -o -E '\\-[A-Za-z] ", " \\-\\-([a-z0-9]|\\-)+' "$1" |
		sed 's/^\\-\(.\) ", " \\-\\-//; s/\\-/-/g' >"$WORK/names"
	grep -o -E '\\-[A-Za-z] ", " ' "$1" | cut -c3 | paste -d' ' - "$WORK/names"
}
section TOKENS >"$WORK/tokens.man"

: >"$WORK/all.pairs"
for verb in $verbs; do
	VERB=$(echo "$verb" | tr '[:lower:]' '[:upper:]')
	section "$VERB" >"$WORK/$verb.man"
	check "man/lwq.1 has a section $VERB" test -s "$WORK/$verb.man"
	"$LWQ" "$verb" --help >"$WORK/$verb.help" 2>&1
	# --help and --quiet are documented once, under GLOBAL OPTIONS.
	grep -v -e '^ *-h, --help' -e '^ *-q, --quiet' "$WORK/$verb.help" >"$WORK/$verb.own"
	missing=$(undocumented "$WORK/$verb.man" <"$WORK/$verb.own" | tr '\n' ' ' | sed 's/ $//')
	check "$verb: every option of --help is in section $VERB${missing:+ (missing: $missing)}" \
		test -z "$missing"
	# The token options are described once, in TOKENS, for every verb that reads tokens.
	cat "$WORK/$verb.man" "$WORK/tokens.man" >"$WORK/$verb.man+"
	man_pairs "$WORK/$verb.man+" | sort -u >"$WORK/$verb.manpairs"
	short_pairs <"$WORK/$verb.own" | sort -u >"$WORK/$verb.pairs"
	cat "$WORK/$verb.pairs" >>"$WORK/all.pairs"
	letters=$(comm -23 "$WORK/$verb.pairs" "$WORK/$verb.manpairs" | tr '\n' ',' | sed 's/,$//')
	check "$verb: man/lwq.1 gives each short option as --help does${letters:+ (missing: $letters)}" \
		test -z "$letters"
	grep -q -e '^  -q, --quiet' "$WORK/$verb.help"
	check "$verb: --help lists -q, --quiet (accepted after the verb)" test $? -eq 0
done

# One meaning per short letter: in every verb's --help, and in every "\-X, \-\-name" of
# the man page (so the page names no letter the program gave up).
# (sweep's --orders is the plural of plan's --order: one meaning, one letter.)
sort -u "$WORK/all.pairs" >"$WORK/all.sorted"
clashes=$(sed 's/^r orders$/r order/' "$WORK/all.sorted" | sort -u | cut -d' ' -f1 | uniq -d | tr '\n' ' ' | sed 's/ $//')
check "each short option means one option in every verb${clashes:+ (clashes: $clashes)}" \
	test -z "$clashes"
man_pairs "$MAN1" | grep -v -e '^q quiet$' -e '^h help$' | sort -u >"$WORK/man.sorted"
stale=$(comm -23 "$WORK/man.sorted" "$WORK/all.sorted" | tr '\n' ',' | sed 's/,$//')
check "man/lwq.1 gives no short option that --help lacks${stale:+ (stale: $stale)}" \
	test -z "$stale"

# renders PAGE: `man --warnings` prints nothing on stderr (groff warnings, bad macros).
renders() {
	MANWIDTH=80 man --warnings -l "$1" >/dev/null 2>"$WORK/man.err" || return 1
	[ ! -s "$WORK/man.err" ] || { sed 's/^/#   /' "$WORK/man.err" | head -10; return 1; }
}
for page in lwq.1 lwq-format.5; do
	if command -v man >/dev/null 2>&1; then
		check "man/$page renders without warnings" renders "$TOP_SRCDIR/man/$page"
	else
		TAP_N=$((TAP_N + 1)); echo "ok $TAP_N # SKIP man is not installed"
	fi
done
done_testing
