#!/bin/sh
# install.sh: `make install prefix=P` gives a binary that finds its installed demo from
# any directory (relative to the executable), and names nothing of the build tree.
. "$TOP_SRCDIR/tests/cli/lib.sh"
need_cmd make strip
[ -f "$TOP_BUILDDIR/Makefile" ] || skip_rest "no Makefile in the build directory"
P="$WORK/prefix"
ok "make install prefix=P" env -u MAKEFLAGS -u MFLAGS make -s -C "$TOP_BUILDDIR" install prefix="$P"
check "the demo is installed" test -f "$P/share/lwq/demo.h5"
ok "P/bin/lwq explore --help from /" sh -c 'cd / && env -u LWQ_DEMO "$1/bin/lwq" explore --help' _ "$P"
check "it names the installed demo" grep -q "^Demo model here: $P/share/lwq/demo.h5$" "$WORK/out"
mv "$P" "$WORK/moved"
ok "a moved installation still finds its own demo" sh -c \
	'cd / && env -u LWQ_DEMO "$1/bin/lwq" explore --help' _ "$WORK/moved"
check "the moved demo" grep -q "^Demo model here: $WORK/moved/share/lwq/demo.h5$" "$WORK/out"
ok "LWQ_DEMO still wins" sh -c 'cd / && LWQ_DEMO=/x.h5 "$1/bin/lwq" explore --help' _ "$WORK/moved"
check "LWQ_DEMO named" grep -q "^Demo model here: /x.h5$" "$WORK/out"
strip -o "$WORK/stripped" "$WORK/moved/bin/lwq"
check "the binary names neither the build nor the source tree" sh -c \
	"! strings '$WORK/stripped' | grep -q -e '$TOP_BUILDDIR' -e '$TOP_SRCDIR'"
done_testing
