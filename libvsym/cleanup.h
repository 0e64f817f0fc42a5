/* Automatic cleanup, as bubblewrap's utils.h has it: a local declared
 * cleanup_fd is closed, one declared cleanup_free is freed, when it goes
 * out of scope, on every return path of the function, so an early return
 * cannot leak it. To hand it on (return it, store it), take it with
 * steal_fd / steal_pointer, which leave -1 / NULL behind so that nothing
 * is released. Initialise every such local where it is declared (-1 or
 * NULL): the cleanup runs on any return after the declaration.
 *
 * The cleanups keep errno: a message that reads errno is built before the
 * function returns, and a caller that reads errno after a failed call
 * sees the failure's, not the close's. */
#ifndef VSYM_CLEANUP_H
#define VSYM_CLEANUP_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static inline void vsym_cleanup_close(int *fd)
{
	int saved = errno;

	if (*fd >= 0)
		close(*fd);
	errno = saved;
}

static inline void vsym_cleanup_free(void *pointer)
{
	int saved = errno;

	free(*(void **)pointer);
	errno = saved;
}

#define cleanup_fd __attribute__((cleanup(vsym_cleanup_close)))
#define cleanup_free __attribute__((cleanup(vsym_cleanup_free)))

/* Returns *fd and leaves -1 there: the caller owns the descriptor now. */
static inline int steal_fd(int *fd)
{
	int taken = *fd;

	*fd = -1;
	return taken;
}

/* Returns *pointer (a pointer to any pointer) and leaves NULL there: the
 * caller owns the memory now. */
static inline void *steal_pointer(void *pointer)
{
	void **p = pointer;
	void *taken = *p;

	*p = NULL;
	return taken;
}

#endif
