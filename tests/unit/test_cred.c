/* cred.c: borrowing a user's file-system identity and giving it back
 * (invariant 4 of doc/security.md). The test process changes its own fsuid, fsgid and
 * groups, inside the throwaway namespace of testns.h. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "testutil.h"
#include "testns.h"

#include "cred.h"

/* What the process starts each test with: distinctive, so that "put back
 * exactly" cannot pass by accident. */
static const gid_t start_groups[] = { 7, 8, 9 };
#define START_FSGID 4242

struct ids {
	uid_t fsuid;
	gid_t fsgid;
	uid_t euid;
	gid_t egid;
	int ngroups;
	gid_t groups[64];
};

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

static void read_ids(struct ids *ids)
{
	memset(ids, 0, sizeof(*ids));
	ids->fsuid = (uid_t)setfsuid((uid_t)-1);
	ids->fsgid = (gid_t)setfsgid((gid_t)-1);
	ids->euid = geteuid();
	ids->egid = getegid();
	ids->ngroups = getgroups(64, ids->groups);
	assert_true(ids->ngroups >= 0);
	qsort(ids->groups, (size_t)ids->ngroups, sizeof(gid_t), cmp_gid);
}

static void assert_groups(const struct ids *ids, const gid_t *want, int n)
{
	gid_t sorted[64];

	memcpy(sorted, want, (size_t)n * sizeof(gid_t));
	qsort(sorted, (size_t)n, sizeof(gid_t), cmp_gid);
	assert_int_equal(ids->ngroups, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(ids->groups[i], sorted[i]);
}

static void assert_start_ids(void)
{
	struct ids now;

	read_ids(&now);
	assert_int_equal(now.fsuid, 0);
	assert_int_equal(now.fsgid, START_FSGID);
	assert_int_equal(now.euid, 0);
	assert_groups(&now, start_groups, 3);
}

static int setup(void **state)
{
	static struct test_user alice;

	test_user_alice(&alice);
	*state = &alice;
	if (geteuid() != 0)
		return 0; /* each test says skip or fail */
	if (testns_scratch() == NULL)
		return -1;
	if (setgroups(3, start_groups) < 0)
		return -1;
	setfsuid(0);
	setfsgid(START_FSGID);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (geteuid() == 0) {
		setfsuid(0);
		setfsgid(getegid());
	}
	return 0;
}

/* A file in a directory dir_mode, owned by root and group gid. */
static void make_guarded_file(char *file, size_t size, const char *name, gid_t gid, mode_t dir_mode)
{
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/%s", testns_scratch(), name);
	make_dir(dir, 0, gid, dir_mode);
	snprintf(file, size, "%s/file", dir);
	write_file(file, "", 0, 0, 0644);
}

static bool can_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void test_round_trip(void **state)
{
	struct test_user *alice = *state;
	struct vsym_saved_cred saved;
	struct vsym_error err;
	struct ids during;

	REQUIRE_ROOT();
	assert_start_ids();
	assert_int_equal(vsym_cred_become(&saved, &alice->user, &err), 0);
	read_ids(&during);
	assert_int_equal(during.fsuid, 1000);
	assert_int_equal(during.fsgid, 1000);
	assert_int_equal(during.euid, 0);   /* CAP_SYS_ADMIN stays for the mounts */
	assert_int_equal(during.egid, 0);
	assert_groups(&during, alice->gids, 2);
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	assert_false(saved.active);
	assert_start_ids();
}

/* Twice in a row, and a restore that has nothing to restore. */
static void test_restore_twice_is_noop(void **state)
{
	struct test_user *alice = *state;
	struct vsym_saved_cred saved;
	struct vsym_error err;

	REQUIRE_ROOT();
	for (int i = 0; i < 2; i++) {
		assert_int_equal(vsym_cred_become(&saved, &alice->user, &err), 0);
		assert_int_equal(vsym_cred_restore(&saved, &err), 0);
		assert_start_ids();
	}
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	assert_start_ids();
}

/* An inactive struct holding ids and no groups changes nothing. */
static void test_restore_inactive_is_noop(void **state)
{
	struct vsym_saved_cred saved = {
		.fsuid = 1234, .fsgid = 1234, .groups = NULL, .ngroups = 0, .active = 0,
	};
	struct vsym_error err = { .text = "" };

	(void)state;
	REQUIRE_ROOT();
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	assert_string_equal(err.text, "");
	assert_start_ids();
}

/* The file-system uid is what the kernel checks: a root-only directory is
 * closed while become'd and open again after. */
static void test_root_only_dir_closed_while_become(void **state)
{
	struct test_user *alice = *state;
	struct vsym_saved_cred saved;
	struct vsym_error err;
	char file[160];

	REQUIRE_ROOT();
	make_guarded_file(file, sizeof(file), "cred-root0700", 0, 0700);
	assert_true(can_open(file));
	assert_int_equal(vsym_cred_become(&saved, &alice->user, &err), 0);
	errno = 0;
	assert_false(can_open(file));
	assert_int_equal(errno, EACCES);
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	assert_true(can_open(file));
}

/* The groups are really taken on: a directory searchable only by group 50
 * ("staff", a supplementary group of alice) opens while become'd. */
static void test_supplementary_group_grants(void **state)
{
	struct test_user *alice = *state;
	struct vsym_saved_cred saved;
	struct vsym_error err;
	char file[160];
	bool opened;

	REQUIRE_ROOT();
	make_guarded_file(file, sizeof(file), "cred-staff0070", 50, 0070);
	assert_int_equal(vsym_cred_become(&saved, &alice->user, &err), 0);
	opened = can_open(file);
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	assert_true(opened);
}

/* The fsgid is really taken on: a user whose only supplementary group is
 * 50 reaches a directory of group 1000 (its primary group) through fsgid. */
static void test_fsgid_grants(void **state)
{
	struct test_user *alice = *state;
	struct vsym_user only_staff = alice->user;
	gid_t staff = 50;
	struct vsym_saved_cred saved;
	struct vsym_error err;
	char file[160], other[160];
	bool opened, other_opened;

	REQUIRE_ROOT();
	only_staff.gids = &staff;
	only_staff.ngids = 1;
	make_guarded_file(file, sizeof(file), "cred-g1000", 1000, 0070);
	make_guarded_file(other, sizeof(other), "cred-g1001", 1001, 0070);
	assert_int_equal(vsym_cred_become(&saved, &only_staff, &err), 0);
	opened = can_open(file);
	other_opened = can_open(other);
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	assert_true(opened);
	assert_false(other_opened);
}

/* The start groups are gone while become'd: group 7 no longer grants. */
static void test_old_groups_dropped(void **state)
{
	struct test_user *alice = *state;
	struct vsym_saved_cred saved;
	struct vsym_error err;
	char file[160];
	bool opened;

	REQUIRE_ROOT();
	make_guarded_file(file, sizeof(file), "cred-g7", 7, 0070);
	assert_int_equal(vsym_cred_become(&saved, &alice->user, &err), 0);
	opened = can_open(file);
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	assert_false(opened);
}

/* A failed become (too many groups for the kernel) says so and leaves
 * everything as it was. */
static void test_failed_become_changes_nothing(void **state)
{
	struct test_user *alice = *state;
	struct vsym_user many = alice->user;
	struct vsym_saved_cred saved;
	struct vsym_error err;
	gid_t *gids = calloc(65537, sizeof(gid_t));

	REQUIRE_ROOT();
	assert_non_null(gids);
	many.gids = gids;
	many.ngids = 65537; /* more than NGROUPS_MAX */
	assert_int_equal(vsym_cred_become(&saved, &many, &err), -1);
	assert_contains(err.text, "cannot take on the groups of alice");
	assert_false(saved.active);
	assert_start_ids();
	free(gids);
}

/* A user whose groups were not read (gids NULL: vsym_user_lookup_name
 * alone) is never taken on, by become, hold or drop_for_good: with no
 * supplementary groups, alice would open a file whose directory denies
 * her group "staff" (50) and lets others in. */
static void test_unknown_groups_refused(void **state)
{
	struct test_user *alice = *state;
	struct vsym_user unread = alice->user;
	struct vsym_saved_cred saved;
	struct vsym_cred_hold hold;
	struct vsym_error err = { .text = "" };
	char file[160];
	int status = -1;
	pid_t pid;

	REQUIRE_ROOT();
	make_guarded_file(file, sizeof(file), "cred-not-staff", 50, 0705);
	unread.gids = NULL;
	unread.ngids = 0;
	assert_int_equal(vsym_cred_become(&saved, &unread, &err), -1);
	assert_contains(err.text, "the groups of alice are not known");
	assert_false(saved.active);
	assert_start_ids();
	assert_int_equal(vsym_cred_hold(&hold, &unread, &err), -1);
	assert_null(unread.hold);
	assert_start_ids();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(vsym_cred_drop_for_good(&unread, &err) == -1 && getuid() == 0 ? 0 : 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* With her groups read, the directory is closed to her. */
	assert_int_equal(vsym_cred_become(&saved, &alice->user, &err), 0);
	assert_false(can_open(file));
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
}

/* vsym_cred_hold: the user's identity stays until release; a become for
 * the same user inside is free and its restore changes nothing; a become
 * for another user is undone back to the held one. */
static void test_hold_and_release(void **state)
{
	struct test_user *alice = *state;
	struct vsym_user bob = alice->user;
	gid_t bob_gids[] = { 1001 };
	struct vsym_saved_cred saved;
	struct vsym_cred_hold hold;
	struct vsym_error err;
	struct ids now;

	REQUIRE_ROOT();
	bob.name = (char *)(uintptr_t)"bob";
	bob.uid = bob.gid = 1001;
	bob.gids = bob_gids;
	bob.ngids = 1;
	assert_int_equal(vsym_cred_hold(&hold, &alice->user, &err), 0);
	read_ids(&now);
	assert_int_equal(now.fsuid, 1000);
	assert_groups(&now, alice->gids, 2);
	assert_int_equal(vsym_cred_hold(&hold, &alice->user, &err), -1);
	assert_contains(err.text, "held already");

	assert_int_equal(vsym_cred_become(&saved, &alice->user, &err), 0);
	assert_false(saved.active); /* free: nothing to save or put back */
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	read_ids(&now);
	assert_int_equal(now.fsuid, 1000); /* still held */
	assert_int_equal(now.fsgid, 1000);

	assert_int_equal(vsym_cred_become(&saved, &bob, &err), 0);
	read_ids(&now);
	assert_int_equal(now.fsuid, 1001);
	assert_groups(&now, bob_gids, 1);
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	read_ids(&now);
	assert_int_equal(now.fsuid, 1000);
	assert_groups(&now, alice->gids, 2);

	assert_int_equal(vsym_cred_release(&hold, &alice->user, &err), 0);
	assert_start_ids();
	/* released: a become is real again, and a second release does nothing */
	assert_int_equal(vsym_cred_release(&hold, &alice->user, &err), 0);
	assert_start_ids();
	assert_int_equal(vsym_cred_become(&saved, &alice->user, &err), 0);
	assert_true(saved.active);
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	assert_start_ids();
}

/* The effective capability set of this thread, as one 64-bit mask. */
static uint64_t effective_caps(void)
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	assert_int_equal(syscall(SYS_capget, &header, data), 0);
	return (uint64_t)data[1].effective << 32 | data[0].effective;
}

#define HAS_CAP(mask, cap) (((mask) >> (cap)) & 1)

/* No capability while become'd: CAP_SYS_PTRACE would show the processes
 * procfs hidepid hides from the user, CAP_SYS_ADMIN pass other checks. */
static void test_no_capability_while_become(void **state)
{
	struct test_user *alice = *state;
	struct vsym_saved_cred saved;
	struct vsym_error err;
	uint64_t before, during;

	REQUIRE_ROOT();
	before = effective_caps();
	assert_true(HAS_CAP(before, CAP_SYS_PTRACE));
	assert_true(HAS_CAP(before, CAP_SYS_ADMIN));
	assert_int_equal(vsym_cred_become(&saved, &alice->user, &err), 0);
	during = effective_caps();
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	assert_true(during == 0);
	assert_true(effective_caps() == before);
	assert_start_ids();
}

/* While held, the capabilities stay for the mounts; a become inside
 * empties the set for its lookup and its restore gives it back. */
static void test_hold_keeps_caps_become_lowers_them(void **state)
{
	struct test_user *alice = *state;
	struct vsym_saved_cred saved;
	struct vsym_cred_hold hold;
	struct vsym_error err;
	uint64_t before, held, during, after;

	REQUIRE_ROOT();
	before = effective_caps();
	assert_int_equal(vsym_cred_hold(&hold, &alice->user, &err), 0);
	held = effective_caps();
	assert_int_equal(vsym_cred_become(&saved, &alice->user, &err), 0);
	during = effective_caps();
	assert_int_equal(vsym_cred_restore(&saved, &err), 0);
	after = effective_caps();
	assert_int_equal(vsym_cred_release(&hold, &alice->user, &err), 0);
	assert_true(HAS_CAP(held, CAP_SYS_ADMIN));
	assert_true(during == 0);
	assert_true(after == held);
	assert_true(effective_caps() == before);
	assert_start_ids();
}

/* A charge: euid the user's with every capability kept (a namespace can
 * be made), then everything back as it was, the held fsuid included. */
static void test_charge_round_trip(void **state)
{
	struct test_user *alice = *state;
	struct vsym_saved_charge saved;
	struct vsym_cred_hold hold;
	struct vsym_error err;
	uint64_t before = effective_caps(), held, during;
	int bits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	uid_t euid_during;

	REQUIRE_ROOT();
	assert_int_equal(vsym_cred_hold(&hold, &alice->user, &err), 0);
	held = effective_caps();
	assert_int_equal(vsym_cred_charge_begin(2001, &saved, &err), 0);
	euid_during = geteuid();
	during = effective_caps();
	assert_int_equal(vsym_cred_charge_end(&saved, &err), 0);
	assert_int_equal(euid_during, 2001);
	assert_true(during == held);
	assert_true(HAS_CAP(during, CAP_SYS_ADMIN));
	assert_int_equal(geteuid(), 0);
	assert_int_equal((uid_t)setfsuid((uid_t)-1), 1000); /* still held */
	assert_int_equal(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), bits);
	assert_int_equal(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), dumpable);
	assert_int_equal(vsym_cred_release(&hold, &alice->user, &err), 0);
	assert_true(effective_caps() == before);
	assert_start_ids();
}

