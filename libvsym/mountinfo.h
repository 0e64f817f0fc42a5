/* Reading this namespace's mount table (libmount, loaded on first use:
 * libmountdl.h), for listing binds and telling whether a recorded vsym
 * mount is still there; a mount's file-system type. */
#ifndef VSYM_MOUNTINFO_H
#define VSYM_MOUNTINFO_H

#include <limits.h>
#include <stdio.h>
#include <sys/types.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct vsym_mount_info {
	char target[PATH_MAX];
	char options[256];   /* per-mount options: "ro,nosuid,nodev,..." */
	char fstype[64];     /* "ext4", "fuse.sshfs", ... */
	char source[PATH_MAX]; /* for a bind: where its root is reachable now,
				* through another mount of the same file
				* system; "" when none shows it */
};

/* Looks up the mount with id in the calling thread's mount table
 * (/proc/thread-self/mountinfo). Returns 1 when found (out filled), 0
 * when there is none, -1 with err set on failure. */
int vsym_mountinfo_lookup(uint64_t id, struct vsym_mount_info *out, struct vsym_error *err);

/* Tells for each of ids[0..n) whether a mount with that id is in this
 * namespace (present[i]), reading the mount table once. Returns 0, or -1
 * with err set. */
int vsym_mountinfo_present(const uint64_t *ids, size_t n, bool *present, struct vsym_error *err);

/* The type of the file system that the mount fd is on, learnt without
 * calling into that file system, so that a FUSE server that never answers
 * cannot stall the caller: the mount's id from statx() with
 * AT_STATX_DONT_SYNC, then statmount(2) (Linux 6.8), or the mount table
 * on older kernels. Fills type ("ext4", "fuse", "fuseblk", "fuse.sshfs").
 * Returns 0 or -1 with err set. */
int vsym_mount_fs_type(int fd, char *type, size_t size, struct vsym_error *err);

/* The same from the mount table alone: what vsym_mount_fs_type falls back
 * to where the kernel has no statmount(2). Returns 0 or -1. */
int vsym_mount_fs_type_from_table(int fd, char *type, size_t size, struct vsym_error *err);

/* What walks have read of the mount table on a kernel without
 * statmount(2) (Linux < 6.8): /proc/thread-self/mountinfo, open, read only as
 * far as a mount looked up so far, and the id, file system (its device,
 * MAJ:MIN) and type of each mount read. A walk that crosses k mounts reads
 * the table once, not k times, and stops at the last mount it needs.
 * Initialise with VSYM_MOUNT_TYPES_INIT; release with
 * vsym_mount_types_done. */
struct vsym_mount_type_seen {
	uint64_t id;
	dev_t dev;
	char type[64];
};
struct vsym_mount_types {
	FILE *file;
	struct vsym_mount_type_seen *seen;
	size_t n, cap;
	unsigned reads;	/* times the table was opened: for tests */
	dev_t ns_dev;	/* the mount namespace it was opened in */
	ino_t ns_ino;
};
#define VSYM_MOUNT_TYPES_INIT { .file = NULL }

/* vsym_mount_fs_type, with what was read of the table kept in types
 * between calls (statmount(2) first, as there). A mount is found in it by
 * its id or by its file system's device: a type belongs to the file
 * system, and a new namespace's copies of mounts (a login's) are on the
 * same ones. The table kept is used only while nothing was mounted or
 * unmounted in the namespace it was read in since it was opened (the
 * kernel flags the open file then): every mount it lists is still there,
 * so no id or device it names has passed to another mount or file system
 * (a FUSE mount never takes a gone tmpfs's place in it). In that
 * namespace it is read on as far as needed; from another, only the lines
 * read already serve. Otherwise, or when the mount is not in it, the
 * table of the calling thread's namespace is read afresh. Returns 0 or -1
 * with err set. */
int vsym_mount_fs_type_cached(int fd, struct vsym_mount_types *types, char *type, size_t size,
			      struct vsym_error *err);

void vsym_mount_types_done(struct vsym_mount_types *types);

/* True for the types of FUSE: "fuse", "fuseblk" and "fuse.SUBTYPE". */
bool vsym_fs_type_is_fuse(const char *type);

/* This namespace's mount table as read at one moment. */
struct vsym_mount_table;

/* Reads the calling thread's mount table. Returns the table, or NULL
 * with err set. */
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
