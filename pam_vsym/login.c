#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "choices.h"
#include "cred.h"
#include "login.h"
#include "policyfile.h"
#include "session.h"
#include "vsymrc.h"

static void say(const struct vsym_login *l, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(const struct vsym_login *l, int priority, const char *fmt, ...)
{
	char text[2 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	l->reporter->log(l->reporter->ctx, priority, text);
}

static void note(const struct vsym_login *l, const char *text)
{
	l->reporter->note(l->reporter->ctx, text);
}

/* The group database is read only for a user vsym acts for (or whose
 * membership the policy asks about): an excluded user, or a host whose
 * system file allows nothing yet, logs in without that lookup. */
static bool read_groups(const struct vsym_login *l)
{
	struct vsym_error err;

	if (vsym_user_lookup_groups(l->user, &err) == 0)
		return true;
	say(l, LOG_ERR, "%s; vsym is off for this session", err.text);
	return false;
}

bool vsym_login_load_policy(const struct vsym_login *l)
{
	struct vsym_error err;
	int rc = vsym_policyfile_load_system(l->policy, l->config, l->user, &err);

	if (rc == -ENOENT) {
		if (l->debug)
			say(l, LOG_DEBUG, "%s", err.text);
		return false;
	}
	if (rc < 0) {
		say(l, LOG_ERR, "%s; vsym is off for this session", err.text);
		return false;
	}
	if (l->policy->ngroups > 0 && !read_groups(l))
		return false;
	if (l->policy->ngroups > 0 && vsym_user_name_groups(l->user, &err) < 0) {
		say(l, LOG_ERR, "%s", err.text);
		return false;
	}
	if (!vsym_policy_applies_to(l->policy, l->user)) {
		if (l->debug)
			say(l, LOG_DEBUG, "%s: not a vsym user by %s", l->user->name, l->config);
		return false;
	}
	/* Harmless until configured: no rule, no namespace. */
	if (!vsym_policy_can_apply(l->policy, l->user)) {
		if (l->debug)
			say(l, LOG_DEBUG, "%s: no allow rule in %s, nothing to bind: no namespace",
			    l->user->name, l->config);
		return false;
	}
	return read_groups(l);
}

/* Logs where the user file is broken but not what it says (doc/security.md
 * invariant 6); the user, who owns the file, is told the whole message. */
static void report_user_file(const struct vsym_login *l, const struct vsym_error *err)
{
	char path[PATH_MAX];

	if (vsym_vsymrc_path(l->user, path, sizeof(path)) < 0)
		path[0] = '\0';
	/* err->line is set only by the parse of this very file. */
	if (path[0] != '\0' && err->line > 0)
		say(l, LOG_NOTICE, "%s: %s:%u is invalid; the user's part was skipped", l->user->name, path,
		    err->line);
	else
		say(l, LOG_NOTICE, "%s: %s skipped: %s", l->user->name, path, err->text);
	note(l, err->text);
	note(l, "your ~/.vsymrc was skipped");
}

/* Returns false when the file is broken and on_error = "deny". */
static bool load_user_file(const struct vsym_login *l)
{
	struct vsym_error err;

	if (!l->policy->user_config || l->nouserconf)
		return true;
	if (vsym_policyfile_load_user(l->policy, l->user, &err) == 0)
		return true;
	report_user_file(l, &err);
	return l->policy->on_error != VSYM_ON_ERROR_DENY;
}

/* Tells the user the whole of it; the log gets the file and line and the
 * system default, never the value written (doc/security.md invariant 6). */
static void report_fallback(const struct vsym_login *l, const struct vsym_fallback *f)
{
	char path[PATH_MAX], text[2 * VSYM_ERROR_MAX];

	if (vsym_vsymrc_path(l->user, path, sizeof(path)) < 0)
		snprintf(path, sizeof(path), "~/%s", VSYM_USER_FILE);
	if (f->used)
		say(l, LOG_NOTICE, "%s: %s:%u: the value resolves to no choice; the system default %s = \"%s\" is used",
		    l->user->name, path, f->line, f->variant, f->system_default);
	else
		say(l, LOG_NOTICE, "%s: %s:%u: the value resolves to no choice, and no system default fits",
		    l->user->name, path, f->line);
	vsym_fallback_describe(f, path, text, sizeof(text));
	note(l, text);
}

/* Defaults pick among the choices on disk as values asked for do
 * (an alias, a version prefix); a pick of ~/.vsymrc that fits none falls
 * back to the system default. Returns false only when out of memory. */
static bool resolve_values(const struct vsym_login *l)
{
	struct vsym_fallbacks fallbacks;
	struct vsym_error err;

	if (vsym_choices_fall_back(l->policy, l->user, &fallbacks, &err) < 0) {
		say(l, LOG_ERR, "%s: %s", l->user->name, err.text);
		return false;
	}
	for (size_t i = 0; i < fallbacks.n; i++)
		report_fallback(l, &fallbacks.items[i]);
	vsym_fallbacks_free(&fallbacks);
	if (vsym_choices_resolve_policy(l->policy, l->user, &err) == 0)
		return true;
	say(l, LOG_ERR, "%s: %s", l->user->name, err.text);
	return false;
}

/* Returns the number of binds refused or failed. The record is kept in
 * memory and written once at the end. */
static int apply_binds(const struct vsym_login *l, struct vsym_state *state)
{
	struct vsym_error err;
	char text[VSYM_ERROR_MAX];
	size_t dropped;
	int bad = vsym_binds_apply_defaults(l->policy, l->user, state, l->reporter, &dropped, &err);

	if (bad < 0) {
		say(l, LOG_NOTICE, "%s: %s", l->user->name, err.text);
		note(l, err.text);
	}
	if (dropped > 0) {
		snprintf(text, sizeof(text), "%zu binds beyond max_binds = %u were not made", dropped,
			 l->policy->max_binds);
		say(l, LOG_NOTICE, "%s: %s", l->user->name, text);
		note(l, text);
	}
	return bad;
}

/* The steps that touch the user's paths, as the user: reading ~/.vsymrc,
 * then resolving and mounting the binds. They run in this process: every
 * path is walked without looking into a FUSE mount (vsym_walk), so no
 * file system the user serves can hold the login (doc/security.md
 * invariant 8). */
static enum vsym_setup_result setup_as_user(const struct vsym_login *l, struct vsym_state *state)
{
	enum vsym_setup_result result = VSYM_SETUP_DONE;
	bool deny = l->policy->on_error == VSYM_ON_ERROR_DENY;
	struct vsym_cred_hold hold;
	struct vsym_error err;

	if (vsym_cred_hold(&hold, l->user, &err) < 0) {
		say(l, LOG_ERR, "%s: %s", l->user->name, err.text);
		return deny ? VSYM_SETUP_REFUSED : VSYM_SETUP_DONE;
	}
	if (!load_user_file(l) || !resolve_values(l) || (apply_binds(l, state) != 0 && deny))
		result = VSYM_SETUP_REFUSED;
	if (vsym_cred_release(&hold, l->user, &err) < 0) {
		say(l, LOG_CRIT, "%s: %s", l->user->name, err.text);
		return VSYM_SETUP_NOT_DONE;
	}
	return result;
}

enum vsym_setup_result vsym_login_set_up(const struct vsym_login *l)
{
	struct vsym_session session = { .state = { NULL, 0, NULL }, .lock = -1 };
	enum vsym_setup_result result = setup_as_user(l, &session.state);
	struct vsym_error err;

	session.state.dir = VSYM_RUN_DIR;
	/* Binds without a record could never be replaced or removed. */
	if (result == VSYM_SETUP_DONE && vsym_session_save(&session, &err) < 0) {
		say(l, LOG_ERR, "%s: %s", l->user->name, err.text);
		result = VSYM_SETUP_NOT_DONE;
	}
	vsym_session_free(&session);
	return result;
}
