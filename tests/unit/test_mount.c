/* mount.c: the session namespace (invariant 1), the marker (invariant 2),
 * binds that are recursive, nosuid,nodev and private (invariants 1 and 5),
 * made on the checked descriptor (invariant 3), and detaching only vsym's
 * own mounts (invariant 9). Real mounts, in the throwaway namespace of
 * testns.h; whatever must unshare again runs in a forked child. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "testns.h"
#include "testutil.h"

#include "mount.h"
#include "resolve.h"
#include "target.h"

struct fixture {
	struct test_user alice;
	char base[96];  /* root-owned 0755 */
	char src[128];  /* alice's */
	char tgt[128];  /* alice's */
};


static void mount_tmpfs(const char *path, unsigned long flags, const char *data)
{
	if (mount("vsym-test", path, "tmpfs", flags, data) < 0)
		fail_msg("mount tmpfs on %s: %s", path, strerror(errno));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	if (geteuid() != 0)
		return 0; /* each test says skip or fail */
	if (test_scratch_dir(f->base, sizeof(f->base), "mount", 0, 0) < 0 || testns_private_run() < 0)
		return -1;
	test_user_alice(&f->alice);
	snprintf(f->src, sizeof(f->src), "%s/src", f->base);
	snprintf(f->tgt, sizeof(f->tgt), "%s/tgt", f->base);
	make_dir(f->src, 1000, 1000, 0755);
	make_dir(f->tgt, 1000, 1000, 0755);
	write_file(test_path(f->src, "hello"), "hello\n", 1000, 1000, 0644);
	return 0;
}

static int teardown(void **state)
{
	return test_free_fixture(state);
}

/* resolve, prepare, attach, as vsym_binds_add does. */
static int bind_tree(const struct vsym_user *user, const char *src, const char *tgt, bool ro,
		     uint64_t *id, struct vsym_error *err)
{
	struct vsym_resolved s, t;
	int tree, rc = -1;
	uint64_t dummy;

	if (vsym_resolve_source(user, src, &s, err) != 0)
		return -1;
	if (vsym_target_resolve(user, tgt, &t, err) != 0) {
		vsym_resolved_close(&s);
		return -1;
	}
	tree = vsym_tree_prepare(&s, &t, ro, id ? id : &dummy, err);
	if (tree >= 0) {
		rc = vsym_tree_attach(tree, &t, err);
		close(tree);
	}
	vsym_resolved_close(&s);
	vsym_resolved_close(&t);
	return rc;
}

static void bind_ok(struct fixture *f, const char *src, const char *tgt, bool ro, uint64_t *id)
{
	struct vsym_error err;

	if (bind_tree(&f->alice.user, src, tgt, ro, id, &err) != 0)
		fail_msg("bind %s on %s: %s", src, tgt, err.text);
}

/* The session namespace */

struct ns_arg {
	char shared[256], from_child[256], from_host[256];
};

static int child_ns_create(void *arg, char *msg, size_t size)
{
	struct ns_arg *a = arg;
	struct vsym_error err;
	int old_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC), new_ns;
	const char *line;

	CHECK(old_ns >= 0, "%s", strerror(errno));
	CHECK(vsym_ns_create(&err) == 0, "%s", err.text);
	new_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	CHECK(new_ns >= 0, "%s", strerror(errno));
	line = testns_line_of(a->shared);
	CHECK(strstr(line, " master:") != NULL && strstr(line, " shared:") == NULL, "%s", line);
	/* out: nothing */
	CHECK(mount("vsym-test", a->from_child, "tmpfs", 0, NULL) == 0, "%s", strerror(errno));
	CHECK(setns(old_ns, CLONE_NEWNS) == 0, "%s", strerror(errno));
	CHECK(testns_mounts_on(a->from_child) == 0, "a session mount reached the namespace it left");
	/* in: the host's later mounts */
	CHECK(mount("vsym-test", a->from_host, "tmpfs", 0, NULL) == 0, "%s", strerror(errno));
	CHECK(setns(new_ns, CLONE_NEWNS) == 0, "%s", strerror(errno));
	CHECK(testns_mounts_on(a->from_host) == 1, "a host mount did not reach the session");
	CHECK(testns_mounts_on(a->from_child) == 1, "the session lost its own mount");
	return 0;
}

