/* vsym-rebind's command line (vsym-rebind(1)): the modes and options, the
 * usage text, the messages and the exit statuses of the contract. Nothing
 * here is privileged: parse_args only reads argv. */
#ifndef VSYM_REBIND_CLI_H
#define VSYM_REBIND_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "binds.h"
#include "operands.h"

enum { EXIT_DONE = 0, EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_FAILED = 3 };

enum mode { MODE_BIND, MODE_UNBIND, MODE_LIST, MODE_VARIANTS, MODE_RESET, MODE_EXEC, MODE_CHECK, MODE_SHELL };

struct rebind_args {
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

/* "vsym-rebind: MESSAGE" on stderr. */
void rebind_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* warn_user, then exit with status. */
_Noreturn void rebind_die(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* With problem: it and the synopsis on stderr, exit EXIT_USAGE. Without:
 * the full help on stdout, exit EXIT_DONE. */
_Noreturn void rebind_usage(const char *problem);

/* The exit status for two outcomes: EXIT_FAILED if either failed, else
 * the higher (EXIT_REFUSED over EXIT_DONE). */
int rebind_worse(int a, int b);

/* Tells the outcome of one bind: with dry_run (-n) the verdict line on
 * stdout, "allowed|refused TARGET SOURCE DETAIL[; NAME=VALUE]"; otherwise
 * a refusal or failure on stderr, after origin ("FILE:LINE" of the project
 * file that asked for it) when not NULL. Returns the exit status. */
int rebind_report_bind(bool dry_run, enum vsym_outcome outcome, const struct vsym_bind *bind, const char *detail,
		       const char *origin);

/* Ends the tool on operand i of words, of which the core could make no
 * bind (vsym_operands_to_binds, vsym_project_operands): the message says
 * what to write instead. */
_Noreturn void rebind_refuse_operand(char *const *words, size_t nwords, enum vsym_operand_problem problem, size_t i);

/* argv into a; -h, --help and --version print and exit, and any misuse
 * ends in rebind_usage() with what is wrong. */
void rebind_parse_args(struct rebind_args *a, int argc, char **argv);

#endif
