#include "config.h"

#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>

#include <sys/mount.h>

#include "testutil.h"
#include "testns.h"

#include "user.h"

/* An entry every Debian-like system has, read straight from the database
 * to compare with what vsym_user_lookup made of it. */
static struct passwd *expect_passwd(const char *name)
{
	struct passwd *pw = getpwnam(name);

	if (pw == NULL) {
		print_message("skipped: no user '%s' in the password database\n", name);
		skip();
	}
	return pw;
}

static bool has_gid(const struct vsym_user *user, gid_t gid)
{
	for (size_t i = 0; i < user->ngids; i++)
		if (user->gids[i] == gid)
			return true;
	return false;
}

/* Checks user against the database entry pw as a whole. */
static void expect_user_is(struct vsym_user *user, const struct passwd *pw)
{
	struct group *gr = getgrgid(pw->pw_gid);
	char primary[256] = "";

	/* getgrgid reuses one buffer: keep the primary group's name. */
	if (gr != NULL)
		snprintf(primary, sizeof(primary), "%s", gr->gr_name);
	assert_string_equal(user->name, pw->pw_name);
	assert_string_equal(user->home, pw->pw_dir);
	assert_string_equal(user->shell, pw->pw_shell[0] != '\0' ? pw->pw_shell : "/bin/sh");
	assert_int_equal(user->uid, pw->pw_uid);
	assert_int_equal(user->gid, pw->pw_gid);
	assert_true(user->ngids >= 1);
	assert_non_null(user->gids);
	/* Names are looked up only when asked for. */
	assert_null(user->group_names);
	assert_int_equal(vsym_user_name_groups(user, NULL), 0);
	assert_non_null(user->group_names);
	assert_true(has_gid(user, pw->pw_gid));
	for (size_t i = 0; i < user->ngids; i++) {
		struct group *g = getgrgid(user->gids[i]);

		if (g == NULL)
			assert_null(user->group_names[i]);
		else
			assert_string_equal(user->group_names[i], g->gr_name);
	}
	if (primary[0] != '\0') {
		bool named = false;

		for (size_t i = 0; i < user->ngids; i++)
			named |= user->group_names[i] != NULL && strcmp(user->group_names[i], primary) == 0;
		assert_true(named);
	}
}

static void lookup_ok(struct vsym_user *user, const char *name, uid_t uid)
{
	struct vsym_error err = { .text = "" };

	if (vsym_user_lookup(user, name, uid, &err) != 0)
		fail_msg("lookup of %s failed: %s", name ? name : "(uid)", err.text);
}

static void test_root_by_name(void **state)
{
	struct vsym_user user;

	(void)state;
	lookup_ok(&user, "root", 12345);
	assert_int_equal(user.uid, 0);
	assert_int_equal(user.gid, 0);
	assert_string_equal(user.home, "/root");
	assert_true(has_gid(&user, 0));
	expect_user_is(&user, expect_passwd("root"));
	vsym_user_free(&user);
	assert_null(user.name);
	assert_null(user.gids);
	assert_int_equal(user.ngids, 0);
}

/* By name without the groups: the entry is whole, gids stays NULL until
 * vsym_user_lookup_groups, which then gives what getgrouplist gives
 * (expect_user_is), and a second call keeps the list. */
static void test_groups_read_later(void **state)
{
	struct vsym_error err = { .text = "" };
	struct vsym_user user;
	gid_t *first;

	(void)state;
	assert_int_equal(vsym_user_lookup_name(&user, "root", &err), 0);
	assert_int_equal(user.uid, 0);
	assert_string_equal(user.home, "/root");
	assert_null(user.gids);
	assert_int_equal(user.ngids, 0);
	assert_int_equal(vsym_user_lookup_groups(&user, &err), 0);
	assert_true(has_gid(&user, 0));
	expect_user_is(&user, expect_passwd("root"));
	first = user.gids;
	assert_int_equal(vsym_user_lookup_groups(&user, &err), 0);
	assert_ptr_equal(user.gids, first);
	vsym_user_free(&user);
	assert_int_equal(vsym_user_lookup_name(&user, "no-such-user-vsym", &err), -1);
	assert_contains(err.text, "no-such-user-vsym");
	assert_null(user.name);
}

static void test_root_by_uid(void **state)
{
	struct vsym_user user;

	(void)state;
	lookup_ok(&user, NULL, 0);
	assert_string_equal(user.name, "root");
	expect_user_is(&user, expect_passwd("root"));
	vsym_user_free(&user);
}

static void test_nobody(void **state)
{
	struct passwd *pw = expect_passwd("nobody");
	uid_t uid = pw->pw_uid;
	struct vsym_user by_name, by_uid;

	(void)state;
	lookup_ok(&by_name, "nobody", 0);
	expect_user_is(&by_name, expect_passwd("nobody"));
	assert_int_equal(by_name.uid, uid);
	lookup_ok(&by_uid, NULL, uid);
	expect_user_is(&by_uid, expect_passwd("nobody"));
	assert_string_equal(by_uid.name, "nobody");
	assert_int_equal(by_uid.ngids, by_name.ngids);
	assert_memory_equal(by_uid.gids, by_name.gids, by_name.ngids * sizeof(gid_t));
	vsym_user_free(&by_name);
	vsym_user_free(&by_uid);
}

