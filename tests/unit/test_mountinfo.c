/* mountinfo.c: finding a mount by its id in this namespace's table. The
 * mounts are made in the throwaway namespace of testns.h. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <sys/stat.h>

#include "testutil.h"
#include "testns.h"

#include "mount.h"
#include "mountinfo.h"

static uint64_t id_of(const char *path)
{
	int fd = open(path, O_PATH | O_CLOEXEC);
	uint64_t id = 0;

	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	assert_int_equal(vsym_mount_id(fd, &id), 0);
	close(fd);
	return id;
}

static const char *make_mount(const char *name, unsigned long flags)
{
	static char path[4][256];
	static int i;
	const char *scratch = testns_scratch();

	assert_non_null(scratch);
	i = (i + 1) % 4;
	snprintf(path[i], sizeof(path[i]), "%s/%s", scratch, name);
	if (mkdir(path[i], 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", path[i], strerror(errno));
	if (mount("vsym-test", path[i], "tmpfs", flags, "mode=0755,size=1m") < 0)
		fail_msg("mount %s: %s", path[i], strerror(errno));
	return path[i];
}

/* Needs no root: the root of this namespace is always there. */
static void test_lookup_root(void **state)
{
	struct vsym_mount_info info;
	struct vsym_error err;

	(void)state;
	assert_int_equal(vsym_mountinfo_lookup(id_of("/"), &info, &err), 1);
	assert_string_equal(info.target, "/");
}

static void test_lookup_own_mounts(void **state)
{
	struct vsym_mount_info info;
	struct vsym_error err;
	const char *plain, *hardened;
	uint64_t plain_id, hardened_id;

	(void)state;
	REQUIRE_ROOT();
	plain = make_mount("mi-plain", 0);
	hardened = make_mount("mi-hardened", MS_NOSUID | MS_NODEV | MS_RDONLY);
	plain_id = id_of(plain);
	hardened_id = id_of(hardened);
	assert_true(plain_id != hardened_id);

	memset(&info, 'x', sizeof(info));
	assert_int_equal(vsym_mountinfo_lookup(hardened_id, &info, &err), 1);
	assert_string_equal(info.target, hardened);
	assert_contains(info.options, "nosuid");
	assert_contains(info.options, "nodev");
	assert_int_equal(strncmp(info.options, "ro", 2), 0);
	/* per-mount options, not the file system's (size=, mode=) */
	assert_null(strstr(info.options, "size="));

	assert_int_equal(vsym_mountinfo_lookup(plain_id, &info, &err), 1);
	assert_string_equal(info.target, plain);
	assert_null(strstr(info.options, "nosuid"));
	assert_int_equal(strncmp(info.options, "rw", 2), 0);
}

/* Mount points with a space, a tab or a backslash come back unescaped. */
static void test_lookup_escaped_target(void **state)
{
	struct vsym_mount_info info;
	struct vsym_error err;
	const char *odd;

	(void)state;
	REQUIRE_ROOT();
	odd = make_mount("mi odd\tname\\x", MS_NOSUID);
	assert_int_equal(vsym_mountinfo_lookup(id_of(odd), &info, &err), 1);
	assert_string_equal(info.target, odd);
}

/* The top of a stack is found by its own id, the one below by its own. */
static void test_lookup_stacked(void **state)
{
	struct vsym_mount_info info;
	struct vsym_error err;
	const char *path;
	uint64_t below, top;

	(void)state;
	REQUIRE_ROOT();
	path = make_mount("mi-stack", 0);
	below = id_of(path);
	make_mount("mi-stack", MS_NOSUID);
	top = id_of(path);
	assert_true(below != top);
	assert_int_equal(vsym_mountinfo_lookup(top, &info, &err), 1);
	assert_contains(info.options, "nosuid");
	assert_int_equal(vsym_mountinfo_lookup(below, &info, &err), 1);
	assert_null(strstr(info.options, "nosuid"));
	assert_int_equal(umount2(path, MNT_DETACH), 0);
	assert_int_equal(vsym_mountinfo_lookup(top, &info, &err), 0);
}

static void test_lookup_unknown(void **state)
{
	struct vsym_mount_info info;
	struct vsym_error err;
	const char *gone;
	uint64_t id;

	(void)state;
	assert_int_equal(vsym_mountinfo_lookup(UINT64_MAX, &info, &err), 0);
	assert_int_equal(vsym_mountinfo_lookup(0, &info, &err), 0);
	/* an id bigger than an int must not wrap onto a real one */
	assert_int_equal(vsym_mountinfo_lookup(((uint64_t)1 << 32) + id_of("/"), &info, &err), 0);
	REQUIRE_ROOT();
	gone = make_mount("mi-gone", 0);
	id = id_of(gone);
	assert_int_equal(umount(gone), 0);
	assert_int_equal(vsym_mountinfo_lookup(id, &info, &err), 0);
}

/* One read of the table answers for many ids: the root's and a mount
 * made here are present; one unmounted since and one never made are not. */
