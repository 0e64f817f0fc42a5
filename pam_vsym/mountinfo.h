/* Reading this namespace's mount table (libmount), for listing binds and
 * telling whether a recorded vsym mount is still there. */
#ifndef VSYM_MOUNTINFO_H
#define VSYM_MOUNTINFO_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct vsym_mount_info {
	char target[PATH_MAX];
	char options[256];   /* per-mount options: "ro,nosuid,nodev,..." */
	char source[PATH_MAX]; /* for a bind: where its root is reachable now,
				* through another mount of the same file
				* system; "" when none shows it */
};

/* Looks up the mount with id in /proc/self/mountinfo. Returns 1 when found
 * (out filled), 0 when there is none, -1 with err set on failure. */
int vsym_mountinfo_lookup(uint64_t id, struct vsym_mount_info *out, struct vsym_error *err);

#endif
