/* hungfuse DIR UID: mounts on DIR a FUSE file system owned by UID and open
 * to everybody (allow_other), as a user can with fusermount when
 * /etc/fuse.conf has user_allow_other, and serves it the worst way: it
 * answers INIT, then reads every request and answers none. A process that
 * sent a request then sleeps uninterruptibly (not even SIGKILL ends it)
 * until this daemon is killed and the connection goes away: the "slow
 * path" of invariant 8 (doc/security.md). Prints "ready" once the mount is there,
 * and "request OPCODE" for each request it has read (and will never answer). */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static char buf[FUSE_MIN_READ_BUFFER + 65536];

static void answer_init(int fd, const struct fuse_in_header *in)
{
	struct {
		struct fuse_out_header h;
		struct fuse_init_out init;
	} out;

	memset(&out, 0, sizeof(out));
	out.h.len = sizeof(out);
	out.h.unique = in->unique;
	out.init.major = FUSE_KERNEL_VERSION;
	out.init.minor = FUSE_KERNEL_MINOR_VERSION;
	out.init.max_write = 4096;
	if (write(fd, &out, sizeof(out)) != (ssize_t)sizeof(out)) {
		perror("hungfuse: INIT answer");
		exit(1);
	}
}

int main(int argc, char **argv)
{
	char opts[128];
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: hungfuse DIR UID\n");
		return 2;
	}
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		perror("hungfuse: /dev/fuse");
		return 1;
	}
	snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=%s,group_id=%s,allow_other", fd,
		 argv[2], argv[2]);
	if (mount("hungfuse", argv[1], "fuse", MS_NOSUID | MS_NODEV, opts) < 0) {
		perror("hungfuse: mount");
		return 1;
	}
	puts("ready");
	fflush(stdout);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		const struct fuse_in_header *in = (const void *)buf;

		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < (ssize_t)sizeof(*in))
			return 0;
		if (in->opcode == FUSE_INIT) {
			answer_init(fd, in);
			continue;
		}
		/* anything else: read, never answered; said, so that a test can
		 * wait until a caller is stuck rather than for time */
		printf("request %u\n", (unsigned)in->opcode);
		fflush(stdout);
	}
}
