/* vsym-rebind: changes the binds of this vsym session, or runs a command in
 * a namespace of its own (doc/architecture.md, "The life of a rebind").
 * Installed setuid root: main() is a straight line of named steps, each of
 * which succeeds or ends the program with the exit status of the contract.
 * The work itself is the core's (sessionapi.h, sessionview.h); this file
 * keeps argument parsing, messages and exit codes. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "choices.h"
#include "cred.h"
#include "environ.h"
#include "expand.h"
#include "project.h"
#include "session.h"
#include "sessionapi.h"
#include "sessionview.h"
#include "shellhook.h"

#define SYSTEM_CONFIG SYSCONFDIR "/vsym.conf"

enum { EXIT_DONE = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

enum mode { MODE_BIND, MODE_UNBIND, MODE_LIST, MODE_VARIANTS, MODE_RESET, MODE_EXEC, MODE_CHECK, MODE_SHELL };

struct args {
	enum mode mode;
	bool dry_run;
	bool readonly;
	bool save;               /* -s: keep the values in ~/.vsymrc */
	const char *check_file;  /* -C FILE */
	const char *project_dir; /* -p DIR */
	bool print_before;       /* --before: -p also prints what it replaced */
	const char *shell;       /* --shell bash|zsh */
	char **words;            /* operands */
	int nwords;
	char **command;          /* -x ... -- CMD ARG... */
};

/* What the tool works with once its arguments are understood. */
struct tool {
	struct args args;
	struct vsym_user user;
	struct vsym_policy policy;
	struct vsym_session session;
	char **environ_saved;    /* handed to the -x command only */
	char cwd[PATH_MAX];
	char **refusals;         /* per requested bind: why it cannot be made
				  * before any path is looked at, or NULL */
	char **resolved;         /* values resolved among the choices */
	char **origins;          /* with -p, per operand: "FILE:LINE" of the
				  * project file that named it, or NULL */
	const struct vsym_variant **clear; /* with -p, NAME= operands no project
				  * file names: variants whose bind goes */
	size_t nclear;
	size_t project_problems; /* project files or values refused */
};

static void vwarn_user(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static void vwarn_user(const char *fmt, va_list ap)
{
	fputs("vsym-rebind: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void warn_user(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn_user(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_user(fmt, ap);
	va_end(ap);
}

static _Noreturn void die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static _Noreturn void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn_user(fmt, ap);
	va_end(ap);
	exit(status);
}

static _Noreturn void usage(const char *problem)
{
	if (problem != NULL)
		warn_user("%s", problem);
	fputs("usage: vsym-rebind [-n] [-o ro] SRC DST | NAME=VALUE...\n"
	      "       vsym-rebind -u DST|NAME...\n"
	      "       vsym-rebind -l | -L [NAME] | -r\n"
	      "       vsym-rebind -s NAME=VALUE...\n"
	      "       vsym-rebind -x [SRC DST | NAME=VALUE]... [-- CMD [ARG...]]\n"
	      "       vsym-rebind -p DIR [-x] [NAME=VALUE | NAME=]... [-- CMD [ARG...]]\n"
	      "       vsym-rebind -p DIR --before [NAME=VALUE | NAME=]...\n"
	      "       vsym-rebind --shell bash|zsh\n"
	      "       vsym-rebind -C [FILE]\n"
	      "       vsym-rebind -h | --help | --version\n",
	      problem ? stderr : stdout);
	if (problem == NULL)
		fputs("\n"
		      "  SRC DST        bind SRC onto DST in this session, replacing the bind there\n"
		      "  NAME=VALUE     set a variant (go=1.22: an alias, the exact value, or the highest 1.22.x)\n"
		      "  -n             dry run: print the verdict, the rule and the value, change nothing\n"
		      "  -o ro|rw       make the binds read-only (ro) or writable (rw)\n"
		      "  -u DST|NAME    remove the bind on DST or on the variant's target\n"
		      "  -l             list this session's binds: TARGET SOURCE OPTIONS\n"
		      "  -L [NAME]      list variants: NAME VALUE TARGET CHOICES; with NAME, its values one a line\n"
		      "  -r             reset this session to its defaults\n"
		      "  -s NAME=VALUE  switch, and save the values in ~/.vsymrc for later logins\n"
		      "  -x ... [-- CMD]  run CMD (default: your shell) in a namespace of its own with these binds\n"
		      "  -p DIR         take the values of the project files (.vsym, .tool-versions, version files)\n"
		      "                 found from DIR up; NAME=VALUE operands: for variants they do not name,\n"
		      "                 NAME= (no value): remove the bind of a variant they do not name;\n"
		      "                 prints VSYM_VARIANTS; with -x: run CMD with them\n"
		      "  --before       with -p alone: then print, on a second line, the operands that give\n"
		      "                 back what was bound before (NAME= for a variant that had no bind)\n"
		      "  --shell SHELL  print code for ~/.bashrc (bash) or ~/.zshrc (zsh): a namespace per\n"
		      "                 interactive shell, project files honoured before each prompt\n"
		      "  -C [FILE]      check the session defaults (of FILE): what a login would refuse; exit 1 if any\n"
		      "  -h, --help     this help\n"
		      "  --version      the version\n", stdout);
	exit(problem ? EXIT_USAGE : EXIT_DONE);
}

/* fds 0-2 must be open, or a file the tool opens could become stdout or
 * stderr and receive its messages. */
static void guarantee_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(EXIT_FAILED);
	}
}

