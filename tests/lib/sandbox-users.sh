# shellcheck shell=bash
# tests/lib/sandbox-users.sh - sourced by tests/lib/sandbox.sh, whose header
# states the contract of these functions. Here: the test users, commands run
# as them, PAM services.

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

sandbox_pam_service() { # NAME LINES
	printf '%s\n' "$2" >"/etc/pam.d/$1" && chmod 0644 "/etc/pam.d/$1"
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
