#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"
#include "testns.h"
#include "testfuse.h"

#include "cfg.h"
#include "fileio.h"

#define NOBODY 65534
#define OTHER_GID 4242
/* A test that hangs (a FIFO opened blocking) fails after this long. */
#define HANG_GUARD_SECONDS 30

struct fixture {
	char dir[64];
	char path[160];
	int ngroups;          /* the caller's groups, put back after a test */
	gid_t groups[64];
};

static int teardown(void **state)
{
	struct fixture *fx = *state;

	alarm(test_seconds(0));
	if (fx == NULL)
		return 0;
	if (geteuid() == 0 && fx->ngroups >= 0)
		setgroups((size_t)fx->ngroups, fx->groups);
	test_remove_tmp_dir(fx->dir);
	free(fx);
	return 0;
}

/* Fails the hung test from the signal handler, as cmocka does for a crash,
 * so that its teardown still removes what it made. */
static void hang_alarm(int sig)
{
	(void)sig;
	fail_msg("hung for %d s (a blocking open or read?)", HANG_GUARD_SECONDS);
}

/* A fresh directory under /tmp that the unprivileged reader may search. */
static int setup(void **state)
{
	/* SA_NODEFER: the handler leaves by longjmp, which would otherwise
	 * leave SIGALRM blocked for every later test. */
	struct sigaction guard = { .sa_handler = hang_alarm, .sa_flags = SA_NODEFER };
	struct fixture *fx = calloc(1, sizeof(*fx));

	*state = fx;
	if (fx == NULL)
		return -1;
	fx->ngroups = getgroups(64, fx->groups);
	if (test_tmp_dir(fx->dir, sizeof(fx->dir), "vsym-test-fileio") < 0)
		return teardown(state), -1;
	sigaction(SIGALRM, &guard, NULL);
	alarm(test_seconds(HANG_GUARD_SECONDS));
	return 0;
}

/* Returns fx->path for name under the fixture directory. */
static const char *at(struct fixture *fx, const char *name)
{
	snprintf(fx->path, sizeof(fx->path), "%s/%s", fx->dir, name);
	return fx->path;
}

