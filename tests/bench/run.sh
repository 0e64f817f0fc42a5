#!/bin/bash
# Session-setup benchmark for pam_vsym (issue 5, parts 1 and 3).
#
#   tests/bench/run.sh BUILD_DIR     as root; RUNS=200 by default; PROFILE=1
#                                    adds a perf (or callgrind) breakdown,
#                                    PROFILE=callgrind forces callgrind;
#                                    BENCH_SHELL_CMD='...' runs that command in
#                                    the ready sandbox instead (debugging)
#
# Everything happens in a throwaway mount+pid namespace: a private copy of
# /etc over /etc, tmpfs on /home, /opt (where BUILD_DIR is `make install`ed),
# /run and /dev (for a private /dev/log). The only host-global thing touched
# is the sysctl fs.mount-max (it is not per namespace): it is saved and
# restored by traps both inside and outside. Afterwards the host's mount
# table ("mountpoint fstype") must be what it was, or the script fails.
#
# Writes tests/bench/results.csv (or $BENCH_CSV); prints the tables. No timed assertions:
# the numbers are reported, never judged.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
MOUNT_MAX=/proc/sys/fs/mount-max
CSV=${BENCH_CSV:-$HERE/results.csv}   # the driver appends to it

mount_list() {
	# mountpoint and fstype: the field after the " - " separator.
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $5, $(i + 1); break } }' \
		/proc/self/mountinfo | sort
}

# ---- outside: build the driver, enter the sandbox, check the host after ----
outside() {
	local build=$1 work before after saved rc=0
	[ "$(id -u)" = 0 ] || { echo "run.sh: needs root (it makes namespaces and users)" >&2; exit 2; }
	[ -f "$build/Makefile" ] || { echo "run.sh: $build is not a configured build dir" >&2; exit 2; }
	work=$(mktemp -d /tmp/vsym-bench.XXXXXX)
	saved=$(cat "$MOUNT_MAX")
	before=$work/mounts.before
	mount_list >"$before"
	# shellcheck disable=SC2064
	trap "echo $saved > $MOUNT_MAX" EXIT
	trap 'exit 130' INT TERM HUP   # so that the EXIT trap runs
	cc -O2 -Wall -Wextra -o "$work/bench_session" "$HERE/bench_session.c" -lpam
	: >"$CSV"
	unshare --mount --propagation private --pid --fork --mount-proc \
		env VSYM_BENCH_SANDBOX=1 RUNS="${RUNS:-200}" PROFILE="${PROFILE:-0}" \
		BENCH_SHELL_CMD="${BENCH_SHELL_CMD:-}" bash "$0" --inside "$build" "$work" || rc=$?
	echo "$saved" >"$MOUNT_MAX"
	after=$work/mounts.after
	mount_list >"$after"
	if ! diff -u "$before" "$after"; then
		echo "run.sh: FAIL: the host mount table changed (diff above)" >&2
		exit 1
	fi
	echo "host mount table unchanged ($(wc -l <"$after") mounts); fs.mount-max back to $(cat "$MOUNT_MAX")"
	echo "CSV: $CSV"
	rm -rf "$work"
	exit "$rc"
}

# ---- inside the throwaway namespace ----

make_sandbox() {
	local build=$1 w=$2
	# Fresh peer groups of our own: like a systemd host, where / is shared,
	# so the sessions' MS_SLAVE has real work to do; the host's groups were
	# left by --propagation private above, so nothing reaches it.
	mount --make-rshared /
	mount -t tmpfs -o mode=755 bench-run /run
	mkdir -p /run/bench/etc /run/bench/pam
	cp -a /etc/. /run/bench/etc/
	mount --bind /run/bench/etc /etc
	mount -t tmpfs -o mode=755 bench-home /home
	mount -t tmpfs -o mode=755 bench-opt /opt
	# No syslog daemon here: a private /dev with our own /dev/log.
	mount -t tmpfs -o mode=755,size=1m bench-dev /dev
	mknod -m 666 /dev/null c 1 3; mknod -m 666 /dev/zero c 1 5
	mknod -m 666 /dev/full c 1 7; mknod -m 666 /dev/random c 1 8
	mknod -m 666 /dev/urandom c 1 9; mknod -m 666 /dev/tty c 5 0
	ln -s /proc/self/fd /dev/fd
	make -s -C "$build" install >/run/bench/install.log 2>&1 ||
		{ cat /run/bench/install.log; return 1; }
	for n in 1 10 100; do useradd -m -s /bin/sh "benchu$n"; done
	"$w/bench_session" syslogd /dev/log /run/bench/syslog &
	sleep 0.2
}

add_mounts() {
	local n=$1 i
	mkdir -p /run/bench/m
	for ((i = 0; i < n; i++)); do
		mkdir -p "/run/bench/m/$i"
		mount -t tmpfs -o size=4k "bench-m$i" "/run/bench/m/$i"
	done
}

