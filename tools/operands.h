/* vsym-rebind's operands as the core understands them: NAME=VALUE words
 * for variants, SRC DST pairs of paths, and the operands -p makes of what
 * the project files pick (project.h). Nothing here prints or exits: each
 * function says which operand is wrong and why, and the tool words the
 * message and picks the exit status. */
#ifndef VSYM_OPERANDS_H
#define VSYM_OPERANDS_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"
#include "project.h"
#include "user.h"

/* True when word is NAME=VALUE with NAME a valid variant name: a path
 * never is one. */
bool vsym_operand_is_assignment(const char *word);

/* A path the caller typed, made absolute against cwd (the caller's
 * working directory). Only a spelling: resolution happens later, as the
 * caller. Returns a string to free, or NULL when out of memory. */
char *vsym_operand_path(const char *cwd, const char *path);

/* Why the operands cannot become binds (the first operand at fault). */
enum vsym_operand_problem {
	VSYM_OPERAND_OK = 0,
	VSYM_OPERAND_NO_VARIANT,  /* NAME=VALUE, NAME=: the policy has no variant NAME */
	VSYM_OPERAND_NO_VALUE,    /* NAME=: only -p takes it (a bind to remove) */
	VSYM_OPERAND_BAD_VALUE,   /* not a valid variant value (vsym_variant_value_valid) */
	VSYM_OPERAND_SPACED,      /* a variant's name alone: "go 1.22" for go=1.22 */
	VSYM_OPERAND_NO_TARGET,   /* SRC without DST */
	VSYM_OPERAND_NO_MEMORY,
};

/* The binds the operands ask for, and per bind (same index) what the core
 * says about it before any path is looked at. */
struct vsym_operand_binds {
	struct vsym_bind_list list;
	char **refusals;          /* why the value asked is refused, or NULL */
	char **values;            /* the value picked (bind->value), or NULL
				   * for SRC DST */
	char **whys;              /* how the value asked picked it, when not
				   * plainly ("1.21.5 picked 1.21 (version
				   * 1.21.13): newer patch"), or NULL */
};

/* The binds words ask for, in their order, into a zeroed out:
 * - NAME=VALUE: the variant's source for the value picked among its
 *   choices as user (vsym_choices_pick), on its target, read-only when the
 *   variant or readonly (-o ro) says so; a value nothing fits is kept,
 *   with a refusal that says what there is;
 * - SRC DST: both made absolute against cwd (only a spelling: they are
 *   resolved later, as the user), read-only with readonly.
 * On a problem *bad is the index in words of the operand at fault; what
 * was built stays in out, for vsym_operand_binds_free. */
enum vsym_operand_problem vsym_operands_to_binds(const struct vsym_policy *policy,
						 const struct vsym_user *user, const char *cwd,
						 char *const *words, size_t nwords, bool readonly,
						 struct vsym_operand_binds *out, size_t *bad);

void vsym_operand_binds_free(struct vsym_operand_binds *b);

/* The operands of -p: the project's values first, as NAME=VALUE, then the
 * operands given for variants no project file names. NAME= operands (a
 * bind to remove) for those go to clear instead. A variant a file names
 * with a bad value gets none of them: it is left as it is. */
struct vsym_project_operands {
	char **words;                        /* NAME=VALUE, each owned */
	size_t n;
	char **origins;                      /* per word: "FILE:LINE" of the
					      * project file that named it, or NULL */
	const struct vsym_variant **clear;   /* variants whose bind goes */
	size_t nclear;
};

/* Fills a zeroed out from proj (found for policy) and the words of the
 * command line (NAME=VALUE or NAME=). Returns VSYM_OPERAND_OK,
 * VSYM_OPERAND_NO_VARIANT with *bad the index of a NAME= operand naming no
 * variant, or VSYM_OPERAND_NO_MEMORY. */
enum vsym_operand_problem vsym_project_operands(const struct vsym_policy *policy,
						const struct vsym_project *proj,
						char *const *words, size_t nwords,
						struct vsym_project_operands *out, size_t *bad);

void vsym_project_operands_free(struct vsym_project_operands *ops);

#endif
