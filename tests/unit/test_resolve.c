/* resolve.c: sources are reached as the user (invariant 4 of
 * doc/security.md), targets
 * are the user's own files on an ordinary file system, reached without a
 * symlink, "." or ".." (invariant 3). Real files in a throwaway namespace,
 * resolved as a made-up alice (uid and gid 1000, groups 1000 and 50). */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/sysmacros.h>

#include "testfuse.h"
#include "testns.h"
#include "testutil.h"
#include "testtarget.h"
#include "../lib/no_statmount.h"

#include "mountinfo.h"
#include "resolve.h"
#include "target.h"

static int source(struct fixture *f, const char *path, struct vsym_resolved *r, struct vsym_error *err)
{
	int rc = vsym_resolve_source(&f->alice.user, path, r, err);

	if (rc != 0)
		print_message("source %s: %s\n", path, err->text);
	return rc;
}

static void test_source_through_symlink(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;
	char link[256];

	REQUIRE_ROOT();
	snprintf(link, sizeof(link), "%s", test_path(f->home, "link"));
	make_link(test_path(f->home, "real"), link, 1000, 1000);
	assert_int_equal(source(f, link, &r, &err), 0);
	assert_true(r.fd >= 0);
	assert_string_equal(r.path, test_path(f->home, "real"));
	assert_true(S_ISDIR(r.st.st_mode));
	/* the fd is O_PATH: no reading through it */
	assert_int_equal(fcntl(r.fd, F_GETFL) & O_PATH, O_PATH);
	assert_true(fcntl(r.fd, F_GETFD) & FD_CLOEXEC);
	vsym_resolved_close(&r);
	assert_int_equal(r.fd, -1);
	vsym_resolved_close(&r); /* safe twice */
}

static void test_source_relative_link_and_file(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;
	int fd;

	REQUIRE_ROOT();
	fd = open(test_path(f->home, "real/file"), O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
	make_link("real/file", test_path(f->home, "rel"), 1000, 1000);
	assert_int_equal(source(f, test_path(f->home, "rel"), &r, &err), 0);
	assert_string_equal(r.path, test_path(f->home, "real/file"));
	assert_true(S_ISREG(r.st.st_mode));
	vsym_resolved_close(&r);
}

/* /proc/self/fd/N names whatever root opened, even where alice cannot go:
 * a magic link is never followed. */
static void test_source_magic_link_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;
	char path[64];
	int fd;

	REQUIRE_ROOT();
	make_dir(test_path(f->base, "secret"), 0, 0, 0700);
	make_dir(test_path(f->base, "secret/data"), 1000, 1000, 0755);
	fd = open(test_path(f->base, "secret/data"), O_PATH | O_DIRECTORY);
	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	assert_int_equal(source(f, path, &r, &err), -1);
	assert_int_equal(r.fd, -1);
	/* even to a directory alice may reach */
	close(fd);
	fd = open(test_path(f->home, "real"), O_PATH | O_DIRECTORY);
	assert_true(fd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	assert_int_equal(source(f, path, &r, &err), -1);
	close(fd);
	/* /proc/self/root and /proc/self/cwd are magic links too */
	assert_int_equal(source(f, test_path("/proc/self/root", f->home + 1), &r, &err), -1);
	assert_int_equal(source(f, "/proc/self/cwd", &r, &err), -1);
}

/* Root could reach it; alice cannot, so neither can her bind. */
static void test_source_behind_root_dir_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;

	REQUIRE_ROOT();
	make_dir(test_path(f->base, "secret"), 0, 0, 0700);
	make_dir(test_path(f->base, "secret/data"), 1000, 1000, 0755);
	assert_int_equal(access(test_path(f->base, "secret/data"), X_OK), 0);
	assert_int_equal(source(f, test_path(f->base, "secret/data"), &r, &err), -1);
	assert_contains(err.text, "cannot be reached by alice");
	assert_contains(err.text, strerror(EACCES));
	assert_int_equal(r.fd, -1);
	/* nor through a symlink of her own */
	make_link(test_path(f->base, "secret/data"), test_path(f->home, "back"), 1000, 1000);
	assert_int_equal(source(f, test_path(f->home, "back"), &r, &err), -1);
	assert_contains(err.text, "cannot be reached by alice");
}

