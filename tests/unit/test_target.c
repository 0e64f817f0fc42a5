/* target.c: targets opened as the user, never through a symlink, and checked (owner, file system). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

#include "testfuse.h"
#include "testns.h"
#include "testutil.h"
#include "testtarget.h"

#include "mountinfo.h"
#include "resolve.h"
#include "target.h"

/* A process of alice, so that /proc/PID is owned by uid 1000. */
static pid_t alice_process(void)
{
	int ready[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		if (setgid(1000) < 0 || setuid(1000) < 0 || prctl(PR_SET_DUMPABLE, 1) < 0)
			_exit(1);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	return pid;
}

static void test_target_own_dir(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;
	char doubled[256];

	REQUIRE_ROOT();
	assert_int_equal(target(f, test_path(f->home, "real"), &r, &err), 0);
	assert_string_equal(r.path, test_path(f->home, "real"));
	assert_int_equal(r.st.st_uid, 1000);
	vsym_resolved_close(&r);
	/* read back canonical */
	snprintf(doubled, sizeof(doubled), "%s//real/", f->home);
	assert_int_equal(target(f, doubled, &r, &err), 0);
	assert_string_equal(r.path, test_path(f->home, "real"));
	vsym_resolved_close(&r);
	/* names that merely start or end with dots are fine */
	make_dir(test_path(f->home, ".hidden"), 1000, 1000, 0755);
	make_dir(test_path(f->home, "..x"), 1000, 1000, 0755);
	make_dir(test_path(f->home, "x.."), 1000, 1000, 0755);
	assert_int_equal(target(f, test_path(f->home, ".hidden"), &r, &err), 0);
	vsym_resolved_close(&r);
	assert_int_equal(target(f, test_path(f->home, "..x"), &r, &err), 0);
	vsym_resolved_close(&r);
	assert_int_equal(target(f, test_path(f->home, "x.."), &r, &err), 0);
	vsym_resolved_close(&r);
}

static void test_target_symlink_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;

	REQUIRE_ROOT();
	make_link("/etc", test_path(f->home, "etc"), 1000, 1000);
	assert_int_equal(target(f, test_path(f->home, "etc"), &r, &err), -1);
	assert_contains(err.text, "symbolic link");
	assert_int_equal(r.fd, -1);
	/* even to her own directory: the target is named as it is */
	make_link(test_path(f->home, "real"), test_path(f->home, "mine"), 1000, 1000);
	assert_int_equal(target(f, test_path(f->home, "mine"), &r, &err), -1);
	assert_contains(err.text, "symbolic link");
}

static void test_target_symlinked_parent_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;

	REQUIRE_ROOT();
	make_link("/etc", test_path(f->home, "a"), 1000, 1000);
	assert_int_equal(target(f, test_path(f->home, "a/pam.d"), &r, &err), -1);
	assert_contains(err.text, "symbolic link");
	/* a parent link to her own tree is refused too */
	make_link(f->home, test_path(f->home, "b"), 1000, 1000);
	assert_int_equal(target(f, test_path(f->home, "b/real"), &r, &err), -1);
	assert_contains(err.text, "symbolic link");
}

static void test_target_dot_components_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;
	static const char *const bad[] = {
		"real/../real", "./real", "real/.", "real/..", "real/./", "../home/real",
	};

	REQUIRE_ROOT();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(target(f, test_path(f->home, bad[i]), &r, &err), -1);
		assert_contains(err.text, "'.' or '..'");
		assert_int_equal(r.fd, -1);
	}
}

static void test_target_owned_by_root_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;

	REQUIRE_ROOT();
	make_dir(test_path(f->home, "rootdir"), 0, 0, 0755);
	assert_int_equal(target(f, test_path(f->home, "rootdir"), &r, &err), -1);
	assert_contains(err.text, "owned by uid 0");
	assert_int_equal(r.fd, -1);
	/* owned by another user */
	make_dir(test_path(f->home, "bobdir"), 1001, 1000, 0777);
	assert_int_equal(target(f, test_path(f->home, "bobdir"), &r, &err), -1);
	assert_contains(err.text, "owned by uid 1001");
	assert_int_equal(target(f, "/etc", &r, &err), -1);
	assert_contains(err.text, "owned by uid 0");
}

/* Her own directory behind a root-only one: targets are reached as her. */
static void test_target_behind_root_dir_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;

	REQUIRE_ROOT();
	make_dir(test_path(f->base, "closed"), 0, 0, 0700);
	make_dir(test_path(f->base, "closed/t"), 1000, 1000, 0755);
	assert_int_equal(target(f, test_path(f->base, "closed/t"), &r, &err), -1);
	assert_contains(err.text, "cannot be reached by alice");
}

static void test_target_fifo_missing(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;

	REQUIRE_ROOT();
	assert_int_equal(mkfifo(test_path(f->home, "fifo"), 0666), 0);
	assert_int_equal(chown(test_path(f->home, "fifo"), 1000, 1000), 0);
	assert_int_equal(target(f, test_path(f->home, "fifo"), &r, &err), -1);
	assert_contains(err.text, "neither a directory nor a regular file");
	assert_int_equal(target(f, test_path(f->home, "nope"), &r, &err), -ENOENT);
	assert_contains(err.text, "does not exist");
}

