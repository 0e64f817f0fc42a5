#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"

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

/* What the child reports ahead of the file's bytes or the error text. */
struct child_reply {
	int status;   /* 0, -ENOENT or -1 */
	size_t len;   /* bytes that follow */
};

static bool write_all(int fd, const void *data, size_t n)
{
	const char *p = data;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

/* Drops to the user for good and checks that root cannot be regained. */
static int drop_to_user(const struct vsym_user *user, struct vsym_error *err)
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

static _Noreturn void child_read(int fd, const char *path, const struct vsym_user *user,
				 char *buf, size_t max)
{
	struct vsym_error err = { .text = "" };
	struct child_reply reply = { .status = -1, .len = 0 };

	if (drop_to_user(user, &err) == 0)
		reply.status = read_checked(path, user->uid, buf, max, &reply.len, &err);
	if (reply.status != 0) {
		reply.len = strlen(err.text);
		buf = err.text;
	}
	_exit(write_all(fd, &reply, sizeof(reply)) && write_all(fd, buf, reply.len) ? 0 : 1);
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Reads up to size bytes from fd before the deadline. Returns the count,
 * or -1 on timeout or error. */
static ssize_t read_until(int fd, char *buf, size_t size, const struct timespec *deadline)
{
	size_t n = 0;

	while (n < size) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = ms_left(deadline);
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
			return -1;
		r = read(fd, buf + n, size - n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* Collects the child's reply into buf (max + VSYM_ERROR_MAX + 1 bytes). */
static int parent_collect(int fd, const char *path, char *buf, size_t max, int timeout_ms,
			  size_t *len, struct vsym_error *err)
{
	struct timespec deadline;
	struct child_reply reply;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	if (read_until(fd, (char *)&reply, sizeof(reply), &deadline) != (ssize_t)sizeof(reply))
		return vsym_error_set(err, "reading %s took longer than %d ms or failed; skipped", path, timeout_ms);
	if (reply.len > max + VSYM_ERROR_MAX || read_until(fd, buf, reply.len, &deadline) != (ssize_t)reply.len)
		return vsym_error_set(err, "reading %s: short reply from the reader", path);
	buf[reply.len] = '\0';
	if (reply.status != 0) {
		vsym_error_set(err, "%s", buf);
		return reply.status == -ENOENT ? -ENOENT : -1;
	}
	*len = reply.len;
	return 0;
}

/* Runs the reader child and collects its reply into buf, which holds
 * max + VSYM_ERROR_MAX + 1 bytes: the file or the child's error text. */
static int read_in_child(const char *path, const struct vsym_user *user, char *buf,
			 size_t max, int timeout_ms, size_t *len, struct vsym_error *err)
{
	int fds[2], rc;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return vsym_error_set(err, "cannot make a pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return vsym_error_set(err, "cannot fork a reader for %s: %s", path, strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		child_read(fds[1], path, user, buf, max);
	}
	close(fds[1]);
	rc = parent_collect(fds[0], path, buf, max, timeout_ms, len, err);
	close(fds[0]);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return rc;
}

int vsym_file_read_as_user(const char *path, const struct vsym_user *user,
			   size_t max, int timeout_ms,
			   char **buf, size_t *len, struct vsym_error *err)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old;
	char *b;
	int rc;

	vsym_error_clear(err);
	/* Allocated before the fork: the child must not call malloc. */
	b = malloc(max + VSYM_ERROR_MAX + 1);
	if (b == NULL)
		return vsym_error_set(err, "out of memory");
	/* The application may reap children on SIGCHLD; ours must stay ours. */
	sigaction(SIGCHLD, &dfl, &old);
	rc = read_in_child(path, user, b, max, timeout_ms, len, err);
	sigaction(SIGCHLD, &old, NULL);
	if (rc < 0) {
		free(b);
		return rc;
	}
	*buf = b;
	return 0;
}