static void test_source_group_search_allowed(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;

	REQUIRE_ROOT();
	/* 50 is a supplementary group of alice, not her primary one */
	make_dir(test_path(f->base, "staff"), 0, 50, 0710);
	make_dir(test_path(f->base, "staff/data"), 0, 0, 0755);
	assert_int_equal(source(f, test_path(f->base, "staff/data"), &r, &err), 0);
	assert_string_equal(r.path, test_path(f->base, "staff/data"));
	vsym_resolved_close(&r);
	/* a group she is not in does not */
	make_dir(test_path(f->base, "other"), 0, 51, 0710);
	make_dir(test_path(f->base, "other/data"), 0, 0, 0755);
	assert_int_equal(source(f, test_path(f->base, "other/data"), &r, &err), -1);
}

static void test_source_missing(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;

	REQUIRE_ROOT();
	assert_int_equal(source(f, test_path(f->home, "nope"), &r, &err), -ENOENT);
	assert_contains(err.text, "does not exist");
	assert_int_equal(r.fd, -1);
	/* a dangling symlink is missing too */
	make_link(test_path(f->home, "nope"), test_path(f->home, "dangling"), 1000, 1000);
	assert_int_equal(source(f, test_path(f->home, "dangling"), &r, &err), -ENOENT);
}

static void test_source_fifo_and_device_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;

	REQUIRE_ROOT();
	assert_int_equal(mkfifo(test_path(f->home, "fifo"), 0666), 0);
	assert_int_equal(source(f, test_path(f->home, "fifo"), &r, &err), -1);
	assert_contains(err.text, "neither a directory nor a regular file");
	assert_int_equal(r.fd, -1);
	assert_int_equal(mknod(test_path(f->home, "null"), S_IFCHR | 0666, makedev(1, 3)), 0);
	assert_int_equal(source(f, test_path(f->home, "null"), &r, &err), -1);
	assert_contains(err.text, "neither a directory nor a regular file");
	assert_int_equal(source(f, "/dev/null", &r, &err), -1);
}

static void test_not_absolute(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved r;
	struct vsym_error err;

	REQUIRE_ROOT();
	assert_int_equal(chdir(f->home), 0);
	assert_int_equal(source(f, "real", &r, &err), -1);
	assert_contains(err.text, "not an absolute path");
	assert_int_equal(target(f, "real", &r, &err), -1);
	assert_contains(err.text, "not an absolute path");
	assert_int_equal(chdir("/"), 0);
}

/* A tmpfs on dir, in the test's namespace. */
static void mount_tmpfs(const char *dir, uid_t uid)
{
	char opts[64];

	snprintf(opts, sizeof(opts), "mode=0755,uid=%u,gid=%u", (unsigned)uid, (unsigned)uid);
	if (mount("vsym-test", dir, "tmpfs", 0, opts) < 0)
		fail_msg("mount tmpfs on %s: %s", dir, strerror(errno));
}

/* Paths across mounts and links end where the kernel's own lookup ends. */
static void test_walk_across_mounts_and_links(void **state)
{
	struct fixture *f = *state;
	char got[PATH_MAX], want[PATH_MAX], link[64];
	struct vsym_error err;
	int fd;

	REQUIRE_ROOT();
	make_dir(test_path(f->home, "m1"), 1000, 1000, 0755);
	mount_tmpfs(test_path(f->home, "m1"), 1000);
	make_dir(test_path(f->home, "m1/m2"), 1000, 1000, 0755);
	mount_tmpfs(test_path(f->home, "m1/m2"), 1000);
	make_dir(test_path(f->home, "m1/m2/go"), 1000, 1000, 0755);
	make_link(test_path(f->home, "m1/m2/go"), test_path(f->home, "abs"), 1000, 1000);          /* absolute, across two mounts */
	make_link("m1/m2/../m2/go", test_path(f->home, "rel"), 1000, 1000);                /* relative, with .. at a mount root */
	make_link("abs", test_path(f->home, "m1/chain"), 1000, 1000);                      /* link to a link */
	make_link("../abs", test_path(f->home, "m1/up"), 1000, 1000);
	const char *paths[] = { "m1/m2/go", "abs", "rel", "m1/up", "m1/m2/../m2/go", "m1//m2/./go/" };
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		fd = vsym_walk(test_path(f->home, paths[i]), VSYM_LINKS_FOLLOW, &err);
		if (fd < 0)
			fail_msg("walk %s: %s (%s)", paths[i], strerror(-fd), err.text);
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		got[readlink(link, got, sizeof(got) - 1)] = '\0';
		assert_non_null(realpath(test_path(f->home, paths[i]), want));
		assert_string_equal(got, want);
		close(fd);
	}
	/* A link where none is allowed, wherever it is. */
	assert_int_equal(vsym_walk(test_path(f->home, "abs"), VSYM_LINKS_REFUSE, &err), -ELOOP);
	assert_int_equal(vsym_walk(test_path(f->home, "abs"), VSYM_LINKS_FOLLOW_DIRS, &err), -ELOOP);
	fd = vsym_walk(test_path(f->home, "rel/../go"), VSYM_LINKS_FOLLOW_DIRS, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(vsym_walk(test_path(f->home, "m1/m2/none"), VSYM_LINKS_FOLLOW, &err), -ENOENT);
	umount2(test_path(f->home, "m1/m2"), MNT_DETACH);
	umount2(test_path(f->home, "m1"), MNT_DETACH);
}