static void test_ns_create_makes_slave(void **state)
{
	struct fixture *f = *state;
	struct ns_arg a;

	REQUIRE_ROOT();
	snprintf(a.shared, sizeof(a.shared), "%s", test_path(f->base, "shared"));
	make_dir(a.shared, 0, 0, 0755);
	mount_tmpfs(a.shared, 0, "mode=0755");
	assert_int_equal(mount(NULL, a.shared, NULL, MS_SHARED, NULL), 0);
	snprintf(a.from_child, sizeof(a.from_child), "%s", test_path(a.shared, "a"));
	snprintf(a.from_host, sizeof(a.from_host), "%s", test_path(a.shared, "b"));
	make_dir(a.from_child, 0, 0, 0755);
	make_dir(a.from_host, 0, 0, 0755);
	RUN_CHILD(child_ns_create, &a);
	assert_int_equal(testns_mounts_on(a.from_child), 0);
	assert_int_equal(umount(a.from_host), 0);
}

/* The session marker */

static int child_marker_ok(void *arg, char *msg, size_t size)
{
	struct vsym_error err;
	struct stat st;
	const char *opts;

	(void)arg;
	CHECK(vsym_ns_create(&err) == 0, "%s", err.text);
	CHECK(vsym_marker_check(1000, &err) == -1, "a marker before there is one");
	CHECK(strstr(err.text, "not in a vsym session") != NULL, "%s", err.text);
	CHECK(vsym_marker_create(1000, &err) == 0, "%s", err.text);
	CHECK(vsym_marker_check(1000, &err) == 0, "%s", err.text);
	CHECK(vsym_marker_check(1001, &err) == -1, "another uid's session accepted");
	CHECK(strstr(err.text, "belongs to uid 1000") != NULL, "%s", err.text);
	CHECK(vsym_marker_check(0, &err) == -1, "root's check accepted a session of uid 1000");
	/* a root-owned read-only file on a nosuid,nodev,noexec tmpfs */
	CHECK(stat(VSYM_RUN_DIR "/session", &st) == 0, "%s", strerror(errno));
	CHECK(st.st_uid == 0 && (st.st_mode & 0222) == 0, "mode %o uid %u", st.st_mode, st.st_uid);
	opts = testns_options_of(VSYM_RUN_DIR);
	CHECK(strstr(opts, "nosuid") && strstr(opts, "nodev") && strstr(opts, "noexec"), "%s", opts);
	return 0;
}

static void test_marker_create_and_check(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	RUN_CHILD(child_marker_ok, NULL);
	/* it lived and died in the child's namespace */
	assert_int_equal(testns_mounts_on(VSYM_RUN_DIR), 0);
}

static int child_marker_copied(void *arg, char *msg, size_t size)
{
	struct vsym_error err;

	(void)arg;
	CHECK(vsym_ns_create(&err) == 0, "%s", err.text);
	CHECK(vsym_marker_create(1000, &err) == 0, "%s", err.text);
	CHECK(unshare(CLONE_NEWNS) == 0, "%s", strerror(errno));
	CHECK(access(VSYM_RUN_DIR "/session", F_OK) == 0, "the copy has no marker to check");
	CHECK(vsym_marker_check(1000, &err) == -1, "a copied namespace passed for the session");
	CHECK(strstr(err.text, "copied") != NULL, "%s", err.text);
	return 0;
}

static void test_marker_refused_in_copy(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	RUN_CHILD(child_marker_copied, NULL);
}

static int write_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

/* In a user namespace of her own, anybody may mount a perfect look-alike
 * marker (here with vsym's own code): its owner gives it away. */
static int child_marker_userns(void *arg, char *msg, size_t size)
{
	struct vsym_error err;

	(void)arg;
	CHECK(unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0, "%s", strerror(errno));
	CHECK(write_text("/proc/self/setgroups", "deny") == 0, "setgroups: %s", strerror(errno));
	CHECK(write_text("/proc/self/uid_map", "0 0 1") == 0, "uid_map: %s", strerror(errno));
	CHECK(write_text("/proc/self/gid_map", "0 0 1") == 0, "gid_map: %s", strerror(errno));
	CHECK(vsym_marker_create(1000, &err) == 0, "the forgery itself failed: %s", err.text);
	CHECK(vsym_marker_check(1000, &err) == -1, "a marker in a user namespace passed");
	CHECK(strstr(err.text, "belongs to a user namespace") != NULL, "%s", err.text);
	return 0;
}

