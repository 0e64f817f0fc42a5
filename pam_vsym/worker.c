#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
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

/* Closes fds first..last (-1: all above first); close_range, or one by one
 * where a seccomp filter refuses it. */
static void close_all(int first, int last)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (close_range((unsigned)first, last < 0 ? ~0U : (unsigned)last, 0) == 0)
		return;
	if (last < 0)
		last = max > 0 && max < 65536 ? (int)max - 1 : 65535;
	for (int fd = first; fd <= last; fd++)
		close(fd);
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
		close_all(3, reply_fd - 1);
	close_all(reply_fd + 1, -1);
	return reply_fd;
}

static _Noreturn void worker_main(int fd, vsym_worker_fn fn, void *ctx, void *reply, size_t size)
{
	struct worker_hello hello = { getpid() };
	size_t n;

	reset_signals();
	if (!write_all(fd, &hello, sizeof(hello)))
		_exit(1);
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

/* The worker as the caller knows it once it said hello; the pidfd is
 * taken then, so that the kill at the deadline never hits a pid the system
 * has given to another process since. */
struct worker {
	pid_t pid;
	int pidfd;
};

static void worker_known(struct worker *w, const struct worker_hello *hello)
{
	w->pid = hello->pid;
	w->pidfd = pidfd_open(hello->pid, 0);
}

/* Kills the worker without waiting for it. Without a pidfd (a seccomp
 * filter may refuse pidfd_open), the pid: the worker has not replied, so
 * it has not exited. */
static void kill_worker(const struct worker *w)
{
	if (w->pidfd >= 0)
		pidfd_send_signal(w->pidfd, SIGKILL, NULL, 0);
	else if (w->pid > 0)
		kill(w->pid, SIGKILL);
}

static int collect(int fd, void *reply, size_t size, const struct timespec *deadline,
		   size_t *got, struct vsym_error *err)
{
	struct worker_hello hello = { 0 };
	struct worker w = { 0, -1 };
	size_t n = 0;
	int rc;

	rc = read_until(fd, (char *)&hello, sizeof(hello), deadline);
	/* A hello that came in just as the deadline passed still counts. */
	if (rc == -ETIMEDOUT && read(fd, &hello, sizeof(hello)) == (ssize_t)sizeof(hello))
		rc = 0;
	if (hello.pid > 0)
		worker_known(&w, &hello);
	if (rc == 0)
		rc = read_until(fd, (char *)&n, sizeof(n), deadline);
	if (rc == 0 && n > size)
		rc = 1;
	if (rc == 0)
		rc = read_until(fd, reply, n, deadline);
	if (rc == -ETIMEDOUT)
		kill_worker(&w);
	if (w.pidfd >= 0)
		close(w.pidfd);
	if (rc == -ETIMEDOUT)
		return -ETIMEDOUT;
	if (rc != 0)
		return vsym_error_set(err, "the worker ended without a whole reply");
	*got = n;
	return 0;
}

/* What the launcher needs to start the worker. */
struct launch {
	int reply_fd;
	vsym_worker_fn fn;
	void *ctx;
	void *reply;
	size_t size;
};

#define LAUNCHER_STACK (64 * 1024)

/* The launcher shares the caller's descriptor table (CLONE_FILES), so its
 * exit closes nothing: closing a file on FUSE can wait for ever (FLUSH). It
 * forks the worker, which gets a copy of the table, and exits. */
static int launcher_main(void *arg)
{
	const struct launch *l = arg;

	if (fork() == 0)
		worker_main(l->reply_fd, l->fn, l->ctx, l->reply, l->size);
	_exit(0);
}

/* Waits for the launcher until the deadline; past it, kills it and leaves
 * it (its fork would have to hang in the application's atfork handlers). */
static void reap_launcher(int pidfd, const struct timespec *deadline)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	siginfo_t info;

	for (;;) {
		long left = ms_left(deadline);
		int ready = left > 0 ? poll(&pfd, 1, (int)left) : 0;

		if (ready < 0 && errno == EINTR)
			continue;
		if (ready > 0 && waitid(P_PIDFD, (id_t)pidfd, &info, WEXITED | __WALL) == 0)
			return;
		pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		return;
	}
}

/* Starts the launcher with no exit signal: the application gets no
 * SIGCHLD and its waitpid(-1) never sees it (only __WALL does). */
static int start_worker(struct launch *l, const struct timespec *deadline, struct vsym_error *err)
{
	char *stack = malloc(LAUNCHER_STACK);
	int pidfd = -1;
	pid_t pid;

	if (stack == NULL)
		return vsym_error_set(err, "out of memory");
	pid = clone(launcher_main, stack + LAUNCHER_STACK, CLONE_FILES | CLONE_PIDFD, l, &pidfd);
	free(stack); /* the launcher runs on its own copy */
	if (pid < 0)
		return vsym_error_set(err, "cannot start the worker: %s", strerror(errno));
	reap_launcher(pidfd, deadline);
	close(pidfd);
	return 0;
}

int vsym_worker_run(vsym_worker_fn fn, void *ctx, void *reply, size_t size,
		    int timeout_ms, size_t *got, struct vsym_error *err)
{
	struct launch l = { -1, fn, ctx, reply, size };
	struct timespec deadline;
	int fds[2], rc;

	vsym_error_clear(err);
	*got = 0;
	deadline_in(&deadline, timeout_ms);
	if (pipe2(fds, O_CLOEXEC) < 0)
		return vsym_error_set(err, "cannot make a pipe: %s", strerror(errno));
	l.reply_fd = fds[1];
	rc = start_worker(&l, &deadline, err);
	close(fds[1]);
	if (rc == 0) {
		fcntl(fds[0], F_SETFL, O_NONBLOCK);
		rc = collect(fds[0], reply, size, &deadline, got, err);
	}
	close(fds[0]);
	if (rc == -ETIMEDOUT)
		vsym_error_set(err, "gave up after %d ms", timeout_ms);
	return rc;
}
