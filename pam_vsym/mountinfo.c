#include "config.h"

#include <libmount.h>
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
			found = 1;
		}
	}
	mnt_free_iter(iter);
	mnt_unref_table(table);
	return found;
}
