/* libmountdl.c: libmount loaded on first use, once, and its functions
 * typed right: every field of the table read back from this process's
 * /proc/self/mountinfo agrees with a parse of the file by hand. (A failed
 * load cannot be made here without changing the library path of the
 * process; every caller's fail-closed handling of NULL is tested with
 * theirs.) No root needed. */
#include "config.h"

#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/sysmacros.h>

#include "testutil.h"

#include "libmountdl.h"

/* True when libmount is mapped into this process already. */
static bool libmount_mapped(void)
{
	void *lib = dlopen("libmount.so.1", RTLD_NOW | RTLD_NOLOAD);

	if (lib == NULL)
		return false;
	dlclose(lib);
	return true;
}

/* The point of the file: nothing maps libmount before it is asked for,
 * and the first call does. Runs first, before any other test loads it. */
static void test_loaded_on_first_use(void **state)
{
	struct vsym_error err = { .text = "" };

	(void)state;
	assert_false(libmount_mapped());
	assert_non_null(vsym_libmount(&err));
	assert_true(libmount_mapped());
	assert_string_equal(err.text, "");
}

/* libmount's own symbol name (the library is mapped already). */
static void *library_symbol(const char *name)
{
	void *lib = dlopen("libmount.so.1", RTLD_NOW | RTLD_NOLOAD);
	void *sym;

	assert_non_null(lib);
	sym = dlsym(lib, name);
	dlclose(lib);
	return sym;
}

/* Every function is there, and a second call returns the same table: the
 * library is loaded once per process. */
static void test_same_table_each_call(void **state)
{
	struct vsym_error err = { .text = "" };
	const struct vsym_libmount *first = vsym_libmount(&err), *second = vsym_libmount(&err);
	const void *const fields[] = {
		first->new_table, first->unref_table, first->table_parse_file, first->table_next_fs,
		first->new_iter, first->free_iter, first->fs_get_id, first->fs_get_devno,
		first->fs_get_root, first->fs_get_target, first->fs_get_fstype, first->fs_get_vfs_options,
	};

	(void)state;
	assert_non_null(first);
	assert_ptr_equal(first, second);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (fields[i] == NULL)
			fail_msg("function %zu of the table is NULL", i);
	/* each is the library's own symbol of that name */
	assert_ptr_equal((const void *)first->fs_get_target, library_symbol("mnt_fs_get_target"));
	assert_ptr_equal((const void *)first->fs_get_vfs_options, library_symbol("mnt_fs_get_vfs_options"));
	assert_ptr_equal((const void *)first->table_parse_file, library_symbol("mnt_table_parse_file"));
}

/* One line of /proc/self/mountinfo, by hand (paths unescaped only as far
 * as this test needs: it compares the mounts whose paths hold no escape). */
struct line {
	int id;
	unsigned major, minor;
	char root[512], target[512], options[256], fstype[64];
};

static int read_lines(struct line *lines, int max)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char text[4096];
	int n = 0;

	assert_non_null(f);
	while (n < max && fgets(text, sizeof(text), f) != NULL) {
		struct line *l = &lines[n];
		char *dash = strstr(text, " - ");

		if (dash == NULL ||
		    sscanf(text, "%d %*d %u:%u %511s %511s %255s", &l->id, &l->major, &l->minor, l->root,
			   l->target, l->options) != 6 ||
		    sscanf(dash, " - %63s", l->fstype) != 1)
			fail_msg("cannot parse mountinfo line: %s", text);
		n++;
	}
	fclose(f);
	return n;
}

/* The table libmount parses through vsym's pointers is this namespace's:
 * the same mounts, in the same order, with the same id, device, root,
 * target, type and per-mount options. */
static void test_functions_read_mountinfo(void **state)
{
	static struct line lines[4096];
	struct vsym_error err = { .text = "" };
	const struct vsym_libmount *lm = vsym_libmount(&err);
	struct libmnt_table *table = lm->new_table();
	struct libmnt_iter *iter = lm->new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	int n = read_lines(lines, 4096), i = 0, compared = 0;

	(void)state;
	assert_non_null(table);
	assert_non_null(iter);
	assert_int_equal(lm->table_parse_file(table, "/proc/self/mountinfo"), 0);
	while (lm->table_next_fs(table, iter, &fs) == 0) {
		const struct line *l = &lines[i];
		dev_t dev = lm->fs_get_devno(fs);

		assert_true(i < n);
		assert_int_equal(lm->fs_get_id(fs), l->id);
		assert_int_equal(major(dev), l->major);
		assert_int_equal(minor(dev), l->minor);
		assert_string_equal(lm->fs_get_fstype(fs), l->fstype);
		assert_string_equal(lm->fs_get_vfs_options(fs), l->options);
		if (strchr(l->target, '\\') == NULL && strchr(l->root, '\\') == NULL) {
			assert_string_equal(lm->fs_get_target(fs), l->target);
			assert_string_equal(lm->fs_get_root(fs), l->root);
			compared++;
		}
		i++;
	}
	assert_int_equal(i, n);
	assert_true(compared > 0);
	lm->free_iter(iter);
	lm->unref_table(table);
}

/* A file that is not there is libmount's error, told through the table's
 * parse function (the caller's cue to fail closed). */
static void test_parse_missing_file_fails(void **state)
{
	struct vsym_error err = { .text = "" };
	const struct vsym_libmount *lm = vsym_libmount(&err);
	struct libmnt_table *table = lm->new_table();

	(void)state;
	assert_true(lm->table_parse_file(table, "/proc/self/no-such-mountinfo") != 0);
	lm->unref_table(table);
}

int main(void)
{
	/* cmocka runs these in order: the first one must see libmount unloaded. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loaded_on_first_use),
		cmocka_unit_test(test_same_table_each_call),
		cmocka_unit_test(test_functions_read_mountinfo),
		cmocka_unit_test(test_parse_missing_file_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
