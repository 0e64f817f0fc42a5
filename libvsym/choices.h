/* The values a variant can take: the directories on disk that match its
 * source template (~/.gos/go${go} -> every ~/.gos/goVALUE directory),
 * listed with the user's credentials, so a user learns nothing of a
 * directory it cannot read. One function for the module (defaults) and
 * vsym-rebind (values asked for, -L). */
#ifndef VSYM_CHOICES_H
#define VSYM_CHOICES_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "policy.h"
#include "user.h"

/* At most this many choices are read from one directory. */
#define VSYM_CHOICES_MAX 4096

/* Lists variant's choices as user into a zeroed out (struct vsym_choices,
 * policy.h). The directory is opened through vsym_resolve_source and read
 * only on a file system that answers for itself (not FUSE); a choice is a
 * directory reached without leaving that directory's mount. A choice that
 * is a symlink to another one (Debian's java-1.17.0-openjdk-amd64 ->
 * java-17-openjdk-amd64) is listed once, the link in out->link_names.
 * With version_from, each choice's file is read as user through the walk
 * (vsym_projectread_file: never into FUSE, no symlink as the last
 * component, no FIFO, size-capped) for its real version; a choice whose
 * file is missing or does not match has none. A missing directory gives
 * an empty list. Returns 0, or -1 with err set (out is then empty). */
int vsym_choices_list(const struct vsym_user *user, const struct vsym_variant *variant,
		      struct vsym_choices *out, struct vsym_error *err);

void vsym_choices_free(struct vsym_choices *choices);

/* Writes "a, b [1.21.13], c" (the choices with their real versions, then
 * the aliases as "NAME (VALUE)") into buf, or "none" when there are
 * neither. */
void vsym_choices_describe(const struct vsym_variant *variant, const struct vsym_choices *choices,
			   char *buf, size_t size);

/* Resolves each value of policy's variants among its choices (an alias,
 * an exact choice, a version prefix) and puts the result in its place, so
 * the session defaults name real directories. A value nothing fits, or
 * whose choices cannot be listed, is left as written: the bind then says
 * what is missing. Returns 0, or -1 when out of memory. */
int vsym_choices_resolve_policy(struct vsym_policy *policy, const struct vsym_user *user,
				struct vsym_error *err);

/* The value to bind for asked, resolved among variant's choices listed as
 * user (vsym_variant_resolve). When nothing fits, *refusal (to free) gets
 * what there is and asked is kept (its leading "v" dropped); when the
 * choices cannot be listed, asked is taken so and the bind says what is
 * missing. *why (may be NULL; to free) gets how the value was picked when
 * it is not asked itself: "1.21.5 picked 1.21 (version 1.21.13): newer
 * patch". Returns a string to free, or NULL only when out of memory. */
char *vsym_choices_pick(const struct vsym_user *user, const struct vsym_variant *variant,
			const char *asked, char **refusal, char **why);

/* Like vsym_choices_pick for a value a project file gives (proj's pick):
 * each of its values in turn until one resolves, or, for go.mod's "go"
 * line, the lowest choice at least it. Returns the choice value (to
 * free), else the first value as written; *why (to free) says what was
 * picked, skipped and why, or is NULL when the first value was taken
 * exactly or as a version prefix (the everyday cases, left unsaid).
 * Returns NULL only when out of memory. */
char *vsym_choices_pick_among(const struct vsym_user *user, const struct vsym_variant *variant,
			      char *const *values, size_t n, bool minimum, char **why);

/* A value of ~/.vsymrc that resolves to no choice (vsym_choices_fall_back). */
struct vsym_fallback {
	const char *variant;  /* its name, in the policy */
	char *asked;          /* the value written in ~/.vsymrc */
	unsigned line;        /* its line there */
	char *system_default; /* the system file's default, or NULL: none */
	bool used;            /* the default fits a choice and is used instead */
	char *there;          /* the choices and aliases (vsym_choices_describe) */
};

struct vsym_fallbacks {
	struct vsym_fallback *items;
	size_t n;
};

/* For each variant value ~/.vsymrc picked that fits no choice listed as
 * user: records it in out (zeroed here) and, when the system file's
 * default fits a choice, puts that default in its place, so one bad line
 * costs the session nothing the system file gives. A value with nothing to
 * fall back to is left as written: its bind says what is missing, as
 * before. Call before vsym_choices_resolve_policy. Returns 0, or -1 when
 * out of memory (out is then empty). */
int vsym_choices_fall_back(struct vsym_policy *policy, const struct vsym_user *user,
			   struct vsym_fallbacks *out, struct vsym_error *err);

void vsym_fallbacks_free(struct vsym_fallbacks *fallbacks);

/* The note for the user about f: file and line, the value, the choices and
 * the default used (or that there is none). It quotes the user's file:
 * keep it out of logs. Returns 0, or -1 when it did not fit buf (cut). */
int vsym_fallback_describe(const struct vsym_fallback *f, const char *file, char *buf, size_t size);

#endif
