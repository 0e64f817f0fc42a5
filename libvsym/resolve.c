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

#include "cleanup.h"
#include "cred.h"
#include "expand.h"
#include "mountinfo.h"
#include "resolve.h"

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
	if (vsym_has_control_char(buf)) {
		vsym_error_set(err, "a path holds a control character; rename it");
		vsym_error_cause(err, "a path holds a control character");
		return -1;
	}
	if (buf[0] != '/' || (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)) {
		vsym_error_set(err, "%s was removed while being checked", buf);
		vsym_error_cause(err, "a path was removed while being checked");
		return -1;
	}
	return 0;
}

/* One openat2 for an O_PATH descriptor; returns the fd or -errno. */
static int open_path(int dir, const char *name, unsigned long long resolve, bool nofollow)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0),
		.resolve = resolve | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, dir, name, &how, sizeof(how));

	return fd >= 0 ? fd : -errno;
}

/* Where a walk is: an open directory and what is left to walk from it. */
struct walk {
	enum vsym_links links;
	int dir;
	int nlinks;
	char rest[2 * PATH_MAX];
	struct vsym_error *err;
};

/* Where the kernel has no statmount(2) (Linux < 6.8): the mount table as
 * far as walks have read it, kept from walk to walk in this thread, and
 * read again only when its namespace's mounts changed or a mount is not in
 * it (vsym_mount_fs_type_cached): a login walks a dozen paths, before and
 * after it makes its namespace, and each read of a large table costs. */
static __thread struct vsym_mount_types table_kept = VSYM_MOUNT_TYPES_INIT;

void vsym_resolve_forget_table(void)
{
	vsym_mount_types_done(&table_kept);
}

static void walk_move(struct walk *w, int fd)
{
	if (w->dir >= 0)
		close(w->dir);
	w->dir = fd;
}

/* Takes the first component of w->rest into name. Returns false when
 * nothing is left; *last tells whether it was the last one. */
static bool next_component(struct walk *w, char *name, bool *last)
{
	char *p = w->rest + strspn(w->rest, "/");
	size_t n = strcspn(p, "/");

	if (n == 0)
		return false;
	snprintf(name, NAME_MAX + 1, "%.*s", (int)n, p);
	p += n;
	memmove(w->rest, p, strlen(p) + 1);
	*last = w->rest[strspn(w->rest, "/")] == '\0';
	return true;
}

/* name, in w->dir, is a mount point (or a ".." that leaves a mount):
 * enters it, which calls nothing of the file system mounted there, and
 * learns that file system's type the same way. A FUSE mount is refused
 * before any name is looked up inside it: its server may never answer. */
static int enter_mount(struct walk *w, const char *name)
{
	cleanup_fd int fd = open_path(w->dir, name, RESOLVE_NO_SYMLINKS, true);
	char type[64], path[PATH_MAX];

	if (fd < 0)
		return fd;
	if (vsym_mount_fs_type_cached(fd, &table_kept, type, sizeof(type), w->err) < 0)
		return -EIO;
	if (vsym_fs_type_is_fuse(type)) {
		if (path_of_fd(fd, path, sizeof(path), NULL) < 0)
			snprintf(path, sizeof(path), "a mount on the way");
		vsym_error_set(w->err, "%s is a FUSE mount (%s): vsym never looks into FUSE; name a path on another file system",
			       path, type);
		return VSYM_ERR_FUSE;
	}
	return steal_fd(&fd);
}

/* Puts text in front of what is left to walk. */
static bool prepend(struct walk *w, const char *text)
{
	size_t n = strlen(text), left = strlen(w->rest);

	if (n + left + 2 > sizeof(w->rest))
		return false;
	memmove(w->rest + n + (left > 0), w->rest, left + 1);
	memcpy(w->rest, text, n);
	if (left > 0)
		w->rest[n] = '/';
	return true;
}

/* A link in procfs may be a magic link (/proc/self/fd/N, /proc/PID/cwd),
 * which the kernel follows to an object rather than a path: the kernel
 * itself tells one from a plain link such as /proc/self. */
static bool is_magic_link(struct walk *w, int link, const char *name)
{
	struct statfs fs;
	int fd;

	if (fstatfs(link, &fs) < 0)
		return true;
	if (fs.f_type != PROC_SUPER_MAGIC)
		return false;
	fd = open_path(w->dir, name, RESOLVE_NO_XDEV, false);
	if (fd >= 0)
		close(fd);
	return fd == -ELOOP;
}

/* name, in w->dir, is a symbolic link: what it points to goes in front of
 * what is left. A magic link names no path: it is refused like a link
 * where none is allowed. */
