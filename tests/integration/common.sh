# shellcheck shell=bash
# What the vsym integration tests share: the installed build, a toolchain
# layout for alice and bob, the policy, and PAM services with pam_vsym.
# Sourced after sandbox_enter.

# A fake toolchain: ~/.gos/goVERSION/bin/go prints its version.
make_go() { # USER VERSION
	write_user_file "$1" "/home/$1/.gos/go$2/bin/go" "#!/bin/sh
echo go version go$2
" 0755
	write_user_file "$1" "/home/$1/.gos/go$2/VERSION" "$2
"
}

vsym_setup() {
	sandbox_install
	local u
	for u in alice bob carol; do
		# ~/gos/bin on PATH once; vsym decides what it holds.
		write_user_file "$u" "/home/$u/.profile" "PATH=\$HOME/gos/bin:$SANDBOX_BINDIR:\$PATH
"
		write_user_file "$u" "/home/$u/.bashrc" "PATH=\$HOME/gos/bin:$SANDBOX_BINDIR:\$PATH
"
		make_go "$u" 1.22.0
		make_go "$u" 1.21.5
		as_user "$u" mkdir -p "/home/$u/gos"
	done
	sandbox_vsym_conf 'version = 1;
users: { exclude = [ "root" ]; groups = [ "vsymusers" ]; };
allow = ( { target = "~/gos"; source = [ "~/.gos/*" ]; } );
variants: { go = { target = "~/gos"; source = "~/.gos/go${go}"; default = "1.22.0"; }; };'
	# su-l and runuser-l include su and runuser: enabling those covers both
	# (listing both would run the module twice and nest two namespaces).
	vsym_enable_in sshd login su runuser
	# pam_exec runs in the namespace the module just made: it shows what
	# the session sees.
	printf '#!/bin/sh\ncat "/home/$PAM_USER/gos/VERSION"; echo\ntest -f /run/vsym/session && echo marker\n' \
		>"$SANDBOX/show-session"
	chmod 0755 "$SANDBOX/show-session"
	sandbox_pam_service vsymtest "session required $SANDBOX_PAM_MODULE
session optional pam_exec.so stdout $SANDBOX/show-session"
}

# Adds pam_vsym at the end of the session stack of each PAM service.
# VSYM_TEST_SLOW_LOGIN=SECONDS (tests/lib/sandbox.sh) puts a pam_exec
# sleep that long in front of it: logins then open slowly, as on a loaded
# or emulated machine, and a test that guesses at time fails.
vsym_enable_in() {
	local service
	case ${VSYM_TEST_SLOW_LOGIN:-} in
	'' | *[!0-9.]*) [ -z "${VSYM_TEST_SLOW_LOGIN:-}" ] ||
		sandbox_fatal "VSYM_TEST_SLOW_LOGIN must be a number of seconds, not '$VSYM_TEST_SLOW_LOGIN'" ;;
	esac
	[ -z "${VSYM_TEST_SLOW_LOGIN:-}" ] ||
		sandbox_log "logins slowed by ${VSYM_TEST_SLOW_LOGIN}s before pam_vsym (VSYM_TEST_SLOW_LOGIN) in: $*"
	for service in "$@"; do
		[ -f "/etc/pam.d/$service" ] || continue
		[ -n "${VSYM_TEST_SLOW_LOGIN:-}" ] &&
			echo "session optional pam_exec.so quiet /bin/sleep $VSYM_TEST_SLOW_LOGIN" >>"/etc/pam.d/$service"
		echo "session optional $SANDBOX_PAM_MODULE" >>"/etc/pam.d/$service"
	done
}

# The sandbox's own mount table: sessions must never change it.
sandbox_table() { sandbox_mountinfo_of $$ | sort; }

# A copy of the source tree at DEST, as git knows it (tracked and new
# files, no build outputs); without git, everything but build directories.
# For tests that build the tree themselves (package, install).
vsym_copy_source() { # DEST
	local git=(git -C "$VSYM_SRCDIR" -c safe.directory='*')
	mkdir -p "$1"
	if command -v git >/dev/null 2>&1 && "${git[@]}" rev-parse --git-dir >/dev/null 2>&1; then
		"${git[@]}" ls-files -z --cached --others --exclude-standard |
			tar -C "$VSYM_SRCDIR" --null --ignore-failed-read -T - -cf - | tar -C "$1" -xf -
	else
		tar -C "$VSYM_SRCDIR" --exclude='./_build*' --exclude=./.git --exclude=./autom4te.cache \
			-cf - . | tar -C "$1" -xf -
	fi
}

# Runs CMD in a clean environment: the calling make's MAKEFLAGS (TESTS=...
# from its command line) and the sandbox's variables must not reach a
# build the test runs itself.
vsym_clean_env() { # CMD...
	env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 "$@"
}

# Copies the attackers' tools of tests/security, as make check built them
# (with the project's warnings) under $VSYM_BUILDDIR, into DIR, where every
# test user can run them. NAME is a program, or preload.so.
vsym_security_helpers() { # DIR NAME...
	local dir=$1 name built
	shift
	for name in "$@"; do
		built=$VSYM_BUILDDIR/tests/security/$name
		[ "$name" = preload.so ] && built=$VSYM_BUILDDIR/tests/security/.libs/preload.so
		[ -f "$built" ] || sandbox_fatal "$built is missing: make check builds it (make check TESTS= builds only the programs)"
		install -m 0755 "$built" "$dir/$name" || sandbox_fatal "cannot copy $built"
	done
}