static const char *make_file(struct fixture *fx, const char *name, const char *content,
			     mode_t mode, uid_t owner)
{
	const char *path = at(fx, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	size_t len = strlen(content);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	if (owner != geteuid())
		assert_int_equal(fchown(fd, owner, owner), 0);
	/* fchmod, not the open mode, so the umask does not decide. */
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
	return path;
}

static const char *make_fixture_dir(struct fixture *fx, const char *name, mode_t mode, uid_t owner, gid_t group)
{
	const char *path = at(fx, name);

	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chown(path, owner, group), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static int read_trusted(const char *path, size_t max, char **buf, size_t *len, struct vsym_error *err)
{
	return vsym_file_read_trusted(path, geteuid(), max, buf, len, err);
}

static void expect_trusted_content(const char *path, size_t max, const char *want)
{
	struct vsym_error err = { .text = "stale" };
	char *buf = NULL;
	size_t len = 12345;

	if (read_trusted(path, max, &buf, &len, &err) != 0)
		fail_msg("%s refused: %s", path, err.text);
	assert_int_equal(len, strlen(want));
	assert_memory_equal(buf, want, len);
	assert_int_equal(buf[len], '\0');
	free(buf);
}

/* Refused with exactly msg (after the path), and nothing handed out. */
static void expect_trusted_refused(const char *path, uid_t owner, size_t max, int rc, const char *msg)
{
	struct vsym_error err = { .text = "" };
	char *buf = NULL;
	size_t len = 12345;
	char want[VSYM_ERROR_MAX];

	assert_int_equal(vsym_file_read_trusted(path, owner, max, &buf, &len, &err), rc);
	assert_null(buf);
	assert_int_equal(len, 12345);
	snprintf(want, sizeof(want), "%s%s", path, msg);
	assert_string_equal(err.text, want);
}

#define NOT_REGULAR " is not a regular file; vsym reads only regular files"
#define SYMLINK " is a symbolic link; vsym reads only a regular file"
#define WRITABLE " is writable by group or others; chmod go-w it"

static void test_regular_file(void **state)
{
	struct fixture *fx = *state;

	expect_trusted_content(make_file(fx, "vsym.conf", "version = 1;\n", 0644, geteuid()),
			       VSYM_CFG_MAX_SIZE, "version = 1;\n");
	expect_trusted_content(make_file(fx, "ro", "x", 0400, geteuid()), 10, "x");
	expect_trusted_content(make_file(fx, "empty", "", 0600, geteuid()), 10, "");
	expect_trusted_content(make_file(fx, "empty0", "", 0600, geteuid()), 0, "");
}

static void test_missing(void **state)
{
	struct fixture *fx = *state;

	expect_trusted_refused(at(fx, "nothing"), geteuid(), 100, -ENOENT, " does not exist");
	expect_trusted_refused(at(fx, "no/thing"), geteuid(), 100, -ENOENT, " does not exist");
}

static void test_symlinks(void **state)
{
	struct fixture *fx = *state;
	char good[160], link[160];

	strcpy(good, make_file(fx, "good", "version = 1;\n", 0644, geteuid()));
	strcpy(link, at(fx, "to-good"));
	assert_int_equal(symlink(good, link), 0);
	expect_trusted_refused(link, geteuid(), 100, -1, SYMLINK);
	strcpy(link, at(fx, "to-shadow"));
	assert_int_equal(symlink("/etc/shadow", link), 0);
	expect_trusted_refused(link, 0, 1 << 20, -1, SYMLINK);
	/* Dangling: refused as a link, not reported missing. */
	strcpy(link, at(fx, "dangling"));
	assert_int_equal(symlink("/nonexistent/vsym.conf", link), 0);
	expect_trusted_refused(link, geteuid(), 100, -1, SYMLINK);
}

static void test_not_regular(void **state)
{
	struct fixture *fx = *state;
	const char *fifo = at(fx, "fifo");

	/* No writer ever opens it: a blocking open would hang here. */
	assert_int_equal(mkfifo(fifo, 0600), 0);
	expect_trusted_refused(fifo, geteuid(), 100, -1, NOT_REGULAR);
	expect_trusted_refused("/dev/zero", 0, 100, -1, NOT_REGULAR);
	expect_trusted_refused("/dev/null", 0, 100, -1, NOT_REGULAR);
	expect_trusted_refused(fx->dir, geteuid(), 100, -1, NOT_REGULAR);
	expect_trusted_refused("/", 0, 100, -1, NOT_REGULAR);
}

static void test_wrong_owner(void **state)
{
	struct fixture *fx = *state;
	const char *path = make_file(fx, "mine", "version = 1;\n", 0644, geteuid());
	char msg[128];

	snprintf(msg, sizeof(msg), " is owned by uid %u, not %u; chown it",
		 (unsigned)geteuid(), (unsigned)geteuid() + 1);
	expect_trusted_refused(path, geteuid() + 1, 100, -1, msg);
}

static void test_writable_by_others(void **state)
{
	struct fixture *fx = *state;

	expect_trusted_refused(make_file(fx, "g", "x", 0620, geteuid()), geteuid(), 100, -1, WRITABLE);
	expect_trusted_refused(make_file(fx, "o", "x", 0602, geteuid()), geteuid(), 100, -1, WRITABLE);
	expect_trusted_refused(make_file(fx, "go", "x", 0666, geteuid()), geteuid(), 100, -1, WRITABLE);
	expect_trusted_refused(make_file(fx, "gro", "x", 0420, geteuid()), geteuid(), 100, -1, WRITABLE);
}

/* Refused on its size before a byte is read. */
static void test_over_size(void **state)
{
	struct fixture *fx = *state;
	const char *path = make_file(fx, "huge", "", 0644, geteuid());
	char msg[64];
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 100 * 1024 * 1024), 0);
	close(fd);
	snprintf(msg, sizeof(msg), " is larger than %d bytes", VSYM_CFG_MAX_SIZE);
	expect_trusted_refused(path, geteuid(), VSYM_CFG_MAX_SIZE, -1, msg);
}

