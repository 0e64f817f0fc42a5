#!/bin/bash
# tests/fresh-root.sh CMD [ARG...]
#
# Runs CMD, as root, in a fresh Debian 12 (bookworm) root that looks like
# an ordinary systemd host, inside a clean clone of this repository, e.g.
#
#     bash tests/fresh-root.sh bash tests/run-all.sh
#     bash tests/fresh-root.sh env FUZZ_SECONDS=10 bash tests/run-all.sh
#
# It proves that the README's commands work on a machine that has nothing
# installed, and that the tests make no assumption about this machine.
#
# The root: `debootstrap --variant=minbase bookworm` from the mirror this
# host's apt uses, plus what every systemd install has (systemd-sysv,
# libpam-systemd: pam_systemd in common-session, dbus). Built once and
# cached in $VSYM_FRESH_ROOT_CACHE (default /var/cache/vsym-fresh-root):
#   root-bookworm-ARCH-vN/   the finished root (renamed into place only
#                            when debootstrap succeeded: a killed build
#                            never leaves a half root there)
#   mnt/                     an empty directory, the mount point of each
#                            run's scratch tmpfs (in the run's namespace)
#   build.log                the log of the last build
# Delete the directory to rebuild; nothing else refers to it.
#
# Each run: a private mount namespace and PID namespace (unshare --mount
# --propagation private --pid --fork --kill-child --mount-proc), a tmpfs
# holding an overlay over the cached root (the cache is never written:
# every run starts from the same root and leaves nothing), then, as a
# systemd host has them: /proc, /sys, a tmpfs /dev with the host's device
# nodes, a new devpts, /dev/shm, /dev/mqueue and /dev/log pointing into
# the journal's socket; tmpfs on /run, /run/lock, /run/user/0 and /tmp;
# /home a mount point of its own; the host's resolv.conf, and an
# /etc/hosts naming the machine (127.0.1.1) as Debian's installer writes
# it. The repository
# is cloned (git clone of HEAD, or of VSYM_FRESH_ROOT_COMMIT) to
# /root/vsym, and the root is entered with pivot_root (not chroot: user
# namespaces work and / is a mount point, as on a real host). PID 1 of
# the namespace reaps orphans, as systemd does; when CMD ends, everything
# it started is killed and every mount goes with the namespace.
#
# CMD runs in /root/vsym with a login-like environment (PATH, HOME, USER,
# SHELL, TERM) plus CI and the proxy variables if set; use `env VAR=VALUE
# CMD` to pass more. Exit status: CMD's; 1 if the host's mount table
# changed; 2 on a usage or setup error.
#
#   VSYM_FRESH_ROOT_CACHE   cache directory (see above)
#   VSYM_FRESH_ROOT_MIRROR  Debian mirror to bootstrap from (default: the
#                           first bookworm entry of /etc/apt/sources.list
#                           or /etc/apt/sources.list.d/*.{list,sources})
#   VSYM_FRESH_ROOT_COMMIT  commit to clone (default HEAD; uncommitted
#                           changes are not in the clone)
#   VSYM_FRESH_ROOT_SIZE    size limit of the run's tmpfs (default 8G; it
#                           holds everything CMD installs and builds)
set -euo pipefail

FRESH_SUITE=bookworm
# Bump when the package list changes, so an old cache is not reused.
FRESH_VERSION=1
FRESH_INCLUDE=systemd-sysv,libpam-systemd,dbus

die() { printf 'fresh-root: %s\n' "$*" >&2; exit 2; }
say() { printf '=== fresh-root: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- host side

# The Debian mirror apt uses here: the URI of the first deb entry for
# the suite, one-line (sources.list) or deb822 (*.sources) format.
host_mirror() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		# deb [options] URI SUITE COMPONENT...
		awk -v s="$FRESH_SUITE" '
			$1 == "deb" {
				i = 2
				if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
				if ($(i + 1) == s) { print $i; exit }
			}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		# deb822: stanzas separated by blank lines
		awk -v s="$FRESH_SUITE" '
			function flush() { if (deb && suite && uri != "") { print uri; exit } deb = suite = 0; uri = "" }
			/^[ \t]*$/ { flush(); next }
			/^#/ { next }
			tolower($1) == "types:" { for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1 }
			tolower($1) == "uris:" { uri = $2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == s) suite = 1 }
			END { flush() }' "$f"
	done
}

