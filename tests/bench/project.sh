#!/bin/bash
# shellcheck disable=SC2016  # single-quoted text is for the configuration and inner shells
# Per-project versions, measured side by side in one run (make bench):
#   - a prompt where nothing changed, with the --shell hook, against a
#     plain prompt; and what mise's and direnv's prompt hooks cost;
#   - a cd into another project (the hook switches: one vsym-rebind -p)
#     against mount --bind, whole processes both, in wall time and in CPU
#     time (user + system of the shell and its children, the mean per
#     round: less swayed by other work on a shared machine);
#   - vsym-rebind -x -p . -- go version against go version alone, and
#     mise exec -- go version.
#
#   tests/bench/project.sh BUILD_DIR     as root; RUNS=200 by default
#
# Runs in the integration tests' throwaway sandbox (tests/lib/sandbox.sh):
# the host is not changed. mise (npm package @jdxcode/mise-linux-x64,
# unpacked into BUILD_DIR/bench-tools) and direnv (Debian) are installed
# first when missing, outside the sandbox, whose network is private.
# Prints a table and appends rows to BUILD_DIR/bench-results.csv (or
# $BENCH_CSV), in its columns: section and label "project", name, n,
# median_us (unit "us"); the row prompt-processes has the count of
# processes 1000 unchanged prompts started as its value. Figures are
# reported, never judged.
HERE=$(cd "$(dirname "$0")" && pwd)
if [ -z "${SANDBOX_HOST_MNTNS:-}" ]; then
	BUILD=$(cd "${1:?usage: project.sh BUILD_DIR}" && pwd)
	export VSYM_BUILDDIR=$BUILD VSYM_SRCDIR=${VSYM_SRCDIR:-$(cd "$HERE/../.." && pwd)}
	export BENCH_CSV=${BENCH_CSV:-$BUILD/bench-results.csv} RUNS=${RUNS:-200}
	tools=$BUILD/bench-tools
	if [ ! -x "$tools/package/bin/mise" ] && command -v npm >/dev/null; then
		mkdir -p "$tools" && (cd "$tools" && npm pack -q @jdxcode/mise-linux-x64 >/dev/null 2>&1 &&
			tar xzf jdxcode-mise-linux-x64-*.tgz && rm -f jdxcode-mise-linux-x64-*.tgz) ||
			echo "project.sh: could not fetch mise from npm; its rows are left out" >&2
	fi
	command -v direnv >/dev/null ||
		apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends direnv >/dev/null 2>&1 ||
		echo "project.sh: could not install direnv; its rows are left out" >&2
fi
. "$HERE/../lib/sandbox.sh"; sandbox_enter "$@"
. "$VSYM_SRCDIR/tests/integration/common.sh"
vsym_setup
MISE=$VSYM_BUILDDIR/bench-tools/package/bin/mise
sandbox_vsym_conf 'version = 1;
users: { exclude = [ "root" ]; };
allow = ( { target = "~/gos"; source = [ "~/.gos/*" ]; } );
variants: { go = { target = "~/gos"; source = "~/.gos/go${go}"; default = "1.22.0";
                   tool = "golang"; version_file = ".go-version"; }; };'
# Two projects, 7 directories below /, each a .tool-versions that asdf,
# mise and vsym all read (mise: the toolchain by path, nothing to install).
for p in a b; do
	v=$([ $p = a ] && echo 1.21.5 || echo 1.22.0)
	write_user_file alice "/home/alice/w/$p/src/pkg/x/.keep" ""
	write_user_file alice "/home/alice/w/$p/.tool-versions" "golang $v
"
	write_user_file alice "/home/alice/w/$p/.mise.toml" "[tools]
go = \"path:/home/alice/.gos/go$v\"
"
	write_user_file alice "/home/alice/w/$p/.envrc" "export GOROOT=/home/alice/.gos/go$v
PATH_add /home/alice/.gos/go$v/bin
"
done
as_user alice "$SANDBOX_REBIND" --shell bash >"$SANDBOX/hook.bash" 2>/dev/null || sandbox_fatal "--shell bash failed"
chmod 0644 "$SANDBOX/hook.bash"

