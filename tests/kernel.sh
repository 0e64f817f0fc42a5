#!/bin/bash
# tests/kernel.sh KERNEL [CMD [ARG...]]
#
# Runs CMD (default: the build's whole test suite, see below) as root in
# a QEMU virtual machine booting Debian's own packaged kernel, on a
# Debian 12 root that looks like a systemd host, with the project built
# from this work tree; e.g.
#
#     bash tests/kernel.sh 6.1                  # Debian 12's kernel
#     bash tests/kernel.sh 6.12                 # bookworm-backports'
#     bash tests/kernel.sh 6.1 make -C _build-kernel check TESTS=tests/unit/test_resolve
#
# KERNEL: 6.1  = linux-image-amd64 of bookworm (Debian 12's own kernel:
#                no statmount, no STATX_MNT_ID_UNIQUE, no
#                MOVE_MOUNT_BENEATH: vsym's fallback paths);
#         6.12 = linux-image-amd64 of bookworm-backports (a control).
# QEMU uses KVM when /dev/kvm exists, TCG (emulation, about 10x slower)
# otherwise. Nothing is installed on this machine and nothing is mounted
# in its mount namespace: every mount happens in a throwaway namespace
# (unshare --mount), QEMU itself runs from the cached root.
#
# What it does:
#   1. once, cached in $VSYM_TESTS_CACHE (default /var/cache/vsym-tests):
#        root-bookworm-ARCH-vN/  a debootstrapped bookworm root (minbase,
#            plus what every systemd install has, as tests/fresh-root.sh
#            builds it) with the build and test dependencies of
#            tests/lib/deps.sh, kmod, busybox-static and qemu-system-x86;
#        kernel-6.1/ kernel-6.12/  the kernel package, unpacked (by a
#            private apt configuration in apt/: its own sources list,
#            state and cache; the host's apt is never used or changed);
#        golang/debs/  the Debian Go packages toolchains.test needs (the
#            guest has no network: passed in as VSYM_GO_CACHE);
#        guide/  the packages guide.test installs (Go and OpenJDK 17),
#            fetched by guide.test itself in each run's root, before the
#            boot (passed in as VSYM_GUIDE_CACHE, VSYM_GUIDE_PREFETCHED);
#   2. each run, in runs/KERNEL.PID/ (deleted at the end unless
#      VSYM_KERNEL_KEEP=1): an overlay over the cached root; the work
#      tree's state (HEAD plus the uncommitted changes of tracked files,
#      `git stash create`; untracked files are not in it) cloned to
#      /root/vsym and built there natively, in a chroot, as tests/run-all.sh
#      configures it (_build-kernel, with the check programs); then the
#      merged root is written into an ext4 image (mkfs.ext4 -d: nothing
#      is mounted on the host) with an initrd that loads the modules the
#      root disk needs;
#   3. the VM boots it (4 GiB, 2 CPUs); its init prepares the root as a
#      systemd host has it (as tests/fresh-root.sh does: /proc, /sys,
#      /dev with devpts, shm, mqueue, /dev/fd; tmpfs /run, /run/lock,
#      /run/user/0, /tmp; /home a mount point; / shared; lo up), runs CMD
#      in /root/vsym with CI=true and VSYM_TEST_TIME_FACTOR, writes its
#      output and exit status and the build's test logs to a second disk
#      (a tar archive) and powers off.
# Output: CMD's output as it runs (through the serial console); at the
# end the results are unpacked into $VSYM_TESTS_CACHE/results/KERNEL/
# (console.log, cmd.log, status, the test logs under logs/).
# Exit status: CMD's; 2 on a usage or setup error; 3 if the VM did not
# report a status (crash, timeout).
#
# Default CMD: make -C _build-kernel check (unit, integration and
# security tests of the prebuilt build). `bash tests/run-all.sh` works as
# CMD too (SKIP_APT=1 is set) but rebuilds everything under emulation.
#
#   VSYM_TESTS_CACHE       cache directory (see above)
#   VSYM_TESTS_MIRROR      Debian mirror (default: the host's bookworm one)
#   VSYM_KERNEL_TIMEOUT    limit of the VM's run (default 150m)
#   VSYM_KERNEL_MEM        guest memory (default 4G)
#   VSYM_TEST_TIME_FACTOR  passed to the tests (default 1 with KVM, 10
#                          with TCG): tests multiply their waits by it
#   VSYM_KERNEL_KEEP=1     keep the run's directory (image, overlay)
set -euo pipefail

