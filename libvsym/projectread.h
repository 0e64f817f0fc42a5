/* Reading one project file safely (project.h says why any owner will do),
 * with a cache of the directory a search is in. */
#ifndef VSYM_PROJECTREAD_H
#define VSYM_PROJECTREAD_H

#include <stddef.h>
#include <time.h>

#include "error.h"

/* The directory a search is in, walked once (vsym_walk: never into FUSE),
 * so that each name tried there costs one lookup, not a walk from "/". */
struct vsym_projectread_dir {
	char *dir;  /* NULL: none walked yet */
	int fd;     /* O_PATH; -1 when the walk failed */
};

/* Closes and forgets the directory a cache holds. */
void vsym_projectread_dir_close(struct vsym_projectread_dir *c);

/* The directory must be one the caller can enter, reached by the walk;
 * kept in cache, where the search starts. */
int vsym_projectread_enter_dir(const char *dir, struct vsym_projectread_dir *cache, struct vsym_error *err);

/* Reads a project file as the process may: found by vsym_walk (never
 * through a FUSE mount), never through a symlink in the last component,
 * only a regular file (a FIFO or device is refused without blocking), at
 * most VSYM_PROJECT_MAX_SIZE bytes. Any owner: a repository's files belong
 * to whoever cloned or unpacked it, and a project file only picks values.
 * A vsym_projectsearch_reader. ctx is NULL, or what vsym_projectsearch_as_user
 * passes: the last directory walked, so that a name missing there is
 * known absent with one lookup (the many misses of a search from a deep
 * directory); a file that is there is still walked in full. */
int vsym_projectread_file(void *ctx, const char *path, char **text, size_t *len,
			  struct vsym_error *err);

/* The modification time of path, reached as vsym_projectread_file reaches
 * a file (walked, never through FUSE, no symlink in the last component;
 * only stat'ed, never opened, so a FIFO costs nothing), with ctx as there.
 * Returns 0, or -1 when there is no such file vsym would read. */
int vsym_projectread_mtime(void *ctx, const char *path, struct timespec *mtime);

#endif
