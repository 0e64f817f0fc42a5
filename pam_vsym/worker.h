/* Running a step that touches the user's paths in a child process with a
 * deadline (DESIGN invariant 8). A file system the user serves (FUSE) can
 * block an open, a lookup or a read for ever, and O_NONBLOCK does not help.
 * So the step runs in a worker process, and the caller stops waiting for it
 * when the deadline passes and goes on.
 *
 * The worker is a grandchild: the child between them exits at once, so the
 * worker is never a child of the application (no SIGCHLD, nothing for its
 * waitpid), and it is never waited for. That matters: once a FUSE daemon
 * has read a request, the process that sent it sleeps until the daemon
 * answers or goes away, and not even SIGKILL ends that sleep. Such a
 * worker is killed (it dies as soon as the sleep ends) and left behind,
 * holding none of the application's descriptors. */
#ifndef VSYM_WORKER_H
#define VSYM_WORKER_H

#include <stddef.h>

#include "error.h"

/* Run in the worker: fills reply (size bytes, the caller's buffer as it
 * was at the fork) and returns how many of its bytes to send back. The
 * worker shares the caller's namespaces and credentials, has default
 * signal handlers, /dev/null on fds 0-2 and no other descriptor of the
 * caller; it must not talk to the application (no PAM conversation), and
 * logs only through vsym_worker_log. */
typedef size_t (*vsym_worker_fn)(void *ctx, void *reply, size_t size);

/* Where the caller wants the worker's log lines, told as they come. */
struct vsym_worker_log {
	void (*line)(void *ctx, int priority, const char *text);
	void *ctx;
};

/* Runs fn in a worker and copies what it sends back into reply, setting
 * *got to its length; log (may be NULL) gets the worker's log lines, even
 * those of a worker that never replies. Waits at most timeout_ms, then
 * kills the worker and goes on without waiting for it to end. Returns 0,
 * -ETIMEDOUT when the deadline passed, or -1 (the worker could not start,
 * or died without a whole reply) with err set. */
int vsym_worker_run(vsym_worker_fn fn, void *ctx, void *reply, size_t size,
		    int timeout_ms, const struct vsym_worker_log *log, size_t *got,
		    struct vsym_error *err);

/* In the worker, instead of syslog (see drop_descriptors in worker.c):
 * sends a log line (at most 1023 bytes) to the caller. */
void vsym_worker_log(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