# The driver runs as alice in a namespace of her own (-x: a vsym session),
# in an interactive bash with the hook loaded as ~/.bashrc would load it.
cat >"$SANDBOX/drive.bash" <<'EOF'
runs=$1 mise=$2
export __VSYM_SHELL=$$
. "$3"
lastpid() { local a; read -r a a a a lp </proc/loadavg; echo "$lp"; }
# median of the per-round times in us
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
row() { echo "$1 $2 $3"; }   # NAME N MEDIAN_US
time_fn() { # NAME N FUNCTION...: median of N calls of the shell function
	local name=$1 n=$2 i t0 t1 times=()
	shift 2
	for ((i = 0; i < n; i++)); do
		t0=${EPOCHREALTIME/./}
		"$@"
		t1=${EPOCHREALTIME/./}
		times+=($((t1 - t0)))
	done
	row "$name" "$n" "$(median "${times[@]}")"
}
# NAME N FUNCTION...: CPU time (user + system, this shell and its
# children) per call, in us, over N calls: less swayed than wall time by
# other work on a shared machine.
cpu_fn() {
	local name=$1 n=$2 i
	shift 2
	times >~/.times0   # in this shell: a subshell's times start at zero
	for ((i = 0; i < n; i++)); do "$@"; done
	times >~/.times1
	row "$name" "$n" $((($(cpu_us ~/.times1) - $(cpu_us ~/.times0)) / n))
}
# FILE (what times printed): user + system of the shell and its children, in us
cpu_us() { tr 'ms\n' '   ' <"$1" | awk '{ s = 0; for (i = 1; i <= 8; i += 2) s += $i * 60 + $(i + 1)
	printf "%d\n", s * 1000000 }'; }
plain_prompt() { :; }
cd ~/w/a/src/pkg/x && __vsym_prompt
[[ $(cat ~/gos/VERSION) == 1.21.5 ]] || echo "error: the hook did not switch to 1.21.5" >&2
p0=$(lastpid)
for ((i = 0; i < 1000; i++)); do __vsym_prompt; done
p1=$(lastpid)
row "prompt-processes" 1000 $(((p1 - p0 - 1) < 0 ? 0 : (p1 - p0 - 1)))
time_fn prompt-plain "$runs" plain_prompt
time_fn prompt-vsym "$runs" __vsym_prompt
cdwithin() { cd ..; __vsym_prompt; cd x; __vsym_prompt; }
cdplain() { cd ..; plain_prompt; cd x; plain_prompt; }
time_fn cd-within-project-plain "$runs" cdplain
time_fn cd-within-project-vsym "$runs" cdwithin
if [[ -x $mise ]]; then
	export MISE_DATA_DIR=~/.mise-data MISE_CONFIG_DIR=~/.mise-config MISE_CACHE_DIR=~/.mise-cache \
		MISE_YES=1 MISE_TRUSTED_CONFIG_PATHS=~/w
	mise_hook() { "$mise" hook-env -s bash >/dev/null 2>&1; }
	mise_hook
	time_fn prompt-mise-hook-env $((runs / 10 + 5)) mise_hook
fi
if command -v direnv >/dev/null; then
	(cd ~/w/a && direnv allow . && cd ~/w/b && direnv allow .) >/dev/null 2>&1
	direnv_hook() { direnv export bash >/dev/null 2>&1; }
	direnv_hook
	time_fn prompt-direnv-export $((runs / 10 + 5)) direnv_hook
fi
switch() { cd ~/w/b/src/pkg/x; __vsym_prompt; cd ~/w/a/src/pkg/x; __vsym_prompt; }
time_fn cd-switch-vsym-x2 "$runs" switch
cpu_fn cd-switch-vsym-x2-cpu "$runs" switch
[[ $(cat ~/gos/VERSION) == 1.21.5 ]] || echo "error: the switch did not land on 1.21.5" >&2
gov() { ~/gos/bin/go version >/dev/null; }
time_fn go-version-direct "$runs" gov
xonly() { "$__vsym_tool" -x -- ~/gos/bin/go version >/dev/null; }
time_fn go-version-vsym-x "$runs" xonly
xgo() { "$__vsym_tool" -x -p . -- ~/gos/bin/go version >/dev/null; }
time_fn go-version-vsym-x-p "$runs" xgo
if [[ -x $mise ]]; then
	mexec() { "$mise" exec -- go version >/dev/null 2>&1; }
	mexec
	time_fn go-version-mise-exec $((runs / 10 + 5)) mexec
