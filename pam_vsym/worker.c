#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"

/* What the worker sends first, before it does anything that may block, so
 * that the caller can kill it. */
struct worker_hello {
	pid_t pid;
};

/* Then frames: log lines as they come, and one reply. */
enum frame_kind { FRAME_LOG = 1, FRAME_REPLY = 2 };

struct frame {
	int kind;
	int priority;   /* FRAME_LOG */
	size_t len;     /* bytes that follow */
};

#define WORKER_LOG_MAX 1024

/* In the worker: where its frames go. */
static int worker_fd = -1;

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
 * keep the user's connection or terminal open. The application's syslog
 * socket goes too, so the worker must not call syslog (glibc would use,
 * then close, a descriptor number that is something else by then): it
 * logs through vsym_worker_log. Returns the reply fd. */
static int drop_descriptors(int reply_fd)
{
	int null;

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

static bool send_frame(int kind, int priority, const void *data, size_t len)
{
	struct frame f = { kind, priority, len };

	return write_all(worker_fd, &f, sizeof(f)) && write_all(worker_fd, data, len);
}

void vsym_worker_log(int priority, const char *fmt, ...)
{
	char text[WORKER_LOG_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0 || worker_fd < 0)
		return;
	send_frame(FRAME_LOG, priority, text, strlen(text));
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
	worker_fd = fd;
	n = fn(ctx, reply, size);
	if (n > size)
		n = size;
	/* _exit: no atexit handler or stdio buffer of the application runs. */
	_exit(send_frame(FRAME_REPLY, 0, reply, n) ? 0 : 1);
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

/* Reads frames until the reply, handing log lines to log as they come.
 * Returns 0, 1 when the worker went away first, or -ETIMEDOUT. */
static int read_frames(int fd, void *reply, size_t size, const struct timespec *deadline,
		       const struct vsym_worker_log *log, size_t *got)
{
	char text[WORKER_LOG_MAX + 1];
	struct frame f;
	int rc;

	for (;;) {
		rc = read_until(fd, (char *)&f, sizeof(f), deadline);
		if (rc != 0)
			return rc;
		if (f.kind == FRAME_REPLY) {
			if (f.len > size)
				return 1;
			*got = f.len;
			return read_until(fd, reply, f.len, deadline);
		}
		if (f.kind != FRAME_LOG || f.len > WORKER_LOG_MAX)
			return 1;
		rc = read_until(fd, text, f.len, deadline);
		if (rc != 0)
			return rc;
		text[f.len] = '\0';
		if (log != NULL && log->line != NULL)
			log->line(log->ctx, f.priority, text);
	}
}

static int collect(int fd, void *reply, size_t size, const struct timespec *deadline,
		   const struct vsym_worker_log *log, size_t *got, struct vsym_error *err)
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
		rc = read_frames(fd, reply, size, deadline, log, &n);
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

/* Waits for the launcher until the deadline. It exits right after its
 * fork, but its exit closes its copy of the application's descriptors,
 * and closing a FUSE file can wait for ever (FLUSH): past the deadline it
 * is killed and left. Another thread's waitpid(-1) reaping it first, or
 * no pidfd (a seccomp filter), is fine. */
static void reap_launcher(pid_t pid, const struct timespec *deadline)
{
	int pidfd = pidfd_open(pid, 0);
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	bool was_ready = false;

	for (;;) {
		long left = ms_left(deadline);
		pid_t done = waitpid(pid, NULL, WNOHANG);

		if (done != 0 && !(done < 0 && errno == EINTR))
			break; /* reaped, or not ours to reap any more */
		if (left <= 0) {
			if (pidfd >= 0)
				pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
			break;
		}
		/* Polled ready but not reapable (a tracer holds the zombie):
		 * step in 1 ms rather than spin. */
		if (pidfd < 0 || was_ready)
			usleep(1000);
		else
			was_ready = poll(&pfd, 1, (int)left) != 0;
	}
	if (pidfd >= 0)
		close(pidfd);
}

/* Forks the launcher, which forks the worker and exits at once, so the
 * worker is never a child of the application. Both are glibc fork()s, run
 * on the caller's own stack: its atfork handling keeps malloc and stdio
 * usable in the worker of a multithreaded application. The application's
 * SIGCHLD handling is set aside while the launcher lives (microseconds):
 * its handler would hear of a child it never made, and SIG_IGN would reap
 * the launcher before us. */
static int start_worker(struct launch *l, const struct timespec *deadline, struct vsym_error *err)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	pid_t launcher;

	sigaction(SIGCHLD, &dfl, &old);
	launcher = fork();
	if (launcher == 0) {
		if (fork() == 0)
			worker_main(l->reply_fd, l->fn, l->ctx, l->reply, l->size);
		_exit(0);
	}
	if (launcher > 0)
		reap_launcher(launcher, deadline);
	sigaction(SIGCHLD, &old, NULL);
	if (launcher < 0)
		return vsym_error_set(err, "cannot fork: %s", strerror(errno));
	return 0;
}

int vsym_worker_run(vsym_worker_fn fn, void *ctx, void *reply, size_t size,
		    int timeout_ms, const struct vsym_worker_log *log, size_t *got,
		    struct vsym_error *err)
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
		rc = collect(fds[0], reply, size, &deadline, log, got, err);
	}
	close(fds[0]);
	if (rc == -ETIMEDOUT)
		vsym_error_set(err, "gave up after %d ms", timeout_ms);
	return rc;
}
