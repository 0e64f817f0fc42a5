#include "config.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cred.h"

static int save_groups(struct vsym_saved_cred *saved, struct vsym_error *err)
{
	int n = getgroups(0, NULL);

	if (n < 0 || n > VSYM_MAX_GROUPS)
		return vsym_error_set(err, "cannot read the supplementary groups: %s", strerror(errno));
	saved->groups = calloc((size_t)n + 1, sizeof(gid_t));
	if (saved->groups == NULL)
		return vsym_error_set(err, "out of memory");
	saved->ngroups = getgroups(n, saved->groups);
	if (saved->ngroups < 0)
		return vsym_error_set(err, "cannot read the supplementary groups: %s", strerror(errno));
	return 0;
}

/* setfsuid() and setfsgid() report no errors: reading back is the check. */
static int set_fs_ids(uid_t uid, gid_t gid, struct vsym_error *err)
{
	setfsgid(gid);
	if ((gid_t)setfsgid((gid_t)-1) != gid)
		return vsym_error_set(err, "cannot set the file-system gid to %u", (unsigned)gid);
	setfsuid(uid);
	if ((uid_t)setfsuid((uid_t)-1) != uid)
		return vsym_error_set(err, "cannot set the file-system uid to %u", (unsigned)uid);
	return 0;
}

/* glibc has no wrappers for capget and capset: the kernel's own calls, on
 * this thread's sets. */
static int read_caps(struct __user_cap_data_struct data[VSYM_CRED_CAP_WORDS])
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return (int)syscall(SYS_capget, &header, data);
}

static int write_caps(struct __user_cap_data_struct data[VSYM_CRED_CAP_WORDS])
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return (int)syscall(SYS_capset, &header, data);
}

/* Sets the effective set, keeping the permitted one, and reads it back. */
static int set_effective_caps(const uint32_t effective[VSYM_CRED_CAP_WORDS], struct vsym_error *err)
{
	struct __user_cap_data_struct data[VSYM_CRED_CAP_WORDS];
	int i;

	if (read_caps(data) < 0)
		return vsym_error_set(err, "cannot read the capabilities: %s", strerror(errno));
	for (i = 0; i < VSYM_CRED_CAP_WORDS; i++)
		data[i].effective = effective[i];
	if (write_caps(data) < 0)
		return vsym_error_set(err, "cannot set the effective capabilities: %s", strerror(errno));
	if (read_caps(data) < 0)
		return vsym_error_set(err, "cannot read the capabilities: %s", strerror(errno));
	for (i = 0; i < VSYM_CRED_CAP_WORDS; i++)
		if (data[i].effective != effective[i])
			return vsym_error_set(err, "the effective capabilities were not changed");
	return 0;
}

/* The fsuid switch drops only the file capabilities (CAP_DAC_OVERRIDE and
 * the like); CAP_SYS_PTRACE, CAP_SYS_ADMIN and the rest would still pass
 * checks the user cannot pass (procfs hidepid shows the processes of
 * others to CAP_SYS_PTRACE). With no effective capability a lookup sees
 * what the user sees. The permitted set stays, so restore can raise them. */
static int lower_caps(struct vsym_saved_cred *saved, struct vsym_error *err)
{
	static const uint32_t none[VSYM_CRED_CAP_WORDS];
	struct __user_cap_data_struct data[VSYM_CRED_CAP_WORDS];

	if (read_caps(data) < 0)
		return vsym_error_set(err, "cannot read the capabilities: %s", strerror(errno));
	for (int i = 0; i < VSYM_CRED_CAP_WORDS; i++)
		saved->effective[i] = data[i].effective;
	if (set_effective_caps(none, err) < 0) {
		set_effective_caps(saved->effective, NULL);
		return -1;
	}
	saved->caps_lowered = 1;
	return 0;
}

static int raise_caps(struct vsym_saved_cred *saved, struct vsym_error *err)
{
	if (set_effective_caps(saved->effective, err) < 0)
		return -1;
	saved->caps_lowered = 0;
	return 0;
}

/* With fewer groups than the user has, a path whose group bits deny one of
 * them would open through its "other" bits: never act as a user whose
 * groups were not read (vsym_user_lookup_groups). */
