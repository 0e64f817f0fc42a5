#!/bin/bash
# The whole test suite, from a fresh Debian 12 machine, as root:
# installs what it needs, builds, and runs unit, integration and security
# tests, the sanitizer build, a bounded fuzz run and make distcheck.
# Everything that changes mounts, users or PAM files runs inside a
# throwaway namespace (tests/lib/sandbox.sh); the host is left untouched.
#   FUZZ_SECONDS=N   length of the fuzz run (default 60)
#   SKIP_APT=1       do not run apt-get (dependencies already there)
set -euo pipefail
cd "$(dirname "$0")/.."
top=$PWD
fuzz_seconds=${FUZZ_SECONDS:-60}

step() { printf '\n=== %s\n' "$*"; }

# One configured build per flavour, out of tree, so the source stays clean.
configure_build() {
	local dir=$1; shift
	rm -rf "$dir" && mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q --enable-werror "$@")
}

summary() {
	local pass=0 fail=0 skip=0 log
	for log in "$@"; do
		[ -f "$log" ] || continue
		pass=$((pass + $(sed -n 's/^# PASS: *//p' "$log")))
		fail=$((fail + $(sed -n 's/^# FAIL: *//p' "$log") + $(sed -n 's/^# ERROR: *//p' "$log")))
		skip=$((skip + $(sed -n 's/^# SKIP: *//p' "$log")))
	done
	printf '\n%d passed, %d failed, %d skipped\n' "$pass" "$fail" "$skip"
}

. tests/lib/deps.sh
vsym_install_deps
step "autogen"
./autogen.sh >/dev/null 2>&1

step "build and make check (unit, integration, security tests)"
configure_build _build-ci --prefix=/opt/vsym --sysconfdir=/etc --with-securedir=/opt/vsym/lib/security
status=0
make -C _build-ci -j2 >/dev/null
make -C _build-ci check || status=1

step "ASan/UBSan build: unit tests"
configure_build _build-asan --enable-sanitizers --disable-integration-tests
make -C _build-asan -j2 >/dev/null
make -C _build-asan check || status=1

step "fuzzing the configuration loader for ${fuzz_seconds}s"
make -C _build-asan fuzz-run FUZZ_SECONDS="$fuzz_seconds" >_build-asan/fuzz.log 2>&1 || {
	tail -40 _build-asan/fuzz.log; status=1; }
tail -2 _build-asan/fuzz.log

step "make distcheck"
make -C _build-ci distcheck >_build-ci/distcheck.log 2>&1 || { tail -40 _build-ci/distcheck.log; status=1; }
grep -E 'archives ready|ERROR' _build-ci/distcheck.log || true

# Failures show their logs; then one closing line for the whole run.
if [ $status -ne 0 ]; then
	for log in _build-ci/tests/*/*.log _build-asan/tests/*/*.log; do
		grep -qE '^:test-result: (FAIL|ERROR)' "${log%.log}.trs" 2>/dev/null || continue
		# each failed check with the diagnostics under it, then the end
		echo "--- $log: failed checks"
		awk '/^not ok /{n=25} n&&n--' "$log"
		echo "--- $log: last lines"
		tail -30 "$log"
	done
fi
summary _build-ci/test-suite.log _build-asan/test-suite.log
exit $status
