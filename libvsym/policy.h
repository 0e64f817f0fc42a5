/* The policy: a plain struct filled by the loader (cfg.c) and judged by
 * pure functions (policy.c): no I/O, no uid calls, so every decision can be
 * tested on its own.
 *
 * Rule order: allow rules are tried in file order and the first rule that
 * matches both target and source decides (its readonly flag applies). A
 * target outside the user's home (a system target) is matched only by a
 * rule target written literally, and is always read-only.
 *
 * Value order of a variant: an alias, an existing choice of exactly that
 * value, else the highest choice in version order that the value is a
 * version prefix of (vsym_variant_resolve). */
#ifndef VSYM_POLICY_H
#define VSYM_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "user.h"

#define VSYM_DEFAULT_MAX_BINDS 64
#define VSYM_MAX_BINDS_LIMIT 1024

enum vsym_origin { VSYM_ORIGIN_SYSTEM = 0, VSYM_ORIGIN_USER = 1 };
enum vsym_on_error { VSYM_ON_ERROR_WARN, VSYM_ON_ERROR_DENY };

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
	char *version_file; /* a project file holding just the value, or NULL */
	bool readonly;
	bool create;
	enum vsym_origin origin;       /* where it was defined */
	unsigned line;
	enum vsym_origin value_origin; /* where value was set */
	unsigned value_line;
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

/* Compares two values in version order: runs of digits by number, other
 * characters by byte, and the end of a value first (20.11.1 > 20.9.0,
 * 1.22 < 1.22.1). Returns <0, 0 or >0. */
int vsym_version_compare(const char *a, const char *b);

/* Sorts values in version order, lowest first. */
void vsym_version_sort(char **values, size_t n);

/* True when prefix is a version prefix of value: value starts with it and
 * goes on with '.', '-' or ends ("20" of "20.11.1", not "2" of "20.1"). */
bool vsym_version_prefix(const char *prefix, const char *value);

/* Resolves the value asked for variant among its choices (the values
 * found on disk): an alias first, then an exact choice, then the highest
 * choice in version order the value is a version prefix of. An alias is
 * itself resolved among the choices the same way. Returns the value to
 * use (a pointer into choices), or NULL when none fits. */
const char *vsym_variant_resolve(const struct vsym_variant *variant, const char *asked,
				 char *const *choices, size_t nchoices);

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
int vsym_session_defaults(const struct vsym_policy *policy,
			  struct vsym_bind_list *list, struct vsym_error *err);

/* Frees a list filled by vsym_session_defaults. */
void vsym_bind_list_free(struct vsym_bind_list *list);

#endif
