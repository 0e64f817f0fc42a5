/* The mount layer (mount.h): every mount syscall vsym makes as root, and
 * nothing else. Three groups, in file order:
 *  - the session's namespace (vsym_ns_create: unshare, then / made a slave
 *    so nothing goes back to the host, invariant 1), charged to the user
 *    it is for (vsym_mount_charge_to);
 *  - the session marker on /run/vsym (vsym_marker_create/_check: a fresh
 *    root-owned tmpfs only vsym can make, invariant 2);
 *  - binds (vsym_tree_prepare/_attach/_attach_beneath, vsym_mount_detach):
 *    a detached, nosuid,nodev copy of the source attached onto a target
 *    that resolve.c opened and checked, by descriptor, never by a path.
 * The raw syscalls are wrapped at the top (glibc lacks most of them); why
 * each step is safe is said at the step. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <linux/nsfs.h>
#include <linux/stat.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "cred.h"
#include "mount.h"

#ifndef MOVE_MOUNT_BENEATH
#define MOVE_MOUNT_BENEATH 0x00000200 /* Linux 6.5; Debian 12's headers lack it */
#endif

#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID _IOR(0xb7, 0x5, uint64_t) /* Linux 6.11 */
#endif

/* The initial user namespace always has this inode (PROC_USER_INIT_INO). */
#define INIT_USER_NS_INO 0xEFFFFFFDUL
#define MARKER_MAX 256

/* glibc 2.36 has no wrappers for these, and its <sys/mount.h> clashes with
 * <linux/mount.h>: call the kernel directly. */
#define VSYM_MNT_DETACH 2 /* <sys/mount.h>'s MNT_DETACH */

static int sys_umount2(const char *path, int flags)
{
	return (int)syscall(SYS_umount2, path, flags);
}

static int sys_mount(const char *src, const char *dst, const char *type,
		     unsigned long flags, const void *data)
{
	return (int)syscall(SYS_mount, src, dst, type, flags, data);
}

static int sys_open_tree(int dfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int sys_move_mount(int from_dfd, const char *from, int to_dfd, const char *to,
			  unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dfd, from, to_dfd, to, flags);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned int flags,
			     struct mount_attr *attr)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

static int sys_fsopen(const char *fs, unsigned int flags)
{
	return (int)syscall(SYS_fsopen, fs, flags);
}

static int sys_fsconfig(int fd, unsigned int cmd, const char *key, const char *value)
{
	return (int)syscall(SYS_fsconfig, fd, cmd, key, value, 0);
}

static int sys_fsmount(int fd, unsigned int flags, unsigned int attrs)
{
	return (int)syscall(SYS_fsmount, fd, flags, attrs);
}

/* A number from /proc/sys, or -1. */
static long read_sysctl(const char *path)
{
	FILE *f = fopen(path, "re");
	long value = -1;

	if (f != NULL) {
		if (fscanf(f, "%ld", &value) != 1)
			value = -1;
		fclose(f);
	}
	return value;
}

/* strerror, but ENOSPC from attaching a mount means the namespace would
 * pass the kernel's fs.mount-max: say so, with the limit, so the log
 * names it. */
static const char *mount_strerror(int e)
{
	static char text[160];

	if (e != ENOSPC)
		return strerror(e);
	snprintf(text, sizeof(text), "too many mounts: the kernel's fs.mount-max limit (%ld) is reached",
		 read_sysctl("/proc/sys/fs/mount-max"));
	return text;
}

/* Whose user.max_mnt_namespaces the namespaces made here count against:
 * the effective uid's, or the one vsym_mount_charge_to named. */
static bool charge_set;
static uid_t charge_uid;

void vsym_mount_charge_to(uid_t uid)
{
	charge_uid = uid;
	charge_set = true;
}

/* strerror, but ENOSPC from making a namespace (unshare, and the anonymous
 * ones of fsmount and open_tree) is the per-user namespace count. */
