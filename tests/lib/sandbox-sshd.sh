# shellcheck shell=bash
# tests/lib/sandbox-sshd.sh - sourced by tests/lib/sandbox.sh, whose header
# states the contract of these functions. Here: a real sshd on loopback, and
# ssh_as.

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
# shellcheck disable=SC2034 # the loop's variable only counts the tries
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
