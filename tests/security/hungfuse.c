/* hungfuse DIR UID: mounts on DIR a FUSE file system that never answers,
 * owned by UID and open to everybody (allow_other), as a user can with
 * fusermount when /etc/fuse.conf has user_allow_other; then waits to be
 * killed. Until then every request to it (a lookup, a stat, an open)
 * blocks, whatever O_NONBLOCK says: the "slow path" of DESIGN invariant 8.
 * Prints "ready" once the mount is there. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <unistd.h>

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
	for (;;)
		pause();
}