static void test_marker_refused_in_user_ns(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	RUN_CHILD(child_marker_userns, NULL);
}

/* Hand-made markers, with the text of a genuine one (so only what is
 * changed on purpose is wrong): the file must be root's, read-only, well
 * formed, and on a mount of its own on /run/vsym. */
static int forge(const char *path, uid_t owner, mode_t mode, const char *text, char *msg, size_t size)
{
	int fd;

	unlink(path);
	fd = open(path, O_CREAT | O_WRONLY | O_EXCL, mode);
	CHECK(fd >= 0, "%s", strerror(errno));
	CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text), "%s", strerror(errno));
	CHECK(fchown(fd, owner, owner) == 0 && fchmod(fd, mode) == 0, "%s", strerror(errno));
	close(fd);
	return 0;
}

#define FORGE(owner, mode, text)                                                          \
	do {                                                                              \
		if (forge(VSYM_RUN_DIR "/session", (owner), (mode), (text), msg, size) != 0) \
			return 1;                                                         \
	} while (0)

static int child_marker_forged(void *arg, char *msg, size_t size)
{
	struct vsym_error err;
	char genuine[512], other[512], *nl;
	ssize_t n;
	int fd;

	(void)arg;
	CHECK(vsym_ns_create(&err) == 0, "%s", err.text);
	CHECK(vsym_marker_create(1000, &err) == 0, "%s", err.text);
	fd = open(VSYM_RUN_DIR "/session", O_RDONLY);
	CHECK(fd >= 0, "%s", strerror(errno));
	n = read(fd, genuine, sizeof(genuine) - 1);
	close(fd);
	CHECK(n > 0, "%s", strerror(errno));
	genuine[n] = '\0';
	CHECK(strncmp(genuine, "vsym-session 1\n", 15) == 0, "%s", genuine);
	/* a fresh tmpfs over it, where the test writes */
	CHECK(mount("vsym-test", VSYM_RUN_DIR, "tmpfs", 0, "mode=0755") == 0, "%s", strerror(errno));
	/* the control: the same text, hand-made, passes */
	FORGE(0, 0444, genuine);
	CHECK(vsym_marker_check(1000, &err) == 0, "%s", err.text);
	FORGE(1000, 0444, genuine);
	CHECK(vsym_marker_check(1000, &err) == -1, "a marker owned by the user passed");
	CHECK(strstr(err.text, "root-owned read-only") != NULL, "%s", err.text);
	FORGE(0, 0644, genuine);
	CHECK(vsym_marker_check(1000, &err) == -1, "a writable marker passed");
	CHECK(strstr(err.text, "root-owned read-only") != NULL, "%s", err.text);
	snprintf(other, sizeof(other), "%s", genuine);
	other[13] = '2'; /* "vsym-session 2" */
	FORGE(0, 0444, other);
	CHECK(vsym_marker_check(1000, &err) == -1, "a marker of another version passed");
	CHECK(strstr(err.text, "malformed") != NULL, "%s", err.text);
	snprintf(other, sizeof(other), "%s", genuine);
	nl = strchr(strchr(other, '\n') + 1, '\n'); /* the first two lines */
	nl[1] = '\0';
	FORGE(0, 0444, other);
	CHECK(vsym_marker_check(1000, &err) == -1, "a truncated marker passed");
	CHECK(strstr(err.text, "malformed") != NULL, "%s", err.text);
	/* the namespace's 64-bit id, where the kernel has one, must match too
	 * (inode numbers are reused) */
	nl = strstr(genuine, "mntns_id ");
	if (nl != NULL && strtoull(nl + 9, NULL, 10) != 0) {
		snprintf(other, sizeof(other), "%.*smntns_id %llu\n", (int)(nl - genuine), genuine,
			 strtoull(nl + 9, NULL, 10) + 1);
		FORGE(0, 0444, other);
		CHECK(vsym_marker_check(1000, &err) == -1, "a marker of another namespace id passed");
		CHECK(strstr(err.text, "copied") != NULL, "%s", err.text);
	}
	/* and so must its inode */
	nl = strstr(genuine, "\nmntns ");
	CHECK(nl != NULL, "no mntns line in %s", genuine);
	{
		char *end;
		unsigned long ino = strtoul(nl + 7, &end, 10);

		snprintf(other, sizeof(other), "%.*s\nmntns %lu%s", (int)(nl - genuine), genuine, ino + 1, end);
	}
	FORGE(0, 0444, other);
	CHECK(vsym_marker_check(1000, &err) == -1, "a marker of another namespace inode passed");
	CHECK(strstr(err.text, "copied") != NULL, "%s", err.text);
	/* on a mount, but not a tmpfs */
	CHECK(mount("vsym-test", VSYM_RUN_DIR, "ramfs", 0, "mode=0755") == 0, "%s", strerror(errno));
	FORGE(0, 0444, genuine);
	CHECK(vsym_marker_check(1000, &err) == -1, "a marker on ramfs passed");
	CHECK(strstr(err.text, "not in a vsym session") != NULL, "%s", err.text);
	CHECK(umount2(VSYM_RUN_DIR, MNT_DETACH) == 0, "%s", strerror(errno));
	/* a symlink is not followed */
	unlink(VSYM_RUN_DIR "/session");
	CHECK(symlink("/proc/self/mounts", VSYM_RUN_DIR "/session") == 0, "%s", strerror(errno));
	CHECK(vsym_marker_check(1000, &err) == -1, "a symlinked marker passed");
	/* a genuine-looking file that is not on a mount of its own */
	CHECK(umount2(VSYM_RUN_DIR, MNT_DETACH) == 0 && umount2(VSYM_RUN_DIR, MNT_DETACH) == 0, "%s",
	      strerror(errno));
	CHECK(testns_mounts_on(VSYM_RUN_DIR) == 0, "still mounted");
	FORGE(0, 0444, genuine);
	n = vsym_marker_check(1000, &err);
	unlink(VSYM_RUN_DIR "/session"); /* /run is the test namespace's */
	CHECK(n == -1, "a marker file outside a marker mount passed");
	CHECK(strstr(err.text, "not in a vsym session") != NULL, "%s", err.text);
	return 0;
}