/* The caller's core limit, given back to the -x command. */
static struct rlimit caller_core_limit;

/* No core file and no ptrace while privileged: memory may hold what the
 * caller must not see. Only the soft core limit is lowered: the hard one
 * stays, so the -x command can be given the caller's limit back. */
static void forbid_dumps(void)
{
	struct rlimit none;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || getrlimit(RLIMIT_CORE, &caller_core_limit) < 0)
		die(EXIT_FAILED, "cannot disable core dumps: %s", strerror(errno));
	none = (struct rlimit){ 0, caller_core_limit.rlim_max };
	if (setrlimit(RLIMIT_CORE, &none) < 0)
		die(EXIT_FAILED, "cannot disable core dumps: %s", strerror(errno));
}

/* The tool's own work never sees the caller's environment (LD_*, LIBMOUNT_*,
 * locale, PATH, HOME); only the -x command gets it back. */
static void set_environment_aside(struct tool *t)
{
	t->environ_saved = vsym_environ_set_aside();
}

/* The caller's own gid and groups, not the database's: a process that
 * dropped a group must not get it back through vsym (paths are resolved,
 * files read and -x run with these). */
static void adopt_caller_groups(struct vsym_user *user)
{
	int n = getgroups(0, NULL);
	gid_t *gids = n >= 0 ? calloc((size_t)n + 1, sizeof(gid_t)) : NULL;

	if (gids == NULL || (n = getgroups(n, gids)) < 0)
		die(EXIT_FAILED, "cannot read your groups: %s", strerror(errno));
	free(user->gids);
	user->gids = gids;
	user->ngids = (size_t)n;
	user->gid = getgid();
}

static void lookup_caller(struct tool *t)
{
	struct vsym_error err;

	/* The database's groups would be replaced at once: not read. */
	if (vsym_user_lookup_passwd(&t->user, getuid(), &err) < 0)
		die(EXIT_FAILED, "%s", err.text);
	adopt_caller_groups(&t->user);
	if (getcwd(t->cwd, sizeof(t->cwd)) == NULL)
		snprintf(t->cwd, sizeof(t->cwd), "%s", t->user.home);
}

/* NAME=VALUE when NAME could be a variant name; a path never is one. */
static bool is_assignment(const char *word)
{
	const char *eq = strchr(word, '=');
	char name[80];

	if (eq == NULL || eq == word || (size_t)(eq - word) >= sizeof(name))
		return false;
	memcpy(name, word, (size_t)(eq - word));
	name[eq - word] = '\0';
	return vsym_variant_name_valid(name);
}

static void set_mode(struct args *a, enum mode mode, bool *mode_set)
{
	if (*mode_set)
		usage("use one of -u, -l, -L, -r, -s, -x, -C, --shell at a time");
	a->mode = mode;
	*mode_set = true;
}

static _Noreturn void unknown_option(const char *opt)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "unknown option '%.64s'; see vsym-rebind --help", opt);
	usage(msg);
}

