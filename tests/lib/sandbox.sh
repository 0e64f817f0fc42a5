# shellcheck shell=bash
# tests/lib/sandbox.sh - throwaway root sandbox for vsym integration tests.
#
# CONTRACT (tests are written against exactly this; keep it stable)
# =================================================================
# A test is a bash script tests/integration/NAME.test that starts with
#
#     . "$(dirname "$0")/../lib/sandbox.sh"; sandbox_enter "$@"
#
# It is run as root by automake's test driver (from the build dir) with
#   VSYM_BUILDDIR  absolute build dir, configured and built
#   VSYM_SRCDIR    absolute source dir
# Exit status: 0 pass, 77 skip, 99 hard error, anything else fail.
# Not root: exit 1 with a message when $CI is set, else exit 77 (skip).
#
# sandbox_enter "$@"
#   Outside: snapshots the host (mount table as sorted "mountpoint root
#   fstype source options superoptions" lines, the test users in the
#   password/group databases, /etc/{passwd,group,shadow,gshadow}, the
#   /var/log login files), re-runs the same script inside
#     unshare --mount --propagation private --pid --fork --kill-child
#             --mount-proc --net
#   (under setpriv --pdeathsig KILL, so the sandbox dies with the wrapper),
#   waits, and fails the test (exit 1, printing a diff) if the snapshot
#   changed or if any process of the sandbox's PID namespace survived.
#   The inner script is PID 1 of its PID namespace: when it ends, or is
#   killed (even by kill -9), the kernel kills every process started in
#   the sandbox (sshd included) and the mount namespace goes with them.
#   Before sandbox_enter a test may define sandbox_host_check(): it runs
#   in the outer wrapper after the sandbox ended; non-zero fails the test.
#   Inside: returns to the test with this set up:
#     - / recursively private; lo up in a private network namespace
#       (any port is free, nothing is reachable from outside);
#     - $SANDBOX: scratch dir on a tmpfs mounted over /media (or /srv,
#       /mnt) inside the namespace only;
#     - /etc is a writable copy (bind of $SANDBOX/etc);
#     - tmpfs on /home, /run (/run/sshd, /run/utmp recreated), /tmp,
#       /var/tmp, /var/log (wtmp, btmp, lastlog, faillog recreated);
#       VSYM_BUILDDIR / VSYM_SRCDIR / the test's dir stay visible even if
#       they live below one of these;
#       each is stacked on whatever the host has mounted there (a systemd
#       host has tmpfs on /run and /tmp): look at the top mount only
#       (sandbox_top_mount), never at every mount on the path;
#     - HOME=$SANDBOX/root for root (nothing is written to the real /root);
#     - users alice (2001), bob (2002), carol (2003): shell /bin/bash,
#       home /home/NAME 0755 owned by them, password field '*' (no
#       password login, but key login through sshd+PAM works);
#       group vsymusers (2100) = alice,bob (not carol);
#     - at the end, the sandbox's mounts are made shared among
#       themselves (new peer groups, none with the host), like / on a
#       systemd host, so a session namespace that fails to make itself
#       slave would visibly leak into the sandbox's namespace;
#       SANDBOX_PROPAGATION=private skips this;
#     - if $VSYM_BUILDDIR/Makefile exists: the install dirs are read from
#       it (parsed, make is not run) and the prefix is covered by a tmpfs
#       (or, if it does not exist on the host, created inside an overlay
#       of its nearest existing parent: nothing is created on the host);
#       refuses (99) a prefix of /, /usr, /etc or /bin.
#   Killed from outside with TERM/INT/HUP, the wrapper sends TERM to the
#   sandbox's PID 1 (bash runs the EXIT trap once the current foreground
#   command ends) and SIGKILLs it 5 s later.
#
# Variables set inside:
#   SANDBOX                scratch dir (tmpfs)
#   SANDBOX_HOST_MNTNS SANDBOX_HOST_PIDNS  the host's namespaces (readlink
#                          of /proc/self/ns/{mnt,pid} outside)
#   SANDBOX_USERS          "alice bob carol"
#   SANDBOX_PREFIX SANDBOX_BINDIR SANDBOX_SECUREDIR SANDBOX_SYSCONFDIR
#                          install dirs from the build's Makefile (if any)
#   SANDBOX_PAM_MODULE     $SANDBOX_SECUREDIR/pam_vsym.so (absolute: use it
#                          in PAM lines, the prefix is not PAM's default dir)
#   SANDBOX_REBIND         $SANDBOX_BINDIR/vsym-rebind
#   SANDBOX_SSH_PORT SANDBOX_SSH_DIR SANDBOX_SSHD_PID  after sshd_start
#   SANDBOX_SYSLOG SANDBOX_SYSLOG_PID  after sandbox_syslog_start (the
#                          capture file, the listener's PID)
# Env knobs: SANDBOX_DEBUG=1 (set -x inside), SANDBOX_TIMEOUT (seconds per
#   client command, default 60), VSYM_TEST_TIME_FACTOR (a positive integer,
#   default 1: every limit a test or this file puts on time is multiplied
#   by it; tests/kernel.sh sets 10 under emulation), VSYM_TEST_SLOW_LOGIN
#   (seconds: tests/integration/common.sh's vsym_enable_in puts a
#   pam_exec sleep of that long before pam_vsym in each session stack, so
#   that tests prove they wait for a session to say it is open rather than
#   for time).
#
# Time: tests wait for conditions, never for time. A wait polls its
# condition and gives up only after a limit far above what it needs:
#   sandbox_seconds N               N * VSYM_TEST_TIME_FACTOR
#   sandbox_wait_until DESC N CMD...
#                                   runs CMD every 0.1 s until it succeeds
#                                   (0), or after sandbox_seconds N returns
#                                   1 saying it gave up waiting for DESC
#   sandbox_wait_file_sh FILE N     a sh snippet for a session's command:
#                                   waits until FILE exists (at most
#                                   sandbox_seconds N), e.g. to hold a
#                                   session open until the test says go
#
# Functions (inside):
#   sandbox_install                 make -C $VSYM_BUILDDIR install into the
#                                   covered prefix; an install dir outside
#                                   every covered dir (e.g. --with-securedir=
#                                   /lib/x86_64-linux-gnu/security) gets an
#                                   overlay first (host files stay visible,
#                                   new files land in the sandbox); 99 with
#                                   the log's tail on error (full log:
#                                   $SANDBOX/install.log)
#   sandbox_pam_service NAME LINES  write /etc/pam.d/NAME (0644)
#   sandbox_vsym_conf TEXT          write $SANDBOX_SYSCONFDIR/vsym.conf
#                                   root:root 0644
#   as_user USER CMD...             run CMD as USER (setpriv: uid, gid,
#                                   groups, clean env, cwd = home); no PAM
#   write_user_file USER PATH CONTENT [MODE]
#                                   write CONTENT exactly (no newline
#                                   added) as USER (creates parent dirs as
#                                   USER); MODE default 0644
#   sandbox_syslog_start            private /dev for the sandbox, with a
#                                   syslog listener on /dev/log: a tmpfs on
#                                   /dev in this namespace only, with the
#                                   host's device nodes, symlinks and dirs
#                                   copied (cp -a, mknod) and its submounts
#                                   (/dev/pts, /dev/shm, /dev/mqueue, ...)
#                                   bound recursively, so ptys, sshd and
#                                   login work as before; then socat
#                                   receives every datagram sent to /dev/log
#                                   (syslog(3), pam_syslog, logger) into
#                                   $SANDBOX_SYSLOG ($SANDBOX/syslog). Start
#                                   it before the clients: a process that
#                                   already logged keeps its old socket.
#                                   The host's /dev is not touched. Needs
#                                   socat (skips/fails like a missing tool).
#   syslog_text                     what the listener captured so far, one
#                                   message a line ("<PRI>Mmm dd hh:mm:ss
#                                   IDENT[PID]: TEXT"); first waits (up to
#                                   3 s, scaled) until a marker it logs itself has
#                                   arrived, so every message sent before
#                                   the call is in (the marker is not shown)
#   syslog_mark                     remembers how much was captured; then
#   syslog_since_mark               prints only what came after syslog_mark
#   sshd_start                      real sshd on 127.0.0.1:$SANDBOX_SSH_PORT,
#                                   UsePAM yes, key login for the test users
#                                   (keys root-owned in $SANDBOX_SSH_DIR)
#   ssh_as USER CMD...              ssh USER@127.0.0.1 CMD (BatchMode, test
#                                   key); stdout/stderr/status of the remote
#                                   command; stdin is passed through: give
#                                   </dev/null when backgrounding
#   login_pty USER CMD              login -f USER on a pty (script(1)), types
#                                   CMD into the login shell; prints CMD's
#                                   output (CR stripped), returns its status
#                                   (the whole transcript of the last call,
#                                   PAM messages and all, is left in
#                                   $SANDBOX/login.last)
#   pamtester_session SERVICE USER  pamtester SERVICE USER open_session
#                                   close_session
#   sandbox_mountinfo_of PID        PID's mount table, one line per mount:
#                                   "MOUNTPOINT ROOT FSTYPE SOURCE MNTOPTS
#                                   SUPEROPTS" (escapes as in mountinfo)
#   sandbox_top_mount PATH [PID]    the mountinfo line (as in /proc) of the
#                                   top mount on exactly PATH in PID's
#                                   namespace (default: this process);
#                                   empty if PATH is not a mount point.
#                                   Mounts it is stacked on, such as a
#                                   systemd host's own tmpfs on /run or
#                                   /tmp or a /home partition, do not show
#                                   (findmnt and a plain grep list them all)
#   sandbox_top_fstype PATH [PID]   file system type of that top mount
#   check DESC CMD...               pass if CMD exits 0 (its output is shown
#                                   on failure)
#   check_fails DESC CMD...         pass if CMD exits non-zero
#   check_eq DESC EXPECTED ACTUAL   pass if equal
#   check_contains DESC HAYSTACK NEEDLE   pass if NEEDLE is a substring
#   sandbox_log MSG...              "# MSG" on stdout
#   sandbox_skip REASON             exit 77 (exit 1 when $CI is set)
#   sandbox_fatal REASON            exit 99 (hard error)
# At exit the test prints "N passed, N failed" alone on a line; any failed
# check makes the exit status 1; a test that ran no check exits 99. As in
# any bash script the status of the last command counts otherwise: end a
# test with checks (or an explicit exit). On failure the tails of the
# sshd and install logs are printed (the sandbox is gone afterwards).
# Everything the sandbox started is killed at exit (kill -1 from PID 1,
# which reaches only the sandbox's PID namespace).
# =================================================================