/* A loop of links, or more than VSYM_MAX_LINKS of them, ends in ELOOP. */
static void test_walk_link_limits(void **state)
{
	struct fixture *f = *state;
	char name[32], to[32];
	struct vsym_error err;
	int fd;

	REQUIRE_ROOT();
	make_link("loop2", test_path(f->home, "loop1"), 1000, 1000);
	make_link("loop1", test_path(f->home, "loop2"), 1000, 1000);
	assert_int_equal(vsym_walk(test_path(f->home, "loop1"), VSYM_LINKS_FOLLOW, &err), -ELOOP);
	for (int i = 1; i <= VSYM_MAX_LINKS + 1; i++) {
		snprintf(name, sizeof(name), "l%d", i);
		snprintf(to, sizeof(to), i == 1 ? "real" : "l%d", i - 1);
		make_link(to, test_path(f->home, name), 1000, 1000);
	}
	snprintf(name, sizeof(name), "l%d", VSYM_MAX_LINKS);
	fd = vsym_walk(test_path(f->home, name), VSYM_LINKS_FOLLOW, &err);
	assert_true(fd >= 0);
	close(fd);
	snprintf(name, sizeof(name), "l%d", VSYM_MAX_LINKS + 1);
	assert_int_equal(vsym_walk(test_path(f->home, name), VSYM_LINKS_FOLLOW, &err), -ELOOP);
}

/* A FUSE mount alice serves, which never answers (both kinds): a source
 * in it, the mount itself, a link into it, and a target below it are all
 * refused at once, naming FUSE; a path beside it is not disturbed. */
static void expect_fuse_refused(struct fixture *f, const char *rel, bool is_target)
{
	struct vsym_resolved r;
	struct vsym_error err;
	int rc = is_target ? target(f, test_path(f->home, rel), &r, &err) : source(f, test_path(f->home, rel), &r, &err);

	assert_int_equal(rc, -1);
	assert_contains(err.text, "is a FUSE mount (fuse)");
	assert_contains(err.text, test_path(f->home, "fuse"));
}

static void check_fuse_kind(struct fixture *f, enum testfuse_kind kind)
{
	struct vsym_resolved r;
	struct vsym_error err;
	struct testfuse fuse;

	make_dir(test_path(f->home, "fuse"), 1000, 1000, 0755);
	if (testfuse_start(&fuse, test_path(f->home, "fuse"), 1000, kind) < 0)
		fail_msg("mount fuse: %s", strerror(errno));
	/* Were a lookup to block, SIGALRM's default action fails the test. */
	signal(SIGALRM, SIG_DFL);
	alarm(test_seconds(10));
	expect_fuse_refused(f, "fuse/go1.22", false);
	expect_fuse_refused(f, "fuse", false);
	expect_fuse_refused(f, "fuse/a/b/c", true);
	expect_fuse_refused(f, "fuse", true);
	make_link("fuse/go", test_path(f->home, "into-fuse"), 1000, 1000);
	expect_fuse_refused(f, "into-fuse", false);
	assert_int_equal(source(f, test_path(f->home, "real"), &r, &err), 0);
	vsym_resolved_close(&r);
	alarm(test_seconds(0));
	testfuse_stop(&fuse);
	unlink(test_path(f->home, "into-fuse"));
}

