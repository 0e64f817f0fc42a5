/* tests/security/swap.c - race helper for rebind_security.test.
 *
 *   swap A B SECONDS STOPFILE
 *
 * Exchanges the names A and B with renameat2(RENAME_EXCHANGE) as fast as it
 * can, until STOPFILE exists or SECONDS have passed; then swaps once more if
 * needed so that A and B end as they started. Prints the number of swaps.
 * Compiled at test time; runs as the unprivileged test user. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

static int exchange(const char *a, const char *b)
{
	return (int)syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
}

int main(int argc, char **argv)
{
	unsigned long swaps = 0, failed = 0;
	time_t end;

	if (argc != 5) {
		fprintf(stderr, "usage: swap A B SECONDS STOPFILE\n");
		return 2;
	}
	end = time(NULL) + atoi(argv[3]);
	while (time(NULL) < end) {
		for (int i = 0; i < 256; i++) {
			if (exchange(argv[1], argv[2]) == 0)
				swaps++;
			else
				failed++;
		}
		if (access(argv[4], F_OK) == 0)
			break;
	}
	if (swaps % 2 != 0) {
		while (exchange(argv[1], argv[2]) != 0) {
			if (errno != EBUSY) {
				perror("swap: restoring");
				return 1;
			}
			usleep(1000);
		}
		swaps++;
	}
	printf("%lu %lu\n", swaps, failed);
	return 0;
}
