#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operands.h"
#include "rebind_cli.h"
#include "safetext.h"
#include "state.h"

/* Every message quotes paths or file text someone else chose: the whole
 * line goes out made safe (safetext.h); vsym's own words are plain ASCII
 * and pass as they are. The line is written at once: over ssh, stderr and
 * stdout travel as two streams, and a line written in pieces can be cut
 * by what the shell prints next. */
static void rebind_vwarn(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static void rebind_vwarn(const char *fmt, va_list ap)
{
	char *text = NULL, *safe = NULL;
	size_t size = 0;

	if (vasprintf(&text, fmt, ap) >= 0) {
		size = strlen(text) * 4 + 1; /* \xNN at most for each byte */
		safe = malloc(size);
	}
	if (safe != NULL)
		fprintf(stderr, "vsym-rebind: %s\n", vsym_safe_text(text, safe, size));
	else
		fputs("vsym-rebind: (out of memory)\n", stderr);
	free(safe);
	free(text);
}

void rebind_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rebind_vwarn(fmt, ap);
	va_end(ap);
}

_Noreturn void rebind_die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rebind_vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

_Noreturn void rebind_usage(const char *problem)
{
	if (problem != NULL)
		rebind_warn("%s", problem);
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

int rebind_worse(int a, int b)
{
	return a == EXIT_FAILED || b == EXIT_FAILED ? EXIT_FAILED : (a > b ? a : b);
}

int rebind_report_bind(bool dry_run, enum vsym_outcome outcome, const struct vsym_bind *bind, const char *detail,
		       const char *origin)
{
	bool ok = outcome == VSYM_BOUND || outcome == VSYM_SKIPPED;

	if (dry_run) {
		/* Tab-separated: paths escaped, the reason made safe. */
		printf("%s\t", ok ? "allowed" : "refused");
		vsym_fput_escaped(bind->target, stdout);
		putchar('\t');
		vsym_fput_escaped(bind->source, stdout);
		putchar('\t');
		vsym_fput_safe(detail, stdout);
		if (bind->variant != NULL) {
			printf("; %s=", bind->variant);
			vsym_fput_safe(bind->value, stdout);
		}
		putchar('\n');
	}
	else if (!ok)
		rebind_warn("%s%s%s %s on %s: %s", origin ? origin : "", origin ? ": " : "",
			    outcome == VSYM_FAILED ? "failed to bind" : "refused:", bind->source, bind->target, detail);
	return ok ? EXIT_DONE : outcome == VSYM_FAILED ? EXIT_FAILED : EXIT_REFUSED;
}

_Noreturn void rebind_refuse_operand(char *const *words, size_t nwords, enum vsym_operand_problem problem, size_t i)
{
	const char *word = words[i];
	int len = (int)strcspn(word, "=");
	char msg[300];

	switch (problem) {
	case VSYM_OPERAND_NO_VARIANT:
		rebind_die(EXIT_REFUSED, "no variant '%.*s'; vsym-rebind -L lists the variants", len, word);
	case VSYM_OPERAND_NO_VALUE:
		rebind_die(EXIT_USAGE, "%.*s= (no value) goes only with -p; to remove the bind: vsym-rebind -u %.*s", len,
			   word, len, word);
	case VSYM_OPERAND_BAD_VALUE:
		rebind_die(EXIT_USAGE, "'%s' is not a valid value for %.*s: use letters, digits and . _ + -", word + len + 1,
			   len, word);
	case VSYM_OPERAND_SPACED:
		/* "vsym-rebind go 1.22" means go=1.22, not a source named go. */
		if (i + 1 < nwords)
			snprintf(msg, sizeof(msg), "'%s' is a variant: write %s=%.64s (no spaces)", word, word,
				 words[i + 1]);
		else
			snprintf(msg, sizeof(msg), "'%s' is a variant: write %s=VALUE", word, word);
		rebind_usage(msg);
	case VSYM_OPERAND_NO_TARGET:
		rebind_usage("a source needs a target: vsym-rebind SRC DST");
	default:
		rebind_die(EXIT_FAILED, "out of memory");
	}
}

static void set_mode(struct rebind_args *a, enum mode mode, bool *mode_set)
{
	if (*mode_set)
		rebind_usage("use one of -u, -l, -L, -r, -s, -x, -C, --shell at a time");
	a->mode = mode;
	*mode_set = true;
}

static _Noreturn void unknown_option(const char *opt)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "unknown option '%.64s'; see vsym-rebind --help", opt);
	rebind_usage(msg);
}

