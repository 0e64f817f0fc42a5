/* The policy: a plain struct filled by the loader (cfg.c) and judged by
 * pure functions (policy.c): no I/O, no uid calls, so every decision can be
 * tested on its own.
 *
 * Rule order: allow rules are tried in file order and the first rule that
 * matches both target and source decides (its readonly flag applies). A
 * target outside the user's home (a system target) is matched only by a
 * rule target written literally, and is always read-only.
 *
 * Value order of a variant (vsym_variant_resolve): a leading "v" before a
 * digit dropped; an alias; an existing choice of exactly that value (its
 * directory's value, a symlink to it, or its real version from
 * version_from); else the highest choice in version order that the value
 * is a version prefix of; else, with match = "newer-patch", for X.Y.Z the
 * highest choice of the same X.Y whose version is at least X.Y.Z. */
#ifndef VSYM_POLICY_H
#define VSYM_POLICY_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "user.h"
#include "version.h"

#define VSYM_DEFAULT_MAX_BINDS 64
#define VSYM_MAX_BINDS_LIMIT 1024

enum vsym_origin { VSYM_ORIGIN_SYSTEM = 0, VSYM_ORIGIN_USER = 1 };
enum vsym_on_error { VSYM_ON_ERROR_WARN, VSYM_ON_ERROR_DENY };
/* match = "exact" (default) | "newer-patch" on a variant. */
enum vsym_match_mode { VSYM_MATCH_EXACT = 0, VSYM_MATCH_NEWER_PATCH = 1 };

/* How a value picked its choice (vsym_variant_resolve), for messages. */
enum vsym_picked {
	VSYM_PICKED_NONE = 0,
	VSYM_PICKED_EXACT,        /* a choice of that value, or a symlink to one */
	VSYM_PICKED_VERSION,      /* a choice whose real version is that value */
	VSYM_PICKED_PREFIX,       /* the highest choice it is a version prefix of */
	VSYM_PICKED_NEWER_PATCH,  /* match = "newer-patch": a later patch of X.Y */
	VSYM_PICKED_MINIMUM,      /* go.mod's go line: the lowest choice at least it */
};

/* The choices of a variant: what is on disk (choices.h lists them). */
struct vsym_choices {
	char **values;   /* directory values, in version order, lowest first */
	char **versions; /* per value: its real version (version_from), or
			  * NULL; the array itself NULL when none was read */
	size_t n;
	char **link_names;  /* a choice that is a symlink to another choice: */
	char **link_values; /* link_names[i] is the same as link_values[i] */
	size_t nlinks;
};

struct vsym_rule {
	char **targets;   /* patterns, expanded and normalised */
	bool *literal;    /* per target: written without *, **, ~ or $ */
	size_t ntargets;
	char **sources;
	size_t nsources;
	bool readonly;
	unsigned line;
};

struct vsym_bind {
	char *target;     /* expanded, normalised absolute path */
	char *source;
	bool readonly;
	bool optional;    /* a missing source is skipped silently */
	bool create;      /* a missing (home) target is made as the user */
	const char *variant; /* name of the variant it came from, or NULL */
	const char *value;   /* and the variant's value */
	enum vsym_origin origin;
	unsigned line;
};

struct vsym_variant {
	char *name;
	char *target;
	char *source;     /* template holding ${name} */
	/* source split once at load around the component holding ${name}
	 * (vsym_variant_parse_template): "/a/b/go${go}-x/bin" is the
	 * directory "/a/b", whose entries "go" VALUE "-x" are the choices. */
	char *tmpl_dir;
	char *tmpl_prefix;
	char *tmpl_suffix;
	char *value;      /* default or the user's pick; NULL: no bind */
	char **alias_names;  /* aliases: alias_names[i] stands for alias_values[i] */
	char **alias_values;
	size_t naliases;
	char *tool;       /* its name in .tool-versions, or NULL: its own name */
	char **version_files; /* project files naming its value (.go-version, go.mod) */
	size_t nversion_files;
	char *version_from_file;  /* version_from: a file inside each choice's tree */
	char *version_from_pattern; /* as written, for messages */
	regex_t *version_from_re; /* compiled (POSIX ERE, one group at least), or NULL */
	enum vsym_match_mode match;
	bool readonly;
	bool create;
	enum vsym_origin origin;       /* where it was defined */
	unsigned line;
	enum vsym_origin value_origin; /* where value was set */
	unsigned value_line;
	/* The system file's default when ~/.vsymrc picked value instead
	 * (NULL: none): what a pick that resolves to nothing falls back to
	 * (vsym_choices_fall_back). */
	char *system_default;
	unsigned system_default_line;
};

struct vsym_policy {
	char *label[2];   /* file names for messages, by enum vsym_origin */
	char *home;       /* the user's home: what is outside holds system targets */
	char **exclude;   /* user names the module does not act for */
	size_t nexclude;
	char **groups;    /* non-empty: only members of these groups */
	size_t ngroups;
	struct vsym_rule *rules;
	size_t nrules;
	struct vsym_variant *variants;
	size_t nvariants;
	struct vsym_bind *binds; /* system binds, then the user's */
	size_t nbinds;
	bool user_config;
	unsigned max_binds;
	enum vsym_on_error on_error;
	bool user_loaded;
};

/* Frees everything a policy holds and zeroes it (defined beside the
 * loader that allocates it, in cfg.c). */
void vsym_policy_free(struct vsym_policy *policy);

