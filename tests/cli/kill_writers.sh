#!/bin/sh
# kill_writers.sh: capture, score and sweep killed with SIGKILL at several moments: the
# model file stays readable (lwq info) and is either byte for byte as it was or holds
# the complete new result; a later run removes the working copy a killed run left.
. "$TOP_SRCDIR/tests/cli/lib.sh"
demo_model
ok "capture at offset 0" "$LWQ" capture "$MODEL" --ids "$IDS" $SMALL
SUM=$(cksum <"$MODEL")

# killed_at SECONDS DESCRIPTION COMPLETE-TEST LWQ-ARGS...: runs lwq in the background,
# kills it after SECONDS (or `copy`: as soon as its working copy exists, that is while
# it writes), then checks the file.
killed_at() {
	delay=$1; desc=$2; complete=$3; shift 3
	"$LWQ" "$@" >/dev/null 2>&1 &
	pid=$!
	if [ "$delay" = copy ]; then   # the moment its working copy appears
		while kill -0 $pid 2>/dev/null; do
			set -- "$WORK"/.demo.h5.tmp.*
			[ -e "$1" ] && break
		done
	else
		sleep "$delay"
	fi
	kill -9 $pid 2>/dev/null
	wait $pid 2>/dev/null
	[ "$delay" = copy ] && when="while writing" || when="after $delay s"
	TAP_N=$((TAP_N + 1))
	if ! "$LWQ" info "$MODEL" >"$WORK/out" 2>"$WORK/err"; then
		echo "not ok $TAP_N - $desc, killed $when: lwq info fails"
		TAP_FAILED=$((TAP_FAILED + 1)); sed 's/^/#   /' "$WORK/err"
	elif [ "$(cksum <"$MODEL")" = "$SUM" ]; then
		echo "ok $TAP_N - $desc, killed $when: readable, unchanged"
	elif sh -c "$complete"; then
		echo "ok $TAP_N - $desc, killed $when: readable, complete"
		SUM=$(cksum <"$MODEL")
	else
		echo "not ok $TAP_N - $desc, killed $when: changed but incomplete"
		TAP_FAILED=$((TAP_FAILED + 1))
	fi
}
offset_is() { # the stored activations come from token offset $1
	echo "h5dump -a /activations/offset '$MODEL' | grep -q '(0): $1\$'"
}
for delay in copy 0.05 0.2 0.4 0.6 0.8 1.0; do
	killed_at $delay "capture --force" "$(offset_is 2048)" \
		capture "$MODEL" --force --ids "$IDS" --windows 8 --seq-len 256 --offset 2048
	ok "capture back at offset 0" "$LWQ" capture "$MODEL" --force --ids "$IDS" $SMALL
	SUM=$(cksum <"$MODEL")
done
for delay in copy 0.02 0.1 0.2 0.3; do
	killed_at $delay "score --force" "h5ls '$MODEL/scores/lim' >/dev/null" \
		score "$MODEL" --force
done
for delay in copy 0.3 1.0 3.0; do
	killed_at $delay "sweep" "h5ls '$MODEL/sweeps/zd' >/dev/null" \
		sweep "$MODEL" --ids "$IDS" --windows 1 --seq-len 128 --orders zd,random:1
done
# SIGTERM (or Ctrl-C's SIGINT, which a background job of sh ignores) before the result is
# stored: one line says nothing was written, the model is unchanged, the status is the
# signal's.
SUM=$(cksum <"$MODEL")
"$LWQ" sweep "$MODEL" --ids "$IDS" --windows 2 --seq-len 256 --orders zd,random:1 \
	>/dev/null 2>"$WORK/err" &
pid=$!
sleep 0.5
kill -TERM $pid
wait $pid
status=$?
check "sweep interrupted: one line says nothing was written (status $status)" \
	sh -c "[ $status = 143 ] && grep -qx 'lwq: sweep: interrupted; nothing was written' '$WORK/err'"
check "... the model is unchanged" [ "$(cksum <"$MODEL")" = "$SUM" ]
# Interrupted after its first order: that curve is stored (and printed), the rest named.
# On a terminal (script) the progress line says when the second order starts.
if command -v script >/dev/null 2>&1; then
	SUM=$(cksum <"$MODEL")
	cd "$WORK" && script -qefc "exec '$LWQ' sweep demo.h5 --ids '$IDS' --windows 2 \
--seq-len 128 --step 8 --orders zd,random:1 >sweep.out" sweep.tty >/dev/null 2>&1 &
	spid=$!
	i=0
	while [ $i -lt 600 ] && ! grep -q "order random:1" "$WORK/sweep.tty" 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -TERM "$(pgrep -P $spid)"
	wait $spid
	status=$?
	cd - >/dev/null
	check "sweep interrupted in its second order: status $status, one line names what it kept" \
		sh -c "[ $status = 143 ] && tr '\r' '\n' <'$WORK/sweep.tty' | grep -q \
'^.*lwq: sweep: interrupted; kept the finished curve of zd in demo.h5 (not measured: random:1)\$'"
	check "... the zd curve is stored, from this run (2 windows)" \
		sh -c "h5dump -a /sweeps/zd/windows '$MODEL' | grep -q '(0): 2\$'"
	check "... random:1 is not (absent, or from an earlier run of 1 window)" \
		sh -c "! h5dump -a /sweeps/random:1/windows '$MODEL' 2>/dev/null | grep -q '(0): 2\$'"
	check "... and zd's points were printed" grep -q "^zd  *8 " "$WORK/sweep.out"
	ok "the model reads" "$LWQ" info "$MODEL"
	rm -f "$WORK/sweep.out" "$WORK/sweep.tty"
fi
# ---- another process holds the model open (an export or eval; HDF5 readers take a
# shared lock): capture and sweep refuse before any work, score prints but does not cache
if command -v flock >/dev/null 2>&1; then
	SUM=$(cksum <"$MODEL")
	flock -s "$MODEL" -c "touch '$WORK/held'; exec sleep 60" &
	hold=$!
	i=0
	while [ $i -lt 100 ] && [ ! -e "$WORK/held" ]; do sleep 0.1; i=$((i + 1)); done
	fails_with "capture while another process holds the model: refused up front" 1 \
		"demo.h5: in use by another process" \
		"$LWQ" capture "$MODEL" --force --ids "$IDS" $SMALL --offset 64
	fails_with "sweep while another process holds the model: refused up front" 1 \
		"demo.h5: in use by another process" \
		"$LWQ" sweep "$MODEL" --ids "$IDS" --windows 1 --seq-len 32 --orders zd
	check "... with nothing printed" [ ! -s "$WORK/out" ]
	ok "score --force while it is held: the scores are printed" "$LWQ" score "$MODEL" --force
	check "... with one warning that they were not cached" sh -c "[ \$(grep -c 'not cached' '$WORK/err') = 1 ] &&
grep -q '^lwq: score: scores were not cached: .*demo.h5: in use by another process' '$WORK/err'"
	check "... and the model is byte for byte as it was" unchanged
	pkill -P $hold; kill $hold 2>/dev/null; wait $hold 2>/dev/null
	rm -f "$WORK/held"
fi
ok "a full run afterwards" "$LWQ" score "$MODEL" --force
check "no working copy of a killed run is left" \
	[ "$(ls -A "$WORK" | grep -v -x -e out -e err)" = demo.h5 ]
done_testing
