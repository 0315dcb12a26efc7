# lib.sh: tmux helpers for the explorer tests (sourced after tests/cli/lib.sh): a fresh
# server per start, the screen as text, keys, waiting for what the screen shows.
need_cmd tmux
# Each start gets its own server: a new session on a server still shutting down fails.
SERVER=0
T() { tmux -L "lwq-tui-$$-$SERVER" -f /dev/null "$@"; }
trap 'T kill-server >/dev/null 2>&1; rm -rf "$WORK"' EXIT

# start COLS ROWS COMMAND: a fresh session running COMMAND in $WORK; the pane then
# prints EXIT=status and records the terminal modes before and after.
start() {
	T kill-server >/dev/null 2>&1
	SERVER=$((SERVER + 1))
	T new-session -d -x "$1" -y "$2" -s tui \
		"cd '$WORK' && stty -g >stty.before; LANG=C.UTF-8 $3 2>stderr; echo EXIT=\$?; stty -g >stty.after; sleep 600"
}
screen() { T capture-pane -p -t tui; }
keys() { T send-keys -t tui "$@"; }
# wait_for PATTERN [SECONDS]: until the screen shows PATTERN (screen left in $WORK/screen)
wait_for() {
	i=0
	while [ "$i" -lt "$(( ${2:-15} * 10 ))" ]; do
		screen >"$WORK/screen"
		grep -q -- "$1" "$WORK/screen" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	sed 's/^/#   | /' "$WORK/screen"
	return 1
}
wait_gone() {
	i=0
	while [ "$i" -lt 100 ]; do
		screen >"$WORK/screen"
		grep -q -- "$1" "$WORK/screen" || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
restored() { # the explorer left: normal screen, no mouse reporting, same tty modes
	[ "$(T display -p -t tui '#{alternate_on}')" = 0 ] &&
	[ "$(T display -p -t tui '#{mouse_any_flag}#{mouse_button_flag}')" = 00 ] &&
	[ "$(T display -p -t tui '#{cursor_flag}')" = 1 ] &&
	cmp -s "$WORK/stty.before" "$WORK/stty.after"
}
clean_stderr() { ! grep -q -E 'AddressSanitizer|LeakSanitizer|runtime error' "$WORK/stderr"; }

