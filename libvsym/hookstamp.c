/* The stamp and the reference files of the shell hook (hookstamp.h). All
 * of it is in the session's root-owned /run/vsym tmpfs, which only root
 * writes: the names are made here, never looked up through anything a
 * user made. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "hookstamp.h"
#include "runlayout.h"
#include "session.h"

int vsym_hookstamp_touch(uid_t uid, struct vsym_error *err)
{
	cleanup_fd int fd = -1;

	if (!vsym_session_here(uid))
		return 1;
	fd = open(VSYM_RUN_PATH(VSYM_STAMP_FILE), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || futimens(fd, NULL) < 0)
		return vsym_error_set(err, "cannot touch %s: %s", VSYM_RUN_PATH(VSYM_STAMP_FILE), strerror(errno));
	return 0;
}

int vsym_hookstamp_ref_name(const char *path, char *name, size_t size)
{
	size_t n = 0;

	for (const char *p = path; *p != '\0'; p++) {
		const char *piece = *p == '%' ? "%25" : *p == '/' ? "%2F" : NULL;
		size_t len = piece != NULL ? 3 : 1;

		if (n + len >= size || n + len > NAME_MAX)
			return -1;
		memcpy(name + n, piece != NULL ? piece : p, len);
		n += len;
	}
	name[n] = '\0';
	return n > 0 ? 0 : -1;
}

static bool later(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec > b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec > b->tv_nsec);
}

/* The reference directory, made if missing, emptied. */
static int open_empty_refs(struct vsym_error *err)
{
	cleanup_fd int dir = -1;
	DIR *listing;
	struct dirent *e;
	int copy;

	if (mkdir(VSYM_RUN_PATH(VSYM_HOOKSTAMP_REFS), 0755) < 0 && errno != EEXIST)
		return vsym_error_set(err, "cannot make %s: %s", VSYM_RUN_PATH(VSYM_HOOKSTAMP_REFS), strerror(errno));
	dir = open(VSYM_RUN_PATH(VSYM_HOOKSTAMP_REFS), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	copy = dir >= 0 ? fcntl(dir, F_DUPFD_CLOEXEC, 0) : -1;
	if (copy < 0 || (listing = fdopendir(copy)) == NULL) {
		if (copy >= 0)
			close(copy);
		return vsym_error_set(err, "cannot open %s: %s", VSYM_RUN_PATH(VSYM_HOOKSTAMP_REFS), strerror(errno));
	}
	while ((e = readdir(listing)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlinkat(dir, e->d_name, 0);
	closedir(listing);
	return steal_fd(&dir);
}

/* A reference file named for path, with mtime as its times. */
static int make_ref(int dir, const char *path, const struct timespec *mtime, struct vsym_error *err)
{
	const struct timespec times[2] = { *mtime, *mtime };
	char name[NAME_MAX + 1];
	cleanup_fd int fd = -1;

	if (vsym_hookstamp_ref_name(path, name, sizeof(name)) < 0)
		return 0; /* none: the hook takes the file as changed */
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || futimens(fd, times) < 0)
		return vsym_error_set(err, "cannot write %s/%s: %s", VSYM_RUN_PATH(VSYM_HOOKSTAMP_REFS), name,
				      strerror(errno));
	return 0;
}

int vsym_hookstamp_mark_future(uid_t uid, const struct vsym_projectsearch_watched *files, size_t n,
			       struct vsym_error *err)
{
	cleanup_fd int dir = -1;
	struct stat stamp;
	size_t made = 0;

	if (!vsym_session_here(uid))
		return 1;
	if (stat(VSYM_RUN_PATH(VSYM_STAMP_FILE), &stamp) < 0)
		return vsym_error_set(err, "cannot read %s: %s", VSYM_RUN_PATH(VSYM_STAMP_FILE), strerror(errno));
	dir = open_empty_refs(err);
	if (dir < 0)
		return -1;
	for (size_t i = 0; i < n && made < VSYM_HOOKSTAMP_MAX_REFS; i++) {
		if (!later(&files[i].mtime, &stamp.st_mtim))
			continue;
		if (make_ref(dir, files[i].path, &files[i].mtime, err) < 0)
			return -1;
		made++;
	}
	return 0;
}

int vsym_hookstamp_update(const struct vsym_policy *policy, const struct vsym_user *user, const char *dir,
			  struct vsym_error *err)
{
	struct vsym_projectsearch_watched *files;
	size_t n;
	int rc = vsym_hookstamp_touch(user->uid, err);

	if (rc != 0)
		return rc;
	if (vsym_projectsearch_watched_as_user(policy, user, dir, &files, &n, err) < 0)
		return -1;
	rc = vsym_hookstamp_mark_future(user->uid, files, n, err);
	vsym_projectsearch_watched_free(files, n);
	return rc;
}
