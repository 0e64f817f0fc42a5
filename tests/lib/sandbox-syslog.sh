# shellcheck shell=bash
# tests/lib/sandbox-syslog.sh - sourced by tests/lib/sandbox.sh, whose
# header states the contract of these functions. Here: a private /dev with a
# syslog listener, and what it captured.

# The mount points directly below /dev (a mount inside another one goes
# along with the recursive bind of the outer one), mountinfo escapes
# decoded.
_sandbox_dev_submounts() {
	awk '$5 ~ /^\/dev\// { print $5 }' /proc/self/mountinfo | while IFS= read -r m; do
		printf '%b\n' "$m"
	done | sort -u | awk '{ for (k in kept) if (index($0 "/", kept[k] "/") == 1) next; kept[NR] = $0; print }'
}

# shellcheck disable=SC2034 # the loop's variable only counts the tries
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
