/* pam_vsym: gives each session a private mount namespace with the user's
 * default binds (DESIGN section 3). pam_sm_* only parse arguments and call
 * named steps; everything else is in the shared core. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "cfg.h"
#include "choices.h"
#include "cred.h"
#include "session.h"
#include "sessionapi.h"

#define DEFAULT_CONFIG SYSCONFDIR "/vsym.conf"
#define VSYM_MAX_NOTES 8

struct options {
	bool debug;
	bool quiet;
	bool nouserconf;
	const char *config;
};

struct module {
	pam_handle_t *pamh;
	struct options opt;
	struct vsym_user user;
	struct vsym_policy policy;
	char notes[VSYM_MAX_NOTES][VSYM_ERROR_MAX];  /* see add_note */
	int nnotes;
};

static void parse_args(pam_handle_t *pamh, int argc, const char **argv, struct options *opt)
{
	memset(opt, 0, sizeof(*opt));
	opt->config = DEFAULT_CONFIG;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "debug") == 0)
			opt->debug = true;
		else if (strcmp(argv[i], "quiet") == 0)
			opt->quiet = true;
		else if (strcmp(argv[i], "nouserconf") == 0)
			opt->nouserconf = true;
		else if (strncmp(argv[i], "config=", 7) == 0 && argv[i][7] == '/')
			opt->config = argv[i] + 7;
		else
			pam_syslog(pamh, LOG_ERR, "unknown argument '%s' ignored", argv[i]);
	}
}

/* A short note for the user. Notes are told by tell_notes once the user's
 * identity is given back: the application's conversation function must
 * not run as the user. */
static void add_note(struct module *m, const char *text)
{
	if (m->nnotes < VSYM_MAX_NOTES)
		snprintf(m->notes[m->nnotes++], sizeof(m->notes[0]), "%s", text);
}

/* Tells the notes, unless the administrator asked for quiet. */
static void tell_notes(const struct module *m)
{
	for (int i = 0; i < m->nnotes && !m->opt.quiet; i++)
		pam_info(m->pamh, "vsym: %s", m->notes[i]);
}

/* A bind of the user's file (or a variant value picked there) is logged
 * by file, line and cause, never by what the user wrote (DESIGN invariant
 * 6): a path there may be any text, a forged log line too, and the paths
 * it resolves to are names the user chose. The user is told in full. */
static void report_user_bind(struct module *m, enum vsym_outcome outcome, const struct vsym_bind *bind,
			     const struct vsym_error *detail)
{
	const char *file = m->policy.label[VSYM_ORIGIN_USER] ? m->policy.label[VSYM_ORIGIN_USER] : "~/.vsymrc";
	const char *cause = detail->cause[0] != '\0' ? detail->cause : "see the message shown to the user";

	if (outcome == VSYM_BOUND)
		pam_syslog(m->pamh, LOG_INFO, "%s: bound the bind of %s:%u (%s)", m->user.name, file, bind->line, cause);
	else if (outcome == VSYM_SKIPPED && m->opt.debug)
		pam_syslog(m->pamh, LOG_DEBUG, "%s: optional bind of %s:%u skipped: %s", m->user.name, file,
			   bind->line, cause);
	else if (outcome == VSYM_REFUSED || outcome == VSYM_FAILED)
		pam_syslog(m->pamh, outcome == VSYM_FAILED ? LOG_ERR : LOG_NOTICE, "%s: %s bind of %s:%u: %s",
			   m->user.name, outcome == VSYM_FAILED ? "failed" : "refused", file, bind->line, cause);
	if (outcome == VSYM_REFUSED || outcome == VSYM_FAILED)
		add_note(m, detail->text);
}

static void report_bind(void *ctx, enum vsym_outcome outcome, const struct vsym_bind *bind,
			const struct vsym_error *error)
{
	struct module *m = ctx;
	const char *name = m->user.name, *detail = error->text;

	if (bind->origin == VSYM_ORIGIN_USER) {
		report_user_bind(m, outcome, bind, error);
		return;
	}
	switch (outcome) {
	case VSYM_BOUND:
		pam_syslog(m->pamh, LOG_INFO, "%s: bound %s on %s (%s)", name, bind->source, bind->target, detail);
		return;
	case VSYM_SKIPPED:
		if (m->opt.debug)
			pam_syslog(m->pamh, LOG_DEBUG, "%s: optional %s on %s skipped: %s", name,
					bind->source, bind->target, detail);
		return;
	case VSYM_REFUSED:
	case VSYM_FAILED:
		pam_syslog(m->pamh, outcome == VSYM_FAILED ? LOG_ERR : LOG_NOTICE,
			   "%s: %s bind of %s on %s: %s", name,
			   outcome == VSYM_FAILED ? "failed" : "refused", bind->source, bind->target, detail);
		add_note(m, detail);
		return;
	}
}

