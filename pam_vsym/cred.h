/* Borrowing a user's file-system identity for path resolution (DESIGN
 * invariant 4): groups, fsgid and fsuid are switched, each change read back,
 * and everything is put back as it was. Effective ids are not touched, so
 * CAP_SYS_ADMIN stays for the mount calls that follow. */
#ifndef VSYM_CRED_H
#define VSYM_CRED_H

#include <sys/types.h>

#include "error.h"
#include "user.h"

#define VSYM_CRED_MAX_GROUPS 65536

struct vsym_saved_cred {
	uid_t fsuid;
	gid_t fsgid;
	gid_t *groups;
	int ngroups;
	int dumpable;   /* the kernel clears it when the fsuid changes */
	int active;
};

/* Takes on user's groups, fsgid and fsuid, saving the current ones in saved.
 * Returns 0, or -1 with err set and nothing changed. */
int vsym_cred_become(struct vsym_saved_cred *saved, const struct vsym_user *user,
		     struct vsym_error *err);

/* Puts back what vsym_cred_become saved and checks it. Returns 0, or -1
 * when the credentials could not be restored (the caller must not go on). */
int vsym_cred_restore(struct vsym_saved_cred *saved, struct vsym_error *err);

/* Takes on user's identity until vsym_cred_release, for a run of steps
 * (the module's binds): vsym_cred_become for the same user is then free.
 * Nothing may be written where only root can write while it is held.
 * Returns 0 or -1 with err set. */
int vsym_cred_hold(const struct vsym_user *user, struct vsym_error *err);

/* Ends vsym_cred_hold. Returns 0, or -1 when root's identity could not be
 * restored (the caller must not go on). */
int vsym_cred_release(struct vsym_error *err);

#endif
