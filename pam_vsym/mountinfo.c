#include "config.h"

#include <libmount.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mountinfo.h"

static void fill(struct libmnt_fs *fs, struct vsym_mount_info *out)
{
	const char *target = mnt_fs_get_target(fs);
	const char *options = mnt_fs_get_vfs_options(fs);

	snprintf(out->target, sizeof(out->target), "%s", target ? target : "");
	snprintf(out->options, sizeof(out->options), "%s", options ? options : "");
}

/* True when root (a mount's root within its file system) starts with the
 * whole components of prefix. */
static bool root_within(const char *root, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return true;
	return strncmp(root, prefix, n) == 0 && (root[n] == '/' || root[n] == '\0');
}

/* Where the root of the bind fs is seen now: through the mount of the same
 * file system with the shortest root that contains it (its own mount,
 * rather than another bind of it). A renamed source shows its new name
 * here, not the one recorded. */
static void find_source(struct libmnt_table *table, struct libmnt_fs *bind,
			struct vsym_mount_info *out)
{
	struct libmnt_iter *iter = mnt_new_iter(MNT_ITER_FORWARD);
	const char *root = mnt_fs_get_root(bind), *best_root = NULL, *best_target = NULL;
	struct libmnt_fs *fs;

	out->source[0] = '\0';
	if (iter == NULL || root == NULL)
		goto done;
	while (mnt_table_next_fs(table, iter, &fs) == 0) {
		const char *r = mnt_fs_get_root(fs);

		if (fs == bind || r == NULL || mnt_fs_get_devno(fs) != mnt_fs_get_devno(bind) ||
		    !root_within(root, r) || (best_root != NULL && strlen(r) >= strlen(best_root)))
			continue;
		best_root = r;
		best_target = mnt_fs_get_target(fs);
	}
	if (best_target != NULL)
		snprintf(out->source, sizeof(out->source), "%s%s",
			 strcmp(best_target, "/") == 0 ? "" : best_target,
			 strcmp(best_root, "/") == 0 ? root : root + strlen(best_root));
done:
	mnt_free_iter(iter);
}

int vsym_mountinfo_lookup(uint64_t id, struct vsym_mount_info *out, struct vsym_error *err)
{
	struct libmnt_table *table = mnt_new_table();
	struct libmnt_iter *iter = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	int found = 0;

	if (table == NULL || iter == NULL ||
	    mnt_table_parse_file(table, "/proc/self/mountinfo") != 0) {
		mnt_free_iter(iter);
		mnt_unref_table(table);
		return vsym_error_set(err, "cannot read /proc/self/mountinfo");
	}
	while (!found && mnt_table_next_fs(table, iter, &fs) == 0) {
		if ((uint64_t)mnt_fs_get_id(fs) == id) {
			fill(fs, out);
			find_source(table, fs, out);
			found = 1;
		}
	}
	mnt_free_iter(iter);
	mnt_unref_table(table);
	return found;
}
