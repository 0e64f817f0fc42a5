/* vsym-rebind: changes the binds of this vsym session, or runs a command in
 * a namespace of its own (doc/architecture.md, "The life of a rebind").
 * Installed setuid root: main() is a straight line of named steps, each of
 * which succeeds or ends the program with the exit status of the contract.
 * The work itself is the core's (session.h, binds.h, sessionview.h, operands.h,
 * setuid.h); the command line, the messages and the exit statuses are
 * rebind_cli.c's; this file puts the steps in order. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "binds.h"
#include "choices.h"
#include "cred.h"
#include "environ.h"
#include "operands.h"
#include "policyfile.h"
#include "project.h"
#include "rebind_cli.h"
#include "session.h"
#include "sessionview.h"
#include "setuid.h"
#include "shellhook.h"
#include "vsymrc.h"
#include "hookstamp.h"
#include "projectsearch.h"

#define SYSTEM_CONFIG SYSCONFDIR "/vsym.conf"

/* What the tool works with once its arguments are understood. */
struct tool {
	struct rebind_args args;
	struct vsym_user user;
	struct vsym_policy policy;
	struct vsym_session session;
	char **environ_saved;    /* handed to the -x command only */
	struct rlimit caller_core; /* the caller's core limit, given back to -x */
	struct vsym_caller_limits caller_limits; /* the same for the others */
	char cwd[PATH_MAX];
	struct vsym_operand_binds asked; /* the binds the operands ask for */
	struct vsym_project_operands project; /* with -p: where each operand
				  * comes from, and the variants whose bind goes */
	size_t project_problems; /* project files or values refused */
};

/* fds 0-2 must be open, or a file the tool opens could become stdout or
 * stderr and receive its messages; with one missing, nothing can be told. */
static void guarantee_std_fds(void)
{
	if (vsym_setuid_std_fds() < 0)
		_exit(EXIT_FAILED);
}

/* No core file and no ptrace while privileged: memory may hold what the
 * caller must not see. The caller's core limit is kept for -x. */