static bool groups_known(const struct vsym_user *user, struct vsym_error *err)
{
	if (user->gids != NULL)
		return true;
	vsym_error_set(err, "the groups of %s are not known; vsym does not act as the user without them",
		       user->name);
	return false;
}

/* Takes on user's groups, fsgid and fsuid; the capabilities stay. */
static int take_ids(struct vsym_saved_cred *saved, const struct vsym_user *user,
		    struct vsym_error *err)
{
	if (!groups_known(user, err))
		return -1;
	saved->dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	saved->fsuid = (uid_t)setfsuid((uid_t)-1);
	saved->fsgid = (gid_t)setfsgid((gid_t)-1);
	if (save_groups(saved, err) < 0) {
		free(saved->groups);
		return -1;
	}
	saved->active = 1;
	if (setgroups(user->ngids, user->gids) < 0) {
		vsym_error_set(err, "cannot take on the groups of %s: %s", user->name, strerror(errno));
		vsym_cred_restore(saved, NULL);
		return -1;
	}
	if (set_fs_ids(user->uid, user->gid, err) < 0) {
		vsym_cred_restore(saved, NULL);
		return -1;
	}
	return 0;
}

int vsym_cred_become(struct vsym_saved_cred *saved, const struct vsym_user *user,
		     struct vsym_error *err)
{
	memset(saved, 0, sizeof(*saved));
	/* Held already: the ids are this user's; only the capabilities go. */
	if (user->hold != NULL && user->hold->saved.active && user->hold->uid == user->uid)
		return lower_caps(saved, err);
	/* Without privilege (vsym-rebind -C after its drop) a process can only
	 * be itself: nothing to take on, nothing to restore. */
	if (geteuid() != 0 && getuid() == user->uid && (uid_t)setfsuid((uid_t)-1) == user->uid)
		return 0;
	if (take_ids(saved, user, err) < 0)
		return -1;
	if (lower_caps(saved, err) < 0) {
		vsym_cred_restore(saved, NULL);
		return -1;
	}
	return 0;
}

int vsym_cred_restore(struct vsym_saved_cred *saved, struct vsym_error *err)
{
	int rc = 0;

	/* The capabilities first: when they cannot be raised the ids stay
	 * the user's, and the caller stops. */
	if (saved->caps_lowered && raise_caps(saved, err) < 0)
		return -1;
	if (!saved->active)
		return 0;
	if (set_fs_ids(saved->fsuid, saved->fsgid, err) < 0)
		rc = -1;
	if (setgroups((size_t)saved->ngroups, saved->groups) < 0)
		rc = vsym_error_set(err, "cannot restore the supplementary groups: %s", strerror(errno));
	/* The application (sshd, login) keeps the dumpable state it had. */
	if (rc == 0 && saved->dumpable > 0)
		prctl(PR_SET_DUMPABLE, saved->dumpable, 0, 0, 0);
	free(saved->groups);
	saved->groups = NULL;
	saved->active = 0;
	return rc;
}

int vsym_cred_hold(struct vsym_cred_hold *hold, struct vsym_user *user, struct vsym_error *err)
{
	if (user->hold != NULL && user->hold->saved.active)
		return vsym_error_set(err, "credentials are held already");
	memset(hold, 0, sizeof(*hold));
	if (take_ids(&hold->saved, user, err) < 0)
		return -1;
	hold->uid = user->uid;
	user->hold = hold;
	return 0;
}

int vsym_cred_release(struct vsym_cred_hold *hold, struct vsym_user *user, struct vsym_error *err)
{
	if (user->hold == hold)
		user->hold = NULL;
	return vsym_cred_restore(&hold->saved, err);
}

/* The process's groups are exactly user's (the kernel sorts them). */
static bool has_only_groups_of(const struct vsym_user *user)
{
	int n = getgroups(0, NULL);
	gid_t *now = n >= 0 ? calloc((size_t)n + 1, sizeof(gid_t)) : NULL;
	bool same = now != NULL && getgroups(n, now) == n && (size_t)n == user->ngids;

	for (int i = 0; same && i < n; i++) {
		bool found = false;

		for (size_t j = 0; !found && j < user->ngids; j++)
			found = now[i] == user->gids[j];
		same = found;
	}
	free(now);
	return same;
}