static int lookup_user(struct module *m)
{
	struct vsym_error err;
	const char *name = NULL;

	if (pam_get_user(m->pamh, &name, NULL) != PAM_SUCCESS || name == NULL || name[0] == '\0') {
		pam_syslog(m->pamh, LOG_ERR, "cannot determine the user name");
		return PAM_USER_UNKNOWN;
	}
	if (vsym_user_lookup(&m->user, name, 0, &err) < 0) {
		pam_syslog(m->pamh, LOG_ERR, "%s", err.text);
		return PAM_USER_UNKNOWN;
	}
	return PAM_SUCCESS;
}

/* A missing or broken system file leaves sessions as they are: vsym must
 * never lock anybody out, and without a policy there is nothing to bind. */
static int load_system(struct module *m)
{
	struct vsym_error err;
	int rc = vsym_session_load_system(&m->policy, m->opt.config, &m->user, &err);

	if (rc == -ENOENT) {
		if (m->opt.debug)
			pam_syslog(m->pamh, LOG_DEBUG, "%s", err.text);
		return PAM_IGNORE;
	}
	if (rc < 0) {
		pam_syslog(m->pamh, LOG_ERR, "%s; vsym is off for this session", err.text);
		return PAM_IGNORE;
	}
	if (m->policy.ngroups > 0 && vsym_user_name_groups(&m->user, &err) < 0) {
		pam_syslog(m->pamh, LOG_ERR, "%s", err.text);
		return PAM_IGNORE;
	}
	if (!vsym_policy_applies_to(&m->policy, &m->user)) {
		if (m->opt.debug)
			pam_syslog(m->pamh, LOG_DEBUG, "%s: not a vsym user by %s", m->user.name, m->opt.config);
		return PAM_IGNORE;
	}
	/* Harmless until configured: no rule, no namespace. */
	if (!vsym_policy_can_apply(&m->policy, &m->user)) {
		if (m->opt.debug)
			pam_syslog(m->pamh, LOG_DEBUG, "%s: no allow rule in %s, nothing to bind: no namespace",
				   m->user.name, m->opt.config);
		return PAM_IGNORE;
	}
	return PAM_SUCCESS;
}

/* Logs where the user file is broken but not what it says (DESIGN
 * invariant 6); the user, who owns the file, is told the whole message. */
static void report_user_file(struct module *m, const struct vsym_error *err)
{
	unsigned line = 0;
	char path[4096];

	if (vsym_session_user_file_path(&m->user, path, sizeof(path)) < 0)
		path[0] = '\0';
	if (path[0] != '\0' && strncmp(err->text, path, strlen(path)) == 0 && err->text[strlen(path)] == ':')
		sscanf(err->text + strlen(path) + 1, "%u", &line);
	if (line > 0)
		pam_syslog(m->pamh, LOG_NOTICE, "%s: %s:%u is invalid; the user's part was skipped",
			   m->user.name, path, line);
	else
		pam_syslog(m->pamh, LOG_NOTICE, "%s: %s skipped: %s", m->user.name, path, err->text);
	add_note(m, err->text);
	add_note(m, "your ~/.vsymrc was skipped");
}

/* Returns false when the file is broken and on_error = "deny". */
static bool load_user_file(struct module *m)
{
	struct vsym_error err;

	if (!m->policy.user_config || m->opt.nouserconf)
		return true;
	if (vsym_session_load_user(&m->policy, &m->user, &err) == 0)
		return true;
	report_user_file(m, &err);
	return m->policy.on_error != VSYM_ON_ERROR_DENY;
}

/* Defaults pick among the choices on disk as values asked for do
 * (an alias, a version prefix). Returns false only when out of memory. */
static bool resolve_values(struct module *m)
{
	struct vsym_error err;

	if (vsym_choices_resolve_policy(&m->policy, &m->user, &err) == 0)
		return true;
	pam_syslog(m->pamh, LOG_ERR, "%s: %s", m->user.name, err.text);
	return false;
}

/* Goes back to the namespace the caller came from; the one vsym made ends
 * with it, mounts and all. */
static void leave_namespace(struct module *m, int old)
{
	struct vsym_error err;

	if (vsym_session_abandon(old, &err) < 0)
		pam_syslog(m->pamh, LOG_CRIT, "%s: %s", m->user.name, err.text);
}

/* Makes the session namespace and marks it. Returns the descriptor of the
 * namespace the caller came from, so a denied session can go back to it and
 * leave nothing behind, or -1 when no namespace was made. */
static int make_namespace(struct module *m)
{
	struct vsym_error err;
	int old = vsym_session_create(&m->user, &err);

	if (old < 0)
		pam_syslog(m->pamh, old == -EIO ? LOG_CRIT : LOG_ERR, "%s: %s", m->user.name, err.text);
	return old < 0 ? -1 : old;
}

