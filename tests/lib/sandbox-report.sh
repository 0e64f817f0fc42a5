# shellcheck shell=bash
# tests/lib/sandbox-report.sh - sourced by tests/lib/sandbox.sh, whose
# header states the contract of these functions. Here: messages
# (sandbox_log, sandbox_fatal, sandbox_skip) and checks (check, check_fails,
# check_eq, check_contains) with the tally they keep.

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