static int parse_option(struct args *a, int argc, char **argv, int i, bool *mode_set)
{
	const char *opt = argv[i];

	if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0)
		usage(NULL);
	if (strcmp(opt, "--version") == 0) {
		puts("vsym-rebind " PACKAGE_VERSION);
		exit(EXIT_DONE);
	}
	if (strcmp(opt, "-n") == 0) {
		a->dry_run = true;
	} else if (strcmp(opt, "-o") == 0) {
		if (i + 1 >= argc || (strcmp(argv[i + 1], "ro") != 0 && strcmp(argv[i + 1], "rw") != 0))
			usage("-o takes ro or rw");
		a->readonly = strcmp(argv[++i], "ro") == 0;
	} else if (strcmp(opt, "-C") == 0) {
		set_mode(a, MODE_CHECK, mode_set);
		if (i + 1 < argc && argv[i + 1][0] != '-')
			a->check_file = argv[++i];
	} else if (strcmp(opt, "-p") == 0) {
		if (i + 1 >= argc || argv[i + 1][0] == '\0')
			usage("-p takes a directory: vsym-rebind -p .");
		a->project_dir = argv[++i];
	} else if (strcmp(opt, "--before") == 0) {
		a->print_before = true;
	} else if (strcmp(opt, "--shell") == 0) {
		set_mode(a, MODE_SHELL, mode_set);
		if (i + 1 >= argc || (strcmp(argv[i + 1], "bash") != 0 && strcmp(argv[i + 1], "zsh") != 0))
			usage("--shell takes bash or zsh: eval \"$(vsym-rebind --shell bash)\"");
		a->shell = argv[++i];
	} else if (strcmp(opt, "-s") == 0) {
		set_mode(a, MODE_BIND, mode_set);
		a->save = true;
	} else if (strlen(opt) == 2 && strchr("ulLrx", opt[1]) != NULL) {
		static const enum mode modes[] = { MODE_UNBIND, MODE_LIST, MODE_VARIANTS, MODE_RESET, MODE_EXEC };
		set_mode(a, modes[strchr("ulLrx", opt[1]) - "ulLrx"], mode_set);
	} else {
		unknown_option(opt);
	}
	return i;
}

static bool all_assignments(const struct args *a)
{
	for (int i = 0; i < a->nwords; i++)
		if (!is_assignment(a->words[i]))
			return false;
	return true;
}

static void parse_args(struct args *a, int argc, char **argv)
{
	bool mode_set = false;
	int i;

	memset(a, 0, sizeof(*a));
	a->mode = MODE_BIND;
	a->words = calloc((size_t)argc + 1, sizeof(char *));
	if (a->words == NULL)
		die(EXIT_FAILED, "out of memory");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			a->command = &argv[i + 1];
			break;
		}
		if (argv[i][0] == '\0')
			usage("an empty operand names no path; write the path");
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			i = parse_option(a, argc, argv, i, &mode_set);
		else
			a->words[a->nwords++] = argv[i];
	}
	if (a->command != NULL && (a->mode != MODE_EXEC || a->command[0] == NULL))
		usage("'--' and a command go only with -x");
	if ((a->mode == MODE_LIST || a->mode == MODE_RESET || a->mode == MODE_CHECK) && a->nwords > 0)
		usage("-l, -r and -C take no operands");
	if (a->mode == MODE_VARIANTS && a->nwords > 1)
		usage("-L takes at most one variant name");
	if (a->dry_run && (a->mode != MODE_BIND || a->save))
		usage("-n goes with SRC DST or NAME=VALUE only");
	if (a->save && (a->nwords == 0 || !all_assignments(a)))
		usage("-s takes NAME=VALUE operands only: vsym-rebind -s go=1.22");
	if (a->project_dir != NULL && ((a->mode != MODE_BIND && a->mode != MODE_EXEC) || a->save || !all_assignments(a)))
		usage("-p goes alone or with -x, and takes NAME=VALUE operands only: vsym-rebind -p . or -x -p . -- CMD");
	if (a->print_before && (a->project_dir == NULL || a->mode != MODE_BIND || a->dry_run))
		usage("--before goes with -p alone: vsym-rebind -p . --before");
	if (a->mode == MODE_SHELL && a->nwords > 0)
		usage("--shell takes no operands");
	if ((a->mode == MODE_BIND && a->nwords == 0 && a->project_dir == NULL) ||
	    (a->mode == MODE_UNBIND && a->nwords == 0))
		usage("nothing to do: name SRC DST, NAME=VALUE or, with -u, DST or NAME");
}

static void load_policy(struct tool *t)
{
	struct vsym_error err;
	int rc = vsym_session_load_system(&t->policy, SYSTEM_CONFIG, &t->user, &err);

	if (rc == -ENOENT)
		die(EXIT_REFUSED, "%s; vsym is not set up on this machine", err.text);
	if (rc < 0)
		die(EXIT_REFUSED, "%s; ask the administrator to fix it", err.text);
	if (t->policy.user_config && vsym_session_load_user(&t->policy, &t->user, &err) < 0) {
		/* -s would write the file: never over one it cannot read. */
		if (t->args.save || t->policy.on_error == VSYM_ON_ERROR_DENY)
			die(EXIT_REFUSED, "%s (fix ~/.vsymrc first)", err.text);
		warn_user("%s; ~/.vsymrc ignored", err.text);
	}
}

