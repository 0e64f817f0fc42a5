/* pam_vsym: gives each session a private mount namespace with the user's
 * default binds (doc/architecture.md, "The life of a session"). The module
 * is PAM glue: arguments, the conversation, logging; the setup steps are
 * in the login steps (login.c) and the core (session.c). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "binds.h"
#include "cfg.h"
#include "login.h"
#include "resolve.h"
#include "safetext.h"
#include "session.h"

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
	struct vsym_reporter reporter;  /* the glue below, for the core */
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
		vsym_safe_text(text, m->notes[m->nnotes++], sizeof(m->notes[0]));
}

/* Every log line quotes names someone else chose (a user name, a path):
 * the whole line goes to syslog made safe (safetext.h). */
static void log_safe(const struct module *m, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void log_safe(const struct module *m, int priority, const char *fmt, ...)
{
	char text[2 * PATH_MAX], safe[4 * PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pam_syslog(m->pamh, priority, "%s", vsym_safe_text(text, safe, sizeof(safe)));
}

static void note(void *ctx, const char *text)
{
	add_note(ctx, text);
}

static void log_line(void *ctx, int priority, const char *text)
{
	const struct module *m = ctx;

	log_safe(m, priority, "%s", text);
}

/* Tells the notes, unless the administrator asked for quiet. */
static void tell_notes(const struct module *m)
{
	for (int i = 0; i < m->nnotes && !m->opt.quiet; i++)
		pam_info(m->pamh, "vsym: %s", m->notes[i]);
}

/* A bind of the user's file (or a variant value picked there) is logged
 * by file, line and cause, never by the text the user wrote
 * (doc/security.md invariant 6: it may be any text, a forged log line
 * too); one that was made also by what the kernel mounted, the paths read
 * back from the descriptors, which log_safe escapes. The user is told in
 * full. */
static void report_user_bind(struct module *m, enum vsym_outcome outcome, const struct vsym_bind *bind,
			     const struct vsym_error *detail, const struct vsym_mounted *mounted)
{
	const char *file = m->policy.label[VSYM_ORIGIN_USER] ? m->policy.label[VSYM_ORIGIN_USER] : "~/.vsymrc";
	const char *cause = detail->cause[0] != '\0' ? detail->cause : "see the message shown to the user";

	if (outcome == VSYM_BOUND)
		log_safe(m, LOG_INFO, "%s: bound %s on %s (the bind of %s:%u; %s)", m->user.name,
			 mounted->source, mounted->target, file, bind->line, cause);
	else if (outcome == VSYM_SKIPPED && m->opt.debug)
		log_safe(m, LOG_DEBUG, "%s: optional bind of %s:%u skipped: %s", m->user.name, file,
			   bind->line, cause);
	else if (outcome == VSYM_REFUSED || outcome == VSYM_FAILED)
		log_safe(m, outcome == VSYM_FAILED ? LOG_ERR : LOG_NOTICE, "%s: %s bind of %s:%u: %s",
			   m->user.name, outcome == VSYM_FAILED ? "failed" : "refused", file, bind->line, cause);
	if (outcome == VSYM_REFUSED || outcome == VSYM_FAILED)
		add_note(m, detail->text);
}

static void report_bind(void *ctx, enum vsym_outcome outcome, const struct vsym_bind *bind,
			const struct vsym_error *error, const struct vsym_mounted *mounted)
{
	struct module *m = ctx;
	const char *name = m->user.name, *detail = error->text;

	if (bind->origin == VSYM_ORIGIN_USER) {
		report_user_bind(m, outcome, bind, error, mounted);
		return;
	}
	switch (outcome) {
	case VSYM_BOUND:
		log_safe(m, LOG_INFO, "%s: bound %s on %s (%s)", name, bind->source, bind->target, detail);
		return;
	case VSYM_SKIPPED:
		if (m->opt.debug)
			log_safe(m, LOG_DEBUG, "%s: optional %s on %s skipped: %s", name,
					bind->source, bind->target, detail);
		return;
	case VSYM_REFUSED:
	case VSYM_FAILED:
		log_safe(m, outcome == VSYM_FAILED ? LOG_ERR : LOG_NOTICE,
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
		log_safe(m, LOG_ERR, "cannot determine the user name");
		return PAM_USER_UNKNOWN;
	}
	if (vsym_user_lookup_name(&m->user, name, &err) < 0) {
		log_safe(m, LOG_ERR, "%s", err.text);
		return PAM_USER_UNKNOWN;
	}
	return PAM_SUCCESS;
}

/* Goes back to the namespace the caller came from; the one vsym made ends
 * with it, mounts and all. */
static void leave_namespace(struct module *m, int old)
{
	struct vsym_error err;

	if (vsym_session_abandon(old, &err) < 0)
		log_safe(m, LOG_CRIT, "%s: %s", m->user.name, err.text);
}

/* Makes the session namespace and marks it. Returns the descriptor of the
 * namespace the caller came from, so a denied session can go back to it and
 * leave nothing behind, or -1 when no namespace was made. The namespaces
 * made for the session count against the user's user.max_mnt_namespaces,
 * not root's: one user's many logins must not use up the budget every
 * other login (and root) needs, as vsym-rebind -x is charged too. */
static int make_namespace(struct module *m)
{
	char text[VSYM_ERROR_MAX + 64];
	struct vsym_error err;
	int old;

	vsym_session_charge_to(m->user.uid);
	old = vsym_session_create(&m->user, &err);
	if (old >= 0)
		return old;
	log_safe(m, old == -EIO ? LOG_CRIT : LOG_ERR, "%s: %s", m->user.name, err.text);
	/* The user is told too: the cause may be theirs (their other
	 * sessions hold all of their user.max_mnt_namespaces). */
	snprintf(text, sizeof(text), "this login has no vsym session: %s", err.text);
	add_note(m, text);
	tell_notes(m);
	return -1;
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
	struct vsym_login login = { m->opt.config, m->opt.debug, m->opt.nouserconf, &m->user, &m->policy,
				    &m->reporter };
	enum vsym_setup_result result;
	int rc, old;

	m->reporter = (struct vsym_reporter){ report_bind, log_line, note, m };
	if (session_made_already(m))
		return PAM_IGNORE;
	if ((rc = lookup_user(m)) != PAM_SUCCESS)
		return rc;
	if (!vsym_login_load_policy(&login))
		return PAM_IGNORE;
	old = make_namespace(m);
	if (old < 0)
		return PAM_SESSION_ERR;
	result = vsym_login_set_up(&login);
	if (result != VSYM_SETUP_DONE) {
		if (result == VSYM_SETUP_REFUSED)
			log_safe(m, LOG_NOTICE, "%s: session refused (on_error = \"deny\")", m->user.name);
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
	vsym_resolve_forget_table(); /* no descriptor left to the application */
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