struct vsym_verdict {
	bool allowed;
	bool readonly;                 /* forced by the deciding rule */
	bool system_target;            /* target outside the home: the
					* fd checks of systarget.h apply */
	const struct vsym_rule *rule;  /* deciding rule, or NULL */
	char reason[VSYM_ERROR_MAX];   /* why, naming the rule's line */
};

/* The session's binds, one per target, in application order. */
struct vsym_bind_list {
	struct vsym_bind *binds;  /* each owns its target and source */
	size_t n;
	size_t dropped;           /* binds beyond max_binds, not applied */
};

/* Matches an absolute path against a pattern: "*" matches within one
 * component, a "**" component any number of whole components, at least one
 * when it ends the pattern (a final "**" means what is inside the directory
 * before it, not the directory itself). Empty components are ignored; a
 * path with "." or ".." never matches. */
bool vsym_pattern_match(const char *pattern, const char *path);

/* True when the module acts for user: not excluded, and a member of one of
 * the listed groups when the list is non-empty (user's group names must
 * then have been looked up: vsym_user_name_groups). */
bool vsym_policy_applies_to(const struct vsym_policy *policy,
			    const struct vsym_user *user);

/* True when the policy can give user a bind at all: the module acts for
 * user (vsym_policy_applies_to) and the system file has an allow rule.
 * Until then the module makes no namespace (an installed vsym with the
 * shipped policy changes no login).
 *
 * Binds and variants alone never count: every bind, the system file's
 * included, needs an allow rule (vsym_policy_decide), and ~/.vsymrc adds
 * binds and variants but never rules. Any rule counts for every user,
 * whatever its targets name: a target written with "~" names a path of
 * each user, and one written without it (a pattern over every home, a
 * system target named literally) may name a path this user gets too;
 * whether it does depends on owners on disk, which a pure function does
 * not see, so refusing such a target is left to resolution. */
bool vsym_policy_can_apply(const struct vsym_policy *policy,
			   const struct vsym_user *user);

/* Decides whether source may be bound onto target (both canonical absolute
 * paths). Fills verdict; never fails. */
void vsym_policy_decide(const struct vsym_policy *policy, const char *target,
			const char *source, struct vsym_verdict *verdict);

/* True when path is dir or lies below it (both normalised absolute paths). */
bool vsym_path_within(const char *dir, const char *path);

/* Resolves the value asked for variant among its choices in the order at
 * the top of this file. An alias is itself resolved among the choices the
 * same way. Returns the value to use (a pointer into choices->values), or
 * NULL when none fits; *how (may be NULL) says which rule picked it. */
const char *vsym_variant_resolve(const struct vsym_variant *variant, const char *asked,
				 const struct vsym_choices *choices, enum vsym_picked *how);

/* The lowest choice whose version (its real version, else its value; only
 * those starting with a digit) is at least minimum: go.mod's "go 1.21"
 * line. Returns a pointer into choices->values, or NULL. */
const char *vsym_variant_resolve_minimum(const char *minimum, const struct vsym_choices *choices);

/* A fallback list (asdf's "golang 1.20.3 1.21"): the first of values[0..n)
 * that resolves (vsym_variant_resolve, or vsym_variant_resolve_minimum
 * when minimum), or NULL when none does. *skipped counts the values before
 * it (n when none resolved); *how says which rule picked it. */
const char *vsym_variant_resolve_first(const struct vsym_variant *variant, char *const *values, size_t n,
				       bool minimum, const struct vsym_choices *choices, size_t *skipped,
				       enum vsym_picked *how);

/* The real version of the choice value (version_from), or NULL. */
const char *vsym_choices_version_of(const struct vsym_choices *choices, const char *value);

/* A few words saying how a value picked its choice ("newer patch"). */
const char *vsym_picked_words(enum vsym_picked how);

/* The real version in text (a file of a choice's tree) by variant's
 * version_from: the first group of the pattern's first match, into buf.
 * False when there is no match or it is not a valid value. Pure. */
bool vsym_variant_version_in(const struct vsym_variant *variant, const char *text, char *buf, size_t size);

/* Returns the source path of variant for value (a valid value), newly
 * allocated, or NULL when out of memory. */
char *vsym_variant_source(const struct vsym_variant *variant, const char *value);

/* Splits variant's source around its ${name} into tmpl_dir, tmpl_prefix
 * and tmpl_suffix (freed with the policy). Returns 0, or -1 when the
 * source holds no ${name} or out of memory. */
int vsym_variant_parse_template(struct vsym_variant *variant);

/* The value the directory entry name stands for among variant's choices
 * (tmpl_prefix VALUE tmpl_suffix, VALUE a valid value), into buf; false
 * when it is none. Pure: looks at no file. */
bool vsym_variant_value_of(const struct vsym_variant *variant, const char *name, char *buf, size_t size);

/* Looks a variant up by name; NULL when the policy defines none such. */
struct vsym_variant *vsym_policy_variant(const struct vsym_policy *policy,
					 const char *name);

/* Computes the session defaults: system binds, system variant defaults,
 * user binds, user variant values; the last one for a target wins; binds
 * past max_binds are counted in list->dropped. Returns 0 or -1 (out of
 * memory) with err set. */
int vsym_policy_session_defaults(const struct vsym_policy *policy,
			  struct vsym_bind_list *list, struct vsym_error *err);

/* Frees a list filled by vsym_policy_session_defaults. */
void vsym_bind_list_free(struct vsym_bind_list *list);

#endif