/* Makes a path the caller typed absolute, relative to the caller's cwd. The
 * result is only a spelling: resolution happens later, as the caller. */
static char *absolute(const struct tool *t, const char *path)
{
	char *out;

	if (path[0] == '/')
		out = strdup(path);
	else if (asprintf(&out, "%s/%s", t->cwd, path) < 0)
		out = NULL;
	if (out == NULL)
		die(EXIT_FAILED, "out of memory");
	return out;
}

static void variant_bind(struct tool *t, const char *word, struct vsym_bind *bind, char **refusal)
{
	const char *value = strchr(word, '=') + 1;
	char name[80];
	struct vsym_variant *v;

	snprintf(name, sizeof(name), "%.*s", (int)(value - 1 - word), word);
	v = vsym_policy_variant(&t->policy, name);
	if (v == NULL)
		die(EXIT_REFUSED, "no variant '%s'; vsym-rebind -L lists the variants", name);
	if (value[0] == '\0')
		die(EXIT_USAGE, "%s= (no value) goes only with -p; to remove the bind: vsym-rebind -u %s", name, name);
	if (!vsym_variant_value_valid(value))
		die(EXIT_USAGE, "'%s' is not a valid value for %s: use letters, digits and . _ + -", value, name);
	value = vsym_choices_pick(&t->user, v, value, refusal);
	if (value == NULL)
		die(EXIT_FAILED, "out of memory");
	bind->target = strdup(v->target);
	bind->source = vsym_variant_source(v, value);
	bind->readonly = v->readonly || t->args.readonly;
	bind->create = v->create;
	bind->variant = v->name;
	bind->value = value;
	if (bind->target == NULL || bind->source == NULL)
		die(EXIT_FAILED, "out of memory");
}

/* "vsym-rebind go 1.22" means go=1.22, not a source named go. */
static void refuse_spaced_assignment(const struct tool *t, int i)
{
	const char *word = t->args.words[i];
	char msg[300];

	if (strchr(word, '/') != NULL || vsym_policy_variant(&t->policy, word) == NULL)
		return;
	if (i + 1 < t->args.nwords)
		snprintf(msg, sizeof(msg), "'%s' is a variant: write %s=%.64s (no spaces)", word, word,
			 t->args.words[i + 1]);
	else
		snprintf(msg, sizeof(msg), "'%s' is a variant: write %s=VALUE", word, word);
	usage(msg);
}

/* Turns the operands into binds: NAME=VALUE words and SRC DST pairs. */
static struct vsym_bind_list requested_binds(struct tool *t)
{
	struct vsym_bind_list list = { calloc((size_t)t->args.nwords + 1, sizeof(struct vsym_bind)), 0, 0 };

	t->refusals = calloc((size_t)t->args.nwords + 1, sizeof(char *));
	if (list.binds == NULL || t->refusals == NULL)
		die(EXIT_FAILED, "out of memory");
	for (int i = 0; i < t->args.nwords; i++) {
		struct vsym_bind *bind = &list.binds[list.n];

		if (is_assignment(t->args.words[i])) {
			variant_bind(t, t->args.words[i], bind, &t->refusals[list.n++]);
			continue;
		}
		refuse_spaced_assignment(t, i);
		if (i + 1 >= t->args.nwords || is_assignment(t->args.words[i + 1]))
			usage("a source needs a target: vsym-rebind SRC DST");
		list.n++;
		bind->source = absolute(t, t->args.words[i]);
		bind->target = absolute(t, t->args.words[++i]);
		bind->readonly = t->args.readonly;
	}
	return list;
}

/* Session-wide changes: only in a vsym session made for the caller, one
 * vsym-rebind at a time (the lock stays held until exit). */
static void enter_session(struct tool *t)
{
	struct vsym_error err;
	int rc = vsym_session_enter(&t->session, &t->user, &err);

	if (rc == -EPERM)
		die(EXIT_REFUSED, "%s; session-wide changes need a vsym session: log in anew, or use -x", err.text);
	if (rc < 0)
		die(EXIT_FAILED, "%s", err.text);
}

static void save_session(struct tool *t)
{
	struct vsym_error err;

	if (vsym_session_save(&t->session, &err) < 0)
		die(EXIT_FAILED, "%s", err.text);
}

