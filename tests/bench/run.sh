#!/bin/bash
# Session-setup benchmark for pam_vsym (session open against the kernel
# floor, pam_namespace and pam_permit; many sessions), and what switching
# costs (the "switching" section).
#
#   tests/bench/run.sh BUILD_DIR     as root; RUNS=200 by default (RUBY_RUNS,
#                                    for the ruby commands, RUNS/4, at least
#                                    10); PROFILE=1
#                                    adds a perf (or callgrind) breakdown,
#                                    PROFILE=callgrind forces callgrind;
#                                    BENCH_SHELL_CMD='...' runs that command in
#                                    the ready sandbox instead (debugging;
#                                    $BENCH_W/bench_session is the driver);
#                                    BENCH_ONLY=pre68 runs only the pre-6.8
#                                    rows (vsym_pre68 beside pam_vsym, at the
#                                    sandbox's mounts and 1000 more)
#
# Everything happens in a throwaway mount+pid namespace: a private copy of
# /etc over /etc, tmpfs on /home, /opt (where BUILD_DIR is `make install`ed),
# /run and /dev (for a private /dev/log). The only host-global thing touched
# is the sysctl fs.mount-max (it is not per namespace): it is saved and
# restored by traps both inside and outside. Afterwards the host's mount
# table ("mountpoint fstype") must be what it was, or the script fails.
#
# The switching section needs Debian's rbenv and ruby: when /usr/bin/rbenv
# or /usr/bin/ruby is missing, they are installed on the host with apt-get
# (before the sandbox: packages must not land in its throwaway /etc), or the
# script stops saying so.
#
# Writes BUILD_DIR/bench-results.csv (or $BENCH_CSV); prints the tables. No timed assertions:
# the numbers are reported, never judged. CSV rows of the switching section:
# section "switching", label "switching", host_mounts, name = the variant,
# binds empty, n, median/p10/p90 in us, value = failed or stale runs (unit
# "failures"); the ratios (unit "x") and differences (unit "us") of medians
# are rows of the same section.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
MOUNT_MAX=/proc/sys/fs/mount-max
CSV=${BENCH_CSV:-}   # the driver appends to it; outside() sets the default

mount_list() {
	# mountpoint and fstype: the field after the " - " separator.
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $5, $(i + 1); break } }' \
		/proc/self/mountinfo | sort
}

# ---- outside: build the driver, enter the sandbox, check the host after ----

# Debian's rbenv and ruby for the switching section: installed if missing.
ensure_ruby_tools() {
	[ -x /usr/bin/rbenv ] && [ -x /usr/bin/ruby ] && return 0
	echo "run.sh: installing Debian's rbenv and ruby for the switching section (apt-get)"
	if ! apt-get install -y -q rbenv ruby >/dev/null 2>&1; then
		apt-get update -q >/dev/null 2>&1 || true
		apt-get install -y -q rbenv ruby >/dev/null || true
	fi
	[ -x /usr/bin/rbenv ] && [ -x /usr/bin/ruby ] || {
		echo "run.sh: the switching section needs /usr/bin/rbenv and /usr/bin/ruby:" \
			"apt-get install rbenv ruby failed; install them and run again" >&2
		exit 2
	}
}

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
	[ "${BENCH_ONLY:-}" = pre68 ] || ensure_ruby_tools
	[ -x "$build/tests/bench/bench_session" ] ||
		{ echo "run.sh: $build/tests/bench/bench_session is missing: run make bench" >&2; exit 2; }
	cp "$build/tests/bench/bench_session" "$work/bench_session"
	# In the build dir, never the source tree: the sandbox installs from
	# the build dir, so it is visible inside, and a run changes no tracked file.
	CSV=${CSV:-$build/bench-results.csv}
	export BENCH_CSV=$CSV
	: >"$CSV"
	unshare --mount --propagation private --pid --fork --mount-proc \
		env VSYM_BENCH_SANDBOX=1 BENCH_ONLY="${BENCH_ONLY:-}" RUNS="${RUNS:-200}" RUBY_RUNS="${RUBY_RUNS:-}" PROFILE="${PROFILE:-0}" \
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

