/* Building a session: the steps both front ends share, from loading the
 * policy for a user to applying the session defaults in a namespace. */
#ifndef VSYM_SESSION_H
#define VSYM_SESSION_H

#include <stdbool.h>

#include "error.h"
#include "policy.h"
#include "state.h"
#include "user.h"

#define VSYM_USER_FILE ".vsymrc"

/* How each bind attempt ended, for the caller's log. */
enum vsym_outcome {
	VSYM_BOUND,       /* mounted */
	VSYM_SKIPPED,     /* optional and its source is missing */
	VSYM_REFUSED,     /* policy or checks said no */
	VSYM_FAILED,      /* a system error */
};

struct vsym_reporter {
	/* Called once per bind; detail->text names the rule or the reason,
	 * and may quote the paths; detail->cause says the same without them
	 * (for logging the binds of the user's file). */
	void (*bind)(void *ctx, enum vsym_outcome outcome, const struct vsym_bind *bind,
		     const struct vsym_error *detail);
	/* A line for the log (priority as in syslog.h); where vsym_login_*
	 * says, it names a user file by line only, never quoting it. */
	void (*log)(void *ctx, int priority, const char *text);
	/* A short note for the user (told once the user's identity is given
	 * back). */
	void (*note)(void *ctx, const char *text);
	void *ctx;
};

/* Loads the system file at path (root-owned, checked) for user into a
 * zeroed policy. Returns 0, -ENOENT when the file does not exist, or -1. */
int vsym_session_load_system(struct vsym_policy *policy, const char *path,
			     const struct vsym_user *user, struct vsym_error *err);

/* The path of user's ~/.vsymrc into buf; the one spelling of it, so that
 * messages about the file can be matched against it. Returns 0, or -1
 * when it does not fit. */
int vsym_session_user_file_path(const struct vsym_user *user, char *buf, size_t size);

/* Reads ~/.vsymrc as the user (vsym_file_read_as_user: never through a
 * FUSE mount) and adds it to policy (all or nothing). Returns 0 (also when
 * the file does not exist) or -1 with err set. The message in err may
 * quote the file; keep it out of logs. */
int vsym_session_load_user(struct vsym_policy *policy, const struct vsym_user *user,
			   struct vsym_error *err);

/* Loads the file at path (owned by user or by root) as a system file
 * for user, named label in messages (vsym-rebind -C FILE: read after
 * privileges are gone, so it is whatever user could read anyway).
 * Returns 0 or -1 with err set. */
int vsym_session_load_named(struct vsym_policy *policy, const char *label, const char *path,
			    const struct vsym_user *user, struct vsym_error *err);

/* What vsym_session_save_values did: a refusal (exit status 1) and a
 * failure (exit status 3) are two results, never one return value. */
enum vsym_save_result {
	VSYM_SAVED,
	VSYM_SAVE_REFUSED,  /* the file cannot be edited safely; nothing saved */
	VSYM_SAVE_FAILED,   /* reading or writing failed; nothing saved */
};

/* vsym-rebind -s: sets each NAME=VALUE of words in ~/.vsymrc, keeping
 * every other byte, written beside the file and renamed over it. Call as
 * the user, with privileges gone for good. Returns the result, err set
 * (saying why and that nothing was saved) unless VSYM_SAVED. */
enum vsym_save_result vsym_session_save_values(const struct vsym_user *user, char *const *words, size_t n,
					       struct vsym_error *err);

/* Flags of vsym_session_bind. */
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
enum vsym_outcome vsym_session_bind(const struct vsym_policy *policy,
				    const struct vsym_user *user,
				    struct vsym_state *state,
				    const struct vsym_bind *bind, unsigned flags,
				    struct vsym_error *detail);

/* Finishes what a killed vsym-rebind left half-done, from the journal in
 * state->dir: each pending mount is found by its id wherever it is now; on
 * its target it is recorded (an old one still stacked over it detached),
 * moved away (a parent renamed) it is detached, or recorded when it cannot
 * be reached, so that no mount escapes max_binds. Call with the session
 * lock held. Returns 0, or -1 with err set: then the journal stays. */
int vsym_session_recover(const struct vsym_user *user, struct vsym_state *state,
			 struct vsym_error *err);

/* Removes the vsym mount recorded for target (a path the user names,
 * resolved as the user). Returns 0, 1 when no vsym bind is there, or -1. */
int vsym_session_unbind(const struct vsym_user *user, struct vsym_state *state,
			const char *target, struct vsym_error *err);

/* Detaches the vsym mounts of state that were moved away from their
 * targets (a parent renamed), found through mountinfo and checked to be
 * the very mounts vsym made. Returns 0 or -1. */
int vsym_session_remove_moved(const struct vsym_user *user, struct vsym_state *state,
			      struct vsym_error *err);

/* Drops records whose mount is gone (unmounted by root, or the namespace
 * was copied). */
void vsym_session_prune(struct vsym_state *state);

/* True when fd is the root of the very mount entry records: same mount id
 * and the same directory at its root. */
bool vsym_session_is_recorded(int fd, const struct vsym_state_entry *entry);

/* Applies the session defaults of policy, reporting each bind and recording
 * it in state; *dropped gets the number of binds beyond max_binds, not
 * made. Returns the number of binds refused, failed or dropped (0: all
 * well), or -1 with err set when the defaults could not be computed. */
int vsym_session_apply_defaults(const struct vsym_policy *policy,
				const struct vsym_user *user,
				struct vsym_state *state,
				const struct vsym_reporter *reporter,
				size_t *dropped, struct vsym_error *err);

#endif