static int worse(int a, int b)
{
	return a == EXIT_FAILED || b == EXIT_FAILED ? EXIT_FAILED : (a > b ? a : b);
}

static int report(const struct tool *t, enum vsym_outcome outcome, const struct vsym_bind *bind,
		  const char *detail, const char *origin)
{
	bool ok = outcome == VSYM_BOUND || outcome == VSYM_SKIPPED;

	if (t->args.dry_run)
		printf("%s\t%s\t%s\t%s%s%s%s%s\n", ok ? "allowed" : "refused", bind->target, bind->source, detail,
		       bind->variant ? "; " : "", bind->variant ? bind->variant : "", bind->variant ? "=" : "",
		       bind->variant ? bind->value : "");
	else if (!ok)
		warn_user("%s%s%s %s on %s: %s", origin ? origin : "", origin ? ": " : "",
			  outcome == VSYM_FAILED ? "failed to bind" : "refused:", bind->source, bind->target, detail);
	return ok ? EXIT_DONE : outcome == VSYM_FAILED ? EXIT_FAILED : EXIT_REFUSED;
}

/* With -p, a variant whose bind in this namespace already shows the
 * value asked for is left alone: a cd that changes one variant makes one
 * mount. */
static bool already_bound(struct tool *t, const struct vsym_bind *b)
{
	return t->args.project_dir != NULL && vsym_session_has_bound(&t->session.state, b);
}

/* refusals (or NULL) holds, per bind, why it is refused before it is tried. */
static int apply_binds(struct tool *t, const struct vsym_bind_list *list, char **refusals)
{
	int status = EXIT_DONE;

	for (size_t i = 0; i < list->n; i++) {
		struct vsym_error detail;
		enum vsym_outcome outcome = VSYM_REFUSED;

		if (already_bound(t, &list->binds[i]))
			continue;
		if (refusals != NULL && refusals[i] != NULL)
			vsym_error_set(&detail, "%s", refusals[i]);
		else
			outcome = vsym_session_bind(&t->policy, &t->user, &t->session.state, &list->binds[i],
						    t->args.dry_run ? VSYM_BIND_DRY_RUN : 0, &detail);
		status = worse(status, report(t, outcome, &list->binds[i], detail.text,
					      refusals != NULL && t->origins != NULL ? t->origins[i] : NULL));
	}
	return status;
}

static void drop_privileges(const struct vsym_user *user);

/* -s: the values, as asked, go into ~/.vsymrc for later logins. Written as
 * the user, after privileges are gone for good, beside the file and
 * renamed over it. */
static int save_values(struct tool *t)
{
	struct vsym_error err;
	int rc;

	if (!t->policy.user_config)
		die(EXIT_REFUSED, "switched, but not saved: %s does not read ~/.vsymrc (user_config = false)",
		    SYSTEM_CONFIG);
	drop_privileges(&t->user);
	rc = vsym_session_save_values(&t->user, t->args.words, (size_t)t->args.nwords, &err);
	if (rc < 0)
		die(rc == -EPERM ? EXIT_REFUSED : EXIT_FAILED, "%s", err.text);
	return EXIT_DONE;
}

/* Touched by -p before it reads the project files: the shell hook runs
 * -p again only when a project file is newer ([[ FILE -nt STAMP ]]). It
 * lives in the session's own root-owned marker tmpfs, one per namespace. */
static void touch_project_stamp(const struct tool *t)
{
	struct vsym_error err;

	if (t->args.mode == MODE_BIND && !t->args.dry_run && vsym_session_touch_stamp(t->user.uid, &err) < 0)
		warn_user("%s", err.text);
}

static size_t word_variant(const struct tool *t, const char *word)
{
	size_t len = strcspn(word, "=");

	for (size_t i = 0; i < t->policy.nvariants; i++)
		if (strlen(t->policy.variants[i].name) == len && strncmp(t->policy.variants[i].name, word, len) == 0)
			return i;
	return t->policy.nvariants;
}

/* The variant of a NAME= operand, which must be one. */
static const struct vsym_variant *variant_named(const struct tool *t, const char *word)
{
	size_t i = word_variant(t, word);

	if (i == t->policy.nvariants)
		die(EXIT_REFUSED, "no variant '%.*s'; vsym-rebind -L lists the variants", (int)strcspn(word, "="), word);
	return &t->policy.variants[i];
}

/* The operands -p works with: the project's values, then the NAME=VALUE
 * operands given for variants no project file names; NAME= operands for
 * those go to t->clear. A variant named with a bad value gets none of
 * them: it is left as it is. */
