# shellcheck shell=bash
# tests/lib/sandbox-login.sh - sourced by tests/lib/sandbox.sh, whose header
# states the contract of these functions. Here: a login on a pty
# (login_pty).

# Has login (under timeout -> script, started as SPID) exec'd USER's
# shell yet? The shell is login's child, runs as USER and is no longer
# called "login" (the child keeps that name until its exec).
_sandbox_login_shell_up() { # SPID USER
	local sc lp p
	for sc in $(pgrep -P "$1"); do
		for lp in $(pgrep -x login -P "$sc"); do
			for p in $(pgrep -u "$2" -P "$lp"); do
				[ "$(cat "/proc/$p/comm" 2>/dev/null)" != login ] && return 0
			done
		done
	done
	return 1
}

# login -f USER on a pseudo-terminal (script(1)); CMD is typed into the
# login shell once it runs (typed earlier, login's tty setup may eat it),
# in a subshell so that even `exit N` reports N. Markers are split in the
# typed text so the tty's echo of the input never looks like the marker.
# script's stdin is a FIFO we hold open until the session ends: an early
# EOF would end the session before the command ran.
login_pty() { # USER CMD
	local user=$1 cmd=$2 raw fifo rc spid limit
	limit=$(sandbox_seconds "${SANDBOX_TIMEOUT:-60}")
	raw=$(mktemp "$SANDBOX/login.XXXXXX")
	fifo=$raw.in
	mkfifo "$fifo"
	# script(1) runs its command with $SHELL, or /bin/sh when unset (as
	# under CI); `exec` makes login script's own child with any shell.
	timeout "$limit" script -q -e -c "exec login -f $user" /dev/null <"$fifo" >"$raw" 2>&1 &
	spid=$!
	local fd
	exec {fd}>"$fifo"
	local up=no
	for _ in $(seq 1 $((limit * 10))); do
		_sandbox_login_shell_up "$spid" "$user" && up=yes && break
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
	[ "$up" = yes ] || echo "login_pty: no login shell of $user under script(1) (pid $spid)" >&2
	sleep 0.2
	# If the session already ended, the write fails (EPIPE, not SIGPIPE:
	# that would end the test); the transcript below then says why.
	(trap '' PIPE; printf '%s\n' "stty -echo; echo __SB_''BEGIN__; ( $cmd ); echo __SB_''END__ \$?; exit" >&"$fd") 2>/dev/null
	for _ in $(seq 1 $((limit * 10))); do
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
	exec {fd}>&-
	wait "$spid"
	rm -f "$fifo"
	# drop CRs and terminal escapes (bracketed paste, colours)
	sed -i 's/\r//g; s/\x1b\[[0-9;?]*[A-Za-z]//g' "$raw"
	cp "$raw" "$SANDBOX/login.last"
	awk '/^__SB_END__/ { exit } p { print } /__SB_BEGIN__$/ { p = 1 }' "$raw"
	rc=$(sed -n 's/^__SB_END__ \([0-9]*\).*/\1/p' "$raw" | head -n 1)
	if [ -z "$rc" ]; then
		echo "login_pty: no result from the login session; transcript:" >&2
		_sandbox_diag <"$raw" >&2
		return 125
	fi
	return "$rc"
}