static int follow_link(struct walk *w, const char *name)
{
	char target[PATH_MAX];
	cleanup_fd int link = -1;
	ssize_t n;
	int root;

	if (++w->nlinks > VSYM_MAX_LINKS)
		return -ELOOP;
	link = open_path(w->dir, name, RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS, true);
	if (link < 0)
		return link;
	if (is_magic_link(w, link, name))
		return -ELOOP;
	n = readlinkat(link, "", target, sizeof(target) - 1);
	if (n <= 0)
		return n == 0 ? -ENOENT : -errno;
	target[n] = '\0';
	if (!prepend(w, target))
		return -ENAMETOOLONG;
	if (target[0] == '/') {
		root = open_path(AT_FDCWD, "/", 0, false);
		if (root < 0)
			return root;
		walk_move(w, root);
	}
	return 0;
}

/* One component from w->dir. Returns 0 (w->dir moved on, or the link
 * put in front of what is left), or -errno. */
static int walk_step(struct walk *w)
{
	char name[NAME_MAX + 1];
	bool last;
	int fd;

	if (!next_component(w, name, &last))
		return 0;
	fd = open_path(w->dir, name, RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS, false);
	if (fd == -EXDEV)
		fd = enter_mount(w, name);
	if (fd == -ELOOP && (w->links == VSYM_LINKS_FOLLOW || (w->links == VSYM_LINKS_FOLLOW_DIRS && !last)))
		return follow_link(w, name);
	if (fd < 0)
		return fd;
	walk_move(w, fd);
	return 0;
}

int vsym_walk(const char *path, enum vsym_links links, struct vsym_error *err)
{
	struct walk w = { .links = links, .dir = -1, .err = err };
	int fd, rc = 0;

	if (path[0] != '/' || strlen(path) >= sizeof(w.rest) / 2)
		return -EINVAL;
	snprintf(w.rest, sizeof(w.rest), "%s", path);
	/* The walk starts at / (only root can mount there). While all that is
	 * left lies in the mount the walk is in and holds no link, one call
	 * opens it; otherwise one step at a time gets past the mount point or
	 * the link, and the rest is tried whole again. */
	for (;;) {
		const char *rest = w.rest + strspn(w.rest, "/");

		if (w.dir >= 0 && rest[0] == '\0') {
			fd = w.dir;   /* the last step opened it */
			w.dir = -1;
			break;
		}
		fd = w.dir >= 0 ? open_path(w.dir, rest, RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS, false)
				: open_path(AT_FDCWD, w.rest, RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS, false);
		if (fd >= 0 || (fd != -EXDEV && fd != -ELOOP) || (fd == -ELOOP && links == VSYM_LINKS_REFUSE))
			break;
		if (w.dir < 0 && (w.dir = open_path(AT_FDCWD, "/", 0, false)) < 0) {
			fd = w.dir;
			break;
		}
		rc = walk_step(&w);
		if (rc < 0)
			break;
	}
	if (w.dir >= 0)
		close(w.dir);
	return rc < 0 ? rc : fd;
}

/* vsym_walk as user, with the user's groups and file-system ids and no
 * capability, and fstat as the user too: under hidepid=invisible an
 * O_PATH open of /proc/PID succeeds, and only getattr hides the process. */
static int walk_as_user(const struct vsym_user *user, const char *path, enum vsym_links links,
			struct stat *st, struct vsym_error *err)
{
	struct vsym_saved_cred saved;
	cleanup_fd int fd = -1;
	int rc;

	if (vsym_cred_become(&saved, user, err) < 0)
		return VSYM_ERR_SYSTEM;
	fd = vsym_walk(path, links, err);
	rc = fd < 0 ? fd : 0;
	if (fd >= 0 && fstat(fd, st) < 0)
		rc = -errno;
	if (vsym_cred_restore(&saved, err) < 0)
		return VSYM_ERR_SYSTEM;
	return rc < 0 ? rc : steal_fd(&fd);
}

int vsym_resolve_as_user(const struct vsym_user *user, const char *path, enum vsym_links links,
			 const char *what, struct vsym_resolved *out, struct vsym_error *err)
{
	struct vsym_error why;
	int fd;

	out->fd = -1;
	if (path[0] != '/') {
		vsym_error_set(err, "%s %s is not an absolute path", what, path);
		vsym_error_cause(err, "the %s is not an absolute path", what);
		return -1;
	}
	vsym_error_clear(&why);
	fd = walk_as_user(user, path, links, &out->st, &why);
	if (fd == VSYM_ERR_SYSTEM) {
		vsym_error_set(err, "%s %s: %s", what, path, why.text);
		vsym_error_cause(err, "the change to the user's identity failed");
		return VSYM_ERR_SYSTEM;
	}
	if (fd == VSYM_ERR_FUSE || (fd < 0 && why.text[0] != '\0')) {
		vsym_error_set(err, "%s %s: %s", what, path, why.text);
		if (fd == VSYM_ERR_FUSE)
			vsym_error_cause(err, "the %s leads into a FUSE mount, which vsym never looks into", what);
		else
			vsym_error_cause(err, "the %s could not be walked", what);
		return -1;
	}
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
	return vsym_resolve_as_user(user, path, VSYM_LINKS_FOLLOW, "source", out, err);
}

void vsym_resolved_close(struct vsym_resolved *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}