static void test_present(void **state)
{
	char dir[PATH_MAX];
	struct vsym_error err;
	uint64_t ids[4];
	bool present[4];

	(void)state;
	REQUIRE_ROOT();
	snprintf(dir, sizeof(dir), "%s/present", testns_scratch());
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(mount("vsym-test", dir, "tmpfs", 0, NULL), 0);
	ids[0] = id_of("/");
	ids[1] = id_of(dir);
	ids[2] = ((uint64_t)1 << 32) + id_of("/");
	assert_int_equal(mount("vsym-test", dir, "tmpfs", 0, NULL), 0);
	ids[3] = id_of(dir);
	assert_int_equal(umount2(dir, MNT_DETACH), 0);
	assert_int_equal(vsym_mountinfo_present(ids, 4, present, &err), 0);
	assert_true(present[0]);
	assert_true(present[1]);
	assert_false(present[2]);
	assert_false(present[3]);
	umount2(dir, MNT_DETACH);
}

/* What a thread of its own namespace finds of a mount made there. */
struct thread_lookup {
	char dir[PATH_MAX];
	int made;  /* 0, or the errno of the unshare or mount that failed */
	int found;
	bool present;
};

static void *lookup_in_thread_namespace(void *arg)
{
	struct thread_lookup *t = arg;
	struct vsym_mount_info info;
	struct vsym_error err;
	uint64_t id = 0;
	int fd;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("vsym-test", t->dir, "tmpfs", 0, NULL) < 0) {
		t->made = errno;
		return NULL;
	}
	fd = open(t->dir, O_PATH | O_CLOEXEC);
	if (fd < 0 || vsym_mount_id(fd, &id) < 0) {
		t->made = errno;
		return NULL;
	}
	close(fd);
	t->found = vsym_mountinfo_lookup(id, &info, &err);
	if (t->found == 1 && strcmp(info.target, t->dir) != 0)
		t->found = 2;
	if (vsym_mountinfo_present(&id, 1, &t->present, &err) < 0)
		t->present = false;
	return NULL;
}

/* A PAM application may open the session in one of its threads: unshare
 * moves that thread alone into the new namespace, and the table must be
 * that thread's (/proc/thread-self), not the main thread's (/proc/self),
 * or recovery and pruning would take the session's mounts for gone. */
static void test_lookup_in_thread_namespace(void **state)
{
	struct thread_lookup t = { .found = -1 };
	pthread_t thread;

	(void)state;
	REQUIRE_ROOT();
	snprintf(t.dir, sizeof(t.dir), "%s/mi-thread", testns_scratch());
	assert_int_equal(mkdir(t.dir, 0755), 0);
	assert_int_equal(pthread_create(&thread, NULL, lookup_in_thread_namespace, &t), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(t.made, 0);
	assert_int_equal(t.found, 1);
	assert_true(t.present);
	/* the mount was the thread's alone */
	assert_int_equal(id_of(t.dir), id_of(testns_scratch()));
}

/* In a child: a mount, its table, the namespace copied (as -x does), and
 * the copy found by place and root under its new id; a stacked twin of
 * the same place and root makes it impossible to tell. */
static int copy_in_child(void *arg, char *msg, size_t size)
{
	struct vsym_mount_table *before, *now;
	struct vsym_error err;
	const char *path = make_mount("mi-copy", 0);
	uint64_t id = id_of(path), copy = 0;

	(void)arg;
	before = vsym_mountinfo_read(&err);
	CHECK(before != NULL, "%s", err.text);
	CHECK(unshare(CLONE_NEWNS) == 0, "%s", strerror(errno));
	now = vsym_mountinfo_read(&err);
	CHECK(now != NULL, "%s", err.text);
	CHECK(vsym_mountinfo_copy_id(before, id, now, &copy) == 1, "not found");
	CHECK(copy != id && copy == id_of(path), "copy %llu, id %llu", (unsigned long long)copy,
	      (unsigned long long)id);
	CHECK(vsym_mountinfo_copy_id(before, UINT64_MAX, now, &copy) == 0, "an unknown id");
	vsym_mountinfo_free(now);
	/* the same directory bound again on the same place */
	CHECK(mount(path, path, NULL, MS_BIND, NULL) == 0, "%s", strerror(errno));
	now = vsym_mountinfo_read(&err);
	CHECK(now != NULL, "%s", err.text);
	CHECK(vsym_mountinfo_copy_id(before, id, now, &copy) == -EEXIST, "two alike in the copy");
	CHECK(vsym_mountinfo_copy_id(now, id_of(path), now, &copy) == -EEXIST, "two alike before");
	vsym_mountinfo_free(now);
	vsym_mountinfo_free(before);
	return 0;
}

static void test_copy_id(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	RUN_CHILD(copy_in_child, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_root),
		cmocka_unit_test(test_lookup_own_mounts),
		cmocka_unit_test(test_lookup_escaped_target),
		cmocka_unit_test(test_lookup_stacked),
		cmocka_unit_test(test_lookup_unknown),
		cmocka_unit_test(test_present),
		cmocka_unit_test(test_lookup_in_thread_namespace),
		cmocka_unit_test(test_copy_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
