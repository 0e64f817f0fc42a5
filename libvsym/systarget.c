#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "systarget.h"

/* Where an admin keeps the distribution's trees. Stricter than the list of
 * file systems a home target may be on: a network or FUSE file system is
 * answered by a server that is not this machine's root. */
static const unsigned long local_disk_fs[] = {
	EXT4_SUPER_MAGIC, XFS_SUPER_MAGIC, BTRFS_SUPER_MAGIC, TMPFS_MAGIC,
	OVERLAYFS_SUPER_MAGIC, 0x2fc12fc1 /* zfs */, F2FS_SUPER_MAGIC,
	0xca451a4e /* bcachefs */, SQUASHFS_MAGIC, 0x3153464a /* jfs */,
	REISERFS_SUPER_MAGIC,
};

static bool is_local_disk_fs(int fd)
{
	struct statfs fs;

	if (fstatfs(fd, &fs) < 0)
		return false;
	for (size_t i = 0; i < sizeof(local_disk_fs) / sizeof(local_disk_fs[0]); i++)
		if ((unsigned long)fs.f_type == local_disk_fs[i])
			return true;
	return false;
}

static bool root_only(const struct stat *st)
{
	return st->st_uid == 0 && (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* Returns 1 when the directory fd is open on holds nothing, 0 when it
 * holds something, -1 when it cannot be read. */
static int is_empty_dir(int fd)
{
	cleanup_fd int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	DIR *dir;
	int empty = 1;

	if (dfd < 0)
		return -1;
	dir = fdopendir(dfd);
	if (dir == NULL)
		return -1;
	steal_fd(&dfd); /* dir owns it now */
	while (empty && (d = readdir(dir)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			empty = 0;
	closedir(dir);
	return empty;
}

int vsym_systarget_check_target(const struct vsym_resolved *t, struct vsym_error *err)
{
	int empty;

	if (!S_ISDIR(t->st.st_mode))
		return vsym_error_set(err, "system target %s is not a directory; the admin makes it with mkdir", t->path);
	if (!root_only(&t->st))
		return vsym_error_set(err, "system target %s must be owned by root and not writable by group or others (chown root: and chmod 755 it)",
				      t->path);
	if (!is_local_disk_fs(t->fd))
		return vsym_error_set(err, "system target %s is not on a local disk file system; refused", t->path);
	empty = is_empty_dir(t->fd);
	if (empty < 0)
		return vsym_error_set(err, "cannot read system target %s: %s (make it 755)", t->path, strerror(errno));
	if (!empty)
		return vsym_error_set(err, "system target %s is not empty; a bind must hide nothing: name an empty directory made for vsym",
				      t->path);
	return 0;
}

/* The directories whose entries a check of a source's surface reads:
 * the top level and bin/, where the programs a system target exists for
 * are (/usr/bin/java -> /usr/lib/jvm/vsym-jdk/bin/java). */
static const char *const surface_dirs[] = { ".", "bin" };

/* At most this many entries per directory are checked; more is refused. */
#define SURFACE_MAX_ENTRIES 100000

/* Whether every entry of the directory sub of fd is root's and not
 * writable by group or others: 1 yes (also when sub is missing, or a
 * symbolic link, which is not followed), 0 no, -1 when it cannot be read
 * or is too large. Symbolic links are not followed: their own mode means
 * nothing and their targets are the admin's word, as the tree's name is. */
static int surface_root_only(int fd, const char *sub)
{
	cleanup_fd int dfd = openat(fd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct dirent *d;
	struct stat st;
	int verdict = 1;
	long n = 0;
	DIR *dir;

	if (dfd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == ELOOP ? 1 : -1;
	dir = fdopendir(dfd);
	if (dir == NULL)
		return -1;
	steal_fd(&dfd); /* dir owns it now */
	while (verdict == 1 && (d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (++n > SURFACE_MAX_ENTRIES || fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			verdict = -1;
		else if (!S_ISLNK(st.st_mode) && !root_only(&st))
			verdict = 0;
	}
	closedir(dir);
	return verdict;
}

/* What the bind shows first: the top level of source and its bin/. Only
 * a verdict is told, no entry's name: the check reads as root a directory
 * the user may not be allowed to list. */
static int check_surface(const struct vsym_resolved *source, struct vsym_error *err)
{
	for (size_t i = 0; i < sizeof(surface_dirs) / sizeof(surface_dirs[0]); i++) {
		int verdict = surface_root_only(source->fd, surface_dirs[i]);

		if (verdict < 0)
			return vsym_error_set(err, "cannot check what %s holds", source->path);
		if (verdict == 0)
			return vsym_error_set(err, "source %s is not for a system target: something at its top level or in its bin/ is not owned by root or is writable by group or others (find %s%s -mindepth 1 -maxdepth 1 ! -type l \\( ! -user root -o -perm /022 \\) names it)",
					      source->path, source->path, i == 0 ? "" : "/bin");
	}
	return 0;
}

int vsym_systarget_check_source(const struct vsym_resolved *source, struct vsym_error *err)
{
	struct stat st = source->st, up;
	cleanup_fd int fd = dup(source->fd);

	if (fd < 0)
		return vsym_error_set(err, "cannot check %s: %s", source->path, strerror(errno));
	/* ".." of a mount's root is the directory it is mounted on: the walk
	 * goes up the tree the user sees, to the namespace's root. */
	for (int depth = 0; depth < 4096; depth++) {
		cleanup_fd int parent = -1;

		if (!root_only(&st))
			return vsym_error_set(err, "source %s is not for a system target: it and every directory above it must be owned by root and not writable by group or others",
					      source->path);
		parent = openat(fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parent < 0 || fstat(parent, &up) < 0)
			return vsym_error_set(err, "cannot check the directories above %s", source->path);
		if (up.st_dev == st.st_dev && up.st_ino == st.st_ino)
			return check_surface(source, err);
		/* One step up: the directory below is done with. */
		close(fd);
		fd = steal_fd(&parent);
		st = up;
	}
	return vsym_error_set(err, "source %s is too deep", source->path);
}
