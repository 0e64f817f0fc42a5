/* The life of a vsym session, one API for both front ends: the module
 * creates a session at login (and abandons it when the login is denied);
 * vsym-rebind enters the session it runs in to change it, or clones it
 * into a namespace of its own for -x. The /run layout is in runlayout.h. */
#ifndef VSYM_SESSIONAPI_H
#define VSYM_SESSIONAPI_H

#include <stdbool.h>
#include <sys/types.h>

#include "binds.h"
#include "error.h"
#include "runlayout.h"
#include "state.h"
#include "user.h"

/* A session as vsym-rebind works on it. */
struct vsym_session {
	struct vsym_state state;  /* the record of its vsym mounts */
	int lock;                 /* the session lock (vsym_session_lock), or -1 */
};

/* From now on the namespaces vsym makes count against uid's
 * user.max_mnt_namespaces, never root's (vsym_mount_charge_to). */
void vsym_session_charge_to(uid_t uid);

/* True when this process is in a vsym session made for uid
 * (vsym_marker_check). */
bool vsym_session_here(uid_t uid);

/* Login: moves the caller into a new namespace whose copies of a parent
 * vsym session's binds are detached (a session opened inside another of
 * the same user starts from its own defaults), and marks it. Returns the
 * descriptor of the namespace the caller came from, for
 * vsym_session_abandon (or to close once the session stands); -1 with
 * err set when the caller is back where it was; -EIO when it could not go
 * back and is still in vsym's namespace (err says both). */
int vsym_session_create(const struct vsym_user *user, struct vsym_error *err);

/* Goes back to the namespace old (from vsym_session_create) and closes it;
 * the namespace vsym made ends with it, mounts and all. Returns 0, or -1
 * with err set when the process is still in vsym's namespace. */
int vsym_session_abandon(int old, struct vsym_error *err);

/* Takes the session lock: one vsym-rebind at a time. The lock file lives
 * in the root-owned marker tmpfs, so the caller can neither replace nor
 * hold it. Returns the descriptor (close-on-exec: never handed to a -x
 * command), or -1 with err set. */
int vsym_session_lock(struct vsym_error *err);

/* What vsym_session_enter found: a refusal and a failure are told apart
 * (exit status 1 or 3), never folded into one return value. */
enum vsym_enter_result {
	VSYM_ENTERED,        /* the lock is held and the record loaded */
	VSYM_NOT_A_SESSION,  /* this is no vsym session of user's: err says why */
	VSYM_ENTER_FAILED,   /* the lock, the record or the recovery failed: err says which */
};

/* Session-wide changes: checks that this is a vsym session made for user,
 * takes the lock (held until exit), loads the record into a zeroed s,
 * finishes what a killed vsym-rebind left half-done and drops records
 * whose mount is gone. Returns the result, err set unless VSYM_ENTERED. */
enum vsym_enter_result vsym_session_enter(struct vsym_session *s, const struct vsym_user *user,
					  struct vsym_error *err);

/* In a vsym session of user's, reads its record into a zeroed s without
 * the lock, kept in memory only (for judging, never for changes); outside
 * one, s stays empty. Returns 0 or -1 with err set. */
int vsym_session_peek(struct vsym_session *s, const struct vsym_user *user, struct vsym_error *err);

/* -x: moves the caller into a namespace of its own, marked as a vsym
 * session of user's, whose record in a zeroed s carries every vsym mount
 * copied from the session the caller was in (none outside one), each
 * under the id its copy got. Returns 0 or -1 with err set. */
int vsym_session_clone(struct vsym_session *s, const struct vsym_user *user, struct vsym_error *err);

/* Writes the record of s (entered or cloned). Returns 0 or -1. */
int vsym_session_save(const struct vsym_session *s, struct vsym_error *err);

/* Removes every vsym bind of s whose target is not in keep (-r: makes
 * room under max_binds before the defaults are rebound). */
void vsym_session_keep_only(struct vsym_session *s, const struct vsym_user *user,
			    const struct vsym_bind_list *keep);

/* Moves the caller into a namespace of its own, unmarked: proof that -x
 * can work here (the namespace ends with the process). Returns 0 or -1. */
int vsym_session_probe_namespace(struct vsym_error *err);

void vsym_session_free(struct vsym_session *s);

#endif
