/* vsym-rebind --shell: the code a user evals in ~/.bashrc or ~/.zshrc.
 * An interactive shell re-executes itself once through "vsym-rebind -x",
 * so it has a namespace of its own; before each prompt a hook looks for
 * project files from $PWD up with shell builtins only, and runs
 * "vsym-rebind -p" (one process) only when the files found, or one of
 * them, changed since the last switch; leaving a project gives back what
 * the shell had bound as it entered. Non-interactive shells are left
 * alone. */
#ifndef VSYM_SHELLHOOK_H
#define VSYM_SHELLHOOK_H

#include <stddef.h>
#include <stdio.h>

struct shell_hook {
	const char *shell;      /* "bash" or "zsh" */
	const char *tool;       /* absolute path of vsym-rebind */
	const char *stamp;      /* touched by every -p: files newer mean a change */
	const char *refs;       /* the reference files of those dated in the
				 * future (libvsym/hookstamp.h) */
	const char *const *names; /* project file names, in search order */
	size_t nnames;
	const char *values;     /* "go=1.22.12 node=20.11.1": the values bound as
				 * the shell starts, its first VSYM_VARIANTS */
};

/* Writes the code for hook->shell to out. Every word from outside the
 * program is quoted for the shell. */
void shell_hook_print(FILE *out, const struct shell_hook *hook);

#endif
