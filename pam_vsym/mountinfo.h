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

/* This namespace's mount table as read at one moment. */
struct vsym_mount_table;

/* Reads /proc/self/mountinfo. Returns the table, or NULL with err set. */
struct vsym_mount_table *vsym_mountinfo_read(struct vsym_error *err);

void vsym_mountinfo_free(struct vsym_mount_table *table);

/* Mount ids change when a namespace is copied (unshare); what stays is
 * where a mount is mounted and which directory of which file system is
 * its root. Finds the mount with id in before, a table of the namespace
 * now copied, and its copy in now. Returns 1 with *new_id, 0 when before
 * has no such mount, or -EEXIST when another mount of before or now has
 * the same place and root (or the copy is missing): it cannot be told
 * which is the copy. */
int vsym_mountinfo_copy_id(const struct vsym_mount_table *before, uint64_t id,
			   const struct vsym_mount_table *now, uint64_t *new_id);

#endif