[ -n "${_SANDBOX_SH_LOADED:-}" ] && return 0
_SANDBOX_SH_LOADED=1

SANDBOX_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SANDBOX_USERS="alice bob carol"
_SANDBOX_PASSED=0
_SANDBOX_FAILED=0
_SANDBOX_CHECKS=0
_SANDBOX_DAEMONS=()

# ---------------------------------------------------------------- messages

sandbox_log() { printf '# %s\n' "$*"; }

# Hard error (the test could not run as designed): 99.
sandbox_fatal() {
	printf 'sandbox: ERROR: %s\n' "$*" >&2
	exit 99
}

# In CI (which runs as root) a test that would skip fails instead.
sandbox_skip() {
	if [ -n "${CI:-}" ]; then
		printf 'sandbox: FAIL (CI is set, skipping is not allowed): %s\n' "$*" >&2
		exit 1
	fi
	printf 'sandbox: SKIP: %s\n' "$*" >&2
	exit 77
}

# ---------------------------------------------------------------- time

sandbox_seconds() { # N
	local f=${VSYM_TEST_TIME_FACTOR:-1}
	case $f in '' | *[!0-9]* | 0*) sandbox_fatal "VSYM_TEST_TIME_FACTOR must be a positive integer, not '$f'" ;; esac
	echo $(($1 * f))
}