static void test_walk_never_into_fuse(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	check_fuse_kind(f, TESTFUSE_UNSERVED);
	rmdir(test_path(f->home, "fuse"));
	check_fuse_kind(f, TESTFUSE_READ);
}

/* Kernels before 6.8 have no statmount: the mount table says the same. */
static void test_fs_type_from_table(void **state)
{
	struct fixture *f = *state;
	char a[64], b[64];
	struct vsym_error err;
	struct testfuse fuse;
	const char *dirs[] = { "/", "/proc", f->home, test_path(f->home, "fuse") };

	REQUIRE_ROOT();
	make_dir(test_path(f->home, "fuse"), 1000, 1000, 0755);
	if (testfuse_start(&fuse, test_path(f->home, "fuse"), 1000, TESTFUSE_READ) < 0)
		fail_msg("mount fuse: %s", strerror(errno));
	signal(SIGALRM, SIG_DFL);
	alarm(test_seconds(10));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		int fd = open(dirs[i], O_PATH | O_CLOEXEC);

		assert_true(fd >= 0);
		assert_int_equal(vsym_mount_fs_type(fd, a, sizeof(a), &err), 0);
		assert_int_equal(vsym_mount_fs_type_from_table(fd, b, sizeof(b), &err), 0);
		assert_string_equal(a, b);
		assert_int_equal(vsym_fs_type_is_fuse(a), i == 3);
		close(fd);
	}
	assert_string_equal(a, "fuse");
	alarm(test_seconds(0));
	testfuse_stop(&fuse);
	assert_true(vsym_fs_type_is_fuse("fuse.sshfs"));
	assert_true(vsym_fs_type_is_fuse("fuseblk"));
	assert_false(vsym_fs_type_is_fuse("fusectl"));
}

/* How often anything in this process opened its (or its thread's) mount
 * table: fopen here comes before libc's for vsym and libmount alike. */
static unsigned mountinfo_opens;

FILE *fopen(const char *path, const char *mode)
{
	static FILE *(*real)(const char *, const char *);

	if (real == NULL)
		real = (FILE * (*)(const char *, const char *))dlsym(RTLD_NEXT, "fopen");
	if (strcmp(path, "/proc/self/mountinfo") == 0 || strcmp(path, "/proc/thread-self/mountinfo") == 0)
		mountinfo_opens++;
	return real(path, mode);
}

/* Runs check in a child whose statmount(2) fails as on Linux 6.1 (the
 * seccomp filter stays with the child); its exit status is the result. */
static void in_pre_68_child(struct fixture *f, int (*check)(struct fixture *f))
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (no_statmount() < 0) {
			fprintf(stderr, "seccomp: %s\n", strerror(errno));
			_exit(90);
		}
		_exit(check(f));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

enum { DEPTH = 8 };

/* A source under DEPTH nested mounts is resolved with one read of the
 * mount table, not one for each mount crossed. */
static int walk_reads_table_once(struct fixture *f)
{
	struct vsym_resolved r;
	struct vsym_error err;
	char path[PATH_MAX];
	int rc;

	vsym_resolve_forget_table();
	mountinfo_opens = 0;
	snprintf(path, sizeof(path), "%s/n", f->home);
	for (int i = 1; i < DEPTH; i++)
		strcat(path, "/n");
	strcat(path, "/go");
	rc = vsym_resolve_source(&f->alice.user, path, &r, &err);
	if (rc != 0) {
		fprintf(stderr, "resolve %s: %s\n", path, err.text);
		return 1;
	}
	vsym_resolved_close(&r);
	if (mountinfo_opens != 1) {
		fprintf(stderr, "the walk across %d mounts read the table %u times\n", DEPTH, mountinfo_opens);
		return 2;
	}
	return 0;
}

/* Resolves the source under the DEPTH mounts; 0 or -1. */
static int resolve_deep(struct fixture *f)
{
	struct vsym_resolved r;
	struct vsym_error err;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/n", f->home);
	for (int i = 1; i < DEPTH; i++)
		strcat(path, "/n");
	strcat(path, "/go");
	if (vsym_resolve_source(&f->alice.user, path, &r, &err) != 0) {
		fprintf(stderr, "resolve %s: %s\n", path, err.text);
		return -1;
	}
	vsym_resolved_close(&r);
	return 0;
}

