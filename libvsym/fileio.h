/* Reading the configuration files with the trust checks of
 * doc/security.md invariant 6: never following a symlink in the last component, never
 * blocking on a FIFO or a device, never looking into FUSE (invariant 8),
 * bounded in size, and a user's file read with the user's own
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

/* Like vsym_file_read_trusted with owner = user->uid, but found and read
 * with user's groups and file-system ids and no capability (vsym_cred_become),
 * so it reaches only what the user can. Returns 0, -ENOENT, or -1. */
int vsym_file_read_as_user(const char *path, const struct vsym_user *user, size_t max,
			   char **buf, size_t *len, struct vsym_error *err);

/* Opens what the O_PATH descriptor fd names for reading, without a path
 * lookup: the object checked is the one read. O_NONBLOCK: a FIFO swapped
 * in cannot be, but would not block either. Returns the new descriptor,
 * or -1 with errno set. */
int vsym_file_reopen_for_reading(int fd);

/* Reads all of fd, at most max bytes, into buf (max + 1 bytes long),
 * NUL-terminated; *len bytes. A file that has more (it grew while read)
 * or cannot be read is an error naming path. Returns 0 or -1. */
int vsym_file_read_fd(int fd, const char *path, char *buf, size_t max, size_t *len,
		      struct vsym_error *err);

/* Replaces path with text atomically: a new file beside it (same
 * directory), mode, synced, renamed over path. Made with the caller's
 * credentials: call it as the user for a user's file. Returns 0, or -1
 * with err set and path as it was. */
int vsym_file_replace(const char *path, const char *text, size_t len, mode_t mode,
		      struct vsym_error *err);

#endif
