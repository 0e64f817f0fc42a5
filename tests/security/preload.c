/* tests/security/preload.c - a library that must never be loaded into the
 * setuid vsym-rebind: its constructor says so loudly, leaves a mark and
 * aborts. Built by make check as a libtool module (.libs/preload.so). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

__attribute__((constructor)) static void loaded(void)
{
	const char *msg = "PRELOAD-LOADED\n";
	const char *mark = getenv("PRELOAD_MARK");

	if (mark != NULL) {
		int fd = open(mark, O_WRONLY | O_CREAT | O_APPEND, 0666);

		if (fd >= 0) {
			(void)!write(fd, msg, strlen(msg));
			close(fd);
		}
	}
	(void)!write(2, msg, strlen(msg));
	abort();
}
