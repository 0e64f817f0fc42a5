#include "config.h"

#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cred.h"

static int save_groups(struct vsym_saved_cred *saved, struct vsym_error *err)
{
	int n = getgroups(0, NULL);

	if (n < 0 || n > VSYM_CRED_MAX_GROUPS)
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

/* Credentials held across many steps by vsym_cred_hold. */
static struct vsym_saved_cred held;
static uid_t held_uid;

int vsym_cred_become(struct vsym_saved_cred *saved, const struct vsym_user *user,
		     struct vsym_error *err)
{
	memset(saved, 0, sizeof(*saved));
	if (held.active && held_uid == user->uid)
		return 0; /* already this user; restore is then a no-op */
	/* Without privilege (vsym-rebind -C after its drop) a process can only
	 * be itself: nothing to take on, nothing to restore. */
	if (geteuid() != 0 && getuid() == user->uid && (uid_t)setfsuid((uid_t)-1) == user->uid)
		return 0;
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

int vsym_cred_restore(struct vsym_saved_cred *saved, struct vsym_error *err)
{
	int rc = 0;

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

int vsym_cred_hold(const struct vsym_user *user, struct vsym_error *err)
{
	if (held.active)
		return vsym_error_set(err, "credentials are held already");
	if (vsym_cred_become(&held, user, err) < 0)
		return -1;
	held_uid = user->uid;
	return 0;
}

int vsym_cred_release(struct vsym_error *err)
{
	return vsym_cred_restore(&held, err);
}