fi
EOF
chmod 0644 "$SANDBOX/drive.bash"
out=$(as_user alice "$SANDBOX_REBIND" -x -- bash --norc -i -c \
	". $SANDBOX/drive.bash $RUNS $MISE $SANDBOX/hook.bash" 2>"$SANDBOX/drive.err")
check "the driver ran without errors" test ! -s "$SANDBOX/drive.err" -o -z "$(grep error "$SANDBOX/drive.err")"
grep error "$SANDBOX/drive.err" >&2

# mount --bind, whole process, root, alternating two sources (stacked in a
# namespace thrown away afterwards): what a switch costs at the least.
mb=$(unshare -m --propagation private bash -c '
	mkdir -p /home/alice/gos
	for ((i = 0; i < '"$RUNS"'; i++)); do
		t0=${EPOCHREALTIME/./}; mount --bind /home/alice/.gos/go1.22.0 /home/alice/gos
		mount --bind /home/alice/.gos/go1.21.5 /home/alice/gos; t1=${EPOCHREALTIME/./}
		echo $((t1 - t0))
	done' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
out+=$'\n'"mount-bind-x2 $RUNS $mb"
# The same as CPU time: user + system of the loop's shell and children.
mbcpu=$(unshare -m --propagation private bash -c '
	mkdir -p /home/alice/gos
	TIMEFORMAT="%3U %3S"
	{ time for ((i = 0; i < '"$RUNS"'; i++)); do mount --bind /home/alice/.gos/go1.22.0 /home/alice/gos
		mount --bind /home/alice/.gos/go1.21.5 /home/alice/gos; done; } 2>&1 |
		awk "{ printf \"%d\\n\", (\$1 + \$2) * 1000000 / '"$RUNS"' }"')
out+=$'\n'"mount-bind-x2-cpu $RUNS $mbcpu"
printf '%s\n' "$out" | awk -v csv="$BENCH_CSV" '
	NF == 3 { v[$1] = $3; n[$1] = $2; order[++k] = $1
		  if ($1 == "prompt-processes")
			printf "project,project,,%s,,%s,,,,%s,processes\n", $1, $2, $3 >>csv
		  else
			printf "project,project,,%s,,%s,%s,,,,us\n", $1, $2, $3 >>csv }
	function line(label, name, base) {
		if (!(name in v)) return
		if (base != "" && (base in v) && v[base] > 0)
			printf "| %s | %s | %.2fx |\n", label, v[name], v[name] / v[base]
		else
			printf "| %s | %s | |\n", label, v[name]
	}
	END {
		print "| per-project versions (median us; ratio to the row it is compared with) | us | ratio |"
		print "|---|---|---|"
		line("plain prompt (a shell function doing nothing)", "prompt-plain", "")
		line("vsym hook, nothing changed", "prompt-vsym", "prompt-plain")
		printf "| processes started by 1000 unchanged vsym prompts | %s | |\n", v["prompt-processes"]
		line("cd .. and back, plain prompts", "cd-within-project-plain", "")
		line("cd .. and back in one project, vsym hook", "cd-within-project-vsym", "cd-within-project-plain")
		line("mise hook-env (every prompt)", "prompt-mise-hook-env", "prompt-plain")
		line("direnv export bash (every prompt)", "prompt-direnv-export", "prompt-plain")
		line("mount --bind twice (root, whole processes)", "mount-bind-x2", "")
		line("cd into another project and back, vsym hook (2 switches)", "cd-switch-vsym-x2", "mount-bind-x2")
		line("mount --bind twice, CPU time (user + system)", "mount-bind-x2-cpu", "")
		line("cd into another project and back, vsym hook, CPU time", "cd-switch-vsym-x2-cpu", "mount-bind-x2-cpu")
		line("go version (a shell script), directly", "go-version-direct", "")
		line("vsym-rebind -x -- go version (a namespace, no project)", "go-version-vsym-x", "go-version-direct")
		line("vsym-rebind -x -p . -- go version", "go-version-vsym-x-p", "go-version-direct")
		line("mise exec -- go version", "go-version-mise-exec", "go-version-direct")
	}'
check "every vsym row was measured" test -n "$mb"
