/* FUSE file systems that never answer, for the "slow path" of invariant 8
 * (doc/security.md). Two kinds, because the kernel waits differently:
 *
 *   UNSERVED  nobody reads /dev/fuse: a request waits for the daemon's
 *             INIT answer, and SIGKILL ends that wait;
 *   READ      a daemon answers INIT, then reads every request and answers
 *             none: once read, a request waits in an uninterruptible
 *             sleep that not even SIGKILL ends, until the daemon answers
 *             or the connection goes away (testfuse_stop);
 *   NO_FLUSH  a daemon that lets any name be opened as an empty file but
 *             never answers a FLUSH: whoever closes such a file (even
 *             by exiting) waits the same way.
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
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum testfuse_kind { TESTFUSE_UNSERVED, TESTFUSE_READ, TESTFUSE_NO_FLUSH };

struct testfuse {
	char dir[200];
	int fd;          /* /dev/fuse: the connection lives while it is open */
	pid_t daemon;    /* the daemon, or 0 */
	unsigned connection; /* in /sys/fs/fuse/connections, or 0 */
};

static inline void testfuse_reply(int fd, uint64_t unique, int error, const void *body, size_t len)
{
	char out[sizeof(struct fuse_out_header) + 256];
	struct fuse_out_header *h = (void *)out;

	h->len = (uint32_t)(sizeof(*h) + len);
	h->error = error;
	h->unique = unique;
	memcpy(out + sizeof(*h), body, len);
	if (write(fd, out, h->len) != (ssize_t)h->len)
		_exit(1);
}

static inline void testfuse_attr(struct fuse_attr *a, uint64_t node)
{
	memset(a, 0, sizeof(*a));
	a->ino = node;
	a->mode = node == FUSE_ROOT_ID ? S_IFDIR | 0755 : S_IFREG | 0644;
	a->nlink = 1;
	a->blksize = 4096;
}

/* Answers what opening a file takes (every name is an empty file), and
 * never a FLUSH: so the close of such a file waits for ever. */
static inline void testfuse_serve_open(int fd, const struct fuse_in_header *in)
{
	switch (in->opcode) {
	case FUSE_LOOKUP: {
		struct fuse_entry_out e;

		memset(&e, 0, sizeof(e));
		e.nodeid = 2;
		testfuse_attr(&e.attr, 2);
		testfuse_reply(fd, in->unique, 0, &e, sizeof(e));
		return;
	}
	case FUSE_GETATTR: {
		struct fuse_attr_out a;

		memset(&a, 0, sizeof(a));
		testfuse_attr(&a.attr, in->nodeid);
		testfuse_reply(fd, in->unique, 0, &a, sizeof(a));
		return;
	}
	case FUSE_OPEN: {
		struct fuse_open_out o;

		memset(&o, 0, sizeof(o));
		o.fh = 1;
		testfuse_reply(fd, in->unique, 0, &o, sizeof(o));
		return;
	}
	case FUSE_FLUSH:
	case FUSE_RELEASE:
	case FUSE_INTERRUPT:
		return; /* read, never answered */
	default:
		testfuse_reply(fd, in->unique, -ENOSYS, NULL, 0);
	}
}

/* The daemon: answers INIT, then per kind. */
static inline _Noreturn void testfuse_daemon(int fd, enum testfuse_kind kind)
{
	static char buf[FUSE_MIN_READ_BUFFER + 65536];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		const struct fuse_in_header *in = (const void *)buf;
		struct fuse_init_out init;

		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < (ssize_t)sizeof(*in))
			_exit(0);
		if (in->opcode == FUSE_INIT) {
			memset(&init, 0, sizeof(init));
			init.major = FUSE_KERNEL_VERSION;
			init.minor = FUSE_KERNEL_MINOR_VERSION;
			init.max_write = 4096;
			testfuse_reply(fd, in->unique, 0, &init, sizeof(init));
		} else if (kind == TESTFUSE_NO_FLUSH) {
			testfuse_serve_open(fd, in);
		} /* TESTFUSE_READ: read, never answered */
	}
}

/* The connection's number: the minor of the mount's device, read from
 * mountinfo (a stat of the mount would itself wait on the daemon). */
static inline unsigned testfuse_connection(const char *dir)
{
	char line[4096], mnt[256];
	unsigned maj, min, found = 0;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%*u %*u %u:%u %*s %255s", &maj, &min, mnt) == 3 && strcmp(mnt, dir) == 0)
			found = min;
	if (f != NULL)
		fclose(f);
	return found;
}

/* Aborts the connection through fusectl: every waiting request ends, even
 * when a stuck process still holds /dev/fuse. */
static inline void testfuse_abort(const struct testfuse *t)
{
	char path[96];
	int fd;

	if (t->connection == 0)
		return;
	snprintf(path, sizeof(path), "/sys/fs/fuse/connections/%u/abort", t->connection);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)!write(fd, "1", 1);
		close(fd);
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
	t->connection = testfuse_connection(dir);
	if (kind != TESTFUSE_UNSERVED) {
		t->daemon = fork();
		if (t->daemon == 0) {
			/* Dies with the test even when a check fails early:
			 * the connection then goes away and no stuck
			 * process is left behind. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			testfuse_daemon(t->fd, kind);
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
	testfuse_abort(t);
	close(t->fd);
	umount2(t->dir, MNT_DETACH);
}

#endif
