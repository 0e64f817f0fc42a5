#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "worker.h"

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

static int open_error(const char *path, int e, struct vsym_error *err)
{
	if (e == ENOENT) {
		vsym_error_set(err, "%s does not exist", path);
		return -ENOENT;
	}
	if (e == ELOOP)
		return vsym_error_set(err, "%s is a symbolic link; vsym reads only a regular file", path);
	return vsym_error_set(err, "cannot open %s: %s", path, strerror(e));
}

/* Reads at most max bytes of a checked file into buf (max + 1 bytes long),
 * allocating nothing, so that it is safe in a forked child. */
static int read_checked(const char *path, uid_t owner, char *buf, size_t max,
			size_t *len, struct vsym_error *err)
{
	struct stat st;
	size_t n = 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return open_error(path, errno, err);
	if (fstat(fd, &st) < 0 || check_file(path, &st, owner, max, err) < 0) {
		if (err != NULL && err->text[0] == '\0')
			vsym_error_set(err, "cannot stat %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (n += (size_t)r) > max)
			break;
	}
	close(fd);
	if (n > max)
		return vsym_error_set(err, "%s grew past %zu bytes while being read", path, max);
	buf[n] = '\0';
	*len = n;
	return 0;
}

int vsym_file_read_trusted(const char *path, uid_t owner, size_t max,
			   char **buf, size_t *len, struct vsym_error *err)
{
	char *b = malloc(max + 1);
	int rc;

	vsym_error_clear(err);
	if (b == NULL)
		return vsym_error_set(err, "out of memory");
	rc = read_checked(path, owner, b, max, len, err);
	if (rc < 0) {
		free(b);
		return rc;
	}
	*buf = b;
	return 0;
}

int vsym_file_drop_to_user(const struct vsym_user *user, struct vsym_error *err)
{
	uid_t r, e, s;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return vsym_error_set(err, "cannot make the reader undumpable: %s", strerror(errno));
	if (geteuid() == 0 && setgroups(user->ngids, user->gids) < 0)
		return vsym_error_set(err, "cannot set the groups of %s: %s", user->name, strerror(errno));
	if (setresgid(user->gid, user->gid, user->gid) < 0 ||
	    setresuid(user->uid, user->uid, user->uid) < 0)
		return vsym_error_set(err, "cannot become %s: %s", user->name, strerror(errno));
	if (getresuid(&r, &e, &s) < 0 || r != user->uid || e != user->uid || s != user->uid)
		return vsym_error_set(err, "uid of the reader is not %u after the drop", (unsigned)user->uid);
	if (user->uid != 0 && setuid(0) == 0)
		return vsym_error_set(err, "the reader could regain root after dropping it");
	return 0;
}

/* The reader's reply: a status, then the file's bytes or the error text. */
struct reader_reply {
	int status;   /* 0, -ENOENT or -1 */
	char data[];
};

struct reader_job {
	const char *path;
	const struct vsym_user *user;
	size_t max;
};

/* Runs in the worker child: allocates nothing (the buffer was allocated
 * before the fork). */
static size_t reader_child(void *ctx, void *reply_buf, size_t size)
{
	const struct reader_job *job = ctx;
	struct reader_reply *reply = reply_buf;
	struct vsym_error err = { .text = "" };
	size_t len = 0;

	(void)size;
	reply->status = -1;
	if (vsym_file_drop_to_user(job->user, &err) == 0)
		reply->status = read_checked(job->path, job->user->uid, reply->data, job->max, &len, &err);
	if (reply->status != 0) {
		len = strlen(err.text);
		memcpy(reply->data, err.text, len);
	}
	return sizeof(*reply) + len;
}

int vsym_file_read_as_user(const char *path, const struct vsym_user *user,
			   size_t max, int timeout_ms,
			   char **buf, size_t *len, struct vsym_error *err)
{
	struct reader_job job = { path, user, max };
	size_t size = sizeof(struct reader_reply) + max + VSYM_ERROR_MAX, got, n;
	struct reader_reply *reply = malloc(size + 1);
	char *text = (char *)reply;
	int rc, status;

	vsym_error_clear(err);
	if (reply == NULL)
		return vsym_error_set(err, "out of memory");
	rc = vsym_worker_run(reader_child, &job, reply, size, timeout_ms, NULL, &got, err);
	if (rc == 0 && got < sizeof(*reply))
		rc = -1;
	if (rc < 0) {
		if (rc == -ETIMEDOUT)
			vsym_error_set(err, "reading %s took longer than %d ms; skipped", path, timeout_ms);
		else
			vsym_error_set(err, "reading %s failed; skipped", path);
		free(reply);
		return -1;
	}
	/* The file, or the child's error text, moves to the buffer's start. */
	status = reply->status;
	n = got - sizeof(*reply);
	memmove(text, reply->data, n);
	text[n] = '\0';
	if (status != 0) {
		vsym_error_set(err, "%s", text);
		free(text);
		return status == -ENOENT ? -ENOENT : -1;
	}
	*buf = text;
	*len = n;
	return 0;
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
	char tmp[4096];
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
