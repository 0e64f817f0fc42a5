/* Reading the configuration files with the trust checks of DESIGN
 * invariant 6: never following a symlink, never blocking on a FIFO or a
 * device, bounded in size, and a user's file read with the user's own
 * credentials. */
#ifndef VSYM_FILEIO_H
#define VSYM_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "user.h"

/* Reads path into a new NUL-terminated *buf (*len bytes, NUL excluded).
 * The file must be a regular file (the last component not a symlink) owned
 * by owner, not writable by group or others, and at most max bytes.
 * Returns 0, -ENOENT when it does not exist (err set too), or -1. */
int vsym_file_read_trusted(const char *path, uid_t owner, size_t max,
			   char **buf, size_t *len, struct vsym_error *err);

/* Like vsym_file_read_trusted with owner = user->uid, but the file is opened
 * by a child process that has dropped for good to the user's uid, gid and
 * groups, so it reaches only what the user can. Gives up after timeout_ms
 * and kills the child: O_NONBLOCK keeps a FIFO from blocking, but a file on
 * a FUSE file system the user serves can block an open or a read for ever.
 * Must be called as root, or as the user (then the child changes nothing).
 * Returns 0, -ENOENT, or -1. */
int vsym_file_read_as_user(const char *path, const struct vsym_user *user,
			   size_t max, int timeout_ms,
			   char **buf, size_t *len, struct vsym_error *err);

/* In a child that reads as the user: drops to user for good (groups,
 * gid, uid; undumpable) and checks that root cannot be regained. Returns
 * 0 or -1 with err set. */
int vsym_file_drop_to_user(const struct vsym_user *user, struct vsym_error *err);

/* Replaces path with text atomically: a new file beside it (same
 * directory), mode, synced, renamed over path. Made with the caller's
 * credentials: call it as the user for a user's file. Returns 0, or -1
 * with err set and path as it was. */
int vsym_file_replace(const char *path, const char *text, size_t len, mode_t mode,
		      struct vsym_error *err);

#endif
