#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"

/* What the worker sends first, before it does anything that may block, so
 * that the caller can kill it. */
struct worker_hello {
	pid_t pid;
};

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

/* Default handlers and an empty signal mask: the application's handlers
 * are no business of the worker (and in su the caller may signal it). */
static void reset_signals(void)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Leaves the worker with /dev/null on 0-2, the reply pipe and nothing
 * else of the application's: a worker stuck on a FUSE request must not
 * keep the user's connection or terminal open. Returns the reply fd. */
static int drop_descriptors(int reply_fd)
{
	int null;

	/* syslog's socket is closed with the rest; pam_syslog opens a new one. */
	closelog();
	if (reply_fd < 3 && (reply_fd = fcntl(reply_fd, F_DUPFD_CLOEXEC, 3)) < 0)
		return -1;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		return -1;
	if (reply_fd > 3)
		close_range(3, (unsigned)reply_fd - 1, 0);
	close_range((unsigned)reply_fd + 1, ~0U, 0);
	return reply_fd;
}

static _Noreturn void worker_main(int fd, vsym_worker_fn fn, void *ctx, void *reply, size_t size)
{
	struct worker_hello hello = { getpid() };
	size_t n;

	if (!write_all(fd, &hello, sizeof(hello)))
		_exit(1);
	reset_signals();
	fd = drop_descriptors(fd);
	if (fd < 0)
		_exit(1);
	n = fn(ctx, reply, size);
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

/* Reads exactly size bytes from fd (non-blocking) before the deadline.
 * Returns 0, 1 when the writer went away first, or -ETIMEDOUT. A signal
 * handler of the application that interrupts the wait changes nothing. */
static int read_until(int fd, char *buf, size_t size, const struct timespec *deadline)
{
	size_t n = 0;

	while (n < size) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = ms_left(deadline);
		ssize_t r;
		int ready;

		if (left <= 0)
			return -ETIMEDOUT;
		ready = poll(&pfd, 1, (int)left);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready <= 0)
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

/* Kills the worker without waiting for it: through a pidfd, so that a pid
 * the system reused is never hit. */
static void kill_worker(pid_t pid)
{
	int pidfd = pidfd_open(pid, 0);

	if (pidfd >= 0) {
		pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		close(pidfd);
	}
}

static int collect(int fd, void *reply, size_t size, int timeout_ms, size_t *got,
		   struct vsym_error *err)
{
	struct worker_hello hello = { 0 };
	struct timespec deadline;
	size_t n = 0;
	int rc;

	deadline_in(&deadline, timeout_ms);
	rc = read_until(fd, (char *)&hello, sizeof(hello), &deadline);
	if (rc == 0)
		rc = read_until(fd, (char *)&n, sizeof(n), &deadline);
	if (rc == 0 && n > size)
		rc = 1;
	if (rc == 0)
		rc = read_until(fd, reply, n, &deadline);
	if (rc == -ETIMEDOUT && hello.pid > 0)
		kill_worker(hello.pid);
	if (rc == -ETIMEDOUT) {
		vsym_error_set(err, "gave up after %d ms", timeout_ms);
		return -ETIMEDOUT;
	}
	if (rc != 0)
		return vsym_error_set(err, "the worker ended without a whole reply");
	*got = n;
	return 0;
}

/* Forks the child that forks the worker and exits; reaps that child (it
 * lives a few microseconds) with the application's SIGCHLD handling set
 * aside, so the application never hears of either. Returns 0 or -1. */
static int start_worker(int fds[2], vsym_worker_fn fn, void *ctx, void *reply, size_t size,
			struct vsym_error *err)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	pid_t launcher;

	sigaction(SIGCHLD, &dfl, &old);
	launcher = fork();
	if (launcher == 0) {
		close(fds[0]);
		if (fork() == 0)
			worker_main(fds[1], fn, ctx, reply, size);
		_exit(0);
	}
	if (launcher > 0)
		while (waitpid(launcher, NULL, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGCHLD, &old, NULL);
	if (launcher < 0)
		return vsym_error_set(err, "cannot fork: %s", strerror(errno));
	return 0;
}

int vsym_worker_run(vsym_worker_fn fn, void *ctx, void *reply, size_t size,
		    int timeout_ms, size_t *got, struct vsym_error *err)
{
	int fds[2], rc;

	vsym_error_clear(err);
	*got = 0;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return vsym_error_set(err, "cannot make a pipe: %s", strerror(errno));
	rc = start_worker(fds, fn, ctx, reply, size, err);
	close(fds[1]);
	if (rc == 0) {
		fcntl(fds[0], F_SETFL, O_NONBLOCK);
		rc = collect(fds[0], reply, size, timeout_ms, got, err);
	}
	close(fds[0]);
	return rc;
}