/* The groups come from the group database, not from the caller's own. */
static void test_groups_are_the_users(void **state)
{
	struct passwd *pw = expect_passwd("nobody");
	gid_t gid = pw->pw_gid;
	struct vsym_user user;
	int n;
	gid_t groups[64];

	(void)state;
	lookup_ok(&user, "nobody", 0);
	n = getgrouplist("nobody", gid, groups, &(int){ 64 });
	assert_true(n >= 1);
	assert_int_equal(user.ngids, (size_t)n);
	assert_memory_equal(user.gids, groups, (size_t)n * sizeof(gid_t));
	if (gid != 0)
		assert_false(has_gid(&user, 0));
	vsym_user_free(&user);
}

static void expect_lookup_error(const char *name, uid_t uid, const char *msg)
{
	struct vsym_error err = { .text = "" };
	struct vsym_user user;

	assert_int_equal(vsym_user_lookup(&user, name, uid, &err), -1);
	assert_string_equal(err.text, msg);
	/* Nothing is left to free, and freeing again is harmless. */
	assert_null(user.name);
	assert_null(user.home);
	assert_null(user.gids);
	assert_null(user.group_names);
	vsym_user_free(&user);
}

static void test_unknown_user(void **state)
{
	(void)state;
	if (getpwnam("vsym-no-such-user") != NULL || getpwuid(4000000000u) != NULL)
		skip();
	expect_lookup_error("vsym-no-such-user", 0,
			    "user 'vsym-no-such-user' not found in the password database");
	expect_lookup_error(NULL, 4000000000u, "uid 4000000000 not found in the password database");
	expect_lookup_error("", 0, "user '' not found in the password database");
}

/* Holds no byte below 0x20 and no DEL: fit for a log line. */
static void expect_no_control_char(const char *text)
{
	for (const char *p = text; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			fail_msg("a control character (0x%02x) in '%s'", (unsigned char)*p, text);
}

/* In the test's own mount namespace, /etc/passwd gains the given lines
 * (a bind of a copy over it; glibc's files backend reads it anew on
 * every lookup, and nscd is not consulted for a test run as root). */
static void passwd_with(const char *lines)
{
	const char *scratch;
	char path[128], buf[4096];
	FILE *in, *out;
	size_t n;

	REQUIRE_ROOT();
	scratch = testns_scratch();
	assert_non_null(scratch);
	snprintf(path, sizeof(path), "%s/passwd", scratch);
	in = fopen("/etc/passwd", "r");
	out = fopen(path, "w");
	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fputs(lines, out);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(chmod(path, 0644), 0);
	umount2("/etc/passwd", MNT_DETACH); /* an earlier test's copy */
	assert_int_equal(mount(path, "/etc/passwd", NULL, MS_BIND, NULL), 0);
}

/* A name, or a home, holding a control character is refused before any
 * message quotes it: names and homes reach log lines. */
static void expect_refused_cleanly(const char *name, uid_t uid, const char *msg)
{
	struct vsym_error err = { .text = "" };
	struct vsym_user user;

	if (vsym_user_lookup(&user, name, uid, &err) != -1)
		fail_msg("the lookup of uid %u succeeded", (unsigned)user.uid);
	expect_no_control_char(err.text);
	assert_contains(err.text, msg);
	assert_null(user.name);
	vsym_user_free(&user);
}

static void test_control_characters_refused(void **state)
{
	struct vsym_user plain;

	(void)state;
	passwd_with("ev\033[2Jil:x:4000101:4000101::/home/evil:/bin/sh\n"
		    "cr\rlf:x:4000102:4000102::/home/crlf:/bin/sh\n"
		    "hm:x:4000103:4000103::/home/h\033m:/bin/sh\n"
		    "plain:x:4000104:4000104::/home/plain:/bin/sh\n");
	/* The control: a clean entry of the same file is found. */
	lookup_ok(&plain, "plain", 0);
	assert_string_equal(plain.home, "/home/plain");
	vsym_user_free(&plain);
	/* By uid (vsym-rebind): the database's name is checked. */
	expect_refused_cleanly(NULL, 4000101, "names uid 4000101 with a control character");
	expect_refused_cleanly(NULL, 4000102, "names uid 4000102 with a control character");
	/* By name (pam_vsym: the name PAM was given). */
	expect_refused_cleanly("ev\033[2Jil", 0, "a user name holds a control character");
	expect_refused_cleanly("cr\rlf", 0, "a user name holds a control character");
	expect_refused_cleanly("no\nsuch", 0, "a user name holds a control character");
	/* A home holding ESC. */
	expect_refused_cleanly("hm", 0, "home of user 'hm' holds a control character");
	expect_refused_cleanly(NULL, 4000103, "home of user 'hm' holds a control character");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_by_name),
		cmocka_unit_test(test_groups_read_later),
		cmocka_unit_test(test_root_by_uid),
		cmocka_unit_test(test_nobody),
		cmocka_unit_test(test_groups_are_the_users),
		cmocka_unit_test(test_unknown_user),
		cmocka_unit_test(test_control_characters_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
