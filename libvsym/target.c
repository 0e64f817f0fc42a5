/* Bind targets: opened as the user without following a link, checked
 * (owner, file system; system targets by systarget.c), and made when
 * create = true asks for it (doc/security.md invariant 3). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cred.h"
#include "expand.h"
#include "policy.h"
#include "resolve.h"
#include "systarget.h"
#include "target.h"

/* File systems a bind may be made on. An allow list: pseudo file systems
 * (procfs, sysfs, devpts, cgroup, ...) are refused because a mount there
 * changes what the kernel or other users see. */
static const unsigned long ordinary_fs[] = {
	EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC, BTRFS_SUPER_MAGIC, TMPFS_MAGIC,
	OVERLAYFS_SUPER_MAGIC, NFS_SUPER_MAGIC, 0x2fc12fc1 /* zfs */,
	F2FS_SUPER_MAGIC, 0xca451a4e /* bcachefs */, REISERFS_SUPER_MAGIC,
	0x3153464a /* jfs */, 0xff534d42 /* cifs */, 0xfe534d42 /* smb2 */,
	0x00c36400 /* ceph */, ECRYPTFS_SUPER_MAGIC, MSDOS_SUPER_MAGIC,
	0x5346544e /* ntfs */, 0x2011bab0 /* exfat */, SQUASHFS_MAGIC,
};

static bool is_ordinary_fs(unsigned long type)
{
	for (size_t i = 0; i < sizeof(ordinary_fs) / sizeof(ordinary_fs[0]); i++)
		if (ordinary_fs[i] == type)
			return true;
	return false;
}

static bool has_dot_component(const char *path)
{
	for (const char *p = path; *p != '\0'; p += strcspn(p, "/")) {
		size_t n;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (vsym_is_dot_component(p, n))
			return true;
	}
	return false;
}

int vsym_target_check(const struct vsym_user *user, const struct vsym_resolved *t,
		      struct vsym_error *err)
{
	struct statfs fs;

	if (t->st.st_uid != user->uid) {
		vsym_error_set(err, "target %s is owned by uid %u, not by %s; a bind goes only on your own files",
			       t->path, (unsigned)t->st.st_uid, user->name);
		vsym_error_cause(err, "the target is owned by uid %u, not by the user", (unsigned)t->st.st_uid);
		return -1;
	}
	if (fstatfs(t->fd, &fs) < 0) {
		vsym_error_set(err, "cannot read the file system of %s: %s", t->path, strerror(errno));
		vsym_error_cause(err, "cannot read the file system of the target");
		return -1;
	}
	if (!is_ordinary_fs((unsigned long)fs.f_type)) {
		vsym_error_set(err, "target %s is on a special file system (type 0x%lx); refused",
			       t->path, (unsigned long)fs.f_type);
		vsym_error_cause(err, "the target is on a special file system (type 0x%lx)", (unsigned long)fs.f_type);
		return -1;
	}
	return 0;
}

int vsym_target_open(const struct vsym_user *user, const char *path,
		     struct vsym_resolved *out, struct vsym_error *err)
{
	vsym_error_clear(err);
	out->fd = -1;
	if (has_dot_component(path)) {
		vsym_error_set(err, "target %s has a '.' or '..' component; name the real path", path);
		vsym_error_cause(err, "the target has a '.' or '..' component");
		return -1;
	}
	return vsym_resolve_as_user(user, path, VSYM_LINKS_REFUSE, "target", out, err);
}

int vsym_target_resolve(const struct vsym_user *user, const char *path,
			struct vsym_resolved *out, struct vsym_error *err)
{
	int rc = vsym_target_open(user, path, out, err);

	if (rc < 0)
		return rc;
	if (vsym_target_check(user, out, err) < 0) {
		vsym_resolved_close(out);
		return -1;
	}
	return 0;
}

/* A target in the home must be the user's own; one outside it is a system
 * target, which only root may have made. */
int vsym_target_check_fresh(const struct vsym_user *user, const struct vsym_resolved *target,
			    struct vsym_error *detail)
{
	if (vsym_path_within(user->home, target->path))
		return vsym_target_check(user, target, detail);
	return vsym_systarget_check_target(target, detail);
}

/* The parent of a home target, as the user: an existing directory of the
 * user's own. Returns its name's start in path, or NULL with detail set. */
static const char *open_parent(const struct vsym_user *user, const char *path,
			       struct vsym_resolved *parent, struct vsym_error *detail)
{
	const char *base = strrchr(path, '/');
	char dir[PATH_MAX];

	if (base == NULL || base[1] == '\0' || !vsym_path_within(user->home, path) ||
	    strcmp(path, user->home) == 0) {
		vsym_error_set(detail, "target %s does not exist; only a directory in your home is made for you", path);
		return NULL;
	}
	snprintf(dir, sizeof(dir), "%.*s", base == path ? 1 : (int)(base - path), path);
	if (vsym_target_open(user, dir, parent, detail) < 0)
		return NULL;
	if (!S_ISDIR(parent->st.st_mode) || parent->st.st_uid != user->uid) {
		vsym_error_set(detail, "target %s does not exist, and %s is not a directory of yours to make it in",
			       path, parent->path);
		vsym_resolved_close(parent);
		return NULL;
	}
	return base + 1;
}

/* mkdir as the user, then 0755 whatever the umask. */
static int mkdir_as_user(const struct vsym_user *user, const struct vsym_resolved *parent,
			 const char *name, struct vsym_error *detail)
{
	struct vsym_saved_cred saved;
	int fd = -1, rc;

	if (vsym_cred_become(&saved, user, detail) < 0)
		return -1;
	rc = mkdirat(parent->fd, name, 0755);
	if (rc == 0)
		fd = openat(parent->fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rc == 0)
		rc = fd >= 0 ? fchmod(fd, 0755) : -1;
	if (rc < 0)
		vsym_error_set(detail, "cannot make the target %s/%s: %s", parent->path, name, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (vsym_cred_restore(&saved, detail) < 0)
		return -1;
	return rc;
}

/* create = true: makes a missing home target as the user. Returns 0 (it
 * is there now, or something else is wrong that opening it will say),
 * 1 (it is missing and would be made: a dry run), or -1 with detail set. */
int vsym_target_make_missing(const struct vsym_user *user, const char *path, bool dry_run,
			     struct vsym_error *detail)
{
	cleanup_resolved struct vsym_resolved target = { .fd = -1 };
	cleanup_resolved struct vsym_resolved parent = { .fd = -1 };
	const char *name;

	if (vsym_target_open(user, path, &target, detail) != -ENOENT)
		return 0;
	name = open_parent(user, path, &parent, detail);
	if (name == NULL)
		return -1;
	return dry_run ? 1 : mkdir_as_user(user, &parent, name, detail);
}
