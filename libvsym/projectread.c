/* Reading a project file: found by vsym_walk (never into FUSE), no symlink
 * as the last component, regular files only (a FIFO is refused without
 * blocking), at most VSYM_PROJECT_MAX_SIZE bytes; a directory cache makes
 * each miss of a search one lookup. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"
#include "project.h"
#include "projectread.h"
#include "resolve.h"

/* Opens path for reading, or returns -errno / -1 with err set. */
static int open_project_file(const char *path, struct vsym_error *err)
{
	struct vsym_error why = { .text = "" };
	int fd = vsym_walk(path, VSYM_LINKS_FOLLOW_DIRS, &why), rfd;

	if (fd == -ENOENT || fd == -ENOTDIR)
		return -ENOENT;
	if (fd == -ELOOP)
		return vsym_error_set(err, "%s: a symbolic link; a project file must be a regular file, so it is refused", path);
	if (fd < 0 && why.text[0] != '\0')
		return vsym_error_set(err, "%s: %s; the file is refused", path, why.text);
	if (fd < 0)
		return vsym_error_set(err, "%s: cannot be read (%s); the file is refused", path, strerror(-fd));
	rfd = vsym_file_reopen_for_reading(fd);
	close(fd);
	if (rfd < 0)
		return vsym_error_set(err, "%s: cannot be read (%s); the file is refused", path, strerror(errno));
	return rfd;
}

void vsym_projectread_dir_close(struct vsym_projectread_dir *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->dir);
	c->dir = NULL;
	c->fd = -1;
}

/* True only when path's directory, walked, surely has no entry of its
 * name: one O_PATH lookup of that one name, which neither leaves the
 * directory's mount nor follows a link (nothing of a mount on the name,
 * FUSE or not, is called). Any other answer, or a directory that could
 * not be walked, leaves the verdict to the full walk of path. */
static bool surely_absent(struct vsym_projectread_dir *c, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = (size_t)(slash - path);
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (c->dir == NULL || strlen(c->dir) != dirlen || strncmp(c->dir, path, dirlen) != 0) {
		struct vsym_error ignored;

		vsym_projectread_dir_close(c);
		if ((c->dir = strndup(path, dirlen)) == NULL)
			return false;
		c->fd = vsym_walk(dirlen > 0 ? c->dir : "/", VSYM_LINKS_FOLLOW, &ignored);
		if (c->fd < 0)
			c->fd = -1;
	}
	if (c->fd < 0 || slash[1] == '\0')
		return false;
	fd = (int)syscall(SYS_openat2, c->fd, slash + 1, &how, sizeof(how));
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == ENOENT;
}

int vsym_projectread_file(void *ctx, const char *path, char **text, size_t *len,
			  struct vsym_error *err)
{
	cleanup_fd int fd = -1;
	cleanup_free char *buf = NULL;
	struct vsym_error why;
	struct stat st;

	if (ctx != NULL && surely_absent(ctx, path))
		return -ENOENT;
	fd = open_project_file(path, err);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return vsym_error_set(err, "%s: not a regular file; the file is refused", path);
	if ((uintmax_t)st.st_size > VSYM_PROJECT_MAX_SIZE)
		return vsym_error_set(err, "%s: larger than %d bytes; the file is refused", path, VSYM_PROJECT_MAX_SIZE);
	buf = malloc(VSYM_PROJECT_MAX_SIZE + 1);
	if (buf == NULL)
		return vsym_error_set(err, "out of memory");
	if (vsym_file_read_fd(fd, path, buf, VSYM_PROJECT_MAX_SIZE, len, &why) < 0)
		return vsym_error_set(err, "%s; the file is refused", why.text);
	*text = steal_pointer(&buf);
	return 0;
}

/* The directory must be one the caller can enter, reached by the walk;
 * kept in cache, where the search starts. */
int vsym_projectread_enter_dir(const char *dir, struct vsym_projectread_dir *cache, struct vsym_error *err)
{
	struct vsym_error why = { .text = "" };
	int fd = dir[0] == '/' ? vsym_walk(dir, VSYM_LINKS_FOLLOW, &why) : -EINVAL;
	struct stat st;
	bool ok;

	if (fd < 0) {
		vsym_error_set(err, "%s is not a directory you can enter%s%s", dir, why.text[0] ? ": " : "", why.text);
		return -ENOTDIR;
	}
	ok = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) &&
	     faccessat(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) == 0;
	if (!ok) {
		close(fd);
		vsym_error_set(err, "%s is not a directory you can enter", dir);
		return -ENOTDIR;
	}
	/* Keyed as the search names it: "/" holds "/.vsym". */
	cache->dir = strdup(strcmp(dir, "/") == 0 ? "" : dir);
	cache->fd = cache->dir != NULL ? fd : -1;
	if (cache->dir == NULL)
		close(fd);
	return 0;
}

int vsym_projectread_mtime(void *ctx, const char *path, struct timespec *mtime)
{
	struct vsym_error ignored;
	struct stat st;
	int fd, rc;

	if (ctx != NULL && surely_absent(ctx, path))
		return -1;
	fd = vsym_walk(path, VSYM_LINKS_FOLLOW_DIRS, &ignored);
	if (fd < 0)
		return -1;
	rc = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
	close(fd);
	if (rc == 0)
		*mtime = st.st_mtim;
	return rc;
}
