/* Bind targets, resolved in one place (doc/security.md invariant 3): each
 * is opened once as the user, never through a symlink, "." or "..", and
 * every check and the mount itself use that descriptor. */
#ifndef VSYM_TARGET_H
#define VSYM_TARGET_H

#include <stdbool.h>

#include "error.h"
#include "resolve.h"
#include "user.h"

/* Opens a bind target as user without following any symlink and without
 * "." or ".." components. It must be a directory or regular file owned by
 * user on an ordinary file system (not procfs, sysfs, devpts, ...).
 * Returns 0, -ENOENT when it does not exist, VSYM_ERR_SYSTEM (the identity
 * change failed), or -1 (refused), err set. */
int vsym_target_resolve(const struct vsym_user *user, const char *path,
			struct vsym_resolved *out, struct vsym_error *err);

/* The first half of vsym_target_resolve: opens without the owner and file
 * system checks, for a target that already carries a vsym mount (whose
 * root is owned by the source's owner). Returns as vsym_target_resolve. */
int vsym_target_open(const struct vsym_user *user, const char *path,
		     struct vsym_resolved *out, struct vsym_error *err);

/* The second half: the target must be owned by user and on an ordinary
 * file system. Returns 0 or -1 with err set. */
int vsym_target_check(const struct vsym_user *user, const struct vsym_resolved *target,
		      struct vsym_error *err);

/* A target that carries no vsym mount yet: in the home, the user's own
 * on an ordinary file system (vsym_target_check); outside it, a system
 * target (vsym_systarget_check_target). Returns 0 or -1 with detail set. */
int vsym_target_check_fresh(const struct vsym_user *user, const struct vsym_resolved *target,
			    struct vsym_error *detail);

/* create = true: makes a missing home target as the user, mode 0755.
 * Returns 0 (it is there now, or something else is wrong that opening it
 * will say), 1 (it is missing and would be made: a dry run), or -1 with
 * detail set. */
int vsym_target_make_missing(const struct vsym_user *user, const char *path, bool dry_run,
			     struct vsym_error *detail);

#endif