static const char *ns_strerror(int e)
{
	static char text[200];

	if (e != ENOSPC)
		return strerror(e);
	snprintf(text, sizeof(text),
		 "too many mount namespaces: the user.max_mnt_namespaces limit (%ld) of uid %u is reached",
		 read_sysctl("/proc/sys/user/max_mnt_namespaces"), (unsigned)(charge_set ? charge_uid : geteuid()));
	return text;
}

/* A syscall that makes a namespace goes between these two when a charge
 * is set. */
static int charge_begin(struct vsym_saved_charge *saved, struct vsym_error *err)
{
	return charge_set ? vsym_cred_charge_begin(charge_uid, saved, err) : 0;
}

static int charge_end(const struct vsym_saved_charge *saved, struct vsym_error *err)
{
	return charge_set ? vsym_cred_charge_end(saved, err) : 0;
}

int vsym_ns_create(struct vsym_error *err)
{
	struct vsym_saved_charge saved;
	int rc, e;

	if (charge_begin(&saved, err) < 0)
		return -1;
	rc = unshare(CLONE_NEWNS);
	e = errno;
	if (charge_end(&saved, err) < 0)
		return -1;
	if (rc < 0)
		return vsym_error_set(err, "cannot create a mount namespace: %s", ns_strerror(e));
	/* Slave, not private: the host's later mounts (automounts, media)
	 * still reach the session, and nothing of the session leaks out. */
	if (sys_mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return vsym_error_set(err, "cannot make / a slave mount: %s", strerror(errno));
	return 0;
}

/* /run/vsym is made once on the real /run, root-owned; /run is writable only
 * by root, so no user can put anything else there. */
static int open_run_dir(struct vsym_error *err)
{
	int fd;

	if (mkdir(VSYM_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return vsym_error_set(err, "cannot create %s: %s", VSYM_RUN_DIR, strerror(errno));
	fd = open(VSYM_RUN_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return vsym_error_set(err, "cannot open %s: %s", VSYM_RUN_DIR, strerror(errno));
	return fd;
}

/* A new tmpfs, not yet attached anywhere: nobody can see it half-made. */
static int make_marker_fs(struct vsym_error *err)
{
	cleanup_fd int fs = sys_fsopen("tmpfs", FSOPEN_CLOEXEC);
	cleanup_fd int mnt = -1;
	struct vsym_saved_charge saved;
	int e;

	if (fs < 0)
		return vsym_error_set(err, "cannot open tmpfs: %s", strerror(errno));
	if (sys_fsconfig(fs, FSCONFIG_SET_STRING, "source", "vsym") < 0 ||
	    sys_fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755") < 0 ||
	    /* Room for max_binds records of escaped PATH_MAX paths, the
	     * record's temporary copy and the journal; used only as needed. */
	    sys_fsconfig(fs, FSCONFIG_SET_STRING, "size", "64m") < 0 ||
	    sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL) < 0)
		return vsym_error_set(err, "cannot create the session marker tmpfs: %s", strerror(errno));
	/* The superblock is made and root-owned already: only the (anonymous)
	 * namespace of the new mount is charged. */
	if (charge_begin(&saved, err) < 0)
		return -1;
	mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	e = errno;
	if (charge_end(&saved, err) < 0)
		return -1;
	if (mnt < 0)
		return vsym_error_set(err, "cannot mount the session marker tmpfs: %s", ns_strerror(e));
	return steal_fd(&mnt);
}

/* This mount namespace's inode number and, where the kernel has one
 * (Linux 6.11), its 64-bit id: inode numbers are reused, ids are not (0
 * when there is none). One open of /proc/self/ns/mnt serves both: a
 * procfs lookup is a good part of what a marker costs. */
static int this_mntns(unsigned long *ino, uint64_t *id)
{
	cleanup_fd int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0)
		return -1;
	*ino = (unsigned long)st.st_ino;
	if (ioctl(fd, NS_GET_MNTNS_ID, id) < 0)
		*id = 0;
	return 0;
}

static int write_marker(int mnt, uid_t uid, struct vsym_error *err)
{
	char text[MARKER_MAX];
	unsigned long ns;
	uint64_t ns_id;
	cleanup_fd int fd = -1;
	int n;

	if (this_mntns(&ns, &ns_id) < 0)
		return vsym_error_set(err, "cannot read this mount namespace: %s", strerror(errno));
	n = snprintf(text, sizeof(text), "vsym-session 1\nuid %u\nmntns %lu\nmntns_id %llu\n",
		     (unsigned)uid, ns, (unsigned long long)ns_id);
	fd = openat(mnt, VSYM_MARKER_FILE, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444);
	if (fd < 0)
		return vsym_error_set(err, "cannot write the session marker: %s", strerror(errno));
	if (write(fd, text, (size_t)n) != n || fchown(fd, 0, 0) < 0)
		return vsym_error_set(err, "cannot write the session marker: %s", strerror(errno));
	return 0;
}

int vsym_marker_create(uid_t uid, struct vsym_error *err)
{
	cleanup_fd int dir = open_run_dir(err);
	cleanup_fd int mnt = -1;

	if (dir < 0)
		return -1;
	mnt = make_marker_fs(err);
	if (mnt < 0 || write_marker(mnt, uid, err) < 0)
		return -1;
	if (sys_move_mount(mnt, "", dir, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return vsym_error_set(err, "cannot attach the session marker on %s: %s", VSYM_RUN_DIR,
				      mount_strerror(errno));
	return 0;
}

/* The namespace must belong to the initial user namespace: in a user's own
 * user namespace anybody may mount a look-alike marker. */
static int check_ns_owner(struct vsym_error *err)
{
	cleanup_fd int ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	cleanup_fd int owner = -1;
	struct stat st;

	if (ns < 0)
		return vsym_error_set(err, "cannot open this mount namespace: %s", strerror(errno));
	owner = ioctl(ns, NS_GET_USERNS);
	if (owner < 0)
		return vsym_error_set(err, "cannot find the owner of this mount namespace: %s", strerror(errno));
	if (fstat(owner, &st) < 0 || (unsigned long)st.st_ino != INIT_USER_NS_INO)
		return vsym_error_set(err, "this mount namespace belongs to a user namespace; not a vsym session");
	return 0;
}

/* The marker counts only on a tmpfs mounted on /run/vsym, read through
 * the descriptor of that mount: a file that merely sits there does not. */
static int open_marker(struct vsym_error *err)
{
	cleanup_fd int dir = open(VSYM_RUN_DIR, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct statfs fs;
	uint64_t id;
	int fd;

	if (dir < 0)
		return vsym_error_set(err, "not in a vsym session (no session marker)");
	if (vsym_mount_root_id(dir, &id) < 0 || fstatfs(dir, &fs) < 0 || fs.f_type != TMPFS_MAGIC)
		return vsym_error_set(err, "not in a vsym session (no session marker)");
	fd = openat(dir, VSYM_MARKER_FILE, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return vsym_error_set(err, "not in a vsym session (no session marker)");
	return fd;
}

static int read_marker(char *text, size_t size, struct vsym_error *err)
{
	cleanup_fd int fd = open_marker(err);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 0222) != 0)
		return vsym_error_set(err, "the session marker is not a root-owned read-only file; not a vsym session");
	n = read(fd, text, size - 1);
	if (n <= 0)
		return vsym_error_set(err, "cannot read the session marker");
	text[n] = '\0';
	return 0;
}

int vsym_marker_check(uid_t uid, struct vsym_error *err)
{
	char text[MARKER_MAX];
	unsigned owner_uid, version;
	unsigned long marker_ns, ns;
	unsigned long long marker_id;
	uint64_t ns_id;

	if (check_ns_owner(err) < 0 || read_marker(text, sizeof(text), err) < 0)
		return -1;
	if (sscanf(text, "vsym-session %u\nuid %u\nmntns %lu\nmntns_id %llu\n", &version, &owner_uid,
		   &marker_ns, &marker_id) != 4 || version != 1)
		return vsym_error_set(err, "the session marker is malformed; not a vsym session");
	if (this_mntns(&ns, &ns_id) < 0 || ns != marker_ns || (marker_id != 0 && marker_id != ns_id))
		return vsym_error_set(err, "not in a vsym session (this namespace was copied from one)");
	if (owner_uid != (unsigned)uid)
		return vsym_error_set(err, "this vsym session belongs to uid %u, not to you", owner_uid);
	return 0;
}

/* A detached recursive copy of the source; nothing is visible until moved. */
static int clone_source(const struct vsym_resolved *source, struct vsym_error *err)
{
	struct vsym_saved_charge saved;
	cleanup_fd int tree = -1;
	int e;

	/* The copy lives in an anonymous namespace until it is attached. */
	if (charge_begin(&saved, err) < 0)
		return -1;
	tree = sys_open_tree(source->fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
	e = errno;
	if (charge_end(&saved, err) < 0)
		return -1;
	if (tree < 0)
		return vsym_error_set(err, "cannot clone %s: %s", source->path, ns_strerror(e));
	return steal_fd(&tree);
}

/* nosuid,nodev on every mount of the copy, submounts included, before it is
 * attached: a setuid binary or a device in the source gains nothing. */
static int restrict_tree(int tree, bool readonly, const char *path, struct vsym_error *err)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (readonly ? MOUNT_ATTR_RDONLY : 0),
		.propagation = MS_PRIVATE,
	};

	if (sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
		return vsym_error_set(err, "cannot make the copy of %s nosuid,nodev: %s", path, strerror(errno));
	return 0;
}

int vsym_mount_id(int fd, uint64_t *id)
{
	struct statx stx;

	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID))
		return -1;
	*id = stx.stx_mnt_id;
	return 0;
}

int vsym_mount_root_id(int fd, uint64_t *id)
{
	struct statx stx;

	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx) < 0 ||
	    !(stx.stx_mask & STATX_MNT_ID) || !(stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) ||
	    !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT))
		return -1;
	*id = stx.stx_mnt_id;
	return 0;
}

