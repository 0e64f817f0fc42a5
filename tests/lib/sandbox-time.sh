# shellcheck shell=bash
# tests/lib/sandbox-time.sh - sourced by tests/lib/sandbox.sh, whose header
# states the contract of these functions. Here: limits on time scaled by
# VSYM_TEST_TIME_FACTOR, and waits for a condition.

sandbox_seconds() { # N
	local f=${VSYM_TEST_TIME_FACTOR:-1}
	case $f in '' | *[!0-9]* | 0*) sandbox_fatal "VSYM_TEST_TIME_FACTOR must be a positive integer, not '$f'" ;; esac
	echo $(($1 * f))
}

sandbox_wait_until() { # DESC N CMD...
	local desc=$1 end
	end=$((SECONDS + $(sandbox_seconds "$2")))
	shift 2
	until "$@"; do
		if [ "$SECONDS" -ge "$end" ]; then
			echo "sandbox: gave up waiting for $desc" >&2
			return 1
		fi
		sleep 0.1
	done
}

sandbox_wait_file_sh() { # FILE N
	# shellcheck disable=SC2016 # expanded by the session's shell
	printf 'end=$((SECONDS + %d)); until [ -e %q ] || [ "$SECONDS" -ge "$end" ]; do sleep 0.1; done' \
		"$(sandbox_seconds "$2")" "$1"
}