static char *filled(size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, '#', n);
	s[n] = '\0';
	return s;
}

static void test_size_cap_boundary(void **state)
{
	struct fixture *fx = *state;
	char *at_cap = filled(VSYM_CFG_MAX_SIZE), *past_cap = filled(VSYM_CFG_MAX_SIZE + 1);
	char msg[64];

	expect_trusted_content(make_file(fx, "at-cap", at_cap, 0644, geteuid()), VSYM_CFG_MAX_SIZE, at_cap);
	snprintf(msg, sizeof(msg), " is larger than %d bytes", VSYM_CFG_MAX_SIZE);
	expect_trusted_refused(make_file(fx, "past-cap", past_cap, 0644, geteuid()), geteuid(),
			       VSYM_CFG_MAX_SIZE, -1, msg);
	expect_trusted_content(make_file(fx, "ten", "0123456789", 0644, geteuid()), 10, "0123456789");
	expect_trusted_refused(at(fx, "ten"), geteuid(), 9, -1, " is larger than 9 bytes");
	free(at_cap);
	free(past_cap);
}

/* A procfs file claims size 0 and then yields more: the read is capped
 * too, not only the size check. */
static void test_cap_while_reading(void **state)
{
	(void)state;
	expect_trusted_refused("/proc/self/status", geteuid(), 16, -1, " grew past 16 bytes while being read");
}

/* nobody, built by hand as the module would see it. */
struct nobody {
	struct vsym_user user;
	char name[16], home[16], shell[16];
	gid_t gids[2];
};

static void nobody_init(struct nobody *n)
{
	memset(n, 0, sizeof(*n));
	strcpy(n->name, "nobody");
	strcpy(n->home, "/nonexistent");
	strcpy(n->shell, "/bin/false");
	n->gids[0] = NOBODY;
	n->gids[1] = OTHER_GID;
	n->user = (struct vsym_user){
		.name = n->name, .home = n->home, .shell = n->shell,
		.uid = NOBODY, .gid = NOBODY, .gids = n->gids, .ngids = 1,
	};
}

static int read_as(const struct vsym_user *user, const char *path, size_t max,
		   char **buf, size_t *len, struct vsym_error *err)
{
	return vsym_file_read_as_user(path, user, max, buf, len, err);
}

static void expect_user_content(const struct vsym_user *user, const char *path, const char *want)
{
	struct vsym_error err = { .text = "stale" };
	char *buf = NULL;
	size_t len = 0;

	if (read_as(user, path, VSYM_CFG_MAX_SIZE, &buf, &len, &err) != 0)
		fail_msg("%s refused: %s", path, err.text);
	assert_int_equal(len, strlen(want));
	assert_string_equal(buf, want);
	free(buf);
}

static void expect_user_message(const struct vsym_user *user, const char *path, int rc, const char *want)
{
	struct vsym_error err = { .text = "" };
	char *buf = NULL;
	size_t len = 12345;

	assert_int_equal(read_as(user, path, VSYM_CFG_MAX_SIZE, &buf, &len, &err), rc);
	assert_null(buf);
	assert_int_equal(len, 12345);
	assert_string_equal(err.text, want);
}

/* Refused with exactly msg after the path. */
static void expect_user_refused(const struct vsym_user *user, const char *path, int rc, const char *msg)
{
	char want[VSYM_ERROR_MAX];

	snprintf(want, sizeof(want), "%s%s", path, msg);
	expect_user_message(user, path, rc, want);
}

/* Refused because the open itself failed with permission denied. */
static void expect_user_denied(const struct vsym_user *user, const char *path)
{
	char want[VSYM_ERROR_MAX];

	snprintf(want, sizeof(want), "cannot open %s: %s", path, strerror(EACCES));
	expect_user_message(user, path, -1, want);
}