static int parse_option(struct rebind_args *a, int argc, char **argv, int i, bool *mode_set)
{
	const char *opt = argv[i];

	if (strcmp(opt, "-h") == 0 || strcmp(opt, "--help") == 0)
		rebind_usage(NULL);
	if (strcmp(opt, "--version") == 0) {
		puts("vsym-rebind " PACKAGE_VERSION);
		exit(EXIT_DONE);
	}
	if (strcmp(opt, "-n") == 0) {
		a->dry_run = true;
	} else if (strcmp(opt, "-o") == 0) {
		if (i + 1 >= argc || (strcmp(argv[i + 1], "ro") != 0 && strcmp(argv[i + 1], "rw") != 0))
			rebind_usage("-o takes ro or rw");
		a->readonly = strcmp(argv[++i], "ro") == 0;
	} else if (strcmp(opt, "-C") == 0) {
		set_mode(a, MODE_CHECK, mode_set);
		if (i + 1 < argc && argv[i + 1][0] != '-')
			a->check_file = argv[++i];
	} else if (strcmp(opt, "-p") == 0) {
		if (i + 1 >= argc || argv[i + 1][0] == '\0')
			rebind_usage("-p takes a directory: vsym-rebind -p .");
		a->project_dir = argv[++i];
	} else if (strcmp(opt, "--before") == 0) {
		a->print_before = true;
	} else if (strcmp(opt, "--shell") == 0) {
		set_mode(a, MODE_SHELL, mode_set);
		if (i + 1 >= argc || (strcmp(argv[i + 1], "bash") != 0 && strcmp(argv[i + 1], "zsh") != 0))
			rebind_usage("--shell takes bash or zsh: eval \"$(vsym-rebind --shell bash)\"");
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

static bool all_assignments(const struct rebind_args *a)
{
	for (int i = 0; i < a->nwords; i++)
		if (!vsym_operand_is_assignment(a->words[i]))
			return false;
	return true;
}

void rebind_parse_args(struct rebind_args *a, int argc, char **argv)
{
	bool mode_set = false;
	int i;

	memset(a, 0, sizeof(*a));
	a->mode = MODE_BIND;
	a->words = calloc((size_t)argc + 1, sizeof(char *));
	if (a->words == NULL)
		rebind_die(EXIT_FAILED, "out of memory");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			a->command = &argv[i + 1];
			break;
		}
		if (argv[i][0] == '\0')
			rebind_usage("an empty operand names no path; write the path");
		if (argv[i][0] == '-' && argv[i][1] != '\0')
			i = parse_option(a, argc, argv, i, &mode_set);
		else
			a->words[a->nwords++] = argv[i];
	}
	if (a->command != NULL && (a->mode != MODE_EXEC || a->command[0] == NULL))
		rebind_usage("'--' and a command go only with -x");
	if ((a->mode == MODE_LIST || a->mode == MODE_RESET || a->mode == MODE_CHECK) && a->nwords > 0)
		rebind_usage("-l, -r and -C take no operands");
	if (a->mode == MODE_VARIANTS && a->nwords > 1)
		rebind_usage("-L takes at most one variant name");
	if (a->dry_run && (a->mode != MODE_BIND || a->save))
		rebind_usage("-n goes with SRC DST or NAME=VALUE only");
	if (a->save && (a->nwords == 0 || !all_assignments(a)))
		rebind_usage("-s takes NAME=VALUE operands only: vsym-rebind -s go=1.22");
	if (a->project_dir != NULL && ((a->mode != MODE_BIND && a->mode != MODE_EXEC) || a->save || !all_assignments(a)))
		rebind_usage("-p goes alone or with -x, and takes NAME=VALUE operands only: vsym-rebind -p . or -x -p . -- CMD");
	if (a->print_before && (a->project_dir == NULL || a->mode != MODE_BIND || a->dry_run))
		rebind_usage("--before goes with -p alone: vsym-rebind -p . --before");
	if (a->mode == MODE_SHELL && a->nwords > 0)
		rebind_usage("--shell takes no operands");
	if ((a->mode == MODE_BIND && a->nwords == 0 && a->project_dir == NULL) ||
	    (a->mode == MODE_UNBIND && a->nwords == 0))
		rebind_usage("nothing to do: name SRC DST, NAME=VALUE or, with -u, DST or NAME");
}
