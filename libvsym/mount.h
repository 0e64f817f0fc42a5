/* The mount layer: every privileged mount syscall of vsym lives here, each
 * in one small named step with a comment saying why it is safe. Callers
 * pass file descriptors from resolve.h, never paths, for anything a user
 * controls. */
#ifndef VSYM_MOUNT_H
#define VSYM_MOUNT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "resolve.h"
#include "runlayout.h"

/* From now on every namespace the mount layer makes (vsym_ns_create, and
 * the anonymous ones of vsym_marker_create and vsym_tree_prepare) counts
 * against uid's user.max_mnt_namespaces, not the effective uid's: made
 * with euid uid and every capability kept, then back, each step checked
 * (vsym_cred_charge_begin). vsym-rebind charges its caller, so a user
 * cannot use up root's budget. Not while an identity is held. */
void vsym_mount_charge_to(uid_t uid);

/* Moves the caller into a new mount namespace whose mounts are all slaves
 * of the one it left: host mounts still propagate in, nothing propagates
 * out. Returns 0 or -1 with err set (then the caller is where it was,
 * unless the second step failed, which err says). */
int vsym_ns_create(struct vsym_error *err);

/* Marks the current namespace as a vsym session of uid: a fresh root-owned
 * tmpfs on VSYM_RUN_DIR holding VSYM_MARKER_FILE (uid and the namespace's
 * inode), attached only once complete. Only a process with CAP_SYS_ADMIN
 * over the namespace can mount there, so a user cannot forge it. */
int vsym_marker_create(uid_t uid, struct vsym_error *err);

/* Checks that the current mount namespace is a vsym session made for uid:
 * owned by the initial user namespace, with a marker whose namespace inode
 * is this one's. Returns 0, or -1 with err saying why not. */
int vsym_marker_check(uid_t uid, struct vsym_error *err);

/* Makes a detached recursive clone of source, ready to go on target:
 * nosuid and nodev on every mount of it, read-only when asked, private so
 * nothing propagates. Returns its fd (*mnt_id its mount id, known before
 * it is attached, for the journal), or -1. Nothing is visible yet. */
int vsym_tree_prepare(const struct vsym_resolved *source, const struct vsym_resolved *target,
		      bool readonly, uint64_t *mnt_id, struct vsym_error *err);

/* Attaches a prepared tree on target's descriptor. Returns 0 or -1. */
int vsym_tree_attach(int tree, const struct vsym_resolved *target, struct vsym_error *err);

/* Attaches a prepared tree beneath the mount whose root is top, so that a
 * reader of the target sees the old tree until that mount is detached.
 * Returns 0, -EINVAL when the kernel lacks MOVE_MOUNT_BENEATH (Linux < 6.5;
 * nothing changed), or -1. */
int vsym_tree_attach_beneath(int tree, const struct vsym_resolved *top, struct vsym_error *err);

/* Detaches the mount whose root fd is open on, if its id is mnt_id: only a
 * mount vsym made is ever unmounted, and never with force. */
int vsym_mount_detach(int fd, uint64_t mnt_id, struct vsym_error *err);

/* Reads the id of the mount whose root fd is open on. Returns 0, or -1
 * when fd is not the root of a mount. */
int vsym_mount_root_id(int fd, uint64_t *mnt_id);

/* Reads the id of the mount fd is on. Returns 0 or -1. */
int vsym_mount_id(int fd, uint64_t *mnt_id);

#endif
