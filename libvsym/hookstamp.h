/* What the shell hook (vsym-rebind --shell) compares project files
 * against, in the session's /run/vsym: the stamp, touched by every -p, and
 * for each watched file whose time is later than the stamp's (a time in
 * the future: a clock ahead, a tar or touch -d), a reference file with the
 * very same modification time. The hook takes a file newer than the stamp
 * as changed only when its time is not its reference's, so such a file
 * does not make every prompt run vsym-rebind, and an edit of it is still
 * seen. */
#ifndef VSYM_HOOKSTAMP_H
#define VSYM_HOOKSTAMP_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "policy.h"
#include "projectsearch.h"
#include "user.h"

/* The directory of the reference files. A file's reference is named by
 * its path with each '%' written "%25" and each '/' "%2F" (what the hook
 * computes with ${f//...} expansions, no process); a path whose name
 * would be longer than NAME_MAX has none. */
#define VSYM_HOOKSTAMP_REFS "mtimes"

/* At most this many reference files (the rest are taken as changed). */
#define VSYM_HOOKSTAMP_MAX_REFS 256

/* Touches the stamp of the vsym session of uid's the caller is in. Returns
 * 0, 1 when this is no vsym session of uid's, or -1 with err set. */
int vsym_hookstamp_touch(uid_t uid, struct vsym_error *err);

/* Replaces the reference files by one for each of files whose time is
 * later than the stamp's. Returns 0, 1 when this is no vsym session of
 * uid's, or -1 with err set. */
int vsym_hookstamp_mark_future(uid_t uid, const struct vsym_projectsearch_watched *files, size_t n,
			       struct vsym_error *err);

/* What -p does for the hook before it reads the project files from dir
 * up: the stamp touched, then the references of the files it watches that
 * are dated later (vsym_projectsearch_watched_as_user). Returns 0, 1 when
 * this is no vsym session of user's, or -1 with err set. */
int vsym_hookstamp_update(const struct vsym_policy *policy, const struct vsym_user *user, const char *dir,
			  struct vsym_error *err);

/* The reference name of path into name (size bytes). Returns 0, or -1
 * when it does not fit or is longer than NAME_MAX. */
int vsym_hookstamp_ref_name(const char *path, char *name, size_t size);

#endif
