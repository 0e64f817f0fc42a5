/* The bind engine: the steps both front ends share to make, replace,
 * remove and recover the vsym binds of a session. */
#ifndef VSYM_BINDS_H
#define VSYM_BINDS_H

#include <limits.h>
#include <stdbool.h>

#include "error.h"
#include "policy.h"
#include "state.h"
#include "user.h"
#include "vsymrc.h"


/* How each bind attempt ended, for the caller's log. */
enum vsym_outcome {
	VSYM_BOUND,       /* mounted */
	VSYM_SKIPPED,     /* optional and its source is missing */
	VSYM_REFUSED,     /* policy or checks said no */
	VSYM_FAILED,      /* a system error */
};

/* What the kernel mounted: the canonical paths read back from the
 * descriptors the mount used. */
struct vsym_mounted {
	char source[PATH_MAX];
	char target[PATH_MAX];
};

struct vsym_reporter {
	/* Called once per bind; detail->text names the rule or the reason,
	 * and may quote the paths; detail->cause says the same without them
	 * (for logging the binds of the user's file). mounted is what was
	 * mounted for VSYM_BOUND, NULL for every other outcome. */
	void (*bind)(void *ctx, enum vsym_outcome outcome, const struct vsym_bind *bind,
		     const struct vsym_error *detail, const struct vsym_mounted *mounted);
	/* A line for the log (priority as in syslog.h); where vsym_login_*
	 * says, it names a user file by line only, never quoting it. */
	void (*log)(void *ctx, int priority, const char *text);
	/* A short note for the user (told once the user's identity is given
	 * back). */
	void (*note)(void *ctx, const char *text);
	void *ctx;
};

/* Flags of vsym_binds_add. */
#define VSYM_BIND_DRY_RUN 1u     /* judge only; mount nothing */
#define VSYM_BIND_NO_BENEATH 2u  /* use the detach-then-mount fallback (tests) */
/* Tests: return VSYM_FAILED right after the mount is attached, leaving
 * what a kill there leaves (the journal written, nothing recorded). */
#define VSYM_BIND_STOP_AFTER_ATTACH 4u

/* Resolves, checks and mounts one bind for user in the current namespace,
 * replacing the vsym mount recorded in state for the same target (beneath
 * it where the kernel can, so the target is never seen empty), and records
 * the new mount in state (saved when state->dir is set, with a journal
 * around each change). Returns the outcome; detail gets the rule or the
 * reason, and its cause the same in words that quote no path. */
enum vsym_outcome vsym_binds_add(const struct vsym_policy *policy,
				 const struct vsym_user *user,
				 struct vsym_state *state,
				 const struct vsym_bind *bind, unsigned flags,
				 struct vsym_error *detail);

/* The same; when the bind is mounted (VSYM_BOUND, not a dry run), mounted
 * gets what was mounted, and its source is "" otherwise. Returns the
 * outcome. */
enum vsym_outcome vsym_binds_add_mounted(const struct vsym_policy *policy,
					 const struct vsym_user *user,
					 struct vsym_state *state,
					 const struct vsym_bind *bind, unsigned flags,
					 struct vsym_error *detail, struct vsym_mounted *mounted);

/* Finishes what a killed vsym-rebind left half-done, from the journal in
 * state->dir: each pending mount is found by its id wherever it is now; on
 * its target it is recorded (an old one still stacked over it detached),
 * moved away (a parent renamed) it is detached, or recorded when it cannot
 * be reached, so that no mount escapes max_binds. Call with the session
 * lock held. Returns 0, or -1 with err set: then the journal stays. */
int vsym_binds_recover(const struct vsym_user *user, struct vsym_state *state,
		       struct vsym_error *err);

/* Removes the vsym mount recorded for target (a path the user names,
 * resolved as the user). Returns 0, 1 when no vsym bind is there, or -1. */
int vsym_binds_remove(const struct vsym_user *user, struct vsym_state *state,
		      const char *target, struct vsym_error *err);

/* Detaches the vsym mounts of state that were moved away from their
 * targets (a parent renamed), found through mountinfo and checked to be
 * the very mounts vsym made. Returns 0 or -1. */
int vsym_binds_remove_moved(const struct vsym_user *user, struct vsym_state *state,
			    struct vsym_error *err);

/* Drops records whose mount is gone (unmounted by root, or the namespace
 * was copied). */
void vsym_binds_prune(struct vsym_state *state);

/* True when fd is the root of the very mount entry records: same mount id
 * and the same directory at its root. */
bool vsym_binds_is_recorded(int fd, const struct vsym_state_entry *entry);

/* Applies the session defaults of policy, reporting each bind and recording
 * it in state; *dropped gets the number of binds beyond max_binds, not
 * made. Returns the number of binds refused, failed or dropped (0: all
 * well), or -1 with err set when the defaults could not be computed. */
int vsym_binds_apply_defaults(const struct vsym_policy *policy,
			      const struct vsym_user *user,
			      struct vsym_state *state,
			      const struct vsym_reporter *reporter,
			      size_t *dropped, struct vsym_error *err);

#endif
