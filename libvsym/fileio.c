#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fileio.h"
#include "cred.h"
#include "resolve.h"

static int check_file(const char *path, const struct stat *st, uid_t owner,
		      size_t max, struct vsym_error *err)
{
	if (!S_ISREG(st->st_mode))
		return vsym_error_set(err, "%s is not a regular file; vsym reads only regular files", path);
	if (st->st_uid != owner)
		return vsym_error_set(err, "%s is owned by uid %u, not %u; chown it", path,
				      (unsigned)st->st_uid, (unsigned)owner);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return vsym_error_set(err, "%s is writable by group or others; chmod go-w it", path);
	if ((uintmax_t)st->st_size > max)
		return vsym_error_set(err, "%s is larger than %zu bytes", path, max);
	return 0;
}

static int open_error(const char *path, int e, const struct vsym_error *why, struct vsym_error *err)
{
	if (e == ENOENT) {
		vsym_error_set(err, "%s does not exist", path);
		return -ENOENT;
	}
	if (e == ELOOP)
		return vsym_error_set(err, "%s is a symbolic link; vsym reads only a regular file", path);
	if (why->text[0] != '\0')
		return vsym_error_set(err, "cannot read %s: %s", path, why->text);
	return vsym_error_set(err, "cannot open %s: %s", path, strerror(e));
}

int vsym_file_reopen_for_reading(int fd)
{
	char link[64];

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	return open(link, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

int vsym_file_read_fd(int fd, const char *path, char *buf, size_t max, size_t *len,
		      struct vsym_error *err)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return vsym_error_set(err, "cannot read %s: %s", path, strerror(errno));
		if (r == 0 || (n += (size_t)r) > max)
			break;
	}
	if (n > max)
		return vsym_error_set(err, "%s grew past %zu bytes while being read", path, max);
	buf[n] = '\0';
	*len = n;
	return 0;
}

/* Reads at most max bytes of a checked file into buf (max + 1 bytes
 * long). The file is found by vsym_walk, so no name is looked up in a
 * FUSE mount, and opened for reading with the caller's credentials: a
 * file they may not read is denied at the open, before any check speaks. */
static int read_checked(const char *path, uid_t owner, char *buf, size_t max,
			size_t *len, struct vsym_error *err)
{
	struct vsym_error why;
	struct stat st;
	int fd, rfd, rc;

	vsym_error_clear(&why);
	fd = vsym_walk(path, VSYM_LINKS_FOLLOW_DIRS, &why);
	if (fd < 0)
		return open_error(path, -fd, &why, err);
	rfd = vsym_file_reopen_for_reading(fd);
	close(fd);
	if (rfd < 0)
		return open_error(path, errno, &why, err);
	if (fstat(rfd, &st) < 0)
		rc = vsym_error_set(err, "cannot stat %s: %s", path, strerror(errno));
	else
		rc = check_file(path, &st, owner, max, err);
	if (rc == 0)
		rc = vsym_file_read_fd(rfd, path, buf, max, len, err);
	close(rfd);
	return rc;
}

int vsym_file_read_trusted(const char *path, uid_t owner, size_t max,
			   char **buf, size_t *len, struct vsym_error *err)
{
	cleanup_free char *b = malloc(max + 1);
	int rc;

	vsym_error_clear(err);
	if (b == NULL)
		return vsym_error_set(err, "out of memory");
	rc = read_checked(path, owner, b, max, len, err);
	if (rc < 0)
		return rc;
	*buf = steal_pointer(&b);
	return 0;
}

int vsym_file_read_as_user(const char *path, const struct vsym_user *user, size_t max,
			   char **buf, size_t *len, struct vsym_error *err)
{
	struct vsym_saved_cred saved;
	int rc;

	vsym_error_clear(err);
	if (vsym_cred_become(&saved, user, err) < 0)
		return -1;
	rc = vsym_file_read_trusted(path, user->uid, max, buf, len, err);
	if (vsym_cred_restore(&saved, err) < 0) {
		if (rc == 0)
			free(*buf);
		return -1;
	}
	return rc;
}

/* Writes all of text to fd. */
static int write_all(int fd, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

int vsym_file_replace(const char *path, const char *text, size_t len, mode_t mode,
		      struct vsym_error *err)
{
	char tmp[PATH_MAX];
	int fd, rc, e;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return vsym_error_set(err, "%s: the path is too long", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return vsym_error_set(err, "cannot write beside %s: %s", path, strerror(errno));
	rc = fchmod(fd, mode) == 0 && write_all(fd, text, len) == 0 && fsync(fd) == 0 ? 0 : -1;
	e = errno;
	if (close(fd) < 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		rc = -1;
		e = errno;
	}
	if (rc == 0)
		return 0;
	unlink(tmp);
	return vsym_error_set(err, "cannot write %s: %s", path, strerror(e));
}