static void test_marker_forgeries_refused(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	RUN_CHILD(child_marker_forged, NULL);
}

/* Binds */

static void test_bind_nosuid_nodev_everywhere(void **state)
{
	struct fixture *f = *state;
	const char *opts;

	REQUIRE_ROOT();
	make_dir(test_path(f->src, "sub"), 1000, 1000, 0755);
	mount_tmpfs(test_path(f->src, "sub"), 0, "mode=0755");
	assert_null(strstr(testns_options_of(test_path(f->src, "sub")), "nosuid"));
	bind_ok(f, f->src, f->tgt, false, NULL);
	opts = testns_options_of(f->tgt);
	assert_int_equal(strncmp(opts, "rw,", 3), 0);
	assert_contains(opts, "nosuid");
	assert_contains(opts, "nodev");
	opts = testns_options_of(test_path(f->tgt, "sub"));
	assert_contains(opts, "nosuid");
	assert_contains(opts, "nodev");
	/* the source's own mounts are left as they were */
	assert_null(strstr(testns_options_of(test_path(f->src, "sub")), "nosuid"));
	assert_int_equal(access(test_path(f->tgt, "hello"), R_OK), 0);
}

static void test_bind_readonly(void **state)
{
	struct fixture *f = *state;
	int fd;

	REQUIRE_ROOT();
	make_dir(test_path(f->src, "sub"), 1000, 1000, 0755);
	mount_tmpfs(test_path(f->src, "sub"), 0, "mode=0755");
	bind_ok(f, f->src, f->tgt, true, NULL);
	assert_int_equal(strncmp(testns_options_of(f->tgt), "ro,", 3), 0);
	assert_int_equal(strncmp(testns_options_of(test_path(f->tgt, "sub")), "ro,", 3), 0);
	errno = 0;
	assert_true(open(test_path(f->tgt, "new"), O_CREAT | O_WRONLY, 0644) < 0);
	assert_int_equal(errno, EROFS);
	errno = 0;
	assert_true(open(test_path(f->tgt, "sub/new"), O_CREAT | O_WRONLY, 0644) < 0);
	assert_int_equal(errno, EROFS);
	/* the source stays writable */
	fd = open(test_path(f->src, "new"), O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void copy_setid(const char *from, const char *to)
{
	char buf[65536];
	int in_fd = open(from, O_RDONLY), out_fd = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	ssize_t n;

	assert_true(in_fd >= 0 && out_fd >= 0);
	while ((n = read(in_fd, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out_fd, buf, (size_t)n), n);
	assert_int_equal(fchown(out_fd, 0, 0), 0);
	assert_int_equal(fchmod(out_fd, 06755), 0);
	close(in_fd);
	close(out_fd);
}

/* Runs "PATH -u" or "PATH -g" (id) as uid and gid 1000; returns what it
 * prints, or -1. */
static long run_as_alice(const char *path, const char *arg)
{
	char out[64] = "";
	int p[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		gid_t g = 1000;

		close(p[0]);
		if (dup2(p[1], 1) < 0 || setgroups(1, &g) < 0 || setgid(1000) < 0 || setuid(1000) < 0)
			_exit(126);
		execl(path, "id", arg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	while (got < (ssize_t)sizeof(out) - 1 && (n = read(p[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0)
		got += n;
	close(p[0]);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || got == 0)
		return -1;
	return strtol(out, NULL, 10);
}

static void test_bind_setuid_binary_gains_nothing(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	make_dir(test_path(f->src, "sub"), 1000, 1000, 0755);
	mount_tmpfs(test_path(f->src, "sub"), 0, "mode=0755");
	copy_setid("/bin/id", test_path(f->src, "id"));
	copy_setid("/bin/id", test_path(f->src, "sub/id"));
	/* the control: in the source, setuid and setgid work */
	assert_int_equal(run_as_alice(test_path(f->src, "id"), "-u"), 0);
	assert_int_equal(run_as_alice(test_path(f->src, "sub/id"), "-u"), 0);
	assert_int_equal(run_as_alice(test_path(f->src, "id"), "-g"), 0);
	bind_ok(f, f->src, f->tgt, false, NULL);
	assert_int_equal(run_as_alice(test_path(f->tgt, "id"), "-u"), 1000);
	assert_int_equal(run_as_alice(test_path(f->tgt, "sub/id"), "-u"), 1000);
	assert_int_equal(run_as_alice(test_path(f->tgt, "id"), "-g"), 1000);
	assert_int_equal(run_as_alice(test_path(f->tgt, "sub/id"), "-g"), 1000);
}

static void test_bind_device_unusable(void **state)
{
	struct fixture *f = *state;
	int fd;

	REQUIRE_ROOT();
	make_dir(test_path(f->src, "sub"), 1000, 1000, 0755);
	mount_tmpfs(test_path(f->src, "sub"), 0, "mode=0755");
	assert_int_equal(mknod(test_path(f->src, "null"), S_IFCHR | 0666, makedev(1, 3)), 0);
	assert_int_equal(mknod(test_path(f->src, "sub/null"), S_IFCHR | 0666, makedev(1, 3)), 0);
	/* the control: in the source, the device works */
	fd = open(test_path(f->src, "sub/null"), O_RDWR);
	assert_true(fd >= 0);
	close(fd);
	bind_ok(f, f->src, f->tgt, false, NULL);
	errno = 0;
	assert_true(open(test_path(f->tgt, "null"), O_RDWR) < 0);
	assert_int_equal(errno, EACCES);
	errno = 0;
	assert_true(open(test_path(f->tgt, "sub/null"), O_RDWR) < 0);
	assert_int_equal(errno, EACCES);
}

/* A file a mount covers in the source stays covered through the bind. */
static void test_bind_is_recursive(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	make_dir(test_path(f->src, "cover"), 1000, 1000, 0755);
	write_file(test_path(f->src, "cover/sentinel"), "hidden\n", 1000, 1000, 0644);
	mount_tmpfs(test_path(f->src, "cover"), 0, "mode=0755");
	assert_int_equal(access(test_path(f->src, "cover/sentinel"), F_OK), -1);
	bind_ok(f, f->src, f->tgt, false, NULL);
	assert_int_equal(testns_mounts_on(test_path(f->tgt, "cover")), 1);
	errno = 0;
	assert_int_equal(access(test_path(f->tgt, "cover/sentinel"), F_OK), -1);
	assert_int_equal(errno, ENOENT);
}

static void test_dir_onto_file_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err;

	REQUIRE_ROOT();
	write_file(test_path(f->base, "tfile"), "", 1000, 1000, 0644);
	assert_int_equal(bind_tree(&f->alice.user, f->src, test_path(f->base, "tfile"), false, NULL, &err), -1);
	assert_contains(err.text, "one is a directory, the other is not");
	assert_int_equal(testns_mounts_on(test_path(f->base, "tfile")), 0);
	assert_int_equal(bind_tree(&f->alice.user, test_path(f->src, "hello"), f->tgt, false, NULL, &err), -1);
	assert_contains(err.text, "one is a directory, the other is not");
	assert_int_equal(testns_mounts_on(f->tgt), 0);
	/* file onto file is fine */
	assert_int_equal(bind_tree(&f->alice.user, test_path(f->src, "hello"), test_path(f->base, "tfile"), false, NULL, &err), 0);
	assert_int_equal(testns_mounts_on(test_path(f->base, "tfile")), 1);
}

static void test_detach_only_own_mount(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err;
	uint64_t id, now, under;
	int fd, before, inner;

	REQUIRE_ROOT();
	before = open(f->tgt, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(before >= 0);
	assert_int_equal(vsym_mount_id(before, &under), 0);
	bind_ok(f, f->src, f->tgt, false, &id);
	assert_true(id != under);
	fd = open(f->tgt, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(vsym_mount_id(fd, &now), 0);
	assert_true(now == id);
	/* a wrong id: left alone */
	assert_int_equal(vsym_mount_detach(fd, id + 1, &err), -1);
	assert_contains(err.text, "not the one vsym made");
	assert_int_equal(testns_mounts_on(f->tgt), 1);
	/* the right id on an fd of the mount below: left alone too */
	assert_int_equal(vsym_mount_detach(before, id, &err), -1);
	assert_contains(err.text, "not the one vsym made");
	assert_int_equal(testns_mounts_on(f->tgt), 1);
	assert_int_equal(testns_mounts_on(testns_scratch()), 1);
	/* the right id, on a directory inside the mount, not its root */
	make_dir(test_path(f->src, "inner"), 1000, 1000, 0755);
	inner = open(test_path(f->tgt, "inner"), O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(inner >= 0);
	assert_int_equal(vsym_mount_id(inner, &now), 0);
	assert_true(now == id);
	assert_int_equal(vsym_mount_root_id(inner, &now), -1);
	assert_int_equal(vsym_mount_detach(inner, id, &err), -1);
	assert_int_equal(testns_mounts_on(f->tgt), 1);
	close(inner);
	/* the right one */
	assert_int_equal(vsym_mount_root_id(fd, &now), 0);
	assert_true(now == id);
	assert_int_equal(vsym_mount_detach(fd, id, &err), 0);
	assert_int_equal(testns_mounts_on(f->tgt), 0);
	assert_int_equal(access(test_path(f->tgt, "hello"), F_OK), -1);
	close(fd);
	close(before);
	assert_int_equal(vsym_mount_id(-1, &now), -1);
}

/* The bind is private: even cloned from a shared source, nothing mounted
 * in it shows in the source or the other way round. */
static void test_bind_is_private(void **state)
{
	struct fixture *f = *state;
	const char *line;

	REQUIRE_ROOT();
	mount_tmpfs(f->src, 0, "mode=0755,uid=1000,gid=1000");
	assert_int_equal(mount(NULL, f->src, NULL, MS_SHARED, NULL), 0);
	assert_non_null(strstr(testns_line_of(f->src), " shared:"));
	make_dir(test_path(f->src, "x"), 1000, 1000, 0755);
	make_dir(test_path(f->src, "y"), 1000, 1000, 0755);
	bind_ok(f, f->src, f->tgt, false, NULL);
	line = testns_line_of(f->tgt);
	assert_non_null(strstr(line, f->tgt));
	if (strstr(line, " shared:") != NULL || strstr(line, " master:") != NULL)
		fail_msg("the bind propagates: %s", line);
	mount_tmpfs(test_path(f->tgt, "x"), 0, NULL);
	assert_int_equal(testns_mounts_on(test_path(f->src, "x")), 0);
	mount_tmpfs(test_path(f->src, "y"), 0, NULL);
	assert_int_equal(testns_mounts_on(test_path(f->tgt, "y")), 0);
}

struct leak_arg {
	struct fixture *f;
	char tgt[256];
};

static int child_bind_in_session(void *arg, char *msg, size_t size)
{
	struct leak_arg *a = arg;
	struct vsym_error err;
	const char *line;

	CHECK(vsym_ns_create(&err) == 0, "%s", err.text);
	CHECK(bind_tree(&a->f->alice.user, a->f->src, a->tgt, false, NULL, &err) == 0, "%s", err.text);
	CHECK(testns_mounts_on(a->tgt) == 1, "no bind");
	line = testns_line_of(a->tgt);
	CHECK(strstr(line, " shared:") == NULL, "%s", line);
	return 0;
}

/* Invariant 1 end to end: a bind made in a session on a target inside a
 * shared mount never reaches the namespace the session was made from. */
static void test_session_bind_does_not_leak(void **state)
{
	struct fixture *f = *state;
	struct leak_arg a = { .f = f };
	char shared[256];

	REQUIRE_ROOT();
	snprintf(shared, sizeof(shared), "%s", test_path(f->base, "shared"));
	make_dir(shared, 0, 0, 0755);
	mount_tmpfs(shared, 0, "mode=0755");
	assert_int_equal(mount(NULL, shared, NULL, MS_SHARED, NULL), 0);
	snprintf(a.tgt, sizeof(a.tgt), "%s", test_path(shared, "t"));
	make_dir(a.tgt, 1000, 1000, 0755);
	RUN_CHILD(child_bind_in_session, &a);
	assert_int_equal(testns_mounts_on(a.tgt), 0);
	assert_int_equal(access(test_path(a.tgt, "hello"), F_OK), -1);
}

/* Invariant 3: the target is swapped for a symlink between check and
 * mount; the mount lands on the directory that was checked. */
static void test_attach_uses_checked_target(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved s, t;
	struct vsym_error err;
	uint64_t id;
	int tree;

	REQUIRE_ROOT();
	make_dir(test_path(f->base, "victim"), 0, 0, 0755);
	assert_int_equal(vsym_resolve_source(&f->alice.user, f->src, &s, &err), 0);
	assert_int_equal(vsym_target_resolve(&f->alice.user, f->tgt, &t, &err), 0);
	assert_int_equal(rename(f->tgt, test_path(f->base, "tgt.old")), 0);
	assert_int_equal(symlink(test_path(f->base, "victim"), f->tgt), 0);
	tree = vsym_tree_prepare(&s, &t, false, &id, &err);
	assert_true(tree >= 0);
	assert_int_equal(vsym_tree_attach(tree, &t, &err), 0);
	close(tree);
	assert_int_equal(testns_mounts_on(test_path(f->base, "victim")), 0);
	assert_int_equal(testns_mounts_on(test_path(f->base, "tgt.old")), 1);
	assert_int_equal(access(test_path(f->base, "tgt.old/hello"), F_OK), 0);
	assert_int_equal(access(test_path(f->base, "victim/hello"), F_OK), -1);
	vsym_resolved_close(&s);
	vsym_resolved_close(&t);
}

/* A target removed after it was checked: the mount is refused, with the
 * path in the message, and nothing is mounted anywhere. */
static void test_attach_on_removed_target_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved s, t;
	struct vsym_error err;
	uint64_t id;
	int tree;

	REQUIRE_ROOT();
	assert_int_equal(vsym_resolve_source(&f->alice.user, f->src, &s, &err), 0);
	assert_int_equal(vsym_target_resolve(&f->alice.user, f->tgt, &t, &err), 0);
	assert_int_equal(rmdir(f->tgt), 0);
	tree = vsym_tree_prepare(&s, &t, false, &id, &err);
	assert_true(tree >= 0);
	assert_int_equal(vsym_tree_attach(tree, &t, &err), -1);
	assert_contains(err.text, "cannot mount on");
	assert_contains(err.text, f->tgt);
	close(tree);
	make_dir(f->tgt, 1000, 1000, 0755);
	assert_int_equal(testns_mounts_on(f->tgt), 0);
	vsym_resolved_close(&s);
	vsym_resolved_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ns_create_makes_slave, setup, teardown),
		cmocka_unit_test_setup_teardown(test_marker_create_and_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_marker_refused_in_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_marker_refused_in_user_ns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_marker_forgeries_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_nosuid_nodev_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_setuid_binary_gains_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_device_unusable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_is_recursive, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_onto_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_only_own_mount, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_is_private, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_bind_does_not_leak, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_uses_checked_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_on_removed_target_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
