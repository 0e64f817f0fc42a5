#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"

static bool write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static _Noreturn void child_main(int fd, vsym_worker_fn fn, void *ctx, void *reply, size_t size)
{
	size_t n = fn(ctx, reply, size);

	if (n > size)
		n = size;
	/* _exit: no atexit handler or stdio buffer of the application runs. */
	_exit(write_all(fd, &n, sizeof(n)) && write_all(fd, reply, n) ? 0 : 1);
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

static void deadline_in(struct timespec *deadline, int timeout_ms)
{
	clock_gettime(CLOCK_MONOTONIC, deadline);
	deadline->tv_sec += timeout_ms / 1000;
	deadline->tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline->tv_nsec >= 1000000000) {
		deadline->tv_sec++;
		deadline->tv_nsec -= 1000000000;
	}
}

/* Reads exactly size bytes from fd before the deadline. Returns 0, 1 when
 * the writer went away first, or -ETIMEDOUT. */
static int read_until(int fd, char *buf, size_t size, const struct timespec *deadline)
{
	size_t n = 0;

	while (n < size) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = ms_left(deadline);
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
			return -ETIMEDOUT;
		r = read(fd, buf + n, size - n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return 1;
		n += (size_t)r;
	}
	return 0;
}

static int collect(int fd, void *reply, size_t size, int timeout_ms, size_t *got,
		   struct vsym_error *err)
{
	struct timespec deadline;
	size_t n;
	int rc;

	deadline_in(&deadline, timeout_ms);
	rc = read_until(fd, (char *)&n, sizeof(n), &deadline);
	if (rc == 0 && n > size)
		return vsym_error_set(err, "the worker's reply is longer than %zu bytes", size);
	if (rc == 0)
		rc = read_until(fd, reply, n, &deadline);
	if (rc == -ETIMEDOUT) {
		vsym_error_set(err, "gave up after %d ms", timeout_ms);
		return -ETIMEDOUT;
	}
	if (rc != 0)
		return vsym_error_set(err, "the worker ended without a reply");
	*got = n;
	return 0;
}

static int run_and_reap(vsym_worker_fn fn, void *ctx, void *reply, size_t size,
			int timeout_ms, size_t *got, struct vsym_error *err)
{
	int fds[2], rc;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return vsym_error_set(err, "cannot make a pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		vsym_error_set(err, "cannot fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child_main(fds[1], fn, ctx, reply, size);
	}
	close(fds[1]);
	rc = collect(fds[0], reply, size, timeout_ms, got, err);
	close(fds[0]);
	/* Done or too late: either way the child has nothing more to do. A
	 * child blocked in a FUSE request ends on SIGKILL. */
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return rc;
}

int vsym_worker_run(vsym_worker_fn fn, void *ctx, void *reply, size_t size,
		    int timeout_ms, size_t *got, struct vsym_error *err)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	int rc;

	vsym_error_clear(err);
	*got = 0;
	/* The application may reap children on SIGCHLD, or ignore SIGCHLD so
	 * the kernel reaps them: ours must stay ours until waitpid. */
	sigaction(SIGCHLD, &dfl, &old);
	rc = run_and_reap(fn, ctx, reply, size, timeout_ms, got, err);
	sigaction(SIGCHLD, &old, NULL);
	return rc;
}
