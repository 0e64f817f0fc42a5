# shellcheck shell=bash
# tests/lib/sandbox-setup.sh - sourced by tests/lib/sandbox.sh, whose header
# states the contract of these functions. Here: the setup inside the
# namespaces (scratch tmpfs, a copy of /etc, volatile directories,
# propagation) and the exit that ends the sandbox.

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