static void forbid_dumps(struct tool *t)
{
	struct vsym_error err;

	if (vsym_setuid_forbid_dumps(&t->caller_core, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
}

/* No limit of the caller's may stop the tool half-way through a change:
 * a killed tool leaves a mount the journal must account for. */
static void secure_limits(struct tool *t)
{
	struct vsym_error err;

	if (vsym_setuid_secure_limits(&t->caller_limits, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
}

static void lookup_caller(struct tool *t)
{
	struct vsym_error err;

	/* The database's groups would be replaced at once: not read. */
	if (vsym_user_lookup_passwd(&t->user, getuid(), &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	/* The caller's own gid and groups, not the database's: a process
	 * that dropped a group must not get it back through vsym. */
	if (vsym_setuid_adopt_caller_groups(&t->user, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	if (getcwd(t->cwd, sizeof(t->cwd)) == NULL)
		snprintf(t->cwd, sizeof(t->cwd), "%s", t->user.home);
}

static void load_policy(struct tool *t)
{
	struct vsym_error err;
	int rc = vsym_policyfile_load_system(&t->policy, SYSTEM_CONFIG, &t->user, &err);

	if (rc == -ENOENT)
		rebind_die(EXIT_REFUSED, "%s; vsym is not set up on this machine", err.text);
	if (rc < 0)
		rebind_die(EXIT_REFUSED, "%s; ask the administrator to fix it", err.text);
	if (t->policy.user_config && vsym_policyfile_load_user(&t->policy, &t->user, &err) < 0) {
		/* -s would write the file: never over one it cannot read. */
		if (t->args.save || t->policy.on_error == VSYM_ON_ERROR_DENY)
			rebind_die(EXIT_REFUSED, "%s (fix ~/.vsymrc first)", err.text);
		rebind_warn("%s; ~/.vsymrc ignored", err.text);
	}
}

/* Makes a path the caller typed absolute, relative to the caller's cwd. The
 * result is only a spelling: resolution happens later, as the caller. */
static char *absolute(const struct tool *t, const char *path)
{
	char *out = vsym_operand_path(t->cwd, path);

	if (out == NULL)
		rebind_die(EXIT_FAILED, "out of memory");
	return out;
}

/* Turns the operands into binds: NAME=VALUE words and SRC DST pairs. */
static const struct vsym_bind_list *requested_binds(struct tool *t)
{
	size_t bad;
	enum vsym_operand_problem problem = vsym_operands_to_binds(&t->policy, &t->user, t->cwd, t->args.words,
								   (size_t)t->args.nwords, t->args.readonly,
								   &t->asked, &bad);

	if (problem != VSYM_OPERAND_OK)
		rebind_refuse_operand(t->args.words, (size_t)t->args.nwords, problem, bad);
	return &t->asked.list;
}

/* Session-wide changes: only in a vsym session made for the caller, one
 * vsym-rebind at a time (the lock stays held until exit). */
static void enter_session(struct tool *t)
{
	struct vsym_error err;
	enum vsym_enter_result result = vsym_session_enter(&t->session, &t->user, &err);

	if (result == VSYM_NOT_A_SESSION)
		rebind_die(EXIT_REFUSED, "%s; session-wide changes need a vsym session: log in anew, or use -x", err.text);
	if (result == VSYM_ENTER_FAILED)
		rebind_die(EXIT_FAILED, "%s", err.text);
}

static void save_session(struct tool *t)
{
	struct vsym_error err;

	if (vsym_session_save(&t->session, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
}

/* refusals (or NULL) holds, per bind, why it is refused before it is tried. */
static int apply_binds(struct tool *t, const struct vsym_bind_list *list, char **refusals)
{
	int status = EXIT_DONE;

	for (size_t i = 0; i < list->n; i++) {
		struct vsym_error detail;
		enum vsym_outcome outcome = VSYM_REFUSED;

		/* With -p, a variant whose bind already shows the value asked
		 * for is left alone: a cd that changes one variant makes one mount. */
		if (t->args.project_dir != NULL && vsym_sessionview_has_bound(&t->session.state, &list->binds[i]))
			continue;
		if (refusals != NULL && refusals[i] != NULL)
			vsym_error_set(&detail, "%s", refusals[i]);
		else
			outcome = vsym_binds_add(&t->policy, &t->user, &t->session.state, &list->binds[i],
						 t->args.dry_run ? VSYM_BIND_DRY_RUN : 0, &detail);
		/* -n says how a value picked its choice (newer patch, ...). */
		if (refusals != NULL && t->asked.whys != NULL && t->asked.whys[i] != NULL)
			snprintf(detail.text + strlen(detail.text), sizeof(detail.text) - strlen(detail.text), "; %s",
				 t->asked.whys[i]);
		status = rebind_worse(status, rebind_report_bind(t->args.dry_run, outcome, &list->binds[i], detail.text,
				      refusals != NULL && t->project.origins != NULL ? t->project.origins[i] : NULL));
	}
	return status;
}

/* For good, each step read back (vsym_cred_drop_for_good). */
static void drop_privileges(const struct vsym_user *user)
{
	struct vsym_error err;

	if (vsym_cred_drop_for_good(user, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
}

/* -s: the values, as asked, go into ~/.vsymrc for later logins. Written as
 * the user, after privileges are gone for good, beside the file and
 * renamed over it. */
static int save_values(struct tool *t)
{
	struct vsym_error err;
	enum vsym_save_result result;

	if (!t->policy.user_config)
		rebind_die(EXIT_REFUSED, "switched, but not saved: %s does not read ~/.vsymrc (user_config = false)",
			   SYSTEM_CONFIG);
	drop_privileges(&t->user);
	result = vsym_vsymrc_save_values(&t->user, t->args.words, (size_t)t->args.nwords, &err);
	if (result != VSYM_SAVED)
		rebind_die(result == VSYM_SAVE_REFUSED ? EXIT_REFUSED : EXIT_FAILED, "%s", err.text);
	return EXIT_DONE;
}

/* -p DIR: the project files from DIR up, read as the caller (never
 * through FUSE); what they pick becomes the operands, followed by the
 * NAME=VALUE operands given for variants they do not name; NAME= operands
 * for those name binds to remove (vsym_project_operands). A refused file
 * or value is told; with -x the command then does not run. */
static void take_project_values(struct tool *t)
{
	struct vsym_project proj = { 0 };
	struct vsym_error err;
	size_t bad;
	char *dir;
	int rc;

	if (t->args.project_dir == NULL)
		return;
	dir = absolute(t, t->args.project_dir);
	/* For the shell hook: a failure costs it one more -p, nothing else. */
	if (t->args.mode == MODE_BIND && !t->args.dry_run &&
	    vsym_hookstamp_update(&t->policy, &t->user, dir, &err) < 0)
		rebind_warn("%s", err.text);
	rc = vsym_projectsearch_as_user(&t->policy, &t->user, dir, &proj, &err);
	if (rc == -ENOTDIR)
		rebind_die(EXIT_USAGE, "-p: %s", err.text);
	if (rc < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	for (size_t i = 0; i < proj.nnotes; i++)
		rebind_warn("%s", proj.notes[i]);
	if (proj.problems > 0 && t->args.mode == MODE_EXEC)
		rebind_die(EXIT_REFUSED, "command not run: fix or remove the project files named above");
	t->project_problems = proj.problems;
	rc = vsym_project_operands(&t->policy, &proj, t->args.words, (size_t)t->args.nwords, &t->project, &bad);
	if (rc != VSYM_OPERAND_OK)
		rebind_refuse_operand(t->args.words, (size_t)t->args.nwords, rc, bad);
	t->args.words = t->project.words;
	t->args.nwords = (int)t->project.n;
	vsym_project_free(&proj);
	free(dir);
}

/* The values bound in this namespace, "go=1.22.12 node=20.11.1", from its
 * record; with unbound, also "NAME=" for each variant whose target has no
 * vsym bind (vsym_sessionview_bound_values). */
static char *variant_values(struct tool *t, bool unbound)
{
	char *values = vsym_sessionview_bound_values(&t->policy, &t->session.state, unbound);

	if (values == NULL)
		rebind_die(EXIT_FAILED, "out of memory");
	return values;
}

/* -p's NAME= operands: each variant's bind is removed, where there is one
 * (first, so that max_binds has room for the binds that follow). */
static int clear_variants(struct tool *t)
{
	int status = EXIT_DONE;

	for (size_t i = 0; i < t->project.nclear; i++) {
		const struct vsym_variant *v = t->project.clear[i];
		struct vsym_error err;
		int rc;

		if (!vsym_sessionview_bound_on(&t->session.state, v->target))
			continue;
		if (t->args.dry_run) {
			fputs("allowed\t", stdout);
			vsym_fput_escaped(v->target, stdout);
			printf("\t-\tthe bind removed; %s=\n", v->name);
			continue;
		}
		rc = vsym_binds_remove(&t->user, &t->session.state, v->target, &err);
		if (rc < 0)
			rebind_warn("%s", err.text);
		status = rebind_worse(status, rc < 0 ? EXIT_FAILED : EXIT_DONE);
	}
	return status;
}

static int run_bind(struct tool *t)
{
	const struct vsym_bind_list *list = requested_binds(t);
	char *before = NULL, *after = NULL;
	int status;

	if (!t->args.dry_run || vsym_session_here(t->user.uid))
		enter_session(t);
	/* else judged as a fresh session: the record stays empty */
	if (t->args.print_before)
		before = variant_values(t, true);
	status = clear_variants(t);
	status = rebind_worse(status, apply_binds(t, list, t->asked.refusals));
	if (!t->args.dry_run)
		save_session(t);
	if (status == EXIT_DONE && t->args.save)
		status = save_values(t);
	/* -p: the values now bound, for the shell hook's VSYM_VARIANTS;
	 * --before: then the operands that give back what was bound. */
	if (t->args.project_dir != NULL && !t->args.dry_run)
		after = variant_values(t, false);
	if (after != NULL)
		puts(after);
	if (before != NULL)
		puts(before);
	if (t->project_problems > 0)
		status = rebind_worse(status, EXIT_REFUSED);
	free(after);
	free(before);
	vsym_operand_binds_free(&t->asked);
	return status;
}

static int run_unbind(struct tool *t)
{
	int status = EXIT_DONE;

	enter_session(t);
	for (int i = 0; i < t->args.nwords; i++) {
		const char *word = t->args.words[i];
		struct vsym_variant *v = vsym_policy_variant(&t->policy, word);
		char *target = v != NULL ? strdup(v->target) : absolute(t, word);
		struct vsym_error err;
		int rc = vsym_binds_remove(&t->user, &t->session.state, target, &err);

		if (rc != 0)
			rebind_warn("%s", err.text);
		status = rebind_worse(status, rc == 0 ? EXIT_DONE : rc > 0 ? EXIT_REFUSED : EXIT_FAILED);
		free(target);
	}
	save_session(t);
	return status;
}

/* Back to the session defaults: first the vsym binds that are not among
 * them are removed (so max_binds has room), then each default target is
 * rebound in place (never seen empty). */
static int run_reset(struct tool *t)
{
	struct vsym_bind_list defaults;
	struct vsym_error err;
	int status;

	enter_session(t);
	if (vsym_binds_remove_moved(&t->user, &t->session.state, &err) < 0)
		rebind_warn("%s", err.text);
	/* Defaults pick among the choices on disk, as at login. */
	if (vsym_choices_resolve_policy(&t->policy, &t->user, &err) < 0 ||
	    vsym_policy_session_defaults(&t->policy, &defaults, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	vsym_session_keep_only(&t->session, &t->user, &defaults);
	status = apply_binds(t, &defaults, NULL);
	save_session(t);
	vsym_bind_list_free(&defaults);
	return status;
}

static int run_list(struct tool *t)
{
	struct vsym_error err;

	enter_session(t);
	if (vsym_sessionview_print_binds(&t->session.state, stdout, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	return EXIT_DONE;
}

/* -L NAME: every value NAME takes, one a line (for completion). */
static int print_values(const struct tool *t, const char *name)
{
	const struct vsym_variant *v = vsym_policy_variant(&t->policy, name);
	struct vsym_error err;

	if (v == NULL)
		rebind_die(EXIT_REFUSED, "no variant '%s'; vsym-rebind -L lists the variants", name);
	if (vsym_sessionview_print_values(v, &t->user, stdout, &err) < 0)
		rebind_warn("%s", err.text);
	return EXIT_DONE;
}

static int run_variants(struct tool *t)
{
	if (t->args.nwords == 1)
		return print_values(t, t->args.words[0]);
	if (vsym_session_here(t->user.uid))
		enter_session(t);
	vsym_sessionview_print_variants(&t->policy, &t->user, &t->session.state, stdout);
	return EXIT_DONE;
}

/* Judges each session default as a login would, against the session's
 * record when run in one; wrong counts what was found wrong before.
 * Returns the exit status. */
static int print_defaults(struct tool *t, int wrong)
{
	struct vsym_error err;
	size_t dropped;
	int refused = vsym_sessionview_check_defaults(&t->policy, &t->user, &t->session.state, stdout, &dropped, &err);

	if (refused < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	if (dropped > 0)
		rebind_warn("%zu binds beyond max_binds = %u would not be made", dropped, t->policy.max_binds);
	return refused > 0 || dropped > 0 || wrong > 0 ? EXIT_REFUSED : EXIT_DONE;
}

/* The values of ~/.vsymrc that fit no choice, said as a login says them,
 * each put back to the system default as a login does. Returns how many. */
static int report_fallbacks(struct tool *t)
{
	struct vsym_fallbacks fallbacks;
	struct vsym_error err;
	char path[PATH_MAX], text[2 * VSYM_ERROR_MAX];
	int n;

	if (vsym_choices_fall_back(&t->policy, &t->user, &fallbacks, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	if (vsym_vsymrc_path(&t->user, path, sizeof(path)) < 0)
		snprintf(path, sizeof(path), "~/%s", VSYM_USER_FILE);
	for (size_t i = 0; i < fallbacks.n; i++) {
		vsym_fallback_describe(&fallbacks.items[i], path, text, sizeof(text));
		rebind_warn("%s", text);
	}
	n = (int)fallbacks.n;
	vsym_fallbacks_free(&fallbacks);
	return n;
}

/* Read only after privileges are gone (run_check): the file is whatever
 * the caller could read anyway, owned by the caller or by root. */
static void load_named_file(struct tool *t, const char *path)
{
	struct vsym_error err;
	char *full = absolute(t, path);

	if (vsym_policyfile_load_named(&t->policy, path, full, &t->user, &err) < 0)
		rebind_die(EXIT_REFUSED, "%s", err.text);
	free(full);
}

static int run_check(struct tool *t)
{
	struct vsym_error err;
	int rc, wrong;

	/* In a session, its record (root's) is read before the drop. */
	if (vsym_session_peek(&t->session, &t->user, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	drop_privileges(&t->user);
	if (t->args.check_file != NULL) {
		load_named_file(t, t->args.check_file);
	} else {
		rc = vsym_policyfile_load_system(&t->policy, SYSTEM_CONFIG, &t->user, &err);
		if (rc < 0)
			rebind_die(EXIT_REFUSED, "%s", err.text);
	}
	if (t->policy.user_config && vsym_policyfile_load_user(&t->policy, &t->user, &err) < 0)
		rebind_die(EXIT_REFUSED, "%s", err.text);
	/* What the files name is judged before anything is resolved. */
	wrong = vsym_sessionview_check_variants(&t->policy, &t->user, stderr);
	wrong += report_fallbacks(t);
	if (vsym_choices_resolve_policy(&t->policy, &t->user, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	return print_defaults(t, wrong);
}

static _Noreturn void exec_command(struct tool *t)
{
	char *shell[] = { t->user.shell, NULL };
	char **argv = t->args.command != NULL ? t->args.command : shell;
	struct vsym_error err;

	/* Still undumpable until the exec. */
	if (vsym_setuid_restore_core(&t->caller_core, &err) < 0 ||
	    vsym_setuid_restore_limits(&t->caller_limits, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	drop_privileges(&t->user);
	/* Descriptors beyond 0-2 stay behind: the command gets a clean slate. */
	if (vsym_setuid_close_extra_fds(&err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	vsym_environ_restore(t->environ_saved);
	if (chdir(t->cwd) < 0 && chdir(t->user.home) < 0)
		rebind_warn("cannot change to %s: %s", t->cwd, strerror(errno));
	execvp(argv[0], argv);
	rebind_die(errno == ENOENT ? 127 : 126, "cannot run %s: %s", argv[0], strerror(errno));
}

static int run_exec(struct tool *t)
{
	const struct vsym_bind_list *list;
	struct vsym_error err;
	int status;

	if (t->policy.ngroups > 0 && vsym_user_name_groups(&t->user, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	if (!vsym_policy_applies_to(&t->policy, &t->user))
		rebind_die(EXIT_REFUSED, "vsym is not enabled for %s by %s", t->user.name, SYSTEM_CONFIG);
	list = requested_binds(t);
	if (vsym_session_clone(&t->session, &t->user, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	status = rebind_worse(clear_variants(t), apply_binds(t, list, t->asked.refusals));
	vsym_operand_binds_free(&t->asked);
	if (status != EXIT_DONE)
		rebind_die(status, "command not run: a bind was not made");
	save_session(t);
	exec_command(t);
}

/* --shell: the code for ~/.bashrc or ~/.zshrc. The shell gets its own
 * namespace through -x, so first see that -x works here: vsym acts for
 * the caller, and a namespace can be made (this process's own, gone when
 * it exits). Otherwise the shell is told why once and left as it is. */
static int run_shell(struct tool *t)
{
	struct shell_hook hook = { .shell = t->args.shell, .stamp = VSYM_RUN_PATH(VSYM_STAMP_FILE),
				   .refs = VSYM_RUN_PATH(VSYM_HOOKSTAMP_REFS) };
	char tool[PATH_MAX];
	struct vsym_error err;
	ssize_t len = readlink("/proc/self/exe", tool, sizeof(tool) - 1);
	char *values;

	if (len <= 0)
		rebind_die(EXIT_FAILED, "cannot find where vsym-rebind is: %s", strerror(errno));
	tool[len] = '\0';
	if (t->policy.ngroups > 0 && vsym_user_name_groups(&t->user, &err) < 0)
		rebind_die(EXIT_FAILED, "%s", err.text);
	if (!vsym_policy_applies_to(&t->policy, &t->user))
		rebind_die(EXIT_REFUSED, "vsym is not enabled for %s by %s; shell left as it is", t->user.name, SYSTEM_CONFIG);
	if (vsym_session_here(t->user.uid))
		enter_session(t);
	values = variant_values(t, false);
	if (vsym_session_probe_namespace(&err) < 0)
		rebind_die(EXIT_FAILED, "%s; shell left without a namespace of its own", err.text);
	hook.tool = tool;
	hook.values = values;
	hook.names = vsym_project_file_names(&t->policy, &hook.nnames);
	if (hook.names == NULL)
		rebind_die(EXIT_FAILED, "out of memory");
	shell_hook_print(stdout, &hook);
	free(values);
	return EXIT_DONE;
}

int main(int argc, char **argv)
{
	struct tool t;

	memset(&t, 0, sizeof(t));
	guarantee_std_fds();
	forbid_dumps(&t);
	secure_limits(&t);
	/* The tool's own work never sees the caller's environment (LD_*,
	 * LIBMOUNT_*, locale, PATH, HOME); only the -x command gets it back. */
	t.environ_saved = vsym_environ_set_aside();
	if (argc < 1 || argv[0] == NULL)
		rebind_die(EXIT_USAGE, "called without arguments, not even a name");
	rebind_parse_args(&t.args, argc, argv);
	lookup_caller(&t);
	/* The namespaces made for the caller count against the caller's
	 * budget, never root's. */
	vsym_session_charge_to(t.user.uid);
	if (t.args.mode == MODE_CHECK)
		return run_check(&t);
	load_policy(&t);
	take_project_values(&t);
	switch (t.args.mode) {
	case MODE_BIND:
		return run_bind(&t);
	case MODE_UNBIND:
		return run_unbind(&t);
	case MODE_LIST:
		return run_list(&t);
	case MODE_VARIANTS:
		return run_variants(&t);
	case MODE_RESET:
		return run_reset(&t);
	case MODE_EXEC:
		return run_exec(&t);
	case MODE_SHELL:
		return run_shell(&t);
	case MODE_CHECK:
		break;
	}
	return EXIT_USAGE;
}
