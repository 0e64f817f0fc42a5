/* Expansion of the configuration's path words: a leading "~", $USER, $HOME
 * and a variant's ${NAME}; then normalisation to one canonical spelling.
 * Pure: the user's name and home are passed in, never read from the
 * environment. */
#ifndef VSYM_EXPAND_H
#define VSYM_EXPAND_H

#include <stdbool.h>

#include "error.h"

/* What the words of one user's configuration may refer to. */
struct vsym_expand_ctx {
	const char *user;       /* $USER */
	const char *home;       /* ~ and $HOME */
	const char *var_name;   /* ${var_name} is substituted ... */
	const char *var_value;  /* ... by this, or kept as is when NULL */
};

/* Returns a newly allocated expansion of word, or NULL with err naming what
 * is wrong ("$X" unknown, "~user" unsupported, result not absolute). "$$"
 * stands for one "$". */
char *vsym_expand(const char *word, const struct vsym_expand_ctx *ctx,
		  struct vsym_error *err);

/* Rewrites an absolute path in place: "//" collapsed, trailing "/" removed.
 * Refuses relative paths and "." or ".." components, since a policy path
 * must mean one place. Returns 0 or -1 with err set. */
int vsym_path_normalize(char *path, struct vsym_error *err);

/* True when value may be a variant's value: [A-Za-z0-9._+-]+, not "." or
 * "..", at most 128 characters. */
bool vsym_variant_value_valid(const char *value);

/* True when name may name a variant: [A-Za-z_][A-Za-z0-9_]*, at most 64. */
bool vsym_variant_name_valid(const char *name);

/* "${NAME}", the reference to variant name in a template, into buf: the
 * one place that spells it. */
void vsym_variant_ref(const char *name, char *buf, size_t size);

/* True when the n bytes at c are "." or "..": a path component that
 * moves the walk instead of naming an entry. */
bool vsym_is_dot_component(const char *c, size_t n);

/* True when s holds a control character (below 0x20, or DEL). Paths and
 * names end up in logs and on terminals: a newline in one could forge a
 * log line, an ESC drive the terminal of whoever reads it. */
bool vsym_has_control_char(const char *s);

#endif