static void project_words(struct tool *t, const struct vsym_project *proj)
{
	char **words = calloc(t->policy.nvariants + (size_t)t->args.nwords + 1, sizeof(char *));
	int n = 0;

	t->origins = calloc(t->policy.nvariants + (size_t)t->args.nwords + 1, sizeof(char *));
	t->clear = calloc((size_t)t->args.nwords + 1, sizeof(char *));
	if (words == NULL || t->origins == NULL || t->clear == NULL)
		die(EXIT_FAILED, "out of memory");
	for (size_t i = 0; i < proj->n; i++) {
		const struct vsym_project_pick *p = &proj->picks[i];

		if (p->value == NULL)
			continue;
		if (asprintf(&words[n], "%s=%s", t->policy.variants[p->variant].name, p->value) < 0 ||
		    asprintf(&t->origins[n], "%s:%u", p->file, p->line) < 0)
			die(EXIT_FAILED, "out of memory");
		n++;
	}
	for (int i = 0; i < t->args.nwords; i++) {
		const char *word = t->args.words[i];

		if (vsym_project_pick_of(proj, word_variant(t, word)) != NULL)
			continue;
		if (word[strcspn(word, "=") + 1] == '\0')
			t->clear[t->nclear++] = variant_named(t, word);
		else
			words[n++] = t->args.words[i];
	}
	t->args.words = words;
	t->args.nwords = n;
}

/* -p DIR: the project files from DIR up, read as the caller (never
 * through FUSE); what they pick becomes the operands. A refused file
 * or value is told; with -x the command then does not run. */
static void take_project_values(struct tool *t)
{
	struct vsym_project proj = { 0 };
	struct vsym_error err;
	char *dir;
	int rc;

	if (t->args.project_dir == NULL)
		return;
	dir = absolute(t, t->args.project_dir);
	touch_project_stamp(t);
	rc = vsym_project_find_as_user(&t->policy, &t->user, dir, &proj, &err);
	if (rc == -ENOTDIR)
		die(EXIT_USAGE, "-p: %s", err.text);
	if (rc < 0)
		die(EXIT_FAILED, "%s", err.text);
	for (size_t i = 0; i < proj.nnotes; i++)
		warn_user("%s", proj.notes[i]);
	if (proj.problems > 0 && t->args.mode == MODE_EXEC)
		die(EXIT_REFUSED, "command not run: fix or remove the project files named above");
	t->project_problems = proj.problems;
	project_words(t, &proj);
	vsym_project_free(&proj);
	free(dir);
}

/* The values bound in this namespace, "go=1.22.12 node=20.11.1", from its
 * record; with unbound, also "NAME=" for each variant whose target has no
 * vsym bind (vsym_session_bound_values). */
static char *variant_values(struct tool *t, bool unbound)
{
	char *values = vsym_session_bound_values(&t->policy, &t->session.state, unbound);

	if (values == NULL)
		die(EXIT_FAILED, "out of memory");
	return values;
}

/* -p prints the values now bound, for the shell hook's VSYM_VARIANTS. */
static void print_bound_values(struct tool *t)
{
	char *values = variant_values(t, false);

	puts(values);
	free(values);
}

/* -p's NAME= operands: each variant's bind is removed, where there is one
 * (first, so that max_binds has room for the binds that follow). */
static int clear_variants(struct tool *t)
{
	int status = EXIT_DONE;

	for (size_t i = 0; i < t->nclear; i++) {
		const struct vsym_variant *v = t->clear[i];
		struct vsym_error err;
		int rc;

		if (!vsym_session_bound_on(&t->session.state, v->target))
			continue;
		if (t->args.dry_run) {
			printf("allowed\t%s\t-\tthe bind removed; %s=\n", v->target, v->name);
			continue;
		}
		rc = vsym_session_unbind(&t->user, &t->session.state, v->target, &err);
		if (rc < 0)
			warn_user("%s", err.text);
		status = worse(status, rc < 0 ? EXIT_FAILED : EXIT_DONE);
	}
	return status;
}

