/* Borrowing a user's file-system identity for path resolution
 * (doc/security.md invariant 4): groups, fsgid and fsuid are switched and the effective
 * capability set is emptied, each change read back, and everything is put
 * back as it was. Effective ids and the permitted set are not touched, so
 * CAP_SYS_ADMIN comes back for the mount calls that follow. */
#ifndef VSYM_CRED_H
#define VSYM_CRED_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "user.h"

#define VSYM_CRED_CAP_WORDS 2  /* _LINUX_CAPABILITY_U32S_3 */

struct vsym_saved_cred {
	uid_t fsuid;
	gid_t fsgid;
	gid_t *groups;
	int ngroups;
	int dumpable;   /* the kernel clears it when the fsuid changes */
	int active;     /* ids to put back */
	uint32_t effective[VSYM_CRED_CAP_WORDS];
	int caps_lowered; /* effective set to put back */
};

/* Takes on user's groups, fsgid and fsuid and empties the effective
 * capability set, saving the current ones in saved: a lookup made now
 * passes only the checks the user passes. Returns 0, or -1 with err set
 * and nothing changed. */
int vsym_cred_become(struct vsym_saved_cred *saved, const struct vsym_user *user,
		     struct vsym_error *err);

/* Puts back what vsym_cred_become saved and checks it. Returns 0, or -1
 * when the credentials could not be restored (the caller must not go on). */
int vsym_cred_restore(struct vsym_saved_cred *saved, struct vsym_error *err);

/* A user's identity held across a run of steps; the caller owns it. */
struct vsym_cred_hold {
	struct vsym_saved_cred saved;
	uid_t uid;
};

/* Takes on user's groups, fsgid and fsuid until vsym_cred_release, for a
 * run of steps (the module's binds), saving root's in hold and pointing
 * user->hold at it. The capabilities stay, for the mounts: every lookup in
 * between must go through vsym_cred_become, which for a user whose
 * identity is held then only empties the effective set (and restore
 * raises it again). Nothing may be written where only root can write
 * while it is held. Returns 0 or -1 with err set. */
int vsym_cred_hold(struct vsym_cred_hold *hold, struct vsym_user *user, struct vsym_error *err);

/* What vsym_cred_charge_begin changed. */
struct vsym_saved_charge {
	uid_t euid;
	uid_t fsuid;
	int securebits;
	int dumpable;
};

/* Makes the effective uid uid for one namespace-making syscall, with every
 * capability kept (SECBIT_NO_SETUID_FIXUP), so that the namespace counts
 * against uid's user.max_mnt_namespaces, not root's: a user running many
 * vsym-rebind -x must not use up the budget every login needs. Each change
 * is read back. Make only that syscall before vsym_cred_charge_end (files
 * made now would be uid's). Returns 0, or -1 with err set and nothing
 * changed. */
int vsym_cred_charge_begin(uid_t uid, struct vsym_saved_charge *saved, struct vsym_error *err);

/* Undoes vsym_cred_charge_begin and checks it. Returns 0, or -1 (the caller
 * must not go on). */
int vsym_cred_charge_end(const struct vsym_saved_charge *saved, struct vsym_error *err);

/* Ends vsym_cred_hold (nothing to do when hold is not held). Returns 0,
 * or -1 when root's identity could not be restored (the caller must not go
 * on). */
int vsym_cred_release(struct vsym_cred_hold *hold, struct vsym_user *user, struct vsym_error *err);

/* For good, before the caller's own code runs (vsym-rebind -x, -s, -C):
 * user's groups (when privileged), gid and uid, real, effective and saved;
 * each read back, and then proof that root cannot be regained (setuid(0)
 * and seteuid(0) must fail). Returns 0, or -1 with err set (the caller
 * must exit). */
int vsym_cred_drop_for_good(const struct vsym_user *user, struct vsym_error *err);

#endif