/* The table read by one walk serves the next ones (a login walks a dozen
 * paths, before and after it makes its namespace): in another namespace
 * too, for the copies of its mounts (the same file systems), until a
 * mount on the way is on a file system it does not list, a mount changes
 * in the namespace it was read in, or vsym_resolve_forget_table. */
static int walks_share_table(struct fixture *f)
{
	static const unsigned want[] = { 1, 1, 1, 2, 3, 4 };
	unsigned got[6];
	char extra[PATH_MAX], last[PATH_MAX];
	int here, other;

	/* Another namespace, a private copy of this one, made first; then
	 * back here: nothing changes in either from now on but the mounts
	 * below. */
	here = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	if (here < 0 || unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    (other = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC)) < 0 || setns(here, CLONE_NEWNS) < 0)
		return 1;
	vsym_resolve_forget_table();
	mountinfo_opens = 0;
	if (resolve_deep(f) < 0 || resolve_deep(f) < 0)
		return 1;
	got[0] = got[1] = mountinfo_opens;
	/* in the other namespace: other mount ids, the same file systems */
	if (setns(other, CLONE_NEWNS) < 0 || resolve_deep(f) < 0)
		return 2;
	got[2] = mountinfo_opens;
	/* there, a new file system on the way, which the kept table (of the
	 * first namespace) does not list: that namespace's own is read */
	snprintf(last, sizeof(last), "%s/n", f->home);
	for (int i = 1; i < DEPTH; i++)
		strcat(last, "/n");
	strcat(last, "/go");
	mount_tmpfs(last, 1000);
	if (resolve_deep(f) < 0)
		return 3;
	got[3] = mountinfo_opens;
	/* a mount elsewhere in the namespace the table was read in: stale */
	snprintf(extra, sizeof(extra), "%s/extra", f->home);
	if (mkdir(extra, 0755) < 0 || mount("x", extra, "tmpfs", 0, NULL) < 0 || resolve_deep(f) < 0)
		return 4;
	got[4] = mountinfo_opens;
	vsym_resolve_forget_table();
	if (resolve_deep(f) < 0)
		return 5;
	got[5] = mountinfo_opens;
	for (int i = 1; i < 6; i++)
		if (got[i] != want[i]) {
			fprintf(stderr, "step %d: the table was opened %u times in all, not %u\n", i, got[i], want[i]);
			return 10 + i;
		}
	return 0;
}

/* A FUSE mount made only in a new namespace (as a login's), while the
 * table kept from the namespace it came from is still current: refused,
 * at once, not taken for the tmpfs the kept table lists there. */
static int fuse_in_new_namespace_refused(struct fixture *f)
{
	char dir[150], inner[200];
	struct vsym_resolved r;
	struct vsym_error err;
	struct testfuse fuse;
	int rc;

	snprintf(dir, sizeof(dir), "%s/nf", f->home);
	snprintf(inner, sizeof(inner), "%s/inner", dir);
	vsym_resolve_forget_table();
	if (vsym_resolve_source(&f->alice.user, inner, &r, &err) != 0)
		return 1;
	vsym_resolved_close(&r);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    testfuse_start(&fuse, dir, 1000, TESTFUSE_UNSERVED) < 0)
		return 2;
	alarm(test_seconds(10));
	rc = vsym_resolve_source(&f->alice.user, inner, &r, &err);
	alarm(test_seconds(0));
	testfuse_stop(&fuse);
	if (rc >= 0 || strstr(err.text, "is a FUSE mount") == NULL) {
		fprintf(stderr, "the walk into a FUSE mount of the new namespace gave %d: %s\n", rc, err.text);
		return 3;
	}
	return 0;
}

static void test_pre_68_fuse_in_new_namespace_refused(void **state)
{
	struct fixture *f = *state;
	char dir[150], inner[200];

	REQUIRE_ROOT();
	snprintf(dir, sizeof(dir), "%s/nf", f->home);
	snprintf(inner, sizeof(inner), "%s/inner", dir);
	make_dir(dir, 1000, 1000, 0755);
	mount_tmpfs(dir, 1000);
	make_dir(inner, 1000, 1000, 0755);
	signal(SIGALRM, SIG_DFL);
	in_pre_68_child(f, fuse_in_new_namespace_refused);
	umount2(dir, MNT_DETACH);
}