/* Returns the number of binds refused or failed. The record is kept in
 * memory and written once at the end: nobody can see the namespace yet, so
 * there is no half-done change for a journal to repair. Called with the
 * user's identity held for all the binds' path resolutions. */
static int apply_binds(struct module *m, struct vsym_state *state)
{
	struct vsym_reporter reporter = { .bind = report_bind, .ctx = m };
	struct vsym_error err;
	int bad;

	vsym_error_clear(&err);
	bad = vsym_session_apply_defaults(&m->policy, &m->user, state, &reporter, &err);
	if (err.text[0] != '\0') {
		pam_syslog(m->pamh, LOG_NOTICE, "%s: %s", m->user.name, err.text);
		add_note(m, err.text);
	}
	return bad;
}

/* How the setup went: done (binds refused or failed are in the log, and
 * the session goes on), refused by on_error = "deny", or not done (root's
 * identity could not be taken back, or the record not written). */
enum setup_result { SETUP_DONE, SETUP_REFUSED, SETUP_NOT_DONE };

/* The steps that touch the user's paths, as the user: reading ~/.vsymrc,
 * then resolving and mounting the binds. They run in this process: every
 * path is walked without looking into a FUSE mount (vsym_walk), so no
 * file system the user serves can hold the login (DESIGN invariant 8). */
static enum setup_result setup_as_user(struct module *m, struct vsym_state *state)
{
	enum setup_result result = SETUP_DONE;
	bool deny = m->policy.on_error == VSYM_ON_ERROR_DENY;
	struct vsym_cred_hold hold;
	struct vsym_error err;

	if (vsym_cred_hold(&hold, &m->user, &err) < 0) {
		pam_syslog(m->pamh, LOG_ERR, "%s: %s", m->user.name, err.text);
		return deny ? SETUP_REFUSED : SETUP_DONE;
	}
	if (!load_user_file(m) || !resolve_values(m) || (apply_binds(m, state) != 0 && deny))
		result = SETUP_REFUSED;
	if (vsym_cred_release(&hold, &m->user, &err) < 0) {
		pam_syslog(m->pamh, LOG_CRIT, "%s: %s", m->user.name, err.text);
		return SETUP_NOT_DONE;
	}
	return result;
}

/* Sets the session up and writes its record, once: nobody can see the
 * namespace yet, so there is no half-done change for a journal to repair. */
static enum setup_result set_up(struct module *m)
{
	struct vsym_session session = { .state = { NULL, 0, NULL }, .lock = -1 };
	enum setup_result result = setup_as_user(m, &session.state);
	struct vsym_error err;

	session.state.dir = VSYM_RUN_DIR;
	/* Binds without a record could never be replaced or removed. */
	if (result == SETUP_DONE && vsym_session_save(&session, &err) < 0) {
		pam_syslog(m->pamh, LOG_ERR, "%s: %s", m->user.name, err.text);
		result = SETUP_NOT_DONE;
	}
	vsym_session_free(&session);
	return result;
}

/* Set once this PAM handle has a vsym session: a stack that lists the
 * module twice (su-l includes su) must not nest a second namespace. */
#define DONE_KEY "pam_vsym_session"
static char session_done_mark;

static bool session_made_already(const struct module *m)
{
	const void *done = NULL;

	return pam_get_data(m->pamh, DONE_KEY, &done) == PAM_SUCCESS && done != NULL;
}

static int open_session(struct module *m)
{
	enum setup_result result;
	int rc, old;

	if (session_made_already(m))
		return PAM_IGNORE;
	if ((rc = lookup_user(m)) != PAM_SUCCESS || (rc = load_system(m)) != PAM_SUCCESS)
		return rc;
	old = make_namespace(m);
	if (old < 0)
		return PAM_SESSION_ERR;
	result = set_up(m);
	if (result != SETUP_DONE) {
		if (result == SETUP_REFUSED)
			pam_syslog(m->pamh, LOG_NOTICE, "%s: session refused (on_error = \"deny\")", m->user.name);
		leave_namespace(m, old);
		tell_notes(m);
		return PAM_SESSION_ERR;
	}
	tell_notes(m);
	close(old);
	pam_set_data(m->pamh, DONE_KEY, &session_done_mark, NULL);
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct module m = { .pamh = pamh };
	int rc;

	(void)flags;
	parse_args(pamh, argc, argv, &m.opt);
	rc = open_session(&m);
	vsym_policy_free(&m.policy);
	vsym_user_free(&m.user);
	return rc;
}

/* The namespace ends with the session's last process: nothing to undo. */
PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_SUCCESS;
}
