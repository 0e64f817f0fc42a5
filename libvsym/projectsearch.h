/* The search for project files from a directory up to "/", with any
 * reader, or as the user with the safe reader and each pick settled
 * among its variant's choices. */
#ifndef VSYM_PROJECTSEARCH_H
#define VSYM_PROJECTSEARCH_H

#include <stddef.h>
#include <time.h>

#include "error.h"
#include "policy.h"
#include "project.h"
#include "user.h"

/* Reads path into a new NUL-terminated *text. Returns 0, -ENOENT when
 * there is no such file, or -1 with err set (the file is then noted). */
typedef int (*vsym_projectsearch_reader)(void *ctx, const char *path, char **text, size_t *len,
				   struct vsym_error *err);

/* Searches dir (absolute; "." and ".." are taken lexically, as the shell's
 * $PWD) and each directory above it up to "/" with reader, into a zeroed
 * proj. Unreadable or refused files become notes. Returns 0, or -1 with
 * err set (a relative dir, out of memory). */
int vsym_projectsearch_run(const struct vsym_policy *policy, const char *dir,
			   vsym_projectsearch_reader reader, void *ctx, struct vsym_project *proj,
			   struct vsym_error *err);

/* vsym_projectsearch_run with vsym_projectread_file, with user's groups and
 * file-system ids and no capability (vsym_cred_become): every directory
 * and file is reached only as the user can, and never through FUSE.
 * Then each pick is resolved among its variant's choices
 * (vsym_choices_pick_among: fallbacks, minimums) and its value becomes
 * the choice picked; a note says so when it is not the value written, a
 * newer patch, a real version or a minimum.
 * Returns 0, -ENOTDIR when dir is not a directory the user can enter, or
 * -1, with err set. */
int vsym_projectsearch_as_user(const struct vsym_policy *policy, const struct vsym_user *user,
			       const char *dir, struct vsym_project *proj, struct vsym_error *err);

/* A project file the shell hook watches, spelled as the hook spells it,
 * and its modification time. */
struct vsym_projectsearch_watched {
	char *path;
	struct timespec mtime;
};

/* The files the shell hook watches from dir up: each of the
 * vsym_project_file_names in dir and each directory above it (taken
 * lexically, as the hook takes $PWD) that is a regular file vsym would
 * read, reached as the user (vsym_projectread_mtime). Into *files (to free
 * with vsym_projectsearch_watched_free) and *n. Returns 0, or -1 with err
 * set. */
int vsym_projectsearch_watched_as_user(const struct vsym_policy *policy, const struct vsym_user *user,
				       const char *dir, struct vsym_projectsearch_watched **files, size_t *n,
				       struct vsym_error *err);

void vsym_projectsearch_watched_free(struct vsym_projectsearch_watched *files, size_t n);

#endif