# BENCH_ONLY=pre68: only the rows comparing the pre-6.8 path (mount
# table; statmount made to fail as on Debian 12's 6.1) with statmount's,
# at the sandbox's own mounts and 1000 more, in the same run.
pre68_step() {
	bench latency --label pre68 --binds 1
	add_mounts 1000
	bench latency --label pre68-plus1000 --binds 1
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

# ---- switching ----
#
# One vsym session of benchsw, opened by the driver through a PAM service
# holding pam_vsym with the system file (the sandbox's /etc/vsym.conf, the
# one vsym-rebind reads); the driver stays root inside it and times every
# command as a whole process (fork+execve+waitpid), interleaved:
#   exec_true          /bin/true as the user: the process floor
#   vsym-rebind        SRC DST as the user, alternating two sources on one
#                      target, so that every call replaces the bind there
#   vsym-rebind_var    the same through a variant: go=1 / go=2 onto ~/gos
#   vsym-rebind_-n     dry run: the process and the checks, no mount
#   mount_bind         util-linux mount --bind SRC DST as root, in the same
#                      (private) namespace, same sources, onto ~/mt; each
#                      timed mount is followed by an untimed umount, so every
#                      mount meets the same mount table
#   ruby_direct        /usr/bin/ruby -e0
#   rbenv_shim         ~/.rbenv/shims/ruby -e0 (Debian's rbenv, its version
#                      system-ruby: bin/ruby -> /usr/bin/ruby)
#   ruby_vsym          ~/rubies/bin/ruby -e0: ~/rubies is bound at session
#                      open from ~/.rubies/system (bin/ruby -> /usr/bin/ruby)
# A run whose EXPECT file (the marker of the source just bound) is missing
# afterwards counts as stale.
switching_step() {
	local u=benchsw h=/home/benchsw vr=/opt/vsym/bin/vsym-rebind spec=/run/bench/switching.spec
	local ruby_runs=${RUBY_RUNS:-$((RUNS / 4 > 10 ? RUNS / 4 : 10))}
	useradd -m -s /bin/sh "$u"
	as_user() { setpriv --reuid="$u" --regid="$u" --init-groups env -i HOME="$h" USER="$u" PATH=/usr/bin:/bin "$@"; }
	as_user mkdir -p "$h"/.versions/v1 "$h"/.versions/v2 "$h"/opt/tool "$h"/.gos/go1 "$h"/.gos/go2 \
		"$h"/gos "$h"/mt "$h"/rubies "$h"/.rubies/system/bin "$h"/.rbenv/versions/system-ruby/bin
	as_user touch "$h"/.versions/v1/.is-1 "$h"/.versions/v2/.is-2 "$h"/.gos/go1/.is-1 "$h"/.gos/go2/.is-2
	as_user ln -s /usr/bin/ruby "$h"/.rubies/system/bin/ruby
	as_user ln -s /usr/bin/ruby "$h"/.rbenv/versions/system-ruby/bin/ruby
	as_user rbenv global system-ruby
	as_user rbenv rehash
	echo
	echo "== switching setup: rbenv $(as_user rbenv --version | cut -d' ' -f2), version" \
		"$(as_user rbenv version-name) -> $(as_user rbenv which ruby)" \
		"($(readlink -f /usr/bin/ruby), $(/usr/bin/ruby -e 'print RUBY_VERSION'))"
	cat >/etc/vsym.conf <<-EOF
		# The sandbox's vsym.conf (its private /etc): the switching section.
		version = 1;
		users: { exclude = [ "root" ]; };
		allow = (
		  { target = "~/opt/*";  source = "~/.versions/**"; },
		  { target = "~/gos";    source = "~/.gos/*"; },
		  { target = "~/rubies"; source = "~/.rubies/*"; }
		);
		variants: { go = { target = "~/gos"; source = "~/.gos/go\${go}"; }; };
		binds = ( { source = "~/.rubies/system"; target = "~/rubies"; } );
		max_binds = 64;
		on_error = "deny";
	EOF
	chmod 644 /etc/vsym.conf
	cat >"$spec" <<-EOF
		env HOME=$h
		env USER=$u
		env LOGNAME=$u
		env SHELL=/bin/sh
		env LANG=C.UTF-8
		env PATH=$h/.rbenv/shims:/usr/local/bin:/usr/bin:/bin
		# variant NAME RUNS AS EXPECT PATH [ARG...] [; AFTER...]
		variant exec_true       - user -                 /bin/true
		variant vsym-rebind     - user $h/opt/tool/.is-1 $vr $h/.versions/v1 $h/opt/tool
		variant vsym-rebind     - user $h/opt/tool/.is-2 $vr $h/.versions/v2 $h/opt/tool
		variant vsym-rebind_var - user $h/gos/.is-1      $vr go=1
		variant vsym-rebind_var - user $h/gos/.is-2      $vr go=2
		variant vsym-rebind_-n  - user -                 $vr -n $h/.versions/v1 $h/opt/tool
		variant vsym-rebind_-n  - user -                 $vr -n $h/.versions/v2 $h/opt/tool
		variant mount_bind      - root $h/mt/.is-1       /usr/bin/mount --bind $h/.versions/v1 $h/mt ; /usr/bin/umount $h/mt
		variant mount_bind      - root $h/mt/.is-2       /usr/bin/mount --bind $h/.versions/v2 $h/mt ; /usr/bin/umount $h/mt
		variant ruby_direct     $ruby_runs user - /usr/bin/ruby -e0
		variant rbenv_shim      $ruby_runs user - $h/.rbenv/shims/ruby -e0
		variant ruby_vsym       $ruby_runs user - $h/rubies/bin/ruby -e0
		ratio vsym-rebind/mount_bind        vsym-rebind mount_bind
		ratio vsym-rebind_var/mount_bind    vsym-rebind_var mount_bind
		ratio vsym-rebind_-n/mount_bind     vsym-rebind_-n mount_bind
		ratio vsym-rebind/exec_true         vsym-rebind exec_true
		ratio mount_bind/exec_true          mount_bind exec_true
		ratio rbenv_shim/ruby_direct        rbenv_shim ruby_direct
		ratio ruby_vsym/ruby_direct         ruby_vsym ruby_direct
		diff rbenv_shim-ruby_direct         rbenv_shim ruby_direct
		diff ruby_vsym-ruby_direct          ruby_vsym ruby_direct
		diff vsym-rebind-vsym-rebind_-n     vsym-rebind vsym-rebind_-n
		show user $vr -l
		show user $h/rubies/bin/ruby -eputs(RbConfig.ruby)
		show user $h/.rbenv/shims/ruby -eputs(RbConfig.ruby)
	EOF
	echo "   (RUNS=$RUNS for the cheap commands, RUBY_RUNS=$ruby_runs for ruby; children's stderr:" \
		"/run/bench/switching.err)"
	bench switching --label switching --spec "$spec" --user "$u" --errlog /run/bench/switching.err
}

# Whole processes, the way the issue measured it from outside: pamtester
# open_session close_session with pam_permit alone, pam_vsym (1 bind, the
# latency section's service) and pam_namespace (Debian's, with its init
# script), interleaved; what each module adds over pam_permit, and the ratio.
# Wall time, and CPU time (user + system of pamtester and what it runs,
# from bash's `times` around each call), which other work on a shared
# machine sways less and which leaves out waits, such as the kernel's
# teardown of a namespace when pamtester exits.
pamtester_step() {
	local i v t0 t1 times=/run/bench/pamtester.times cpu=/run/bench/pamtester.cpu
	command -v pamtester >/dev/null || { echo "  pamtester missing: skipped"; return 0; }
	cp /run/bench/pam/vsym1 /etc/pam.d/bench-vsym
	cp /run/bench/pam/pamns /etc/pam.d/bench-pamns
	cp /run/bench/pam/permit /etc/pam.d/bench-permit
	: >"$times"
	: >"$cpu"
	for ((i = 0; i < RUNS; i++)); do
		for v in permit vsym pamns; do
			{ echo "B $v"; times; } >>"$cpu"
			t0=$EPOCHREALTIME
			pamtester "bench-$v" benchu1 open_session close_session >/dev/null 2>&1 || v=$v-failed
			t1=$EPOCHREALTIME
			{ echo "E $v"; times; } >>"$cpu"
			echo "$v $t0 $t1" >>"$times"
		done
	done
	echo
	echo "== pamtester open_session close_session, whole processes, $RUNS rounds interleaved =="
	awk -v csv="$BENCH_CSV" -v host="$(wc -l </proc/self/mountinfo)" '
		{ us = ($3 - $2) * 1e6; n[$1]++; t[$1, n[$1]] = us }
		function median(v,   k, a, i, j, x) {
			k = n[v]; for (i = 1; i <= k; i++) a[i] = t[v, i]
			for (i = 2; i <= k; i++) { x = a[i]; for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
			return k ? a[int((k + 1) / 2)] : 0 }
		END {
			for (v in n) if (v ~ /failed/) printf "  %s: %d runs FAILED\n", v, n[v]
			p = median("permit"); vs = median("vsym"); ns = median("pamns")
			printf "  %-14s %10.1f us (median)\n", "pam_permit", p
			printf "  %-14s %10.1f us, adds %8.1f us\n", "pam_vsym", vs, vs - p
			printf "  %-14s %10.1f us, adds %8.1f us\n", "pam_namespace", ns, ns - p
			printf "  what pam_vsym adds / what pam_namespace adds: %.2fx (a reading only)\n", (vs - p) / (ns - p)
			printf "pamtester,base,%d,pam_vsym_adds,1,%d,%.1f,,,%.3f,x\n", host, n["vsym"], vs - p, (vs - p) / (ns - p) >>csv
		}' "$times"
	# The children's line of `times` ("0m0.123s 0m0.045s"), after B or E.
	awk -v csv="$BENCH_CSV" -v host="$(wc -l </proc/self/mountinfo)" '
		function us(t,   m) { split(t, m, /[ms]/); return (m[1] * 60 + m[2]) * 1e6 }
		/^[BE] / { mark = $1; v = $2; line = 0; next }
		{ line++ }
		line == 2 { c = us($1) + us($2); if (mark == "B") b = c; else { sum[v] += c - b; n[v]++ } }
		END {
			p = sum["permit"] / n["permit"]; vs = sum["vsym"] / n["vsym"]; ns = sum["pamns"] / n["pamns"]
			printf "  CPU time (user + system), mean per run:\n"
			printf "  %-14s %10.1f us\n", "pam_permit", p
			printf "  %-14s %10.1f us, adds %8.1f us\n", "pam_vsym", vs, vs - p
			printf "  %-14s %10.1f us, adds %8.1f us\n", "pam_namespace", ns, ns - p
			printf "  in CPU time, what pam_vsym adds / what pam_namespace adds: %.2fx (a reading only)\n", (vs - p) / (ns - p)
			printf "pamtester,base,%d,pam_vsym_adds_cpu,1,%d,%.1f,,,%.3f,x\n", host, n["vsym"], vs - p, (vs - p) / (ns - p) >>csv
		}' "$cpu"
}

inside() {
	local build=$1 w=$2 saved csv=$CSV
	saved=$(cat $MOUNT_MAX)
	# shellcheck disable=SC2064
	trap "echo $saved > $MOUNT_MAX" EXIT
	trap 'exit 130' INT TERM HUP
	make_sandbox "$build" "$w"
	if [ -n "${BENCH_SHELL_CMD:-}" ]; then   # for debugging: run this instead
		BENCH_W=$w bash -c "$BENCH_SHELL_CMD"
		return
	fi
	BENCH_W=$w BENCH_CSV=$csv
	if [ "${BENCH_ONLY:-}" = pre68 ]; then
		pre68_step
		return
	fi
	bench latency --label base
	pamtester_step
	[ "${PROFILE:-0}" != 0 ] && profile_step
	bench scale --label base --binds 1 --counts 1,100,1000
	mount_max_test
	echo "$saved" >$MOUNT_MAX
	switching_step
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