static int run_bind(struct tool *t)
{
	struct vsym_bind_list list = requested_binds(t);
	char *before = NULL;
	int status;

	if (!t->args.dry_run || vsym_session_here(t->user.uid))
		enter_session(t);
	/* else judged as a fresh session: the record stays empty */
	if (t->args.print_before)
		before = variant_values(t, true);
	status = clear_variants(t);
	status = worse(status, apply_binds(t, &list, t->refusals));
	if (!t->args.dry_run)
		save_session(t);
	if (status == EXIT_DONE && t->args.save)
		status = save_values(t);
	if (t->args.project_dir != NULL && !t->args.dry_run)
		print_bound_values(t);
	if (before != NULL)
		puts(before);
	if (t->project_problems > 0)
		status = worse(status, EXIT_REFUSED);
	free(before);
	vsym_bind_list_free(&list);
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
		int rc = vsym_session_unbind(&t->user, &t->session.state, target, &err);

		if (rc != 0)
			warn_user("%s", err.text);
		status = worse(status, rc == 0 ? EXIT_DONE : rc > 0 ? EXIT_REFUSED : EXIT_FAILED);
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
	if (vsym_session_remove_moved(&t->user, &t->session.state, &err) < 0)
		warn_user("%s", err.text);
	/* Defaults pick among the choices on disk, as at login. */
	if (vsym_choices_resolve_policy(&t->policy, &t->user, &err) < 0 ||
	    vsym_session_defaults(&t->policy, &defaults, &err) < 0)
		die(EXIT_FAILED, "%s", err.text);
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
	if (vsym_session_print_binds(&t->session.state, stdout, &err) < 0)
		die(EXIT_FAILED, "%s", err.text);
	return EXIT_DONE;
}

/* -L NAME: every value NAME takes, one a line (for completion). */
static int print_values(const struct tool *t, const char *name)
{
	const struct vsym_variant *v = vsym_policy_variant(&t->policy, name);
	struct vsym_error err;

	if (v == NULL)
		die(EXIT_REFUSED, "no variant '%s'; vsym-rebind -L lists the variants", name);
	if (vsym_session_print_values(v, &t->user, stdout, &err) < 0)
		warn_user("%s", err.text);
	return EXIT_DONE;
}

static int run_variants(struct tool *t)
{
	if (t->args.nwords == 1)
		return print_values(t, t->args.words[0]);
	if (vsym_session_here(t->user.uid))
		enter_session(t);
	vsym_session_print_variants(&t->policy, &t->user, &t->session.state, stdout);
	return EXIT_DONE;
}

/* For good, each step read back (vsym_cred_drop_for_good). */
static void drop_privileges(const struct vsym_user *user)
{
	struct vsym_error err;

	if (vsym_cred_drop_for_good(user, &err) < 0)
		die(EXIT_FAILED, "%s", err.text);
}

/* Judges each session default as a login would, against the session's
 * record when run in one. Returns the exit status. */
static int print_defaults(struct tool *t)
{
	struct vsym_error err;
	size_t dropped;
	int refused = vsym_session_check_defaults(&t->policy, &t->user, &t->session.state, stdout, &dropped, &err);

	if (refused < 0)
		die(EXIT_FAILED, "%s", err.text);
	if (dropped > 0)
		warn_user("%zu binds beyond max_binds = %u would not be made", dropped, t->policy.max_binds);
	return refused > 0 || dropped > 0 ? EXIT_REFUSED : EXIT_DONE;
}

/* Read only after privileges are gone (run_check): the file is whatever
 * the caller could read anyway, owned by the caller or by root. */
static void load_named_file(struct tool *t, const char *path)
{
	struct vsym_error err;
	char *full = absolute(t, path);

	if (vsym_session_load_named(&t->policy, path, full, &t->user, &err) < 0)
		die(EXIT_REFUSED, "%s", err.text);
	free(full);
}

static int run_check(struct tool *t)
{
	struct vsym_error err;
	int rc;

	/* In a session, its record (root's) is read before the drop. */
	if (vsym_session_peek(&t->session, &t->user, &err) < 0)
		die(EXIT_FAILED, "%s", err.text);
	drop_privileges(&t->user);
	if (t->args.check_file != NULL) {
		load_named_file(t, t->args.check_file);
	} else {
		rc = vsym_session_load_system(&t->policy, SYSTEM_CONFIG, &t->user, &err);
		if (rc < 0)
			die(EXIT_REFUSED, "%s", err.text);
	}
	if (t->policy.user_config && vsym_session_load_user(&t->policy, &t->user, &err) < 0)
		die(EXIT_REFUSED, "%s", err.text);
	if (vsym_choices_resolve_policy(&t->policy, &t->user, &err) < 0)
		die(EXIT_FAILED, "%s", err.text);
	return print_defaults(t);
}

static void make_own_namespace(struct tool *t)
{
	struct vsym_error err;

	if (vsym_session_clone(&t->session, &t->user, &err) < 0)
		die(EXIT_FAILED, "%s", err.text);
}

