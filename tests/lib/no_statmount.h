/* tests/lib/no_statmount.h: the test-only switch to vsym's pre-6.8 path.
 *
 * Linux 6.1 (Debian 12's kernel) has no statmount(2), so vsym learns a
 * mount's type from /proc/self/mountinfo. Tests and the benchmark take
 * that path on a newer kernel by making statmount fail with ENOSYS, as
 * 6.1 does, through a seccomp filter installed in the process (and
 * inherited by its children). It lives here, in the test code, and not in
 * vsym: nothing in the module or the setuid tool reads a switch, so no
 * environment or file can steer them (invariant 7 of doc/security.md).
 */
#ifndef VSYM_TESTS_NO_STATMOUNT_H
#define VSYM_TESTS_NO_STATMOUNT_H

#include <errno.h>
#include <stddef.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>

#ifndef SYS_statmount
#define SYS_statmount 457
#endif

/* From now on statmount(2) fails with ENOSYS in this process and its
 * children (x86_64 numbers; another architecture's calls pass). Returns 0,
 * or -1 with errno set. */
static inline int no_statmount(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_statmount, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

#endif
