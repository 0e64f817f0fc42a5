# shellcheck shell=bash
# The Debian packages vsym needs to build and to run its tests and demo
# (build-essential, debhelper, dpkg-dev, lintian, bash-completion: the
# Debian package test).
# llvm: llvm-symbolizer, without which the sanitizers cannot name a
# leak's functions and the fuzz run's leak suppressions (by function name)
# match nothing; clang only recommends it.
VSYM_BUILD_DEPS="autoconf automake libtool pkg-config make gcc clang libclang-rt-14-dev llvm
	libpam0g-dev libmount-dev libconfig-dev libcmocka-dev"
VSYM_TEST_DEPS="pamtester openssh-server openssh-client util-linux bsdutils mount login passwd
	procps iproute2 strace libpam-modules libpam-runtime groff-base man-db socat sudo
	build-essential debhelper dpkg-dev fakeroot lintian bash-completion git
	debian-archive-keyring zsh"

# Installs them unless SKIP_APT=1.
vsym_install_deps() {
	[ "${SKIP_APT:-}" = 1 ] && return 0
	echo "=== installing dependencies (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $VSYM_BUILD_DEPS $VSYM_TEST_DEPS >/dev/null
}