static void make_deep_mounts(struct fixture *f, char *dir, size_t size)
{
	snprintf(dir, size, "%s", f->home);
	for (int i = 0; i < DEPTH; i++) {
		strcat(dir, "/n");
		make_dir(dir, 1000, 1000, 0755);
		mount_tmpfs(dir, 1000);
	}
	make_dir(test_path(dir, "go"), 1000, 1000, 0755);
}

static void remove_deep_mounts(char *dir)
{
	for (int i = 0; i < DEPTH; i++) {
		umount2(dir, MNT_DETACH);
		*strrchr(dir, '/') = '\0';
	}
}

static void test_walk_pre_68_reads_table_once(void **state)
{
	struct fixture *f = *state;
	char dir[PATH_MAX];

	REQUIRE_ROOT();
	make_deep_mounts(f, dir, sizeof(dir));
	in_pre_68_child(f, walk_reads_table_once);
	remove_deep_mounts(dir);
}

static void test_walks_pre_68_share_table(void **state)
{
	struct fixture *f = *state;
	char dir[PATH_MAX];

	REQUIRE_ROOT();
	make_deep_mounts(f, dir, sizeof(dir));
	in_pre_68_child(f, walks_share_table);
	remove_deep_mounts(dir);
}

/* The id of the mount fd is on (STATX_MNT_ID: the id that a later mount
 * may get again once this one is gone). AT_STATX_DONT_SYNC: before Linux
 * 6.6 FUSE would ask its daemon otherwise, and this one never answers. */
static uint64_t old_mount_id(int fd)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0)
		return 0;
	return stx.stx_mnt_id;
}

/* A table read before a mount was replaced never speaks for the new one:
 * a tmpfs is looked up, unmounted, and a FUSE mount takes its place (and,
 * the kernel handing out the lowest free id, its id); the same walk state
 * must then say "fuse", not what it read for the tmpfs. */
static int stale_table_not_trusted(struct fixture *f)
{
	struct vsym_mount_types types = VSYM_MOUNT_TYPES_INIT;
	const char *dir = test_path(f->home, "swap");
	struct vsym_error err;
	struct testfuse fuse;
	char type[64];
	uint64_t tmpfs_id;
	int fd, rc = 0;

	mount_tmpfs(dir, 1000);
	fd = open(dir, O_PATH | O_CLOEXEC);
	if (fd < 0 || vsym_mount_fs_type_cached(fd, &types, type, sizeof(type), &err) < 0 ||
	    strcmp(type, "tmpfs") != 0)
		return 1;
	tmpfs_id = old_mount_id(fd);
	close(fd);
	umount2(dir, MNT_DETACH);
	if (testfuse_start(&fuse, dir, 1000, TESTFUSE_UNSERVED) < 0)
		return 2;
	alarm(test_seconds(10));
	fd = open(dir, O_PATH | O_CLOEXEC);
	if (old_mount_id(fd) != tmpfs_id)
		fprintf(stderr, "note: the FUSE mount got id %llu, not the tmpfs's %llu\n",
			(unsigned long long)old_mount_id(fd), (unsigned long long)tmpfs_id);
	if (vsym_mount_fs_type_cached(fd, &types, type, sizeof(type), &err) < 0) {
		fprintf(stderr, "lookup: %s\n", err.text);
		rc = 3;
	} else if (strcmp(type, "fuse") != 0) {
		fprintf(stderr, "a FUSE mount in place of a tmpfs was taken for '%s'\n", type);
		rc = 4;
	}
	close(fd);
	vsym_mount_types_done(&types);
	testfuse_stop(&fuse);
	return rc;
}

static void test_pre_68_stale_table_not_trusted(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	make_dir(test_path(f->home, "swap"), 1000, 1000, 0755);
	signal(SIGALRM, SIG_DFL);
	in_pre_68_child(f, stale_table_not_trusted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_source_through_symlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_relative_link_and_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_magic_link_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_behind_root_dir_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_group_search_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_fifo_and_device_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_absolute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_across_mounts_and_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_link_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_never_into_fuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fs_type_from_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_pre_68_reads_table_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walks_pre_68_share_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pre_68_stale_table_not_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pre_68_fuse_in_new_namespace_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
