#!/bin/sh
# write_failures.sh: every writing verb under a file size limit (and, where tmpfs can be
# mounted, on a full filesystem): one line, exit 1, no crash, the model file byte for
# byte as it was and nothing left under the output's name or as a working copy.
. "$TOP_SRCDIR/tests/cli/lib.sh"
need_cmd prlimit
demo_model
SIZE=$(wc -c <"$MODEL")
ok "capture the demo model (2 windows of 64)" "$LWQ" capture "$MODEL" --ids "$IDS" $SMALL
ok "score it" "$LWQ" score "$MODEL"
SUM=$(cksum <"$MODEL")

limited() { # limited BYTES COMMAND...: COMMAND with a file size limit of BYTES
	bytes=$1; shift
	prlimit --fsize="$bytes" -- "$@"
}
# only_files NAME...: $WORK holds exactly these names (besides the test's own out/err)
only_files() {
	[ "$(ls -A "$WORK" | grep -v -x -e out -e err | sort | tr '\n' ' ')" = "$(printf '%s\n' "$@" | sort | tr '\n' ' ')" ]
}

# ---- verbs that update the model: the updated copy is refused before writing --------
ABOVE=$((SIZE + 4096))
fails_with "capture --force, limit just above the file: refused up front" 1 \
	"demo.h5: not updated: the updated copy needs .*only .* can be written there" \
	limited $ABOVE "$LWQ" capture "$MODEL" --force --ids "$IDS" $SMALL --offset 64
fails_with "score --force, limit just above the file" 1 "demo.h5: not updated" \
	limited $ABOVE "$LWQ" score "$MODEL" --force
fails_with "sweep, limit just above the file" 1 "demo.h5: not updated" \
	limited $ABOVE "$LWQ" sweep "$MODEL" --ids "$IDS" --windows 1 --seq-len 32 --orders zd
check "the model is byte for byte unchanged" unchanged
check "no working copy left beside it" only_files demo.h5

TAP_N=$((TAP_N + 1))
if limited $ABOVE "$LWQ" plan "$MODEL" --avg-bits 3 -o "$WORK/p.json" >"$WORK/out" 2>"$WORK/err" &&
   [ -s "$WORK/p.json" ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] &&
   grep -q "warning: the plan was saved but not copied into the model: .*not updated" "$WORK/err"; then
	echo "ok $TAP_N - plan -o: the plan file is written, the model copy is skipped with one warning"
else
	echo "not ok $TAP_N - plan -o under the limit"; TAP_FAILED=$((TAP_FAILED + 1))
	sed 's/^/#   /' "$WORK/err"
fi
rm -f "$WORK/p.json"
check "the model is still unchanged" unchanged

# ---- verbs that write new files ------------------------------------------------------
fails_with "import, limit 2 MiB: refused up front with the size needed" 1 \
	"new.h5: needs 6.75 MiB, only 2.00 MiB can be written there" \
	limited 2097152 "$LWQ" import "$D" -o "$WORK/new.h5"
# Above the weights' own size but below HDF5's overhead: the write fails half-way.
fails_with "import, limit just above the weights: fails half-way, one line" 1 \
	"new.h5: cannot write to disk (disk full or file size limit)" \
	limited 7100000 "$LWQ" import "$D" -o "$WORK/new.h5"
check "no file under the final name, no temp file" only_files demo.h5
fails_with "plan -o, limit 100 bytes" 1 "p.json: write failed" \
	limited 100 "$LWQ" plan "$MODEL" --avg-bits 3 -o "$WORK/p.json"
ok "a plan file (no limit; also stored in the model)" "$LWQ" plan "$MODEL" --avg-bits 3 -o "$WORK/plan.json"
SUM=$(cksum <"$MODEL")
fails_with "export lwq, limit 1 MiB" 1 "q.h5: needs" \
	limited 1048576 "$LWQ" export "$MODEL" --plan "$WORK/plan.json" -o "$WORK/q.h5"
fails_with "export gguf, limit 1 MiB" 1 "q.gguf: needs" \
	limited 1048576 "$LWQ" export "$MODEL" --plan "$WORK/plan.json" --format gguf -o "$WORK/q.gguf"
fails_with "heatmap, limit 100 bytes" 1 "h.png: " \
	limited 100 "$LWQ" heatmap "$MODEL" -o "$WORK/h.png"
check "nothing new but the plan file" only_files demo.h5 plan.json
check "the model is still unchanged" unchanged

# ---- a real full filesystem (needs permission to mount tmpfs) --------------------------
T="$WORK/tmpfs"
mkdir "$T"
if mount -t tmpfs -o size=9m lwq-test "$T" 2>/dev/null; then
	trap 'umount "$T" 2>/dev/null; rm -rf "$WORK"' EXIT
	cp "$MODEL" "$T/m.h5"
	TSUM=$(cksum <"$T/m.h5")
	fails_with "tmpfs: capture --force with too little room for the copy" 1 \
		"m.h5: not updated: the updated copy needs" \
		"$LWQ" capture "$T/m.h5" --force --ids "$IDS" $SMALL --offset 64
	check "tmpfs: the model is unchanged and alone" sh -c \
		"[ \"\$(cksum <'$T/m.h5')\" = '$TSUM' ] && [ \"\$(ls -A '$T')\" = m.h5 ]"
	rm "$T/m.h5"
	umount "$T"
	mount -t tmpfs -o size=6940k lwq-test "$T"
	fails_with "tmpfs of 6.8 MiB: import fails half-way with one line" 1 \
		"d.h5: cannot write to disk" "$LWQ" import "$D" -o "$T/d.h5"
	check "tmpfs: nothing left" [ -z "$(ls -A "$T")" ]
	umount "$T"
else
	TAP_N=$((TAP_N + 1)); echo "ok $TAP_N # SKIP cannot mount a tmpfs here"
fi
done_testing
