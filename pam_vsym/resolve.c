#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cred.h"
#include "resolve.h"

/* File systems a bind may be made on. An allow list: pseudo file systems
 * (procfs, sysfs, devpts, cgroup, ...) are refused because a mount there
 * changes what the kernel or other users see. */
static const unsigned long ordinary_fs[] = {
	EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC, BTRFS_SUPER_MAGIC, TMPFS_MAGIC,
	OVERLAYFS_SUPER_MAGIC, NFS_SUPER_MAGIC, 0x2fc12fc1 /* zfs */,
	F2FS_SUPER_MAGIC, 0xca451a4e /* bcachefs */, REISERFS_SUPER_MAGIC,
	0x3153464a /* jfs */, 0xff534d42 /* cifs */, 0xfe534d42 /* smb2 */,
	0x00c36400 /* ceph */, ECRYPTFS_SUPER_MAGIC, MSDOS_SUPER_MAGIC,
	0x5346544e /* ntfs */, 0x2011bab0 /* exfat */, 0x65735546 /* fuse */,
	SQUASHFS_MAGIC,
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
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return true;
	}
	return false;
}

/* openat2 as the user, and fstat as the user too: an O_PATH open of
 * /proc/PID succeeds under hidepid=invisible, and only getattr hides the
 * process. Returns the fd or -errno. */
static int open_as_user(const struct vsym_user *user, const char *path,
			unsigned long long resolve, struct stat *st, struct vsym_error *err)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = resolve,
	};
	struct vsym_saved_cred saved;
	int fd, e;

	if (vsym_cred_become(&saved, user, err) < 0)
		return -EPERM;
	fd = (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
	e = errno;
	if (fd >= 0 && fstat(fd, st) < 0) {
		e = errno;
		close(fd);
		fd = -1;
	}
	if (vsym_cred_restore(&saved, err) < 0) {
		if (fd >= 0)
			close(fd);
		return -EPERM;
	}
	return fd >= 0 ? fd : -e;
}

/* Reads the canonical path of fd back from the kernel. */
static int path_of_fd(int fd, char *buf, size_t size, struct vsym_error *err)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, size - 1);
	if (n < 0 || (size_t)n >= size - 1) {
		vsym_error_set(err, "cannot read back the path of an open file (is /proc mounted?)");
		vsym_error_cause(err, "%s", err ? err->text : "");
		return -1;
	}
	buf[n] = '\0';
	/* Paths go into logs: a symlink, or a rename while this runs, may lead
	 * to a name holding a newline that would forge a log line. Checked
	 * before any message quotes the path. */
	for (ssize_t i = 0; i < n; i++) {
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) {
			vsym_error_set(err, "a path holds a control character; rename it");
			vsym_error_cause(err, "a path holds a control character");
			return -1;
		}
	}
	if (buf[0] != '/' || (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)) {
		vsym_error_set(err, "%s was removed while being checked", buf);
		vsym_error_cause(err, "a path was removed while being checked");
		return -1;
	}
	return 0;
}

static int resolve(const struct vsym_user *user, const char *path, unsigned long long flags,
		   const char *what, struct vsym_resolved *out, struct vsym_error *err)
{
	int fd;

	out->fd = -1;
	if (path[0] != '/') {
		vsym_error_set(err, "%s %s is not an absolute path", what, path);
		vsym_error_cause(err, "the %s is not an absolute path", what);
		return -1;
	}
	fd = open_as_user(user, path, flags, &out->st, err);
	if (fd == -ENOENT) {
		vsym_error_set(err, "%s %s does not exist", what, path);
		vsym_error_cause(err, "the %s does not exist", what);
		return -ENOENT;
	}
	/* ELOOP also for a magic link (/proc/self/fd/N), under either flag. */
	if (fd == -ELOOP) {
		vsym_error_set(err, "%s %s goes through a symbolic link; name the real path", what, path);
		vsym_error_cause(err, "the %s goes through a symbolic link", what);
		return -1;
	}
	if (fd < 0) {
		vsym_error_set(err, "%s %s cannot be reached by %s: %s", what, path, user->name, strerror(-fd));
		vsym_error_cause(err, "the %s cannot be reached as the user: %s", what, strerror(-fd));
		return -1;
	}
	out->fd = fd;
	if (path_of_fd(fd, out->path, sizeof(out->path), err) < 0) {
		vsym_resolved_close(out);
		return -1;
	}
	if (!S_ISDIR(out->st.st_mode) && !S_ISREG(out->st.st_mode)) {
		vsym_resolved_close(out);
		vsym_error_set(err, "%s %s is neither a directory nor a regular file", what, path);
		vsym_error_cause(err, "the %s is neither a directory nor a regular file", what);
		return -1;
	}
	return 0;
}

int vsym_resolve_source(const struct vsym_user *user, const char *path,
			struct vsym_resolved *out, struct vsym_error *err)
{
	vsym_error_clear(err);
	return resolve(user, path, RESOLVE_NO_MAGICLINKS, "source", out, err);
}

int vsym_check_target(const struct vsym_user *user, const struct vsym_resolved *t,
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

int vsym_open_target(const struct vsym_user *user, const char *path,
		     struct vsym_resolved *out, struct vsym_error *err)
{
	vsym_error_clear(err);
	out->fd = -1;
	if (has_dot_component(path)) {
		vsym_error_set(err, "target %s has a '.' or '..' component; name the real path", path);
		vsym_error_cause(err, "the target has a '.' or '..' component");
		return -1;
	}
	return resolve(user, path, RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, "target", out, err);
}

int vsym_resolve_target(const struct vsym_user *user, const char *path,
			struct vsym_resolved *out, struct vsym_error *err)
{
	int rc = vsym_open_target(user, path, out, err);

	if (rc < 0)
		return rc;
	if (vsym_check_target(user, out, err) < 0) {
		vsym_resolved_close(out);
		return -1;
	}
	return 0;
}

void vsym_resolved_close(struct vsym_resolved *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}