static void test_as_user_reads(void **state)
{
	struct fixture *fx = *state;
	struct nobody n;

	REQUIRE_ROOT();
	nobody_init(&n);
	expect_user_content(&n.user, make_file(fx, "vsymrc", "binds = ( );\n", 0644, NOBODY), "binds = ( );\n");
	expect_user_content(&n.user, make_file(fx, "private", "x", 0600, NOBODY), "x");
	expect_user_content(&n.user, make_file(fx, "empty", "", 0400, NOBODY), "");
}

static void test_as_user_refusals(void **state)
{
	struct fixture *fx = *state;
	struct nobody n;
	char link[160], msg[64];
	const char *huge;
	int fd;

	REQUIRE_ROOT();
	nobody_init(&n);
	expect_user_refused(&n.user, at(fx, "missing"), -ENOENT, " does not exist");
	expect_user_refused(&n.user, make_file(fx, "roots", "x", 0644, 0), -1,
			    " is owned by uid 0, not 65534; chown it");
	expect_user_refused(&n.user, make_file(fx, "gw", "x", 0660, NOBODY), -1, WRITABLE);
	strcpy(link, at(fx, "link"));
	assert_int_equal(symlink("/etc/shadow", link), 0);
	assert_int_equal(lchown(link, NOBODY, NOBODY), 0);
	expect_user_refused(&n.user, link, -1, SYMLINK);
	huge = make_file(fx, "huge", "", 0644, NOBODY);
	fd = open(huge, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 100 * 1024 * 1024), 0);
	close(fd);
	snprintf(msg, sizeof(msg), " is larger than %d bytes", VSYM_CFG_MAX_SIZE);
	expect_user_refused(&n.user, huge, -1, msg);
}

static void test_as_user_fifo(void **state)
{
	struct fixture *fx = *state;
	const char *fifo = at(fx, "fifo");
	struct nobody n;

	REQUIRE_ROOT();
	nobody_init(&n);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(chown(fifo, NOBODY, NOBODY), 0);
	expect_user_refused(&n.user, fifo, -1, NOT_REGULAR);
}

static void expect_root_reads(const char *path, uid_t owner)
{
	char *buf = NULL;
	size_t len = 0;
	struct vsym_error err = { .text = "" };

	if (vsym_file_read_trusted(path, owner, 100, &buf, &len, &err) != 0)
		fail_msg("root cannot read %s either: %s", path, err.text);
	free(buf);
}

/* Refusals root would never meet: the file is opened as nobody. */
static void test_as_user_permissions(void **state)
{
	struct fixture *fx = *state;
	char hidden[160], unreadable[160], root_only[160];
	struct nobody n;

	REQUIRE_ROOT();
	nobody_init(&n);
	make_fixture_dir(fx, "locked", 0700, 0, 0);
	strcpy(hidden, make_file(fx, "locked/vsymrc", "x", 0644, NOBODY));
	strcpy(unreadable, make_file(fx, "unreadable", "x", 0000, NOBODY));
	strcpy(root_only, make_file(fx, "root-only", "secret", 0600, 0));
	expect_root_reads(hidden, NOBODY);
	expect_root_reads(unreadable, NOBODY);
	expect_root_reads(root_only, 0);
	expect_user_denied(&n.user, hidden);
	expect_user_denied(&n.user, unreadable);
	/* Denied at the open, before any owner check could speak. */
	expect_user_denied(&n.user, root_only);
}

/* The reader takes the user's supplementary groups, and only those. */
static void test_as_user_groups(void **state)
{
	struct fixture *fx = *state;
	char path[160];
	struct nobody n;

	REQUIRE_ROOT();
	nobody_init(&n);
	make_fixture_dir(fx, "team", 0750, 0, OTHER_GID);
	strcpy(path, make_file(fx, "team/vsymrc", "x", 0644, NOBODY));
	expect_user_denied(&n.user, path);
	n.user.ngids = 2;
	expect_user_content(&n.user, path, "x");
	/* Root's own groups must not leak into the reader. */
	assert_int_equal(setgroups(1, &(gid_t){ OTHER_GID }), 0);
	n.user.ngids = 1;
	expect_user_denied(&n.user, path);
}

