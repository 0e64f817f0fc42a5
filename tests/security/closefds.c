/* tests/security/closefds.c - closes some of fds 0-2, then execs.
 *
 *   closefds FDS PROGRAM [ARG...]     FDS: digits of the fds to close, e.g. 012
 *
 * For rebind_security.test: a setuid program started with stdin, stdout or
 * stderr closed must not let a file it opens take their place. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	for (const char *p = argv[1]; *p != '\0'; p++)
		if (*p >= '0' && *p <= '2')
			close(*p - '0');
	execv(argv[2], &argv[2]);
	return 127;
}