static void test_target_on_proc_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;
	struct stat st;
	char path[64];
	pid_t pid;

	REQUIRE_ROOT();
	assert_int_equal(target(f, "/proc/self", &r, &err), -1);
	assert_int_equal(r.fd, -1);
	/* /proc/PID of her own process is hers: only the file system says no */
	pid = alice_process();
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	{
		int owned = stat(path, &st) == 0 && st.st_uid == 1000;
		int rc = target(f, path, &r, &err);

		/* the child goes before any assert can leave it behind */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		assert_true(owned);
		assert_int_equal(rc, -1);
		assert_contains(err.text, "special file system");
	}
	assert_int_equal(r.fd, -1);
}

/* sysfs and devpts: resolve_target refuses them (root owns them); the file
 * system check alone refuses them even for a file alice would own. */
static void test_target_on_pseudo_fs_refused(void **state)
{
	struct fixture *f = *state;
	static const char *const paths[] = {
		"/sys/kernel", "/sys/fs/cgroup", "/sys/fs/cgroup/cpu", "/dev/pts", "/proc/sys", "/proc/1",
	};
	static const long pseudo[] = {
		SYSFS_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC, DEVPTS_SUPER_MAGIC, PROC_SUPER_MAGIC,
	};
	struct vsym_resolved r;
	struct vsym_error err;
	struct statfs fs;
	int checked = 0;

	REQUIRE_ROOT();
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		bool is_pseudo = false;

		/* some systems have a tmpfs on /sys/fs/cgroup: only real pseudo
		 * file systems count */
		if (statfs(paths[i], &fs) != 0)
			continue;
		for (size_t j = 0; j < sizeof(pseudo) / sizeof(pseudo[0]); j++)
			is_pseudo = is_pseudo || (long)fs.f_type == pseudo[j];
		if (!is_pseudo)
			continue;
		assert_int_equal(target(f, paths[i], &r, &err), -1);
		assert_int_equal(vsym_target_open(&f->alice.user, paths[i], &r, &err), 0);
		r.st.st_uid = 1000; /* as if chowned to her */
		assert_int_equal(vsym_target_check(&f->alice.user, &r, &err), -1);
		assert_contains(err.text, "special file system");
		vsym_resolved_close(&r);
		checked++;
	}
	assert_true(checked >= 3);
}

/* The owner check is the second half: open_target lets a root-owned target
 * through (for one already carrying a vsym mount), check_target does not. */
static void test_open_then_check_target(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;

	REQUIRE_ROOT();
	make_dir(test_path(f->home, "rootdir"), 0, 0, 0755);
	assert_int_equal(vsym_target_open(&f->alice.user, test_path(f->home, "rootdir"), &r, &err), 0);
	assert_string_equal(r.path, test_path(f->home, "rootdir"));
	assert_int_equal(r.st.st_uid, 0);
	assert_int_equal(vsym_target_check(&f->alice.user, &r, &err), -1);
	assert_contains(err.text, "owned by uid 0");
	vsym_resolved_close(&r);
	/* open_target still refuses links and dots */
	make_link("/etc", test_path(f->home, "etc"), 1000, 1000);
	assert_int_equal(vsym_target_open(&f->alice.user, test_path(f->home, "etc"), &r, &err), -1);
	assert_contains(err.text, "symbolic link");
	assert_int_equal(vsym_target_open(&f->alice.user, test_path(f->home, "real/.."), &r, &err), -1);
	assert_contains(err.text, "'.' or '..'");
	/* and her own directory passes both halves */
	assert_int_equal(vsym_target_open(&f->alice.user, test_path(f->home, "real"), &r, &err), 0);
	assert_int_equal(vsym_target_check(&f->alice.user, &r, &err), 0);
	vsym_resolved_close(&r);
}

/* The descriptor, not the path, is what was checked: a target removed (and
 * replaced by a symlink) after resolving still shows the old object, and the
 * path read back says it is gone. */
static void test_target_removed_after_open(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;
	char path[256], again[256];
	struct stat st;

	REQUIRE_ROOT();
	snprintf(path, sizeof(path), "%s", test_path(f->home, "gone"));
	make_dir(path, 1000, 1000, 0755);
	assert_int_equal(target(f, path, &r, &err), 0);
	assert_int_equal(rmdir(path), 0);
	make_link("/etc", path, 1000, 1000);
	assert_int_equal(fstat(r.fd, &st), 0);
	assert_int_equal(st.st_ino, r.st.st_ino);
	assert_int_equal(st.st_nlink, 0); /* the removed directory, not /etc */
	snprintf(again, sizeof(again), "/proc/self/fd/%d", r.fd);
	{
		char now[512];
		ssize_t n = readlink(again, now, sizeof(now) - 1);

		assert_true(n > 0);
		now[n] = '\0';
		assert_contains(now, "(deleted)");
	}
	vsym_resolved_close(&r);
	/* resolving again meets the symlink */
	assert_int_equal(target(f, path, &r, &err), -1);
	assert_contains(err.text, "symbolic link");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_target_own_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_symlinked_parent_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_dot_components_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_owned_by_root_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_behind_root_dir_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_fifo_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_on_proc_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_on_pseudo_fs_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_then_check_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_target_removed_after_open, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
