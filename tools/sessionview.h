/* What vsym-rebind shows of a session: its binds (-l), its variants and
 * their choices (-L), the verdict on its defaults (-C) and the values bound
 * (-p, --shell). Nothing here changes a mount. */
#ifndef VSYM_SESSIONVIEW_H
#define VSYM_SESSIONVIEW_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "policy.h"
#include "state.h"
#include "user.h"

/* -l: TARGET SOURCE OPTIONS, one line per vsym mount of state still on its
 * target (the source as mountinfo tells it now, else as recorded; the
 * options start with ro or rw). Returns 0 or -1 with err set. */
int vsym_sessionview_print_binds(const struct vsym_state *state, FILE *out, struct vsym_error *err);

/* -L: NAME VALUE TARGET CHOICES, one line per variant of policy; VALUE is
 * the one bound in state, or "-"; CHOICES are listed as user. */
void vsym_sessionview_print_variants(const struct vsym_policy *policy, const struct vsym_user *user,
				     struct vsym_state *state, FILE *out);

/* -L NAME: every value variant takes, one a line: the choices (listed as
 * user), then the aliases (for completion). Returns 0, or -1 with err set
 * when the choices could not be listed (the aliases are printed still). */
int vsym_sessionview_print_values(const struct vsym_variant *variant, const struct vsym_user *user,
				  FILE *out, struct vsym_error *err);

/* -C: judges each session default of policy as a login would (its paths
 * resolved and checked as user, nothing mounted), against state, so binds
 * in place count as replaced; one line each: TARGET SOURCE OPTIONS
 * VERDICT. *dropped gets the number of binds beyond max_binds. Returns
 * the number of binds refused, or -1 with err set. */
int vsym_sessionview_check_defaults(const struct vsym_policy *policy, const struct vsym_user *user,
				    struct vsym_state *state, FILE *out, size_t *dropped,
				    struct vsym_error *err);

/* -C: judges what each variant of policy names on its own, listed as
 * user and before ~/.vsymrc's picks are resolved: the system file's
 * default (also where ~/.vsymrc picks another value) and each alias must
 * fit a choice, and a version_from must find a version in some choice;
 * one line to out for each that does not, naming the file and line.
 * Returns the number of lines printed. */
int vsym_sessionview_check_variants(const struct vsym_policy *policy, const struct vsym_user *user, FILE *out);

/* The values bound in state for policy's variants, "go=1.22.12
 * node=20.11.1" (values are plain words). With unbound, also "NAME=" for
 * each variant whose target has no vsym bind: operands for -p that give
 * all of it back. A target holding another bind (SRC DST, another
 * variant) is named by neither. Returns a string to free, or NULL when
 * out of memory. */
char *vsym_sessionview_bound_values(const struct vsym_policy *policy, struct vsym_state *state, bool unbound);

/* True when state records a vsym bind on target. */
bool vsym_sessionview_bound_on(struct vsym_state *state, const char *target);

/* True when state records bind (a variant's) already made as asked: same
 * variant, value, source and options on its target. */
bool vsym_sessionview_has_bound(struct vsym_state *state, const struct vsym_bind *bind);

#endif
