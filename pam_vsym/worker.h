/* Running a step that touches the user's paths in a child process with a
 * deadline (DESIGN invariant 8). A file system the user serves (FUSE) can
 * block an open, a lookup or a read for ever, and O_NONBLOCK does not help;
 * only a fatal signal ends such a wait. So the step runs in a forked child
 * the caller kills when the deadline passes, and the caller goes on. */
#ifndef VSYM_WORKER_H
#define VSYM_WORKER_H

#include <stddef.h>

#include "error.h"

/* Run in the child: fills reply (size bytes, the caller's buffer as it was
 * at the fork) and returns how many of its bytes to send back. The child
 * shares the caller's namespaces and credentials; it must not talk to the
 * application (no PAM conversation) and ends with _exit. */
typedef size_t (*vsym_worker_fn)(void *ctx, void *reply, size_t size);

/* Runs fn in a child and copies what it sends back into reply, setting
 * *got to its length. Waits at most timeout_ms, then kills the child; the
 * child is always reaped, and the application's SIGCHLD handling is put
 * back. Returns 0, -ETIMEDOUT when the deadline passed, or -1 (the child
 * could not start, or died without a whole reply) with err set. */
int vsym_worker_run(vsym_worker_fn fn, void *ctx, void *reply, size_t size,
		    int timeout_ms, size_t *got, struct vsym_error *err);

#endif
