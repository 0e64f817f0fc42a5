/* Loading the policy files into a struct vsym_policy. */
#ifndef VSYM_POLICYFILE_H
#define VSYM_POLICYFILE_H

#include "error.h"
#include "policy.h"
#include "user.h"

/* Loads the system file at path (root-owned, checked) for user into a
 * zeroed policy. Returns 0, -ENOENT when the file does not exist, or -1. */
int vsym_policyfile_load_system(struct vsym_policy *policy, const char *path,
				const struct vsym_user *user, struct vsym_error *err);

/* Reads ~/.vsymrc as the user (vsym_file_read_as_user: never through a
 * FUSE mount) and adds it to policy (all or nothing). Returns 0 (also when
 * the file does not exist) or -1 with err set. The message in err may
 * quote the file; keep it out of logs. */
int vsym_policyfile_load_user(struct vsym_policy *policy, const struct vsym_user *user,
			      struct vsym_error *err);

/* Loads the file at path (owned by user or by root) as a system file
 * for user, named label in messages (vsym-rebind -C FILE: read after
 * privileges are gone, so it is whatever user could read anyway).
 * Returns 0 or -1 with err set. */
int vsym_policyfile_load_named(struct vsym_policy *policy, const char *label, const char *path,
			       const struct vsym_user *user, struct vsym_error *err);

#endif
