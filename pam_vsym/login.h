/* The setup steps of a login session (pam_vsym): which policy applies to
 * the user, then, in the namespace vsym_session_create made, the user's
 * file, the values and the default binds, and the session's record. The
 * module keeps only the PAM glue: arguments, conversation and logging,
 * which it gives here as a vsym_reporter. */
#ifndef VSYM_LOGIN_H
#define VSYM_LOGIN_H

#include <stdbool.h>

#include "binds.h"
#include "policy.h"
#include "user.h"

struct vsym_login {
	const char *config;   /* the system file */
	bool debug;           /* log what is skipped, and why */
	bool nouserconf;      /* never read ~/.vsymrc */
	struct vsym_user *user;
	struct vsym_policy *policy;  /* zeroed; filled by vsym_login_load_policy */
	const struct vsym_reporter *reporter;
};

/* Loads the system file and decides whether vsym has work for the user. A
 * missing or broken system file leaves sessions as they are: vsym must
 * never lock anybody out, and without a policy there is nothing to bind.
 * The user's groups are read from the group database only then (or when
 * the policy names groups), so that a login vsym leaves alone does not pay
 * for them; a failure to read them also leaves the session alone.
 * Returns true when a session namespace is to be made; false (logged)
 * when this session is to be left alone. */
bool vsym_login_load_policy(const struct vsym_login *login);

/* How the setup went: done (binds refused or failed are logged and the
 * session goes on), refused by on_error = "deny", or not done (root's
 * identity could not be taken back, or the record not written). */
enum vsym_setup_result { VSYM_SETUP_DONE, VSYM_SETUP_REFUSED, VSYM_SETUP_NOT_DONE };

/* In the new session namespace: reads ~/.vsymrc, resolves the values and
 * makes the default binds with the user's identity held for all their
 * path resolutions (every path walked without looking into a FUSE mount,
 * so no file system the user serves can hold the login), then writes the
 * session's record, once: nobody can see the namespace yet, so there is
 * no half-done change for a journal to repair. */
enum vsym_setup_result vsym_login_set_up(const struct vsym_login *login);

#endif
