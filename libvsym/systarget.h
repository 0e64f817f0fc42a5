/* System targets (doc/security.md invariant 3): a bind target outside the user's
 * home. The admin makes it once, beside the trees it shows
 * (/usr/lib/go-vsym beside /usr/lib/go-1.22), and names it literally in an
 * allow rule of the system file. Only trees nobody but root can change are
 * shown there, read-only. These checks work on descriptors already opened
 * by resolve.h, never on a path again. */
#ifndef VSYM_SYSTARGET_H
#define VSYM_SYSTARGET_H

#include "error.h"
#include "resolve.h"

/* Checks a system target opened by vsym_target_open: a directory owned by
 * root, not writable by group or others, on a local disk file system (no
 * pseudo, network or FUSE file system), and empty, so that a bind hides
 * nothing. Returns 0 or -1 with err saying what the admin should do. */
int vsym_systarget_check_target(const struct vsym_resolved *target, struct vsym_error *err);

/* Checks a source to be shown on a system target: it and every directory
 * above it owned by root and not writable by group or others, and so is
 * every entry at its top level and in its bin/ (symbolic links aside):
 * what the bind shows first, and what the links to a system target (like
 * /usr/bin/java) run. Deeper entries are not read (a JDK's tree has
 * hundreds, Go's thousands: a cost at every bind); the admin who names a
 * tree in vsym.conf vouches for the rest. Returns 0 or -1 with err set. */
int vsym_systarget_check_source(const struct vsym_resolved *source, struct vsym_error *err);

#endif
