#!/bin/sh
# docs.sh: man/lwq.1 has a section for every verb naming every long option that verb's
# --help prints, and both man pages render without warnings.
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

for verb in $verbs; do
	VERB=$(echo "$verb" | tr '[:lower:]' '[:upper:]')
	section "$VERB" >"$WORK/$verb.man"
	check "man/lwq.1 has a section $VERB" test -s "$WORK/$verb.man"
	"$LWQ" "$verb" --help >"$WORK/$verb.help" 2>&1
	# --help itself is documented once, under GLOBAL OPTIONS.
	missing=$(grep -v -e '^ *-h, --help' "$WORK/$verb.help" | undocumented "$WORK/$verb.man" |
		  tr '\n' ' ' | sed 's/ $//')
	check "$verb: every option of --help is in section $VERB${missing:+ (missing: $missing)}" \
		test -z "$missing"
done

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