static _Noreturn void exec_command(struct tool *t)
{
	char *shell[] = { t->user.shell, NULL };
	char **argv = t->args.command != NULL ? t->args.command : shell;

	/* Still undumpable until the exec. */
	if (setrlimit(RLIMIT_CORE, &caller_core_limit) < 0)
		die(EXIT_FAILED, "cannot restore your core limit: %s", strerror(errno));
	drop_privileges(&t->user);
	/* Descriptors beyond 0-2 stay behind: the command gets a clean slate. */
	syscall(SYS_close_range, 3U, ~0U, 0U);
	vsym_environ_restore(t->environ_saved);
	if (chdir(t->cwd) < 0 && chdir(t->user.home) < 0)
		warn_user("cannot change to %s: %s", t->cwd, strerror(errno));
	execvp(argv[0], argv);
	die(errno == ENOENT ? 127 : 126, "cannot run %s: %s", argv[0], strerror(errno));
}

static int run_exec(struct tool *t)
{
	struct vsym_bind_list list;
	struct vsym_error err;
	int status;

	if (t->policy.ngroups > 0 && vsym_user_name_groups(&t->user, &err) < 0)
		die(EXIT_FAILED, "%s", err.text);
	if (!vsym_policy_applies_to(&t->policy, &t->user))
		die(EXIT_REFUSED, "vsym is not enabled for %s by %s", t->user.name, SYSTEM_CONFIG);
	list = requested_binds(t);
	make_own_namespace(t);
	status = worse(clear_variants(t), apply_binds(t, &list, t->refusals));
	vsym_bind_list_free(&list);
	if (status != EXIT_DONE)
		die(status, "command not run: a bind was not made");
	save_session(t);
	exec_command(t);
}

/* The project file names the shell hook looks for, in search order. */
static const char **project_names(const struct tool *t, size_t *n)
{
	const char **names = calloc(t->policy.nvariants + 3, sizeof(char *));

	if (names == NULL)
		die(EXIT_FAILED, "out of memory");
	names[0] = VSYM_PROJECT_FILE;
	names[1] = VSYM_PROJECT_TOOL_VERSIONS;
	*n = 2;
	for (size_t i = 0; i < t->policy.nvariants; i++) {
		const char *vf = t->policy.variants[i].version_file;
		bool seen = false;

		for (size_t j = 0; vf != NULL && j < *n; j++)
			seen = seen || strcmp(names[j], vf) == 0;
		if (vf != NULL && !seen)
			names[(*n)++] = vf;
	}
	return names;
}

/* --shell: the code for ~/.bashrc or ~/.zshrc. The shell gets its own
 * namespace through -x, so first see that -x works here: vsym acts for
 * the caller, and a namespace can be made (this process's own, gone when
 * it exits). Otherwise the shell is told why once and left as it is. */
static int run_shell(struct tool *t)
{
	struct shell_hook hook = { .shell = t->args.shell, .stamp = VSYM_RUN_PATH(VSYM_STAMP_FILE) };
	char tool[PATH_MAX];
	struct vsym_error err;
	ssize_t len = readlink("/proc/self/exe", tool, sizeof(tool) - 1);
	char *values;

	if (len <= 0)
		die(EXIT_FAILED, "cannot find where vsym-rebind is: %s", strerror(errno));
	tool[len] = '\0';
	if (t->policy.ngroups > 0 && vsym_user_name_groups(&t->user, &err) < 0)
		die(EXIT_FAILED, "%s", err.text);
	if (!vsym_policy_applies_to(&t->policy, &t->user))
		die(EXIT_REFUSED, "vsym is not enabled for %s by %s; shell left as it is", t->user.name, SYSTEM_CONFIG);
	if (vsym_session_here(t->user.uid))
		enter_session(t);
	values = variant_values(t, false);
	if (vsym_session_probe_namespace(&err) < 0)
		die(EXIT_FAILED, "%s; shell left without a namespace of its own", err.text);
	hook.tool = tool;
	hook.values = values;
	hook.names = project_names(t, &hook.nnames);
	shell_hook_print(stdout, &hook);
	free(values);
	return EXIT_DONE;
}

int main(int argc, char **argv)
{
	struct tool t;

	memset(&t, 0, sizeof(t));
	guarantee_std_fds();
	forbid_dumps();
	set_environment_aside(&t);
	if (argc < 1 || argv[0] == NULL)
		die(EXIT_USAGE, "called without arguments, not even a name");
	parse_args(&t.args, argc, argv);
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
