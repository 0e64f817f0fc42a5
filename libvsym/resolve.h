/* Safe path resolution (doc/security.md invariants 3 and 4): each path is opened
 * once, with the user's credentials, into an O_PATH descriptor; every later
 * check and the mount itself use that descriptor, never the path again.
 * Errors set err's cause too (the reason without the path, for logs). */
#ifndef VSYM_RESOLVE_H
#define VSYM_RESOLVE_H

#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

#include "error.h"
#include "user.h"

/* How a walk treats symbolic links. */
enum vsym_links {
	VSYM_LINKS_REFUSE,      /* none anywhere (bind targets) */
	VSYM_LINKS_FOLLOW_DIRS, /* followed, but not in the last component (files read) */
	VSYM_LINKS_FOLLOW,      /* followed everywhere, magic links excepted (bind sources) */
};

/* Symbolic links followed in one walk at most, as the kernel does. */
#define VSYM_MAX_LINKS 40

/* What vsym_walk returns for a path that leads into a FUSE mount. */
#define VSYM_ERR_FUSE (-EMEDIUMTYPE)

/* What the resolve functions return when the change to the user's
 * identity (or back) failed: a failure of the system, never a refusal of
 * the path. (Not -EPERM: that is -1, the refusal.) */
#define VSYM_ERR_SYSTEM (-ENOTRECOVERABLE)

/* Opens the absolute path with the caller's credentials into an O_PATH,
 * close-on-exec descriptor (doc/security.md invariant 8): one mount at a time.
 * Where the path reaches another mount, that mount's type is learnt
 * without calling into it, and no name is ever looked up inside a FUSE
 * mount, whose server (maybe the user) could make the lookup wait for
 * ever. No magic link (/proc/self/fd/N) is followed. Returns the fd, or
 * -errno: -ENOENT, -ELOOP for a link where links forbids one (or too
 * many), VSYM_ERR_FUSE with err naming the FUSE mount, or another. */
int vsym_walk(const char *path, enum vsym_links links, struct vsym_error *err);

struct vsym_resolved {
	int fd;                 /* O_PATH, close-on-exec; -1 when not open */
	char path[PATH_MAX];    /* canonical path, read back from fd */
	struct stat st;
};

/* Opens a bind source as user (its uid, gid and groups), following ordinary
 * symlinks but no magic links (/proc/self/fd/N). It must be a directory or
 * a regular file. Returns 0, -ENOENT when it does not exist,
 * VSYM_ERR_SYSTEM (the identity change failed), or -1 (refused), err set. */
int vsym_resolve_source(const struct vsym_user *user, const char *path,
			struct vsym_resolved *out, struct vsym_error *err);

/* Opens path as user (its uid, gid and groups) with links as the walk's
 * rule, naming it "what" (source, target) in messages. It must be a
 * directory or a regular file. Returns 0, -ENOENT when it does not exist,
 * VSYM_ERR_SYSTEM (the identity change failed), or -1 (refused), err set. */
int vsym_resolve_as_user(const struct vsym_user *user, const char *path, enum vsym_links links,
			 const char *what, struct vsym_resolved *out, struct vsym_error *err);

/* Closes what a resolve opened; safe on an unopened struct with fd -1. */
void vsym_resolved_close(struct vsym_resolved *r);

/* A local declared cleanup_resolved is closed when it goes out of scope,
 * on every return path (cleanup.h): initialise it with { .fd = -1 }. */
#define cleanup_resolved __attribute__((cleanup(vsym_resolved_close)))

/* Closes the mount table that walks keep in this thread on kernels
 * without statmount(2) (Linux < 6.8); the next walk reads it again. The
 * module calls it before it returns to the PAM application. */
void vsym_resolve_forget_table(void);

#endif
