/* Shared bits of the unit tests (cmocka): assertions, the made-up user
 * alice, files and directories with exact owners and modes, a policy
 * loaded from text. A setup() builds its fixture from these and, for a
 * scratch directory per test, from testns.h (test_scratch_dir,
 * test_alice_at_home). An empty file is write_file(path, "", uid, gid, mode).
 * A fixture or helpers that a few programs share live once in a header of
 * their own: testhome.h (binds, policyfile, vsymrc), testtarget.h (resolve,
 * target), testcfg.h (the cfg tests), testproject.h (the project tests). */
#ifndef VSYM_TESTUTIL_H
#define VSYM_TESTUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfg.h"
#include "policy.h"
#include "user.h"

/* A test that needs root skips outside CI with a reason, and fails in CI,
 * where everything runs as root and a skip would hide a broken test. */
#define REQUIRE_ROOT()                                                        \
	do {                                                                  \
		if (geteuid() != 0) {                                         \
			if (getenv("CI") != NULL)                             \
				fail_msg("this test needs root and CI runs as root"); \
			print_message("skipped: needs root\n");               \
			skip();                                               \
		}                                                             \
	} while (0)

/* Asserts that haystack contains needle, printing both when it does not. */
#define assert_contains(haystack, needle)                                     \
	do {                                                                  \
		const char *h_ = (haystack), *n_ = (needle);                  \
		if (h_ == NULL || strstr(h_, n_) == NULL)                     \
			fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", n_); \
	} while (0)

/* A user made up for the test, so that policy and configuration tests need
 * no password database entry. Holds its own strings: do not copy it. */
struct test_user {
	struct vsym_user user;
	char name[32];
	char home[64];
	char shell[16];
	gid_t gids[2];
	char group[2][16];
	char *group_names[2];
};

/* dir + "/" + rel, in one of 8 buffers used in turn, so that a few may
 * stand in one call's arguments (make_link(test_path(..), test_path(..))). */
static inline const char *test_path(const char *dir, const char *rel)
{
	static char buf[8][512];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, rel);
	return buf[i];
}

/* alice, uid and gid 1000, home /home/alice, in groups "alice" and "staff". */
static inline void test_user_alice(struct test_user *t)
{
	memset(t, 0, sizeof(*t));
	strcpy(t->name, "alice");
	strcpy(t->home, "/home/alice");
	strcpy(t->shell, "/bin/sh");
	strcpy(t->group[0], "alice");
	strcpy(t->group[1], "staff");
	t->gids[0] = 1000;
	t->gids[1] = 50;
	t->group_names[0] = t->group[0];
	t->group_names[1] = t->group[1];
	t->user = (struct vsym_user){
		.name = t->name, .home = t->home, .shell = t->shell,
		.uid = 1000, .gid = 1000, .gids = t->gids, .ngids = 2,
		.group_names = t->group_names,
	};
}

/* Makes the directory path (an existing one is kept) owned by uid:gid
 * with exactly mode, whatever the umask; fails the test otherwise. */
static inline void make_dir(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", path, strerror(errno));
	if (chown(path, uid, gid) < 0 || chmod(path, mode) < 0)
		fail_msg("chown/chmod %s: %s", path, strerror(errno));
}

/* Makes path (replacing what it held) hold text, owned by uid:gid with
 * exactly mode; fails the test otherwise. */
static inline void write_file(const char *path, const char *text, uid_t uid, gid_t gid, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
	size_t len = strlen(text);

	if (fd < 0)
		fail_msg("create %s: %s", path, strerror(errno));
	if (write(fd, text, len) != (ssize_t)len || fchown(fd, uid, gid) < 0 || fchmod(fd, mode) < 0)
		fail_msg("write %s: %s", path, strerror(errno));
	close(fd);
}

/* Makes the symbolic link path -> to, owned by uid:gid. */
static inline void make_link(const char *to, const char *path, uid_t uid, gid_t gid)
{
	if (symlink(to, path) < 0 || lchown(path, uid, gid) < 0)
		fail_msg("symlink %s: %s", path, strerror(errno));
}

/* Replaces *policy by the system file text (labelled /etc/vsym.conf),
 * loaded for user; fails the test when it does not load. */
static inline void test_load_policy(struct vsym_policy *policy, const char *text,
				    const struct vsym_user *user)
{
	struct vsym_error err;

	vsym_policy_free(policy);
	if (vsym_cfg_load_system(policy, "/etc/vsym.conf", text, strlen(text), user, &err) < 0)
		fail_msg("%s", err.text);
}

/* A directory of its own for a test that runs without root too (the root
 * tests use test_scratch_dir): $TMPDIR/NAME.XXXXXX (/tmp when TMPDIR is
 * unset or too long), mode 0755, its path written into dir. Returns 0, or
 * -1 with dir empty. test_remove_tmp_dir removes it and all it holds. */
static inline int test_tmp_dir(char *dir, size_t size, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) + strlen(name) + 8 >= size)
		tmp = "/tmp";
	snprintf(dir, size, "%s/%s.XXXXXX", tmp, name);
	if (mkdtemp(dir) == NULL || chmod(dir, 0755) < 0) {
		dir[0] = '\0';
		return -1;
	}
	return 0;
}

static inline int test_remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

/* Removes a test_tmp_dir (nothing when dir is empty); links not followed. */
static inline void test_remove_tmp_dir(const char *dir)
{
	if (dir[0] != '\0')
		nftw(dir, test_remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* The teardown of a fixture that holds nothing but its own memory. */
static inline int test_free_fixture(void **state)
{
	free(*state);
	return 0;
}

#endif