int vsym_tree_prepare(const struct vsym_resolved *source, const struct vsym_resolved *target,
		      bool readonly, uint64_t *mnt_id, struct vsym_error *err)
{
	cleanup_fd int tree = -1;

	if (S_ISDIR(source->st.st_mode) != S_ISDIR(target->st.st_mode))
		return vsym_error_set(err, "cannot bind %s on %s: one is a directory, the other is not",
				      source->path, target->path);
	tree = clone_source(source, err);
	if (tree < 0)
		return -1;
	if (restrict_tree(tree, readonly, source->path, err) < 0 || vsym_mount_id(tree, mnt_id) < 0) {
		if (err != NULL && err->text[0] == '\0')
			vsym_error_set(err, "cannot read the id of the copy of %s", source->path);
		return -1;
	}
	return steal_fd(&tree);
}

int vsym_tree_attach(int tree, const struct vsym_resolved *target, struct vsym_error *err)
{
	/* Onto the target's descriptor: the object that was checked, not
	 * whatever its path names now. */
	if (sys_move_mount(tree, "", target->fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return vsym_error_set(err, "cannot mount on %s: %s", target->path, mount_strerror(errno));
	return 0;
}

int vsym_tree_attach_beneath(int tree, const struct vsym_resolved *top, struct vsym_error *err)
{
	if (sys_move_mount(tree, "", top->fd, "",
			   MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH | MOVE_MOUNT_BENEATH) == 0)
		return 0;
	if (errno == EINVAL)
		return -EINVAL;
	return vsym_error_set(err, "cannot mount beneath the bind on %s: %s", top->path, mount_strerror(errno));
}

int vsym_mount_detach(int fd, uint64_t mnt_id, struct vsym_error *err)
{
	char path[64];
	uint64_t id;

	if (vsym_mount_id(fd, &id) < 0 || id != mnt_id)
		return vsym_error_set(err, "the mount there is not the one vsym made; left alone");
	/* The magic link names exactly the mount fd is on. MNT_DETACH, not
	 * MNT_FORCE: processes inside keep what they have open. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (sys_umount2(path, VSYM_MNT_DETACH) < 0)
		return vsym_error_set(err, "cannot unmount the old bind: %s", strerror(errno));
	return 0;
}