struct credentials {
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int ngroups;
	gid_t groups[64];
	int dumpable;
};

static void credentials_get(struct credentials *c)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(getresuid(&c->ruid, &c->euid, &c->suid), 0);
	assert_int_equal(getresgid(&c->rgid, &c->egid, &c->sgid), 0);
	c->ngroups = getgroups(64, c->groups);
	assert_true(c->ngroups >= 0);
	c->dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
}

static void test_as_user_credentials_kept(void **state)
{
	struct fixture *fx = *state;
	struct credentials before, after;
	struct nobody n;
	gid_t groups[2] = { 7, OTHER_GID };

	REQUIRE_ROOT();
	nobody_init(&n);
	n.user.ngids = 2;
	assert_int_equal(setgroups(2, groups), 0);
	credentials_get(&before);
	expect_user_content(&n.user, make_file(fx, "vsymrc", "x", 0644, NOBODY), "x");
	expect_user_refused(&n.user, at(fx, "missing"), -ENOENT, " does not exist");
	credentials_get(&after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(after.euid, 0);
	assert_int_equal(after.ngroups, 2);
}

/* A file system the user serves can block an open for ever (FUSE waits
 * ignore O_NONBLOCK): here FUSE mounts that never answer, in the test's own
 * namespace, with no daemon, and with one that reads every request (a
 * process that sent one then cannot even be killed until the connection
 * goes away). The reader never looks into FUSE: it refuses at once,
 * naming FUSE, whether the file is inside the mount or is its root. */
static void expect_fuse_refused(enum testfuse_kind kind, const char *below)
{
	char dir[160], path[200];
	struct vsym_error err;
	struct testfuse fuse;
	struct nobody n;
	const char *scratch;
	char *buf = NULL;
	size_t len;

	nobody_init(&n);
	scratch = testns_scratch();
	assert_non_null(scratch);
	snprintf(dir, sizeof(dir), "%s/fuse%d%s", scratch, kind, below[0] ? "d" : "");
	assert_int_equal(mkdir(dir, 0755), 0);
	if (testfuse_start(&fuse, dir, NOBODY, kind) < 0)
		fail_msg("mount fuse: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s%s", dir, below);
	/* Were the read to block here, only a fatal signal would end the
	 * wait: SIGALRM's default action fails the test instead of a hang. */
	signal(SIGALRM, SIG_DFL);
	alarm(test_seconds(10));
	assert_int_equal(vsym_file_read_as_user(path, &n.user, 100, &buf, &len, &err), -1);
	assert_int_equal(vsym_file_read_trusted(path, NOBODY, 100, &buf, &len, &err), -1);
	alarm(test_seconds(0));
	assert_contains(err.text, "is a FUSE mount (fuse)");
	assert_contains(err.text, dir);
	testfuse_stop(&fuse);
}

static void test_hung_file_system_refused(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	expect_fuse_refused(TESTFUSE_UNSERVED, "/sub/vsymrc");
	expect_fuse_refused(TESTFUSE_READ, "/vsymrc");
	expect_fuse_refused(TESTFUSE_READ, "");
}

/* Called as the user itself, as vsym-rebind may be: nothing to drop. */
static void test_as_self(void **state)
{
	struct fixture *fx = *state;
	struct test_user self;

	test_user_alice(&self);
	self.user.uid = geteuid();
	self.user.gid = getegid();
	self.gids[0] = getegid();
	self.user.ngids = 1;
	expect_user_content(&self.user, make_file(fx, "vsymrc", "binds = ( );\n", 0644, geteuid()),
			    "binds = ( );\n");
	expect_user_refused(&self.user, make_file(fx, "gw", "x", 0620, geteuid()), -1, WRITABLE);
	expect_user_refused(&self.user, at(fx, "missing"), -ENOENT, " does not exist");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_regular_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_writable_by_others, setup, teardown),
		cmocka_unit_test_setup_teardown(test_over_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_cap_boundary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_while_reading, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_user_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_user_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_user_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_user_permissions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_user_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_user_credentials_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_self, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hung_file_system_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
