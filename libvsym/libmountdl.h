/* libmount, loaded on first use instead of at start-up.
 *
 * Linking libmount makes every process that loads pam_vsym.so, and every
 * run of vsym-rebind, map libmount, libblkid, libselinux and pcre2 and
 * relocate them: about 0.3 ms a process here, a quarter of what the
 * module adds to a pamtester login. A login on a kernel with statmount(2)
 * never reads the mount table, so it need not pay that; the table is
 * still read with libmount, loaded by its soname when first needed
 * (systemd loads it the same way).
 */
#ifndef VSYM_LIBMOUNTDL_H
#define VSYM_LIBMOUNTDL_H

#include <libmount.h>

#include "error.h"

/* The libmount functions vsym uses, typed from libmount.h. */
struct vsym_libmount {
	__typeof__(mnt_new_table) *new_table;
	__typeof__(mnt_unref_table) *unref_table;
	__typeof__(mnt_table_parse_file) *table_parse_file;
	__typeof__(mnt_table_next_fs) *table_next_fs;
	__typeof__(mnt_new_iter) *new_iter;
	__typeof__(mnt_free_iter) *free_iter;
	__typeof__(mnt_fs_get_id) *fs_get_id;
	__typeof__(mnt_fs_get_devno) *fs_get_devno;
	__typeof__(mnt_fs_get_root) *fs_get_root;
	__typeof__(mnt_fs_get_target) *fs_get_target;
	__typeof__(mnt_fs_get_fstype) *fs_get_fstype;
	__typeof__(mnt_fs_get_vfs_options) *fs_get_vfs_options;
};

/* Loads libmount.so.1 (once it succeeds, never again in this process;
 * thread-safe) and returns its functions, or NULL with err set naming the
 * library and what failed. Every caller must fail closed on NULL: a mount
 * table that cannot be read never means "no such mount". */
const struct vsym_libmount *vsym_libmount(struct vsym_error *err);

#endif