# Sessions until one fails, with fs.mount-max (a global sysctl, counted
# per mount namespace by the kernel) set just above the table we have.
mount_max_test() {
	local host lim
	host=$(wc -l </proc/self/mountinfo)
	echo
	echo "== fs.mount-max (global sysctl; the kernel counts mounts per namespace) =="
	echo "  mounts in the parent namespace: $host; fs.mount-max was $(cat $MOUNT_MAX)"
	lim=$((host + 300))
	echo "$lim" >$MOUNT_MAX
	echo "-- A: fs.mount-max = $lim (host + 300), 1-bind sessions, up to 600 held at once"
	echo "   if the limit were global, (mount-max)/(mounts per session) = $lim/$((host + 2))" \
		"= $((lim / (host + 2))) sessions would fit"
	bench fill --fill-binds 1 --fill-max 600 || true
	echo "   per namespace, what fits is binds per session: mount-max - host mounts - 1 (marker)" \
		"= $((lim - host - 1))"
	lim=$((host + 50))
	echo "$lim" >$MOUNT_MAX
	echo "-- B: fs.mount-max = $lim (host + 50), 100-bind sessions (on_error = warn)"
	: >/run/bench/syslog
	bench fill --fill-binds 100 --fill-max 3 || true
	echo "  syslog lines naming the failure (first 3):"
	grep -i -m3 'no space\|mount-max\|limit' /run/bench/syslog | sed 's/^/    /' || echo "    (none)"
	lim=$host
	echo "$lim" >$MOUNT_MAX
	echo "-- C: fs.mount-max = $lim (= host mounts: no room even for the marker)"
	: >/run/bench/syslog
	bench fill --fill-binds 1 --fill-max 3 || true
	echo "  syslog lines:"
	grep -v 'bound ' /run/bench/syslog | head -3 | sed 's/^/    /' || true
}

# bench COMMAND [OPTIONS]: the driver with the sandbox's paths.
bench() {
	local cmd=$1
	shift
	"$BENCH_W/bench_session" "$cmd" --module /opt/vsym/lib/security/pam_vsym.so \
		--confdir /run/bench/pam --csv "$BENCH_CSV" --runs "$RUNS" "$@"
}

# Where pam_vsym's time goes: perf (CPU samples, kernel included) if it
# works here, else callgrind (user-space instructions only).
profile_step() {
	local -a args=("$BENCH_W/bench_session" profile --module /opt/vsym/lib/security/pam_vsym.so
		--confdir /run/bench/pam --csv /dev/null --binds 10 --runs 200)
	echo
	echo "== profile: pam_vsym, 10 binds, 200 sessions opened in one process =="
	if [ "$PROFILE" != callgrind ] && command -v perf >/dev/null &&
		perf record -q -e cpu-clock -o /run/bench/perf.probe true >/dev/null 2>&1; then
		perf record -q -e cpu-clock -F 10000 --call-graph dwarf,16384 \
			-o /run/bench/perf.data -- "${args[@]}" >/dev/null
		perf script -i /run/bench/perf.data -F ip,sym,dso 2>/dev/null | awk -f "$HERE/perf_breakdown.awk"
	elif command -v valgrind >/dev/null; then
		# Needs a valgrind that knows fsopen/fsmount (syscalls 430-432):
		# Debian 12's 3.19 does not, and the marker tmpfs then fails.
		args[${#args[@]} - 1]=30
		if valgrind -q --tool=callgrind --toggle-collect=pam_sm_open_session \
			--callgrind-out-file=/run/bench/cg.%p "${args[@]}" >/dev/null 2>/run/bench/cg.err; then
			callgrind_annotate --inclusive=yes \
				"$(find /run/bench -name 'cg.*' -printf '%s %p\n' | sort -rn | head -1 | cut -d' ' -f2)" |
				head -40
		else
			echo "  callgrind run failed (this valgrind may not know the new mount API):"
			grep -m3 'unhandled\|failed' /run/bench/cg.err | sed 's/^/    /'
		fi
	else
		echo "  neither perf nor valgrind: skipped"
	fi
}

inside() {
	local build=$1 w=$2 saved csv=$CSV
	saved=$(cat $MOUNT_MAX)
	# shellcheck disable=SC2064
	trap "echo $saved > $MOUNT_MAX" EXIT
	trap 'exit 130' INT TERM HUP
	make_sandbox "$build" "$w"
	if [ -n "${BENCH_SHELL_CMD:-}" ]; then   # for debugging: run this instead
		bash -c "$BENCH_SHELL_CMD"
		return
	fi
	BENCH_W=$w BENCH_CSV=$csv
	bench latency --label base
	[ "${PROFILE:-0}" != 0 ] && profile_step
	bench scale --label base --binds 1 --counts 1,100,1000
	mount_max_test
	echo "$saved" >$MOUNT_MAX
	add_mounts 1000
	bench latency --label plus1000
	bench scale --label plus1000 --binds 1 --counts 1000
}

if [ "${1:-}" = --inside ]; then
	inside "$2" "$3"
else
	[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR" >&2; exit 2; }
	outside "$(cd "$1" && pwd)"
fi
