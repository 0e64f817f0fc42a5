#include "config.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "libmountdl.h"

#define LIBMOUNT_SONAME "libmount.so.1"

static struct vsym_libmount functions;
static bool loaded;
static char load_error[256];
static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

/* dlsym() of one symbol; NULL (with load_error set) when it is missing. */
static void *symbol(void *lib, const char *name)
{
	void *sym = dlsym(lib, name);

	if (sym == NULL)
		snprintf(load_error, sizeof(load_error), "%s has no %s", LIBMOUNT_SONAME, name);
	return sym;
}

/* f.field = mnt_<field>, typed by the field (POSIX lets a dlsym result be
 * converted to a function pointer); false when the library lacks it. */
#define FIND(f, field) (((f).field = (__typeof__((f).field))symbol(lib, "mnt_" #field)) != NULL)

/* RTLD_NODELETE: the functions stay valid for the life of the process,
 * even when a PAM client unloads and reloads the module. The name is
 * found through ld.so's cache: in a setuid process the loader ignores
 * LD_LIBRARY_PATH, and the module's caller is root's own service. */
static bool load(void)
{
	void *lib = dlopen(LIBMOUNT_SONAME, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	struct vsym_libmount f;

	if (lib == NULL) {
		const char *why = dlerror();

		snprintf(load_error, sizeof(load_error), "cannot load %s: %s", LIBMOUNT_SONAME,
			 why != NULL ? why : "unknown error");
		return false;
	}
	if (!(FIND(f, new_table) && FIND(f, unref_table) && FIND(f, table_parse_file) &&
	      FIND(f, table_next_fs) && FIND(f, new_iter) && FIND(f, free_iter) && FIND(f, fs_get_id) &&
	      FIND(f, fs_get_devno) && FIND(f, fs_get_root) && FIND(f, fs_get_target) &&
	      FIND(f, fs_get_fstype) && FIND(f, fs_get_vfs_options)))
		return false;
	functions = f;
	return true;
}

/* A failed load is tried again at the next call: it may have been a passing
 * shortage (descriptors, memory, a limit the caller set), and every caller
 * fails closed on NULL. The functions, once loaded, never change. */
const struct vsym_libmount *vsym_libmount(struct vsym_error *err)
{
	bool ok;

	pthread_mutex_lock(&load_lock);
	if (!loaded)
		loaded = load();
	ok = loaded;
	if (!ok)
		vsym_error_set(err, "%s; vsym reads the mount table with libmount (install libmount1)",
			       load_error);
	pthread_mutex_unlock(&load_lock);
	return ok ? &functions : NULL;
}