SUITE=bookworm
# Bump when the package list changes, so an old cache is not reused.
ROOT_VERSION=1
ROOT_INCLUDE=systemd-sysv,libpam-systemd,dbus
# What the VM needs besides the project's dependencies; qemu runs from
# the cached root so that nothing is installed on the host.
ROOT_EXTRA="kmod busybox-static e2fsprogs qemu-system-x86 ca-certificates"
GO_PKGS="golang-1.19-go golang-1.19-src golang-1.21-go golang-1.21-src golang-1.22-go golang-1.22-src"
# Modules the initrd loads to reach the root disk; the rest (overlay,
# fuse, loop, virtio_rng) come from the root's /lib/modules.
INITRD_MODULES="virtio_pci virtio_blk ext4"

die() { printf 'kernel.sh: %s\n' "$*" >&2; exit 2; }
say() { printf '=== kernel.sh: %s\n' "$*" >&2; }

# ---------------------------------------------------------------- private apt

# The Debian mirror this host's apt uses (deb822 or one-line format).
host_mirror() {
	local uri
	uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i } /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; break } }' |
		grep -v -e security -e '^$' | grep '/debian/*$' | head -n 1)
	echo "${uri:-http://deb.debian.org/debian}"
}

# Sets APT to an apt-get command line with a private configuration under
# $CACHE/apt (bookworm and bookworm-backports), updated once per run.
private_apt() {
	local d=$CACHE/apt
	mkdir -p "$d/state/lists/partial" "$d/cache/archives/partial"
	[ -f "$d/state/status" ] || : >"$d/state/status"
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
		"$MIRROR" "$SUITE" "$MIRROR" "$SUITE-backports" >"$d/sources.list"
	APT=(apt-get -q -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=-
		-o Dir::State="$d/state" -o Dir::State::status="$d/state/status"
		-o Dir::Cache="$d/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
	APT_CACHE=(apt-cache -o Dir::Etc::sourcelist="$d/sources.list" -o Dir::Etc::sourceparts=-
		-o Dir::State="$d/state" -o Dir::State::status="$d/state/status" -o Dir::Cache="$d/cache")
	if [ -z "${APT_UPDATED:-}" ]; then
		"${APT[@]}" update >"$d/update.log" 2>&1 || { tail -n 5 "$d/update.log" >&2; die "apt-get update failed (private config in $d)"; }
		APT_UPDATED=1
	fi
}

# Downloads PKG... into DIR unless each is there already.
download_debs() { # DIR PKG...
	local dir=$1 p missing=
	shift
	for p in "$@"; do compgen -G "$dir/${p}_*.deb" >/dev/null || missing=1; done
	[ -z "$missing" ] && return 0
	private_apt
	mkdir -p "$dir"
	(cd "$dir" && "${APT[@]}" download "$@") >>"$CACHE/apt/download.log" 2>&1 ||
		die "cannot download $* (see $CACHE/apt/download.log)"
}

# ---------------------------------------------------------------- the cache

# debootstrap: the host's, or bookworm's package unpacked into the cache
# (it is a shell script) so that nothing is installed here.
debootstrap_cmd() {
	if command -v debootstrap >/dev/null 2>&1; then
		DEBOOTSTRAP=(debootstrap)
		return
	fi
	download_debs "$CACHE/tools" debootstrap
	[ -x "$CACHE/tools/debootstrap/usr/sbin/debootstrap" ] ||
		dpkg-deb -x "$CACHE"/tools/debootstrap_*.deb "$CACHE/tools/debootstrap"
	DEBOOTSTRAP=(env DEBOOTSTRAP_DIR="$CACHE/tools/debootstrap/usr/share/debootstrap"
		"$CACHE/tools/debootstrap/usr/sbin/debootstrap")
}

# Runs CMD in ROOT as chroot, with /proc, /sys and /dev, in a mount
# namespace of its own (the mounts vanish with it, even if killed).
in_root() { # ROOT CMD...
	local r=$1
	shift
	unshare --mount --propagation private -- bash -c '
		r=$1; shift
		mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" && mount --rbind /dev "$r/dev" &&
		exec chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive "$@"' \
		in_root "$r" "$@"
}

# The cached root: debootstrap, then the dependencies (apt-get in the
# chroot; services are not started: policy-rc.d). Built in a temporary
# directory and renamed into place only when complete.
ensure_root() {
	local tmp deps
	[ -d "$CACHE/$ROOT_NAME" ] && return 0
	debootstrap_cmd
	rm -rf "$CACHE"/.build.*
	tmp=$(mktemp -d "$CACHE/.build.XXXXXX")
	say "debootstrap --variant=minbase $SUITE into $CACHE/$ROOT_NAME (once; log: $CACHE/build.log)"
	unshare --mount --propagation private -- "${DEBOOTSTRAP[@]}" --variant=minbase \
		--include="$ROOT_INCLUDE" "$SUITE" "$tmp/root" "$MIRROR" >"$CACHE/build.log" 2>&1 ||
		{ tail -n 20 "$CACHE/build.log" >&2; die "debootstrap failed (log: $CACHE/build.log)"; }
	deps=$(bash -c '. "$1"; echo $VSYM_BUILD_DEPS $VSYM_TEST_DEPS' _ "$TOP/tests/lib/deps.sh")
	printf '#!/bin/sh\nexit 101\n' >"$tmp/root/usr/sbin/policy-rc.d"
	chmod 0755 "$tmp/root/usr/sbin/policy-rc.d"
	cp -L /etc/resolv.conf "$tmp/root/etc/resolv.conf"
	say "installing the build and test dependencies into the root"
	# shellcheck disable=SC2086
	in_root "$tmp/root" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends $deps $ROOT_EXTRA" \
		>>"$CACHE/build.log" 2>&1 || { tail -n 20 "$CACHE/build.log" >&2; die "apt-get in the root failed (log: $CACHE/build.log)"; }
	rm -f "$tmp/root/usr/sbin/policy-rc.d" "$tmp/root"/var/cache/apt/archives/*.deb
	: >"$tmp/root/etc/resolv.conf"
	mv -T "$tmp/root" "$CACHE/$ROOT_NAME"
	rmdir "$tmp"
}

# The kernel package of KERNEL unpacked in $CACHE/kernel-KERNEL, with
# modules.dep; sets KDIR and KVER.
ensure_kernel() {
	local suite pkg
	KDIR=$CACHE/kernel-$KERNEL
	if [ ! -f "$KDIR/.done" ]; then
		case $KERNEL in
		6.1) suite=$SUITE ;;
		6.12) suite=$SUITE-backports ;;
		esac
		private_apt
		# linux-image-amd64 is a metapackage: its dependency is the image.
		pkg=$("${APT_CACHE[@]}" depends "linux-image-$ARCH/$suite" 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\).*/\1/p' | head -n 1)
		[ -n "$pkg" ] || die "no linux-image-$ARCH in $suite"
		case $pkg in linux-image-"$KERNEL".*) ;; *) die "$suite's kernel is $pkg, not $KERNEL" ;; esac
		say "kernel $KERNEL: $pkg from $suite"
		rm -rf "$KDIR" && mkdir -p "$KDIR/debs"
		(cd "$KDIR/debs" && "${APT[@]}" download "$pkg/$suite") >>"$CACHE/apt/download.log" 2>&1 ||
			die "cannot download $pkg (see $CACHE/apt/download.log)"
		dpkg-deb -x "$KDIR"/debs/*.deb "$KDIR/tree"
		KVER=$(ls "$KDIR/tree/lib/modules")
		unshare --mount --propagation private -- bash -c '
			mount --bind "$1" "$2/mnt" && chroot "$2" depmod -b /mnt "$3"' _ "$KDIR/tree" "$CACHE/$ROOT_NAME" "$KVER"
		touch "$KDIR/.done"
	fi
	KVER=$(ls "$KDIR/tree/lib/modules")
}

ensure_go() {
	download_debs "$CACHE/golang/debs" $GO_PKGS
}

# ---------------------------------------------------------------- one run

# The packages guide.test installs, fetched in the run's root (with the
# host's network and resolver) by guide.test itself, into the root's
# /var/cache/vsym-guide, where the guest finds them (VSYM_GUIDE_PREFETCHED).
# Kept in $CACHE/guide between runs, so a warm cache downloads nothing.
fetch_guide() { # ROOT
	local m=$1
	mkdir -p "$CACHE/guide" "$m/var/cache/vsym-guide"
	cp -a "$CACHE/guide/." "$m/var/cache/vsym-guide/"
	mount --bind /etc/resolv.conf "$m/etc/resolv.conf"
	say "fetching the guide's packages (log: $RUN/build.log)"
	chroot "$m" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root CI=true \
		VSYM_GUIDE_CACHE=/var/cache/vsym-guide VSYM_GUIDE_FETCH_ONLY=1 \
		bash /root/vsym/tests/integration/guide.test >>"$RUN/build.log" 2>&1 ||
		{ tail -n 30 "$RUN/build.log" >&2; die "fetching the guide's packages failed (log: $RUN/build.log)"; }
	umount "$m/etc/resolv.conf"
	cp -a "$m/var/cache/vsym-guide/." "$CACHE/guide/"
}

# The initrd: busybox, the modules the root disk needs (decompressed:
# busybox's insmod may not read .ko.xz) in load order, and an init that
# loads them, mounts /dev/vda and switches to the root's /sbin/vsym-init.
make_initrd() { # OUT
	local out=$1 d=$RUN/initrd m
	mkdir -p "$d/bin" "$d/mod" "$d/dev" "$d/proc" "$d/sys" "$d/newroot"
	cp "$CACHE/$ROOT_NAME/bin/busybox" "$d/bin/busybox"
	: >"$d/mod/order"
	# "insmod /lib/modules/.../x.ko[.xz] " lines, dependencies first
	for m in $(unshare --mount --propagation private -- bash -c '
		mount --bind "$1" "$2/mnt" && chroot "$2" modprobe -d /mnt -S "$3" --show-depends -a $4' \
		_ "$KDIR/tree" "$CACHE/$ROOT_NAME" "$KVER" "$INITRD_MODULES" | awk '$1 == "insmod" { print $2 }'); do
		m=${m#/mnt}
		grep -qx "$(basename "${m%.xz}")" "$d/mod/order" && continue
		case $m in
		*.xz) xz -dc "$KDIR/tree$m" >"$d/mod/$(basename "${m%.xz}")" ;;
		*) cp "$KDIR/tree$m" "$d/mod/" ;;
		esac
		basename "${m%.xz}" >>"$d/mod/order"
	done
	cat >"$d/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /mod/order); do insmod /mod/$m || echo "initrd: insmod $m failed"; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 -o rw /dev/vda /newroot || { echo "initrd: cannot mount /dev/vda"; poweroff -f; }
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /sbin/vsym-init
EOF
	chmod 0755 "$d/init"
	(cd "$d" && find . | "$CACHE/$ROOT_NAME/bin/busybox" cpio -o -H newc 2>/dev/null | gzip -1) >"$out"
}

# The root's init in the VM (PID 1): a systemd host's mounts as
# tests/fresh-root.sh makes them, then CMD; results to /dev/vdb (tar).
write_guest_init() { # ROOT
	cat >"$1/sbin/vsym-init" <<'EOF'
#!/bin/bash
# vsym-init: PID 1 of tests/kernel.sh's VM (see there).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc -o nosuid,nodev,noexec proc /proc
mount -t sysfs -o nosuid,nodev,noexec sysfs /sys
mountpoint -q /dev || mount -t devtmpfs -o nosuid,mode=0755 devtmpfs /dev
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o nosuid,noexec,gid=5,mode=620,ptmxmode=000 devpts /dev/pts
mount -t tmpfs -o nosuid,nodev tmpfs /dev/shm
mount -t mqueue -o nosuid,nodev,noexec mqueue /dev/mqueue
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
ln -sfn /run/systemd/journal/dev-log /dev/log
mount -t tmpfs -o nosuid,nodev,mode=0755,size=20% tmpfs /run
mkdir -p /run/lock /run/user/0 /run/systemd/journal
mount -t tmpfs -o nosuid,nodev,noexec,size=5m tmpfs /run/lock
mount -t tmpfs -o nosuid,nodev,mode=0700,size=10% tmpfs /run/user/0
install -m 0664 -g utmp /dev/null /run/utmp
mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
mount --bind /home /home
mount --make-rshared /
echo vsym-vm >/proc/sys/kernel/hostname
ip link set lo up
for m in virtio_rng overlay fuse loop; do modprobe -q $m; done
. /etc/vsym-kernel.env
console=/dev/ttyS0
echo "=== vsym-init: $(uname -r), running: $VSYM_KERNEL_CMD" >$console
cd /root/vsym
(
	env -i PATH=$PATH HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=dumb CI=true SKIP_APT=1 \
		VSYM_TEST_TIME_FACTOR="$VSYM_TEST_TIME_FACTOR" VSYM_GO_CACHE=/var/cache/vsym-go \
		VSYM_GUIDE_CACHE=/var/cache/vsym-guide VSYM_GUIDE_PREFETCHED=1 \
		bash -c "$VSYM_KERNEL_CMD" </dev/null
	echo $? >/root/rc
) 2>&1 | tee /root/cmd.log >$console &
cmd=$!
# PID 1 reaps every orphan until the command has ended.
while :; do
	wait $cmd
	kill -0 $cmd 2>/dev/null || break
done
rc=$(cat /root/rc 2>/dev/null || echo 3)
# The failed tests' logs, on the console too (it survives a lost VM).
for t in $(find /root/vsym -name '*.trs' -path '*_build*' 2>/dev/null); do
	grep -qE '^:test-result: (FAIL|ERROR)' "$t" || continue
	echo "--- ${t%.trs}.log (last 80 lines)"
	tail -n 80 "${t%.trs}.log"
done >$console 2>&1
echo "=== vsym-init: exit status $rc" >$console
mkdir -p /root/results/logs
mv /root/cmd.log /root/results/
echo "$rc" >/root/results/status
find _build-kernel \( -name '*.log' -o -name '*.trs' \) -exec cp --parents {} /root/results/logs/ \; 2>/dev/null
tar -C /root/results -cf /dev/vdb .
sync
echo o >/proc/sysrq-trigger
sleep 60
EOF
	chmod 0755 "$1/sbin/vsym-init"
}

# Builds the run's root (an overlay over the cached root) and writes the
# image; runs inside `unshare --mount` (every mount goes with it).
build_image() {
	local m=$RUN/merged size
	mkdir -p "$RUN/upper" "$RUN/work" "$m"
	mount -t overlay -o "lowerdir=$CACHE/$ROOT_NAME,upperdir=$RUN/upper,workdir=$RUN/work" vsym-kernel "$m"
	git init -q "$m/root/vsym"
	git -C "$m/root/vsym" fetch -q "$TOP" "$COMMIT"
	git -C "$m/root/vsym" checkout -q --detach FETCH_HEAD
	say "building $COMMIT natively in the root (log: $RUN/build.log)"
	mount -t proc proc "$m/proc"
	mount --rbind /dev "$m/dev"
	chroot "$m" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash -c '
		set -e; cd /root/vsym; ./autogen.sh
		mkdir _build-kernel; cd _build-kernel
		../configure -q --enable-werror --prefix=/opt/vsym --sysconfdir=/etc --with-securedir=/opt/vsym/lib/security
		make -j2; make -j2 check TESTS=' >"$RUN/build.log" 2>&1 ||
		{ tail -n 30 "$RUN/build.log" >&2; die "the build failed (log: $RUN/build.log)"; }
	fetch_guide "$m"
	umount -R "$m/dev" "$m/proc"
	# The kernel's modules, the Go packages, the run's settings.
	mkdir -p "$m/lib/modules" "$m/var/cache/vsym-go"
	cp -a "$KDIR/tree/lib/modules/$KVER" "$m/lib/modules/"
	cp -a "$CACHE/golang/." "$m/var/cache/vsym-go/"
	write_guest_init "$m"
	printf 'VSYM_KERNEL_CMD=%q\nVSYM_TEST_TIME_FACTOR=%q\n' "$CMD" "$FACTOR" >"$m/etc/vsym-kernel.env"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tvsym-vm\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$m/etc/hosts"
	echo vsym-vm >"$m/etc/hostname"
	size=$(($(du -sxm "$m" | cut -f1) + 6144))
	say "writing the root image (${size} MiB, sparse)"
	mkfs.ext4 -q -F -L vsym-root -d "$m" "$RUN/root.img" "${size}M" >>"$RUN/build.log" 2>&1 ||
		die "mkfs.ext4 -d failed (log: $RUN/build.log)"
	umount "$m"
}

# QEMU, from the cached root (chroot, in a namespace of its own).
run_vm() {
	local accel=tcg,thread=multi
	[ -c /dev/kvm ] && accel=kvm
	truncate -s 1G "$RUN/out.img"
	make_initrd "$RUN/initrd.gz"
	cp "$KDIR/tree/boot/vmlinuz-$KVER" "$RUN/vmlinuz"
	say "booting $KVER ($accel); console: $RUN/console.log"
	set +e
	unshare --mount --propagation private -- bash -c '
		r=$1 run=$2; shift 2
		mount -t tmpfs tmpfs "$r/run" && mkdir "$r/run/vsym-kernel" &&
		mount --bind "$run" "$r/run/vsym-kernel" && mount -t proc proc "$r/proc" &&
		mount --rbind /dev "$r/dev" && mount -t tmpfs tmpfs "$r/tmp" &&
		exec chroot "$r" "$@"' _ "$CACHE/$ROOT_NAME" "$RUN" \
		timeout --kill-after=30 "${VSYM_KERNEL_TIMEOUT:-150m}" \
		qemu-system-x86_64 -accel "$accel" -smp 2 -m "${VSYM_KERNEL_MEM:-4G}" \
		-nodefaults -display none -no-reboot -serial stdio \
		-kernel /run/vsym-kernel/vmlinuz -initrd /run/vsym-kernel/initrd.gz \
		-append "console=ttyS0 panic=-1 quiet" \
		-drive file=/run/vsym-kernel/root.img,format=raw,if=virtio,cache=unsafe \
		-drive file=/run/vsym-kernel/out.img,format=raw,if=virtio,cache=unsafe \
		-device virtio-rng-pci </dev/null 2>&1 | tee "$RUN/console.log"
	VM_RC=${PIPESTATUS[0]}
	set -e
}

collect() {
	local out=$CACHE/results/$KERNEL
	rm -rf "$out" && mkdir -p "$out"
	cp "$RUN/console.log" "$out/"
	tar -xf "$RUN/out.img" -C "$out" 2>/dev/null || true
	if [ ! -f "$out/status" ]; then
		say "the VM reported no status (qemu exit $VM_RC); console: $out/console.log"
		return 3
	fi
	say "$KVER: exit status $(cat "$out/status"); results in $out"
	return "$(cat "$out/status")"
}

# ---------------------------------------------------------------- main

main() {
	[ $# -ge 1 ] || die "usage: tests/kernel.sh 6.1|6.12 [CMD [ARG...]]"
	KERNEL=$1
	shift
	case $KERNEL in 6.1 | 6.12) ;; *) die "unknown kernel '$KERNEL': 6.1 (bookworm) or 6.12 (bookworm-backports)" ;; esac
	[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, namespaces)"
	TOP=$(cd "$(dirname "$0")/.." && pwd -P)
	CACHE=${VSYM_TESTS_CACHE:-/var/cache/vsym-tests}
	case $CACHE in /*) ;; *) die "VSYM_TESTS_CACHE must be absolute" ;; esac
	case $CACHE/ in "$TOP"/*) die "VSYM_TESTS_CACHE must not be inside the source tree" ;; esac
	MIRROR=${VSYM_TESTS_MIRROR:-$(host_mirror)}
	ARCH=$(dpkg --print-architecture)
	ROOT_NAME=root-$SUITE-$ARCH-v$ROOT_VERSION
	if [ $# = 0 ]; then CMD='make -C _build-kernel check'; else CMD=$(printf '%q ' "$@"); fi
	FACTOR=${VSYM_TEST_TIME_FACTOR:-$([ -c /dev/kvm ] && echo 1 || echo 10)}
	for t in unshare chroot mkfs.ext4 dpkg-deb apt-get gzip xz git; do
		command -v "$t" >/dev/null 2>&1 || die "missing tool '$t'"
	done
	COMMIT=$(cd "$TOP" && git stash create)
	COMMIT=${COMMIT:-$(git -C "$TOP" rev-parse HEAD)}
	mkdir -p "$CACHE"
	chmod 0755 "$CACHE"
	exec {lock}>"$CACHE/.lock"
	flock "$lock"
	ensure_root
	ensure_kernel
	ensure_go
	exec {lock}>&-
	RUN=$CACHE/runs/$KERNEL.$$
	rm -rf "$RUN" && mkdir -p "$RUN"
	[ "${VSYM_KERNEL_KEEP:-}" = 1 ] || trap 'rm -rf "$RUN"' EXIT
	local before after rc=0
	before=$(cat /proc/self/mountinfo)
	(
		export -f build_image fetch_guide write_guest_init say die
		export RUN CACHE ROOT_NAME TOP COMMIT KDIR KVER CMD FACTOR
		unshare --mount --propagation private -- bash -c 'set -euo pipefail; build_image'
	) || exit 2
	run_vm
	collect || rc=$?
	after=$(cat /proc/self/mountinfo)
	if [ "$before" != "$after" ]; then
		echo "kernel.sh: FAIL: the host's mount table changed" >&2
		[ "$rc" != 0 ] || rc=1
	fi
	return "$rc"
}

main "$@"
