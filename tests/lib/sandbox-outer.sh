# shellcheck shell=bash
# tests/lib/sandbox-outer.sh - sourced by tests/lib/sandbox.sh, whose header
# states the contract of these functions. Here: the outer side
# (sandbox_enter): the snapshot of the host before and after, the namespaces
# the test re-runs in, and no process of them left behind.

# Everything the sandbox must leave as it found it on the host.
_sandbox_host_state() {
	local u f
	echo "== mounts"
	_sandbox_mountinfo_norm </proc/self/mountinfo | sort
	echo "== users and groups"
	for u in $SANDBOX_USERS; do
		getent passwd "$u" || echo "no user $u"
	done
	getent group vsymusers || echo "no group vsymusers"
	echo "== files"
	for f in /etc/passwd /etc/group /etc/shadow /etc/gshadow \
		/var/log/wtmp /var/log/btmp /var/log/lastlog /var/log/faillog; do
		[ -e "$f" ] && stat -c '%n %s %Y %a %u:%g' "$f"
	done
	ls -la --time-style=+ /etc/pam.d /home 2>&1
}

# Who we are must allow unshare + mount; otherwise skip (or fail in CI).
_sandbox_preflight() {
	local t
	if [ "$(id -u)" != 0 ]; then
		if [ -n "${CI:-}" ]; then
			echo "sandbox: FAIL: integration tests must run as root in CI (uid $(id -u))" >&2
			exit 1
		fi
		echo "sandbox: SKIP: needs root (runs real sshd/login/su in a throwaway mount namespace)" >&2
		exit 77
	fi
	for t in unshare setpriv mount ip awk stat; do
		command -v "$t" >/dev/null 2>&1 ||
			sandbox_skip "missing tool '$t' (install the packages in tests/lib/deps.txt)"
	done
	unshare --mount --propagation private --pid --fork --mount-proc --net true 2>/dev/null ||
		sandbox_skip "cannot create mount+pid+net namespaces here (unshare failed)"
}

# The PID namespace of the sandbox's PID 1 (the forked child of unshare),
# so that we can later prove no process of it survived.
_sandbox_child_pidns() { # UNSHARE_PID
	local i child
	for i in $(seq 1 "$(sandbox_seconds 100)"); do
		child=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
		child=${child%% *}
		if [ -n "$child" ]; then
			readlink "/proc/$child/ns/pid" 2>/dev/null && return 0
		fi
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}

# Processes still in the given PID namespace (should be none).
_sandbox_survivors() { # NS
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$1" ] && echo "${p#/proc/} $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null)"
	done
}

# The kernel tears a dead PID namespace down asynchronously: give it a
# few seconds before calling anything a survivor.
# shellcheck disable=SC2034 # the loop's variable only counts the tries
_sandbox_wait_survivors() { # NS
	local i left
	for i in $(seq 1 "$(sandbox_seconds 50)"); do
		left=$(_sandbox_survivors "$1")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo "$left"
}

# Killed from outside (automake timeout, ^C): ask the sandbox's PID 1 to
# finish (its EXIT trap stops the daemons and prints the summary); if it
# has not within 5 s, kill unshare, and --kill-child takes the rest down.
_sandbox_outer_signal() { # UNSHARE_PID NS
	local child
	child=$(cat "/proc/$1/task/$1/children" 2>/dev/null)
	child=${child%% *}
	[ -n "$child" ] && [ "$(readlink "/proc/$child/ns/pid" 2>/dev/null)" = "$2" ] &&
		kill -TERM "$child" 2>/dev/null
	[ -n "${_SANDBOX_WATCHDOG:-}" ] && return 0
	(sleep "$(sandbox_seconds 5)"; kill -KILL "$1" 2>/dev/null) &
	_SANDBOX_WATCHDOG=$!
}

_sandbox_outer() {
	local script before after rc upid ns survivors
	_sandbox_preflight
	script=$(readlink -f "$0")
	before=$(_sandbox_host_state)
	SANDBOX_HOST_MNTNS=$(readlink /proc/self/ns/mnt)
	SANDBOX_HOST_PIDNS=$(readlink /proc/self/ns/pid)
	export SANDBOX_HOST_MNTNS SANDBOX_HOST_PIDNS
	# pdeathsig: if this wrapper dies, unshare gets SIGKILL; --kill-child:
	# then PID 1 of the sandbox gets SIGKILL, which ends the namespace.
	setpriv --pdeathsig KILL -- \
		unshare --mount --propagation private --pid --fork --kill-child \
		--mount-proc --net -- bash "$script" "$@" &
	upid=$!
	ns=$(_sandbox_child_pidns "$upid")
	trap '_sandbox_outer_signal "$upid" "$ns"' TERM INT HUP
	while :; do
		wait "$upid"
		rc=$?
		kill -0 "$upid" 2>/dev/null || break
	done
	trap - TERM INT HUP
	# unshare is reaped: its PID may be reused, so the watchdog must go
	[ -n "${_SANDBOX_WATCHDOG:-}" ] && kill "$_SANDBOX_WATCHDOG" 2>/dev/null
	after=$(_sandbox_host_state)
	if [ "$before" != "$after" ]; then
		echo "sandbox: FAIL: the host changed:" >&2
		diff <(echo "$before") <(echo "$after") >&2
		[ "$rc" = 99 ] || rc=1
	fi
	if [ -n "$ns" ]; then
		survivors=$(_sandbox_wait_survivors "$ns")
		if [ -n "$survivors" ]; then
			printf 'sandbox: FAIL: processes of the sandbox survived:\n%s\n' "$survivors" >&2
			[ "$rc" = 99 ] || rc=1
		fi
	fi
	if declare -F sandbox_host_check >/dev/null; then
		sandbox_host_check || { echo "sandbox: FAIL: sandbox_host_check failed" >&2; [ "$rc" = 99 ] || rc=1; }
	fi
	exit "$rc"
}

sandbox_enter() {
	if [ -n "${SANDBOX_HOST_MNTNS:-}" ] &&
		[ "$(readlink /proc/self/ns/mnt)" != "$SANDBOX_HOST_MNTNS" ] &&
		[ "$$" = 1 ]; then
		_sandbox_inner_setup
		return 0
	fi
	_sandbox_outer "$@"
}