# Installs what this script needs on the host (debootstrap, git).
host_tools() {
	local missing=() t
	command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
	command -v git >/dev/null 2>&1 || missing+=(git)
	for t in unshare setpriv flock pivot_root mount; do
		command -v "$t" >/dev/null 2>&1 || die "missing tool '$t' (util-linux, mount)"
	done
	[ ${#missing[@]} = 0 ] && return 0
	say "installing ${missing[*]} (apt-get)"
	apt-get -o DPkg::Lock::Timeout=900 update -qq || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null || die "cannot install ${missing[*]}"
}

# Builds the cached root once, under a lock: debootstrap into a temporary
# directory of the cache, in a mount namespace of its own (the /proc and
# /sys it mounts in the target vanish with it even if it is killed), then
# one rename makes it visible.
ensure_root() { # CACHE ROOTNAME
	local cache=$1 name=$2 mirror tmp lock
	mkdir -p "$cache/mnt"
	chmod 0755 "$cache"
	exec {lock}>"$cache/.lock"
	flock "$lock"
	if [ ! -d "$cache/$name" ]; then
		rm -rf "$cache"/.build.* # left by a killed build (we hold the lock)
		mirror=${VSYM_FRESH_ROOT_MIRROR:-$(host_mirror | head -n 1)}
		[ -n "$mirror" ] || die "no $FRESH_SUITE mirror in /etc/apt/sources.list{,.d}: set VSYM_FRESH_ROOT_MIRROR"
		tmp=$(mktemp -d "$cache/.build.XXXXXX")
		say "debootstrap --variant=minbase $FRESH_SUITE from $mirror into $cache/$name (once; log: $cache/build.log)"
		if ! unshare --mount --propagation private \
			debootstrap --variant=minbase --include="$FRESH_INCLUDE" \
			"$FRESH_SUITE" "$tmp/root" "$mirror" >"$cache/build.log" 2>&1; then
			tail -n 20 "$cache/build.log" >&2
			rm -rf "$tmp"
			die "debootstrap failed (full log: $cache/build.log)"
		fi
		# apt's downloaded packages are not part of a fresh machine
		rm -rf "$tmp"/root/var/cache/apt/archives/*.deb
		mv -T "$tmp/root" "$cache/$name"
		rmdir "$tmp"
	fi
	exec {lock}>&-
}

host_main() {
	local top cache name commit before after rc
	[ $# -gt 0 ] || die "usage: tests/fresh-root.sh CMD [ARG...]"
	[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, mounts, namespaces)"
	top=$(cd "$(dirname "$0")/.." && pwd -P)
	host_tools
	commit=$(git -C "$top" rev-parse --verify "${VSYM_FRESH_ROOT_COMMIT:-HEAD}^{commit}") ||
		die "no commit '${VSYM_FRESH_ROOT_COMMIT:-HEAD}' in $top"
	[ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] || [ -n "${VSYM_FRESH_ROOT_COMMIT:-}" ] ||
		say "note: uncommitted changes in $top are not in the clone (it is of $commit)"
	cache=${VSYM_FRESH_ROOT_CACHE:-/var/cache/vsym-fresh-root}
	case "$cache" in /*) ;; *) die "VSYM_FRESH_ROOT_CACHE must be absolute" ;; esac
	name=root-$FRESH_SUITE-$(dpkg --print-architecture)-v$FRESH_VERSION
	ensure_root "$cache" "$name"

	before=$(cat /proc/self/mountinfo)
	say "running '$*' in a fresh $FRESH_SUITE root (clone of $commit)"
	rc=0
	# pdeathsig: if this script dies, unshare is killed; --kill-child: then
	# the namespace's PID 1 too, and with it every process and mount.
	_VSYM_FRESH_ROOT_INNER=1 FRESH_LOWER="$cache/$name" FRESH_MNT="$cache/mnt" \
		FRESH_REPO="$top" FRESH_COMMIT="$commit" \
		setpriv --pdeathsig KILL -- \
		unshare --mount --propagation private --pid --fork --kill-child --mount-proc -- \
		bash "$top/tests/fresh-root.sh" "$@" || rc=$?
	after=$(cat /proc/self/mountinfo)
	if [ "$before" != "$after" ]; then
		echo "fresh-root: FAIL: the host's mount table changed:" >&2
		diff <(echo "$before") <(echo "$after") >&2 || true
		[ "$rc" != 0 ] || rc=1
	fi
	return "$rc"
}

# ---------------------------------------------------------------- inside

# /dev as a systemd host has it: a devtmpfs-like tmpfs with the host's
# device nodes (a second devtmpfs would be the host's own instance, so
# its changes would reach the host), a new devpts instance, tmpfs on
# /dev/shm, mqueue, and /dev/log a symlink into journald's socket.
inner_dev() { # ROOT
	local dev=$1/dev
	mount -t tmpfs -o nosuid,mode=0755,size=4m devtmpfs "$dev"
	cp -a --one-file-system /dev/. "$dev/"
	rm -rf "${dev:?}/log" "${dev:?}/pts" "${dev:?}/shm" "${dev:?}/mqueue"
	mkdir -m 0755 "$dev/pts" "$dev/mqueue"
	mkdir -m 1777 "$dev/shm"
	mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=000 devpts "$dev/pts"
	mount -t tmpfs -o nosuid,nodev tmpfs "$dev/shm"
	mount -t mqueue -o nosuid,nodev,noexec mqueue "$dev/mqueue"
	ln -s /run/systemd/journal/dev-log "$dev/log"
	[ -e "$dev/ptmx" ] || ln -s pts/ptmx "$dev/ptmx"
}

# /run and /tmp are tmpfs on a systemd host, with more tmpfs stacked on
# /run (run-lock.mount, root's user-runtime-dir) and /run/utmp; /home is
# often a partition of its own.
inner_volatile() { # ROOT
	local r=$1
	mount -t tmpfs -o nosuid,nodev,mode=0755,size=20% tmpfs "$r/run"
	mkdir -p "$r/run/lock" "$r/run/user/0" "$r/run/systemd/journal"
	mount -t tmpfs -o nosuid,nodev,noexec,size=5m tmpfs "$r/run/lock"
	mount -t tmpfs -o nosuid,nodev,mode=0700,size=10% tmpfs "$r/run/user/0"
	install -m 0664 -g utmp /dev/null "$r/run/utmp" # systemd-update-utmp's
	mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$r/tmp"
	mount --bind "$r/home" "$r/home"
}

# Sets FRESH_NEWROOT.
inner_setup() {
	local s=$FRESH_MNT r
	mount -t tmpfs -o "mode=0755,size=${VSYM_FRESH_ROOT_SIZE:-8G}" vsym-fresh-root "$s"
	mkdir "$s/upper" "$s/work" "$s/root"
	r=$s/root
	mount -t overlay -o "lowerdir=$FRESH_LOWER,upperdir=$s/upper,workdir=$s/work" vsym-fresh-root "$r"
	mount -t proc -o nosuid,nodev,noexec proc "$r/proc"
	mount --rbind /sys "$r/sys"
	inner_dev "$r"
	inner_volatile "$r"
	rm -f "$r/etc/resolv.conf"
	cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || :
	# The machine's name resolves, as Debian's installer makes it (sudo
	# warns on every call otherwise): the host's name, in the run's copy.
	printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' \
		"$(uname -n)" >"$r/etc/hosts"
	# A clean clone, as a new user would make it (the clone's origin
	# points into the host tree, which is not reachable from inside).
	git init -q "$r/root/vsym"
	git -C "$r/root/vsym" fetch -q "$FRESH_REPO" "$FRESH_COMMIT"
	git -C "$r/root/vsym" checkout -q --detach "$FRESH_COMMIT"
	FRESH_NEWROOT=$r
}

# PID 1 of the namespace: enter the root, run the command as a child and
# reap whatever is orphaned until it ends (systemd does the same).
inner_main() {
	local rc cmd
	set -E # the ERR trap holds in functions too
	trap 'echo "fresh-root: setup failed: $BASH_COMMAND" >&2; exit 2' ERR
	inner_setup
	cd "$FRESH_NEWROOT"
	mkdir .oldroot
	pivot_root . .oldroot
	cd /
	umount -l /.oldroot
	rmdir /.oldroot
	cd /root/vsym
	trap - ERR
	# Background jobs get /dev/null as stdin unless told otherwise.
	exec 3<&0
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM="${TERM:-dumb}" \
		${CI:+CI="$CI"} ${http_proxy:+http_proxy="$http_proxy"} \
		${https_proxy:+https_proxy="$https_proxy"} ${no_proxy:+no_proxy="$no_proxy"} \
		"$@" <&3 3<&- &
	cmd=$!
	exec 3<&-
	trap 'kill -TERM "$cmd" 2>/dev/null' TERM INT HUP
	rc=0
	while :; do
		wait "$cmd" && rc=0 || rc=$?
		kill -0 "$cmd" 2>/dev/null || break
	done
	exit "$rc"
}

if [ -n "${_VSYM_FRESH_ROOT_INNER:-}" ] && [ "$$" = 1 ]; then
	unset _VSYM_FRESH_ROOT_INNER
	inner_main "$@"
fi
host_main "$@"