int vsym_cred_drop_for_good(const struct vsym_user *user, struct vsym_error *err)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (!groups_known(user, err))
		return -1;
	if (geteuid() == 0 && setgroups(user->ngids, user->gids) < 0)
		return vsym_error_set(err, "cannot set groups: %s", strerror(errno));
	if (setresgid(user->gid, user->gid, user->gid) < 0 || setresuid(user->uid, user->uid, user->uid) < 0)
		return vsym_error_set(err, "cannot drop privileges: %s", strerror(errno));
	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0 ||
	    ruid != user->uid || euid != user->uid || suid != user->uid ||
	    rgid != user->gid || egid != user->gid || sgid != user->gid || !has_only_groups_of(user))
		return vsym_error_set(err, "privileges were not dropped");
	if (user->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return vsym_error_set(err, "root could be regained after dropping privileges");
	return 0;
}

/* The effective set, as raised before a charge and checked after it. */
static int read_effective(uint32_t effective[VSYM_CRED_CAP_WORDS])
{
	struct __user_cap_data_struct data[VSYM_CRED_CAP_WORDS];

	if (read_caps(data) < 0)
		return -1;
	for (int i = 0; i < VSYM_CRED_CAP_WORDS; i++)
		effective[i] = data[i].effective;
	return 0;
}

static int set_securebits(int bits, struct vsym_error *err)
{
	if (prctl(PR_SET_SECUREBITS, (unsigned long)bits, 0, 0, 0) < 0 ||
	    prctl(PR_GET_SECUREBITS, 0, 0, 0, 0) != bits)
		return vsym_error_set(err, "cannot set the securebits: %s", strerror(errno));
	return 0;
}

/* setresuid changes the fsuid with the euid: both are checked. */
static int set_euid(uid_t uid, struct vsym_error *err)
{
	uid_t ruid, euid, suid;

	if (setresuid((uid_t)-1, uid, (uid_t)-1) < 0 || getresuid(&ruid, &euid, &suid) < 0 || euid != uid ||
	    (uid_t)setfsuid((uid_t)-1) != uid)
		return vsym_error_set(err, "cannot set the effective uid to %u: %s", (unsigned)uid, strerror(errno));
	return 0;
}

int vsym_cred_charge_begin(uid_t uid, struct vsym_saved_charge *saved, struct vsym_error *err)
{
	uint32_t before[VSYM_CRED_CAP_WORDS], after[VSYM_CRED_CAP_WORDS];

	saved->euid = geteuid();
	saved->fsuid = (uid_t)setfsuid((uid_t)-1);
	saved->securebits = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
	saved->dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	if (saved->securebits < 0 || read_effective(before) < 0)
		return vsym_error_set(err, "cannot read the securebits or capabilities: %s", strerror(errno));
	/* Without the fixup the kernel clears no capability when the euid
	 * leaves 0. */
	if (set_securebits(saved->securebits | SECBIT_NO_SETUID_FIXUP, err) < 0)
		return -1;
	if (set_euid(uid, err) < 0) {
		vsym_cred_charge_end(saved, NULL);
		return -1;
	}
	if (read_effective(after) < 0 || memcmp(before, after, sizeof(before)) != 0) {
		vsym_cred_charge_end(saved, NULL);
		return vsym_error_set(err, "the capabilities changed with the effective uid");
	}
	return 0;
}

int vsym_cred_charge_end(const struct vsym_saved_charge *saved, struct vsym_error *err)
{
	if (set_euid(saved->euid, err) < 0)
		return -1;
	if (set_fs_ids(saved->fsuid, (gid_t)setfsgid((gid_t)-1), err) < 0)
		return -1;
	if (set_securebits(saved->securebits, err) < 0)
		return -1;
	/* The kernel resets it when the euid changes (prctl can set 0 or 1). */
	if ((saved->dumpable == 0 || saved->dumpable == 1) &&
	    (prctl(PR_SET_DUMPABLE, saved->dumpable, 0, 0, 0) < 0 ||
	     prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != saved->dumpable))
		return vsym_error_set(err, "cannot restore the dumpable flag: %s", strerror(errno));
	return 0;
}
