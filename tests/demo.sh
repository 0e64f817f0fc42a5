#!/bin/bash
# Quick-start demo, on a fresh Debian 12 machine as root: installs what it
# needs, builds, and runs tests/integration/demo.test: real ssh logins of
# one user seeing two Go versions at the same path, inside a throwaway
# namespace (the host's mounts, users and PAM files are untouched).
#   SKIP_APT=1   do not run apt-get (dependencies already there)
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/lib/deps.sh
vsym_install_deps
./autogen.sh >/dev/null 2>&1
mkdir -p _build-demo
(cd _build-demo && ../configure -q --prefix=/opt/vsym --sysconfdir=/etc --with-securedir=/opt/vsym/lib/security)
make -C _build-demo -j2 >/dev/null
VSYM_BUILDDIR=$PWD/_build-demo VSYM_SRCDIR=$PWD exec bash tests/integration/demo.test