sandbox_wait_until() { # DESC N CMD...
	local desc=$1 end
	end=$((SECONDS + $(sandbox_seconds "$2")))
	shift 2
	until "$@"; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "sandbox: gave up waiting for $desc" >&2
			return 1
		fi
		sleep 0.1
	done
}

sandbox_wait_file_sh() { # FILE N
	# shellcheck disable=SC2016 # expanded by the session's shell
	printf 'end=$((SECONDS + %d)); until [ -e %q ] || [ "$SECONDS" -ge "$end" ]; do sleep 0.1; done' \
		"$(sandbox_seconds "$2")" "$1"
}

# ---------------------------------------------------------------- assertions

_sandbox_result() { # OK(0/1) DESC
	_SANDBOX_CHECKS=$((_SANDBOX_CHECKS + 1))
	if [ "$1" = 0 ]; then
		_SANDBOX_PASSED=$((_SANDBOX_PASSED + 1))
		printf 'ok %d - %s\n' "$_SANDBOX_CHECKS" "$2"
	else
		_SANDBOX_FAILED=$((_SANDBOX_FAILED + 1))
		printf 'not ok %d - %s\n' "$_SANDBOX_CHECKS" "$2"
	fi
}

# Indent diagnostics so they stand apart from ok/not ok lines.
_sandbox_diag() { sed 's/^/#   /'; }

check() { # DESC CMD...
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	_sandbox_result "$([ "$rc" = 0 ] && echo 0 || echo 1)" "$desc"
	if [ "$rc" != 0 ]; then
		printf 'command: %s\nexit status: %s\n%s\n' "$*" "$rc" "$out" | _sandbox_diag
	fi
	return "$rc"
}

check_fails() { # DESC CMD...
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	_sandbox_result "$([ "$rc" != 0 ] && echo 0 || echo 1)" "$desc"
	if [ "$rc" = 0 ]; then
		printf 'command unexpectedly succeeded: %s\n%s\n' "$*" "$out" | _sandbox_diag
		return 1
	fi
	return 0
}

check_eq() { # DESC EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then
		_sandbox_result 0 "$1"
		return 0
	fi
	_sandbox_result 1 "$1"
	printf 'expected: [%s]\nactual:   [%s]\n' "$2" "$3" | _sandbox_diag
	return 1
}

check_contains() { # DESC HAYSTACK NEEDLE
	case "$2" in
	*"$3"*)
		_sandbox_result 0 "$1"
		return 0
		;;
	esac
	_sandbox_result 1 "$1"
	printf 'expected to contain: [%s]\nactual: [%s]\n' "$3" "$2" | _sandbox_diag
	return 1
}

# ---------------------------------------------------------------- mount tables

# Mount table without the IDs that change between reads: mount ID, parent
# ID, dev numbers and propagation peer-group numbers.
_sandbox_mountinfo_norm() {
	awk '{ for (i = 7; $i != "-"; i++) ; print $5, $4, $(i+1), $(i+2), $6, $(i+3) }'
}

sandbox_mountinfo_of() { # PID
	_sandbox_mountinfo_norm <"/proc/$1/mountinfo"
}

# Of the mounts on PATH, the top one is the one no other mount on PATH
# is mounted on (its mount ID is nobody's parent ID there): that holds
# whatever order mountinfo lists them in.
sandbox_top_mount() { # PATH [PID]
	awk -v path="$1" '
		function unescape(s,   out) {
			out = ""
			while (match(s, /\\[0-7][0-7][0-7]/)) {
				out = out substr(s, 1, RSTART - 1) sprintf("%c", \
					substr(s, RSTART + 1, 1) * 64 + substr(s, RSTART + 2, 1) * 8 + substr(s, RSTART + 3, 1))
				s = substr(s, RSTART + 4)
			}
			return out s
		}
		unescape($5) == path { line[$1] = $0; below[$2] = 1 }
		END { for (id in line) if (!(id in below)) print line[id] }' "/proc/${2:-self}/mountinfo"
}