/* The drop for good (vsym-rebind before the caller's code runs), in a
 * child: afterwards every id and group is the user's, none of root's start
 * groups is left, and root cannot be had back. */
static int drop_in_child(const struct vsym_user *user)
{
	struct vsym_error err;
	uid_t r, e, s;
	gid_t rg, eg, sg;
	struct ids now;

	if (vsym_cred_drop_for_good(user, &err) < 0)
		return 10;
	if (getresuid(&r, &e, &s) < 0 || r != user->uid || e != user->uid || s != user->uid)
		return 11;
	if (getresgid(&rg, &eg, &sg) < 0 || rg != user->gid || eg != user->gid || sg != user->gid)
		return 12;
	read_ids(&now);
	if (now.ngroups != (int)user->ngids || now.fsuid != user->uid)
		return 13;
	for (int i = 0; i < now.ngroups; i++)
		if (now.groups[i] == 7 || now.groups[i] == 8 || now.groups[i] == 9)
			return 14;
	if (setuid(0) == 0 || seteuid(0) == 0 || setgroups(0, NULL) == 0)
		return 15;
	return 0;
}

static void test_drop_for_good(void **state)
{
	struct test_user *alice = *state;
	int status = -1;
	pid_t pid;

	REQUIRE_ROOT();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(drop_in_child(&alice->user));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_start_ids();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_twice_is_noop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_inactive_is_noop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_only_dir_closed_while_become, setup, teardown),
		cmocka_unit_test_setup_teardown(test_supplementary_group_grants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsgid_grants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_groups_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_become_changes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_groups_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_and_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_capability_while_become, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hold_keeps_caps_become_lowers_them, setup, teardown),
		cmocka_unit_test_setup_teardown(test_charge_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drop_for_good, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
