/* FUSE file systems that never answer, for the "slow path" of DESIGN
 * invariant 8. Two kinds, because the kernel waits differently:
 *
 *   UNSERVED  nobody reads /dev/fuse: a request waits for the daemon's
 *             INIT answer, and SIGKILL ends that wait;
 *   READ      a daemon answers INIT, then reads every request and answers
 *             none: once read, a request waits in an uninterruptible
 *             sleep that not even SIGKILL ends, until the daemon answers
 *             or the connection goes away (testfuse_stop).
 *
 * Mounted with allow_other for owner uid, as a user can with fusermount
 * when /etc/fuse.conf has user_allow_other. Root only. */
#ifndef VSYM_TESTFUSE_H
#define VSYM_TESTFUSE_H

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

enum testfuse_kind { TESTFUSE_UNSERVED, TESTFUSE_READ };

struct testfuse {
	char dir[200];
	int fd;          /* /dev/fuse: the connection lives while it is open */
	pid_t daemon;    /* TESTFUSE_READ's daemon, or 0 */
};

/* The daemon of TESTFUSE_READ: answers INIT, swallows the rest. */
static inline _Noreturn void testfuse_daemon(int fd)
{
	static char buf[FUSE_MIN_READ_BUFFER + 65536];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		const struct fuse_in_header *in = (const void *)buf;
		struct {
			struct fuse_out_header h;
			struct fuse_init_out init;
		} out;

		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < (ssize_t)sizeof(*in))
			_exit(0);
		if (in->opcode != FUSE_INIT)
			continue; /* read, never answered */
		memset(&out, 0, sizeof(out));
		out.h.len = sizeof(out);
		out.h.unique = in->unique;
		out.init.major = FUSE_KERNEL_VERSION;
		out.init.minor = FUSE_KERNEL_MINOR_VERSION;
		out.init.max_write = 4096;
		if (write(fd, &out, sizeof(out)) != (ssize_t)sizeof(out))
			_exit(1);
	}
}

/* Mounts on dir (which must exist). Returns 0, or -1 with errno set. */
static inline int testfuse_start(struct testfuse *t, const char *dir, uid_t owner,
				 enum testfuse_kind kind)
{
	char opts[160];

	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	t->fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (t->fd < 0)
		return -1;
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other", t->fd,
		 (unsigned)owner, (unsigned)owner);
	if (mount("vsym-test", dir, "fuse", MS_NOSUID | MS_NODEV, opts) < 0) {
		close(t->fd);
		return -1;
	}
	if (kind == TESTFUSE_READ) {
		t->daemon = fork();
		if (t->daemon == 0) {
			/* Dies with the test even when a check fails early:
			 * the connection then goes away and no stuck
			 * process is left behind. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			testfuse_daemon(t->fd);
		}
	}
	return t->daemon < 0 ? -1 : 0;
}

/* Ends the daemon and the connection (every waiting request then fails),
 * and unmounts. */
static inline void testfuse_stop(struct testfuse *t)
{
	if (t->daemon > 0) {
		kill(t->daemon, SIGKILL);
		waitpid(t->daemon, NULL, 0);
	}
	close(t->fd);
	umount2(t->dir, MNT_DETACH);
}

#endif