sandbox_top_fstype() { # PATH [PID]
	sandbox_top_mount "$@" | awk '{ for (i = 7; $i != "-"; i++) ; print $(i + 1) }'
}

# ---------------------------------------------------------------- outer side

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

# ---------------------------------------------------------------- inner setup

# Paths that must stay visible when a tmpfs covers one of their parents:
# the build and source trees and the test's own directory.
_sandbox_keep_list() {
	local p
	for p in "${VSYM_BUILDDIR:-}" "${VSYM_SRCDIR:-}" "$SANDBOX_LIB_DIR/../.." "$(dirname "$(readlink -f "$0")")"; do
		[ -n "$p" ] && [ -d "$p" ] && readlink -f "$p"
	done | sort -u | awk '{ for (k in kept) if (index($0 "/", kept[k] "/") == 1) next; kept[NR] = $0; print }'
}

# Is PATH equal to or below DIR?
_sandbox_under() { case "$1/" in "${2%/}"/*) return 0 ;; esac; return 1; }

# Mount a tmpfs on DIR, moving the keep paths below DIR back on top of it.
_sandbox_tmpfs() { # DIR [MODE]
	local dir=$1 mode=${2:-0755} k i=0 keeps=()
	while read -r k; do
		_sandbox_under "$k" "$dir" && keeps+=("$k")
	done < <(_sandbox_keep_list)
	for k in "${keeps[@]}"; do
		mkdir -p "$SANDBOX/.keep/$i"
		mount --rbind "$k" "$SANDBOX/.keep/$i" || sandbox_fatal "cannot hold $k"
		i=$((i + 1))
	done
	mount -t tmpfs -o "mode=$mode" sandbox "$dir" || sandbox_fatal "cannot mount tmpfs on $dir"
	i=0
	for k in "${keeps[@]}"; do
		mkdir -p "$k"
		# bind, not --move: moving is refused under a shared parent
		mount --rbind "$SANDBOX/.keep/$i" "$k" || sandbox_fatal "cannot restore $k"
		umount -l "$SANDBOX/.keep/$i"
		i=$((i + 1))
	done
	cd "$PWD" 2>/dev/null || cd / # re-resolve cwd through the new mount
}

# Overlay DIR with a tmpfs upper layer: DIR looks the same, writes land
# in the sandbox. Used to create a directory that does not exist on the
# host without mkdir on the host.
_sandbox_overlay() { # DIR
	local dir=$1 n
	[ "$dir" = / ] && sandbox_fatal "refusing to overlay /"
	if awk -v d="$dir" '$5 != d && index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		sandbox_fatal "cannot overlay $dir: it has mounts below it"
	fi
	n=$(mktemp -d "$SANDBOX/.overlay.XXXXXX")
	mkdir "$n/upper" "$n/work"
	mount -t overlay sandbox -o "lowerdir=$dir,upperdir=$n/upper,workdir=$n/work" "$dir" ||
		sandbox_fatal "cannot overlay $dir"
	cd "$PWD" 2>/dev/null || cd /
}

# Make DIR writable inside the sandbox only: an empty tmpfs when EMPTY=1
# and DIR exists; otherwise an overlay (DIR or its nearest existing
# parent), then mkdir inside it.
_sandbox_cover() { # DIR EMPTY(0/1)
	local dir=$1 parent
	SANDBOX_COVERED+=("$dir")
	if [ -d "$dir" ]; then
		if [ "$2" = 1 ]; then _sandbox_tmpfs "$dir"; else _sandbox_overlay "$dir"; fi
		return
	fi
	parent=$(dirname "$dir")
	while [ ! -d "$parent" ]; do parent=$(dirname "$parent"); done
	_sandbox_overlay "$parent"
	mkdir -p "$dir"
	[ "$2" = 1 ] && _sandbox_tmpfs "$dir"
	return 0
}

# Scratch space: a tmpfs over an existing, normally empty directory, in
# this namespace only, so the host needs no new directory.
_sandbox_scratch() {
	local d k ok
	for d in /media /srv /mnt /opt; do
		[ -d "$d" ] || continue
		ok=1
		while read -r k; do _sandbox_under "$k" "$d" && ok=0; done < <(_sandbox_keep_list)
		[ "$ok" = 1 ] || continue
		mount -t tmpfs -o mode=0755 sandbox-scratch "$d" || sandbox_fatal "cannot mount scratch tmpfs on $d"
		SANDBOX=$d/vsym-sandbox
		mkdir -m 0755 "$SANDBOX"
		SANDBOX_COVERED+=("$SANDBOX")
		export SANDBOX
		return 0
	done
	sandbox_fatal "no directory for the scratch tmpfs"
}

# A writable private /etc: users, groups, PAM services can be added.
_sandbox_etc() {
	cp -a /etc "$SANDBOX/etc" || sandbox_fatal "cannot copy /etc"
	mount --bind "$SANDBOX/etc" /etc || sandbox_fatal "cannot bind the /etc copy"
	SANDBOX_COVERED+=(/etc)
}

# Fresh /run, /tmp, /home, /var/tmp, /var/log with what sshd, login and
# pam_lastlog expect to find there.
_sandbox_volatile() {
	local f
	_sandbox_tmpfs /home 0755
	_sandbox_tmpfs /run 0755
	_sandbox_tmpfs /tmp 1777
	[ -d /var/tmp ] && _sandbox_tmpfs /var/tmp 1777
	_sandbox_tmpfs /var/log 0755
	SANDBOX_COVERED+=(/home /run /tmp /var/tmp /var/log)
	mkdir -m 0755 /run/sshd /run/lock
	for f in /run/utmp /var/log/wtmp /var/log/btmp /var/log/lastlog /var/log/faillog; do
		: >"$f"
		chgrp utmp "$f" 2>/dev/null
		chmod 0664 "$f"
	done
	chmod 0660 /var/log/btmp
}

# Test users and group, written straight into the /etc copy (useradd
# would also touch /var/mail and caches on the host).
_sandbox_users() {
	local u uid=2001 days
	days=$(($(date +%s) / 86400 - 1))
	for u in $SANDBOX_USERS; do
		if getent passwd "$u" >/dev/null || getent passwd "$uid" >/dev/null ||
			getent group "$u" >/dev/null || getent group "$uid" >/dev/null; then
			sandbox_fatal "user/group $u or id $uid already exists on this host"
		fi
		echo "$u:x:$uid:$uid:$u (vsym sandbox):/home/$u:/bin/bash" >>/etc/passwd
		echo "$u:x:$uid:" >>/etc/group
		# '*': no password can match, yet not "locked" ('!'); lastchg must
		# not be 0 (that forces a password change in pam_unix account).
		echo "$u:*:$days:0:99999:7:::" >>/etc/shadow
		echo "$u:!::" >>/etc/gshadow
		mkdir -m 0755 "/home/$u"
		chown "$uid:$uid" "/home/$u"
		uid=$((uid + 1))
	done
	getent group vsymusers >/dev/null || getent group 2100 >/dev/null &&
		sandbox_fatal "group vsymusers or gid 2100 already exists on this host"
	echo "vsymusers:x:2100:alice,bob" >>/etc/group
	echo "vsymusers:!::alice,bob" >>/etc/gshadow
}

# Values of make variables of the build tree, as "NAME=VALUE" lines.
# The Makefile is parsed, not run: running make here could trigger
# automake's rebuild rules (configure --recheck) in the build tree.
# Automake writes these as simple "name = value" lines with ${var} or
# $(var) references, which are expanded here (up to 20 levels).
_sandbox_make_vars() { # VAR...
	awk -v want="$*" '
		/^[A-Za-z_][A-Za-z0-9_]* = / {
			name = $1; val = $0; sub(/^[^=]*= ?/, "", val); v[name] = val
		}
		function expand(s,   i, n, pre, ref, post) {
			for (i = 0; i < 20 && match(s, /\$[({][A-Za-z_][A-Za-z0-9_]*[)}]/); i++) {
				ref = substr(s, RSTART + 2, RLENGTH - 3)
				s = substr(s, 1, RSTART - 1) v[ref] substr(s, RSTART + RLENGTH)
			}
			return s
		}
		END { n = split(want, w, " "); for (i = 1; i <= n; i++) print w[i] "=" expand(v[w[i]]) }
	' "$VSYM_BUILDDIR/Makefile"
}

# Read the install dirs and cover the prefix so `make install` and
# vsym.conf land in the sandbox.
_sandbox_prefix() {
	local line
	[ -n "${VSYM_BUILDDIR:-}" ] && [ -f "$VSYM_BUILDDIR/Makefile" ] || return 0
	while IFS= read -r line; do
		case "$line" in
		prefix=*) SANDBOX_PREFIX=${line#*=} ;;
		bindir=*) SANDBOX_BINDIR=${line#*=} ;;
		securedir=*) SANDBOX_SECUREDIR=${line#*=} ;;
		sysconfdir=*) SANDBOX_SYSCONFDIR=${line#*=} ;;
		esac
	done < <(_sandbox_make_vars prefix bindir securedir sysconfdir)
	case "${SANDBOX_PREFIX:-}" in
	"" | /* ) ;;
	*) sandbox_fatal "prefix '$SANDBOX_PREFIX' is not absolute" ;;
	esac
	[ -n "${SANDBOX_PREFIX:-}" ] || sandbox_fatal "cannot read prefix from $VSYM_BUILDDIR/Makefile"
	SANDBOX_PREFIX=${SANDBOX_PREFIX%/}
	case "${SANDBOX_PREFIX:-/}" in
	/ | /usr | /etc | /bin) sandbox_fatal "refusing to install into prefix '${SANDBOX_PREFIX:-/}': configure with e.g. --prefix=/usr/local" ;;
	esac
	_sandbox_cover "$SANDBOX_PREFIX" 1
	SANDBOX_PAM_MODULE=$SANDBOX_SECUREDIR/pam_vsym.so
	SANDBOX_REBIND=$SANDBOX_BINDIR/vsym-rebind
	export SANDBOX_PREFIX SANDBOX_BINDIR SANDBOX_SECUREDIR SANDBOX_SYSCONFDIR SANDBOX_PAM_MODULE SANDBOX_REBIND
}

# Every installation directory must be inside something this sandbox
# covers; those that are not (e.g. --with-securedir=/lib/.../security)
# get an overlay so the host's files stay visible and untouched.
_sandbox_guard_install_dirs() {
	local names line dir c ok
	# (No header is installed: oldincludedir is /usr/include whatever the
	# prefix, and overlaying it for nothing fails where /usr is already an
	# overlay on an overlay, the kernel's limit of stacking.)
	names=$(sed -n 's/^\([A-Za-z_]*dir\) = .*/\1/p' "$VSYM_BUILDDIR/Makefile" |
		grep -Ev '^(srcdir|builddir|top_srcdir|top_builddir|abs_.*|am__.*|.*_srcdir|.*_builddir|includedir|oldincludedir)$' | sort -u)
	# shellcheck disable=SC2086
	while IFS= read -r line; do
		dir=${line#*=}
		case "$dir" in /*) ;; *) continue ;; esac
		ok=0
		for c in "${SANDBOX_COVERED[@]}"; do _sandbox_under "$dir" "$c" && ok=1; done
		[ "$ok" = 1 ] && continue
		sandbox_log "install dir ${line%%=*}=$dir is outside the prefix: overlaying it"
		_sandbox_cover "$dir" 0
	done < <(_sandbox_make_vars $names)
}

# Cut from the host (rprivate, done first), the sandbox's own mounts are
# then made shared again, like / on a systemd host. Without this, a
# session namespace that forgot to make / slave could not leak a mount
# back, and invariant 1 would be tested vacuously. The new peer groups
# hold only this namespace's mounts: nothing reaches the host.
# SANDBOX_PROPAGATION=private keeps everything private.
_sandbox_propagation() {
	case "${SANDBOX_PROPAGATION:-shared}" in
	shared) mount --make-rshared / || sandbox_fatal "cannot make / shared inside" ;;
	private) ;;
	*) sandbox_fatal "SANDBOX_PROPAGATION must be shared or private" ;;
	esac
}

_sandbox_inner_setup() {
	[ -n "${SANDBOX_DEBUG:-}" ] && set -x
	SANDBOX_COVERED=()
	trap _sandbox_on_exit EXIT
	# PID 1 ignores signals it has no handler for: install handlers.
	trap 'exit 143' TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP
	_SANDBOX_T0=$(date +%s.%N)
	mount --make-rprivate / || sandbox_fatal "cannot make / private"
	ip link set lo up || sandbox_fatal "cannot bring lo up"
	_sandbox_scratch
	_sandbox_etc
	_sandbox_volatile
	mkdir -m 0700 "$SANDBOX/root"
	export HOME=$SANDBOX/root
	_sandbox_users
	_sandbox_prefix
	_sandbox_propagation
	sandbox_log "sandbox ready in $(_sandbox_elapsed)s: SANDBOX=$SANDBOX prefix=${SANDBOX_PREFIX:-none}"
}

_sandbox_elapsed() {
	awk -v a="$_SANDBOX_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }'
}

# ---------------------------------------------------------------- exit

# Stop the daemons gently (so they log), then everything left in this PID
# namespace. kill -1 from PID 1 of a PID namespace reaches only that
# namespace; the checks make sure we never do it on the host.
_sandbox_stop_all() {
	local p
	for p in "${_SANDBOX_DAEMONS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	if [ "$$" = 1 ] && [ -n "${SANDBOX_HOST_PIDNS:-}" ] &&
		[ "$(readlink /proc/self/ns/pid)" != "$SANDBOX_HOST_PIDNS" ]; then
		kill -TERM -1 2>/dev/null
		sleep 0.2
		kill -KILL -1 2>/dev/null
	fi
}

# On failure show the daemon logs: nothing of the sandbox survives it.
_sandbox_dump_logs() {
	local f
	for f in "${SANDBOX:-/nonexistent}"/ssh/sshd.log "${SANDBOX:-/nonexistent}"/install.log; do
		[ -s "$f" ] || continue
		echo "# ---- last lines of $f"
		tail -n 40 "$f" | _sandbox_diag
	done
}

_sandbox_on_exit() {
	local rc=$?
	trap - EXIT
	set +x
	_sandbox_stop_all
	if [ "$rc" = 0 ] && [ "$_SANDBOX_FAILED" -gt 0 ]; then rc=1; fi
	if [ "$rc" = 0 ] && [ "$_SANDBOX_CHECKS" = 0 ]; then
		echo "sandbox: ERROR: the test ran no check" >&2
		rc=99
	fi
	[ "$rc" = 0 ] || [ "$rc" = 77 ] || _sandbox_dump_logs
	[ -n "${_SANDBOX_T0:-}" ] && sandbox_log "sandbox time $(_sandbox_elapsed)s, exit $rc"
	echo "$_SANDBOX_PASSED passed, $_SANDBOX_FAILED failed"
	exit "$rc"
}

# ---------------------------------------------------------------- helpers

sandbox_install() {
	[ -f "${VSYM_BUILDDIR:-/nonexistent}/Makefile" ] ||
		sandbox_fatal "VSYM_BUILDDIR (${VSYM_BUILDDIR:-unset}) has no Makefile: configure and build first"
	[ -n "${SANDBOX_PREFIX:-}" ] || sandbox_fatal "prefix not set up"
	_sandbox_guard_install_dirs
	if ! make -C "$VSYM_BUILDDIR" install >"$SANDBOX/install.log" 2>&1; then
		echo "sandbox: ERROR: make -C $VSYM_BUILDDIR install failed; last lines:" >&2
		tail -n 30 "$SANDBOX/install.log" >&2
		exit 99
	fi
	sandbox_log "installed into $SANDBOX_PREFIX"
}

sandbox_pam_service() { # NAME LINES
	printf '%s\n' "$2" >"/etc/pam.d/$1" && chmod 0644 "/etc/pam.d/$1"
}

sandbox_vsym_conf() { # TEXT
	[ -n "${SANDBOX_SYSCONFDIR:-}" ] || sandbox_fatal "sysconfdir unknown (no build Makefile)"
	mkdir -p "$SANDBOX_SYSCONFDIR"
	printf '%s\n' "$1" >"$SANDBOX_SYSCONFDIR/vsym.conf"
	chown root:root "$SANDBOX_SYSCONFDIR/vsym.conf"
	chmod 0644 "$SANDBOX_SYSCONFDIR/vsym.conf"
}

# Plain credential switch, no PAM session: the tests decide when pam_vsym
# runs. cwd is the user's home (root's cwd may not be searchable).
as_user() { # USER CMD...
	local user=$1 home
	shift
	home=$(getent passwd "$user" | cut -d: -f6)
	[ -n "$home" ] || { echo "as_user: no user $user" >&2; return 1; }
	(cd "$home" 2>/dev/null || cd /; exec setpriv --reuid="$user" --regid="$user" --init-groups --reset-env -- "$@")
}

# Written by the user, so ownership is theirs and root never follows a
# path the user controls.
write_user_file() { # USER PATH CONTENT [MODE]
	# shellcheck disable=SC2016 # expanded by the inner sh
	printf '%s' "$3" | as_user "$1" sh -c 'umask 022; mkdir -p "$(dirname "$1")" && cat >"$1" && chmod "$2" "$1"' sh "$2" "${4:-0644}"
}

pamtester_session() { # SERVICE USER
	timeout "$(sandbox_seconds "${SANDBOX_TIMEOUT:-60}")" pamtester -v "$1" "$2" open_session close_session
}

# A first free port above 2200 (the network namespace is private, so
# normally the first one).
_sandbox_free_port() {
	local p hex
	for p in $(seq 2222 2299); do
		hex=$(printf ':%04X ' "$p")
		grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null || { echo "$p"; return 0; }
	done
	return 1
}

# Wait until something on 127.0.0.1:PORT sends an SSH banner.
_sandbox_wait_ssh() { # PORT PID
	local i line
	for i in $(seq 1 "$(sandbox_seconds 100)"); do
		kill -0 "$2" 2>/dev/null || return 1
		# subshell: a failed connect must not touch our own fds
		line=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && read -r -t 2 l <&3 && echo "$l") 2>/dev/null)
		case "$line" in SSH-*) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

sshd_start() {
	local d u
	SANDBOX_SSH_DIR=$SANDBOX/ssh
	d=$SANDBOX_SSH_DIR
	mkdir -m 0755 "$d" "$d/authorized_keys"
	ssh-keygen -q -t ed25519 -N '' -C sandbox-host -f "$d/host_key" || sandbox_fatal "ssh-keygen failed"
	ssh-keygen -q -t ed25519 -N '' -C sandbox-client -f "$d/client_key" || sandbox_fatal "ssh-keygen failed"
	for u in $SANDBOX_USERS; do
		install -m 0644 "$d/client_key.pub" "$d/authorized_keys/$u"
	done
	SANDBOX_SSH_PORT=$(_sandbox_free_port) || sandbox_fatal "no free port"
	# Keys live in root-owned scratch, so StrictModes yes holds and tests
	# may bind over the users' homes freely.
	cat >"$d/sshd_config" <<EOF
Port $SANDBOX_SSH_PORT
ListenAddress 127.0.0.1
HostKey $d/host_key
PidFile $d/sshd.pid
AuthorizedKeysFile $d/authorized_keys/%u
UsePAM yes
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
StrictModes yes
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 50
MaxSessions 50
LogLevel VERBOSE
AcceptEnv LANG LC_*
Subsystem sftp internal-sftp
EOF
	/usr/sbin/sshd -t -f "$d/sshd_config" || sandbox_fatal "sshd rejects its config"
	/usr/sbin/sshd -D -e -f "$d/sshd_config" >>"$d/sshd.log" 2>&1 </dev/null &
	SANDBOX_SSHD_PID=$!
	_SANDBOX_DAEMONS+=("$SANDBOX_SSHD_PID")
	_sandbox_wait_ssh "$SANDBOX_SSH_PORT" "$SANDBOX_SSHD_PID" || {
		cat "$d/sshd.log" >&2
		sandbox_fatal "sshd did not come up on port $SANDBOX_SSH_PORT"
	}
	export SANDBOX_SSH_DIR SANDBOX_SSH_PORT SANDBOX_SSHD_PID
}

ssh_as() { # USER CMD...
	local user=$1
	shift
	[ -n "${SANDBOX_SSH_PORT:-}" ] || sandbox_fatal "ssh_as before sshd_start"
	timeout "$(sandbox_seconds "${SANDBOX_TIMEOUT:-60}")" ssh -F /dev/null -i "$SANDBOX_SSH_DIR/client_key" \
		-o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
		-o LogLevel=ERROR -o ConnectTimeout=10 -o IdentitiesOnly=yes \
		-p "$SANDBOX_SSH_PORT" "$user@127.0.0.1" -- "$@"
}

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

# ---------------------------------------------------------------- syslog

# The mount points directly below /dev (a mount inside another one goes
# along with the recursive bind of the outer one), mountinfo escapes
# decoded.
_sandbox_dev_submounts() {
	awk '$5 ~ /^\/dev\// { print $5 }' /proc/self/mountinfo | while IFS= read -r m; do
		printf '%b\n' "$m"
	done | sort -u | awk '{ for (k in kept) if (index($0 "/", kept[k] "/") == 1) next; kept[NR] = $0; print }'
}

sandbox_syslog_start() {
	local new=$SANDBOX/.dev sub i
	[ -n "${SANDBOX_SYSLOG_PID:-}" ] && return 0
	command -v socat >/dev/null 2>&1 ||
		sandbox_skip "missing tool 'socat' (install the packages in tests/lib/deps.txt)"
	if [ "$$" != 1 ] || [ "$(readlink /proc/self/ns/mnt)" = "${SANDBOX_HOST_MNTNS:-}" ]; then
		sandbox_fatal "sandbox_syslog_start outside the sandbox"
	fi
	# Built aside on a private tmpfs, then bound over /dev in one step.
	mkdir -m 0755 "$new"
	mount -t tmpfs -o mode=0755,nosuid sandbox-dev "$new" || sandbox_fatal "cannot mount a tmpfs for /dev"
	mount --make-private "$new"
	# Device nodes, symlinks and plain directories; mount points are
	# copied as empty directories (--one-file-system) and bound below.
	cp -a --one-file-system /dev/. "$new/" || sandbox_fatal "cannot copy /dev"
	chmod 0755 "$new"
	while IFS= read -r sub; do
		mkdir -p "$new${sub#/dev}"
		mount --rbind "$sub" "$new${sub#/dev}" || sandbox_fatal "cannot bind $sub into the private /dev"
	done < <(_sandbox_dev_submounts)
	mount --make-rprivate "$new"
	rm -f "$new/log"
	mount --rbind "$new" /dev || sandbox_fatal "cannot bind the private /dev"
	umount -l "$new"
	rmdir "$new"
	[ "${SANDBOX_PROPAGATION:-shared}" = shared ] && mount --make-rshared /dev
	SANDBOX_SYSLOG=$SANDBOX/syslog
	: >"$SANDBOX_SYSLOG"
	chmod 0600 "$SANDBOX_SYSLOG"
	socat -u UNIX-RECV:/dev/log,mode=666 "OPEN:$SANDBOX_SYSLOG,creat,append" </dev/null 2>>"$SANDBOX/syslog.err" &
	SANDBOX_SYSLOG_PID=$!
	_SANDBOX_DAEMONS+=("$SANDBOX_SYSLOG_PID")
	for i in $(seq 1 "$(sandbox_seconds 100)"); do
		[ -S /dev/log ] && break
		kill -0 "$SANDBOX_SYSLOG_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -S /dev/log ] || { cat "$SANDBOX/syslog.err" >&2; sandbox_fatal "the syslog listener did not come up"; }
	_SANDBOX_SYSLOG_MARK=0
	export SANDBOX_SYSLOG SANDBOX_SYSLOG_PID
}

# glibc sends a datagram per message with no newline: socat writes them
# back to back. Each starts with "<PRI>Mmm dd hh:mm:ss ".
_sandbox_syslog_split() {
	sed -E 's/<[0-9]{1,3}>[A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2} /\n&/g' | sed '/^$/d'
}

# Waits until a marker logged now has been written: datagrams are queued
# in order, so everything sent before it is in the file too.
_sandbox_syslog_sync() {
	local mark
	[ -n "${SANDBOX_SYSLOG_PID:-}" ] || sandbox_fatal "syslog_text before sandbox_syslog_start"
	mark="sandbox-syslog-sync-$$-$RANDOM$RANDOM"
	logger -u /dev/log -t sandbox -- "$mark" 2>/dev/null
	sandbox_wait_until "the syslog marker" 3 grep -qF -- "$mark" "$SANDBOX_SYSLOG"
}

syslog_text() {
	_sandbox_syslog_sync
	_sandbox_syslog_split <"$SANDBOX_SYSLOG" | grep -v 'sandbox-syslog-sync-'
}

syslog_mark() {
	_sandbox_syslog_sync
	_SANDBOX_SYSLOG_MARK=$(stat -c %s "$SANDBOX_SYSLOG")
}

syslog_since_mark() {
	_sandbox_syslog_sync
	tail -c +"$((${_SANDBOX_SYSLOG_MARK:-0} + 1))" "$SANDBOX_SYSLOG" | _sandbox_syslog_split | grep -v 'sandbox-syslog-sync-'
}
