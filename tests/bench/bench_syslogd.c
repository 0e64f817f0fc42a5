/* bench_session syslogd: the smallest /dev/log collector. */
#include "bench.h"

/* The smallest /dev/log: one datagram, one line, so the module's syslog
 * lines can be checked (the sandbox has no syslog daemon). */
_Noreturn void cmd_syslogd(const char *sock, const char *file)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[4096];
	FILE *out = fopen(file, "a");
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (out == NULL || fd < 0 || strlen(sock) >= sizeof(a.sun_path))
		die("syslogd: cannot start");
	strcpy(a.sun_path, sock);
	unlink(sock);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(sock, 0666) < 0)
		die("syslogd: bind %s: %s", sock, strerror(errno));
	setvbuf(out, NULL, _IOLBF, 0);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("syslogd: recv: %s", strerror(errno));
		buf[n] = '\0';
		fprintf(out, "%s\n", buf);
	}
}
