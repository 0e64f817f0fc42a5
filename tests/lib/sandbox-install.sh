# shellcheck shell=bash
# tests/lib/sandbox-install.sh - sourced by tests/lib/sandbox.sh, whose
# header states the contract of these functions. Here: the install dirs of
# the build, covered, make install into them, and the policy file.

# Values of make variables of the build tree, as "NAME=VALUE" lines.
# The Makefile is parsed, not run: running make here could trigger
# automake's rebuild rules (configure --recheck) in the build tree.
# Automake writes these as simple "name = value" lines with ${var} or
# $(var) references, which are expanded here (up to 20 levels).
_sandbox_make_vars() { # VAR...
	awk -v want="$*" '
		/^[A-Za-z_][A-Za-z0-9_]* = / {
			name = $1; val = $0; sub(/^[^=]*= ?/, "", val); v[name] = val
		}
		function expand(s,   i, n, pre, ref, post) {
			for (i = 0; i < 20 && match(s, /\$[({][A-Za-z_][A-Za-z0-9_]*[)}]/); i++) {
				ref = substr(s, RSTART + 2, RLENGTH - 3)
				s = substr(s, 1, RSTART - 1) v[ref] substr(s, RSTART + RLENGTH)
			}
			return s
		}
		END { n = split(want, w, " "); for (i = 1; i <= n; i++) print w[i] "=" expand(v[w[i]]) }
	' "$VSYM_BUILDDIR/Makefile"
}

# Read the install dirs and cover the prefix so `make install` and
# vsym.conf land in the sandbox.
_sandbox_prefix() {
	local line
	[ -n "${VSYM_BUILDDIR:-}" ] && [ -f "$VSYM_BUILDDIR/Makefile" ] || return 0
	while IFS= read -r line; do
		case "$line" in
		prefix=*) SANDBOX_PREFIX=${line#*=} ;;
		bindir=*) SANDBOX_BINDIR=${line#*=} ;;
		securedir=*) SANDBOX_SECUREDIR=${line#*=} ;;
		sysconfdir=*) SANDBOX_SYSCONFDIR=${line#*=} ;;
		esac
	done < <(_sandbox_make_vars prefix bindir securedir sysconfdir)
	case "${SANDBOX_PREFIX:-}" in
	"" | /* ) ;;
	*) sandbox_fatal "prefix '$SANDBOX_PREFIX' is not absolute" ;;
	esac
	[ -n "${SANDBOX_PREFIX:-}" ] || sandbox_fatal "cannot read prefix from $VSYM_BUILDDIR/Makefile"
	SANDBOX_PREFIX=${SANDBOX_PREFIX%/}
	case "${SANDBOX_PREFIX:-/}" in
	/ | /usr | /etc | /bin) sandbox_fatal "refusing to install into prefix '${SANDBOX_PREFIX:-/}': configure with e.g. --prefix=/usr/local" ;;
	esac
	_sandbox_cover "$SANDBOX_PREFIX" 1
	SANDBOX_PAM_MODULE=$SANDBOX_SECUREDIR/pam_vsym.so
	SANDBOX_REBIND=$SANDBOX_BINDIR/vsym-rebind
	export SANDBOX_PREFIX SANDBOX_BINDIR SANDBOX_SECUREDIR SANDBOX_SYSCONFDIR SANDBOX_PAM_MODULE SANDBOX_REBIND
}

# Every installation directory must be inside something this sandbox
# covers; those that are not (e.g. --with-securedir=/lib/.../security)
# get an overlay so the host's files stay visible and untouched.
_sandbox_guard_install_dirs() {
	local names line dir c ok
	# (No header is installed: oldincludedir is /usr/include whatever the
	# prefix, and overlaying it for nothing fails where /usr is already an
	# overlay on an overlay, the kernel's limit of stacking.)
	names=$(sed -n 's/^\([A-Za-z_]*dir\) = .*/\1/p' "$VSYM_BUILDDIR/Makefile" |
		grep -Ev '^(srcdir|builddir|top_srcdir|top_builddir|abs_.*|am__.*|.*_srcdir|.*_builddir|includedir|oldincludedir)$' | sort -u)
	# shellcheck disable=SC2086
	while IFS= read -r line; do
		dir=${line#*=}
		case "$dir" in /*) ;; *) continue ;; esac
		ok=0
		for c in "${SANDBOX_COVERED[@]}"; do _sandbox_under "$dir" "$c" && ok=1; done
		[ "$ok" = 1 ] && continue
		sandbox_log "install dir ${line%%=*}=$dir is outside the prefix: overlaying it"
		_sandbox_cover "$dir" 0
	done < <(_sandbox_make_vars $names)
}

sandbox_install() {
	[ -f "${VSYM_BUILDDIR:-/nonexistent}/Makefile" ] ||
		sandbox_fatal "VSYM_BUILDDIR (${VSYM_BUILDDIR:-unset}) has no Makefile: configure and build first"
	[ -n "${SANDBOX_PREFIX:-}" ] || sandbox_fatal "prefix not set up"
	_sandbox_guard_install_dirs
	if ! make -C "$VSYM_BUILDDIR" install >"$SANDBOX/install.log" 2>&1; then
		echo "sandbox: ERROR: make -C $VSYM_BUILDDIR install failed; last lines:" >&2
		tail -n 30 "$SANDBOX/install.log" >&2
		exit 99
	fi
	sandbox_log "installed into $SANDBOX_PREFIX"
}

sandbox_vsym_conf() { # TEXT
	[ -n "${SANDBOX_SYSCONFDIR:-}" ] || sandbox_fatal "sysconfdir unknown (no build Makefile)"
	mkdir -p "$SANDBOX_SYSCONFDIR"
	printf '%s\n' "$1" >"$SANDBOX_SYSCONFDIR/vsym.conf"
	chown root:root "$SANDBOX_SYSCONFDIR/vsym.conf"
	chmod 0644 "$SANDBOX_SYSCONFDIR/vsym.conf"
}
