#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"
#include "policy.h"
#include "version.h"

struct component {
	const char *s;
	size_t n;
};

/* Splits path into its non-empty components; NULL when out of memory.
 * Sets *dots when a "." or ".." component is seen. */
static struct component *split_path(const char *path, size_t *count, bool *dots)
{
	size_t max = strlen(path) / 2 + 2, n = 0;
	struct component *c = calloc(max, sizeof(*c));

	if (c == NULL)
		return NULL;
	while (*path != '\0') {
		size_t len;

		path += strspn(path, "/");
		len = strcspn(path, "/");
		if (len == 0)
			break;
		if (vsym_is_dot_component(path, len))
			*dots = true;
		c[n++] = (struct component){ path, len };
		path += len;
	}
	*count = n;
	return c;
}

/* Glob within one component, "*" the only special character. Greedy with one
 * backtrack point, so linear in practice and never exponential. */
static bool component_match(struct component p, struct component s)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;

	while (si < s.n) {
		if (pi < p.n && p.s[pi] == '*') {
			star = pi++;
			mark = si;
		} else if (pi < p.n && p.s[pi] == s.s[si]) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < p.n && p.s[pi] == '*')
		pi++;
	return pi == p.n;
}

static bool is_globstar(struct component c)
{
	return c.n == 2 && c.s[0] == '*' && c.s[1] == '*';
}

/* The same greedy algorithm one level up: "**" components are the stars. */
static bool components_match(const struct component *p, size_t pn,
			     const struct component *s, size_t sn)
{
	size_t pi = 0, si = 0, star = (size_t)-1, mark = 0;

	while (si < sn) {
		if (pi < pn && is_globstar(p[pi])) {
			star = pi++;
			mark = si;
		} else if (pi < pn && component_match(p[pi], s[si])) {
			pi++;
			si++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			si = ++mark;
		} else {
			return false;
		}
	}
	while (pi < pn && is_globstar(p[pi]))
		pi++;
	return pi == pn;
}

bool vsym_pattern_match(const char *pattern, const char *path)
{
	struct component *p, *s;
	size_t pn, sn;
	bool dots = false, pattern_dots = false, match = false;

	if (pattern[0] != '/' || path[0] != '/')
		return false;
	p = split_path(pattern, &pn, &pattern_dots);
	s = split_path(path, &sn, &dots);
	if (p != NULL && s != NULL && !dots && !pattern_dots) {
		/* A final "**" stands for something inside: at least one
		 * component. Dropping the path's last component and letting
		 * "**" match zero or more is the same test. */
		if (pn > 0 && is_globstar(p[pn - 1]))
			match = sn > 0 && components_match(p, pn, s, sn - 1);
		else
			match = components_match(p, pn, s, sn);
	}
	free(p);
	free(s);
	return match;
}

static bool list_has(char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (name != NULL && strcmp(list[i], name) == 0)
			return true;
	return false;
}

bool vsym_policy_applies_to(const struct vsym_policy *policy,
			    const struct vsym_user *user)
{
	if (list_has(policy->exclude, policy->nexclude, user->name))
		return false;
	if (policy->ngroups == 0)
		return true;
	/* A user built by hand may carry no group names: then none match. */
	if (user->group_names == NULL)
		return false;
	for (size_t i = 0; i < user->ngids; i++)
		if (list_has(policy->groups, policy->ngroups, user->group_names[i]))
			return true;
	return false;
}

bool vsym_policy_can_apply(const struct vsym_policy *policy,
			   const struct vsym_user *user)
{
	return vsym_policy_applies_to(policy, user) && policy->nrules > 0;
}

static bool any_match(char *const *patterns, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (vsym_pattern_match(patterns[i], path))
			return true;
	return false;
}

bool vsym_path_within(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(dir, path, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* A system target is named by the system file literally, never by a
 * pattern: a "*" written for home directories must not reach /usr. */
static bool names_system_target(const struct vsym_rule *rule, const char *target)
{
	for (size_t i = 0; i < rule->ntargets; i++)
		if (rule->literal != NULL && rule->literal[i] && strcmp(rule->targets[i], target) == 0)
			return true;
	return false;
}

static bool rule_targets(const struct vsym_rule *rule, const char *target, bool system)
{
	return system ? names_system_target(rule, target) : any_match(rule->targets, rule->ntargets, target);
}

void vsym_policy_decide(const struct vsym_policy *policy, const char *target,
			const char *source, struct vsym_verdict *verdict)
{
	const struct vsym_rule *target_rule = NULL;
	const char *file = policy->label[VSYM_ORIGIN_SYSTEM];
	bool system = policy->home != NULL && !vsym_path_within(policy->home, target);

	memset(verdict, 0, sizeof(*verdict));
	verdict->system_target = system;
	for (size_t i = 0; i < policy->nrules; i++) {
		const struct vsym_rule *rule = &policy->rules[i];

		if (!rule_targets(rule, target, system))
			continue;
		if (target_rule == NULL)
			target_rule = rule;
		if (any_match(rule->sources, rule->nsources, source)) {
			verdict->allowed = true;
			verdict->readonly = rule->readonly || system;
			verdict->rule = rule;
			snprintf(verdict->reason, sizeof(verdict->reason),
				 "allowed by %s:%u", file, rule->line);
			return;
		}
	}
	if (target_rule == NULL && system)
		snprintf(verdict->reason, sizeof(verdict->reason),
			 "%s is outside your home: a system target must be named literally (no *, ~ or $) by an allow rule in %s",
			 target, file);
	else if (target_rule == NULL)
		snprintf(verdict->reason, sizeof(verdict->reason),
			 "no allow rule in %s names target %s", file, target);
	else
		snprintf(verdict->reason, sizeof(verdict->reason),
			 "source %s is not allowed for target %s (see %s:%u)",
			 source, target, file, target_rule->line);
}

/* What a choice is compared by: its real version when known. */
static const char *choice_key(const struct vsym_choices *c, size_t i)
{
	return c->versions != NULL && c->versions[i] != NULL ? c->versions[i] : c->values[i];
}

const char *vsym_choices_version_of(const struct vsym_choices *c, const char *value)
{
	for (size_t i = 0; c->versions != NULL && i < c->n; i++)
		if (strcmp(c->values[i], value) == 0)
			return c->versions[i];
	return NULL;
}

/* The choice named exactly: its value, a symlink to it, its real version. */
static const char *exact_choice(const char *asked, const struct vsym_choices *c, enum vsym_picked *how)
{
	*how = VSYM_PICKED_EXACT;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->values[i], asked) == 0)
			return c->values[i];
	for (size_t i = 0; i < c->nlinks; i++)
		if (strcmp(c->link_names[i], asked) == 0)
			return c->link_values[i];
	*how = VSYM_PICKED_VERSION;
	for (size_t i = 0; c->versions != NULL && i < c->n; i++)
		if (c->versions[i] != NULL && strcmp(c->versions[i], asked) == 0)
			return c->values[i];
	return NULL;
}

/* The highest choice whose value or real version asked is a version prefix of. */
static const char *prefix_choice(const char *asked, const struct vsym_choices *c)
{
	size_t best = c->n;

	for (size_t i = 0; i < c->n; i++) {
		bool fits = vsym_version_prefix(asked, c->values[i]) ||
			    (c->versions != NULL && c->versions[i] != NULL && vsym_version_prefix(asked, c->versions[i]));

		if (fits && (best == c->n || vsym_version_compare(choice_key(c, i), choice_key(c, best)) > 0))
			best = i;
	}
	return best < c->n ? c->values[best] : NULL;
}

/* match = "newer-patch": for X.Y.Z the highest choice of the same X.Y
 * whose version is at least X.Y.Z (Go, Java and Node keep patch releases
 * compatible). */
static const char *newer_patch_choice(const char *asked, const struct vsym_choices *c)
{
	size_t xy = vsym_version_major_minor_len(asked), best = c->n;
	char minor[64];

	if (xy == 0 || xy >= sizeof(minor))
		return NULL;
	snprintf(minor, sizeof(minor), "%.*s", (int)xy, asked);
	for (size_t i = 0; i < c->n; i++) {
		const char *key = choice_key(c, i);

		if (vsym_version_prefix(minor, key) && vsym_version_compare(key, asked) >= 0 &&
		    (best == c->n || vsym_version_compare(key, choice_key(c, best)) > 0))
			best = i;
	}
	return best < c->n ? c->values[best] : NULL;
}

static const char *pick_choice(const struct vsym_variant *v, const char *asked,
			       const struct vsym_choices *c, enum vsym_picked *how)
{
	const char *pick = exact_choice(asked, c, how);

	if (pick != NULL)
		return pick;
	*how = VSYM_PICKED_PREFIX;
	if ((pick = prefix_choice(asked, c)) != NULL)
		return pick;
	*how = VSYM_PICKED_NEWER_PATCH;
	if (v->match == VSYM_MATCH_NEWER_PATCH && (pick = newer_patch_choice(asked, c)) != NULL)
		return pick;
	*how = VSYM_PICKED_NONE;
	return NULL;
}

const char *vsym_variant_resolve(const struct vsym_variant *variant, const char *asked,
				 const struct vsym_choices *choices, enum vsym_picked *how)
{
	enum vsym_picked ignored;

	if (how == NULL)
		how = &ignored;
	for (size_t i = 0; i < variant->naliases; i++)
		if (strcmp(variant->alias_names[i], asked) == 0)
			return pick_choice(variant, vsym_version_unprefixed(variant->alias_values[i]), choices, how);
	return pick_choice(variant, vsym_version_unprefixed(asked), choices, how);
}

const char *vsym_variant_resolve_minimum(const char *minimum, const struct vsym_choices *c)
{
	size_t best = c->n;

	for (size_t i = 0; i < c->n; i++) {
		const char *key = choice_key(c, i);

		if (isdigit((unsigned char)key[0]) && vsym_version_compare(key, minimum) >= 0 &&
		    (best == c->n || vsym_version_compare(key, choice_key(c, best)) < 0))
			best = i;
	}
	return best < c->n ? c->values[best] : NULL;
}

const char *vsym_variant_resolve_first(const struct vsym_variant *variant, char *const *values, size_t n,
				       bool minimum, const struct vsym_choices *choices, size_t *skipped,
				       enum vsym_picked *how)
{
	for (*skipped = 0; *skipped < n; (*skipped)++) {
		const char *pick = minimum ? vsym_variant_resolve_minimum(values[*skipped], choices)
					   : vsym_variant_resolve(variant, values[*skipped], choices, how);

		if (minimum)
			*how = VSYM_PICKED_MINIMUM;
		if (pick != NULL)
			return pick;
	}
	return NULL;
}

const char *vsym_picked_words(enum vsym_picked how)
{
	switch (how) {
	case VSYM_PICKED_EXACT:
		return "exact";
	case VSYM_PICKED_VERSION:
		return "its real version";
	case VSYM_PICKED_PREFIX:
		return "version prefix";
	case VSYM_PICKED_NEWER_PATCH:
		return "newer patch";
	case VSYM_PICKED_MINIMUM:
		return "the lowest at least the minimum";
	default:
		return "no match";
	}
}

bool vsym_variant_version_in(const struct vsym_variant *v, const char *text, char *buf, size_t size)
{
	regmatch_t m[2];
	size_t len;

	if (v->version_from_re == NULL || regexec(v->version_from_re, text, 2, m, 0) != 0 || m[1].rm_so < 0)
		return false;
	len = (size_t)(m[1].rm_eo - m[1].rm_so);
	if (len == 0 || len >= size)
		return false;
	memcpy(buf, text + m[1].rm_so, len);
	buf[len] = '\0';
	return vsym_variant_value_valid(buf);
}

char *vsym_variant_source(const struct vsym_variant *variant, const char *value)
{
	char ref[80];
	size_t reflen, vlen = strlen(value), n = 0;
	const char *p = variant->source;
	char *out;

	vsym_variant_ref(variant->name, ref, sizeof(ref));
	reflen = strlen(ref);
	/* Worst case: every byte of the template starts a reference. */
	out = malloc(strlen(p) * (vlen + 1) + 1);
	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		if (strncmp(p, ref, reflen) == 0) {
			memcpy(out + n, value, vlen);
			n += vlen;
			p += reflen;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return out;
}

int vsym_variant_parse_template(struct vsym_variant *v)
{
	char ref[80];
	const char *at, *slash, *end;
	size_t reflen;

	vsym_variant_ref(v->name, ref, sizeof(ref));
	reflen = strlen(ref);
	at = strstr(v->source, ref);
	if (at == NULL)
		return -1;
	for (slash = at; slash > v->source && slash[-1] != '/'; slash--)
		;
	end = at + reflen + strcspn(at + reflen, "/");
	if (slash - v->source <= 1)
		v->tmpl_dir = strdup("/");
	else
		v->tmpl_dir = strndup(v->source, (size_t)(slash - 1 - v->source));
	v->tmpl_prefix = strndup(slash, (size_t)(at - slash));
	v->tmpl_suffix = strndup(at + reflen, (size_t)(end - at) - reflen);
	return v->tmpl_dir != NULL && v->tmpl_prefix != NULL && v->tmpl_suffix != NULL ? 0 : -1;
}

bool vsym_variant_value_of(const struct vsym_variant *v, const char *name, char *buf, size_t size)
{
	size_t len = strlen(name), pl = strlen(v->tmpl_prefix), sl = strlen(v->tmpl_suffix);

	if (len <= pl + sl || len - pl - sl >= size || strncmp(name, v->tmpl_prefix, pl) != 0 ||
	    strcmp(name + len - sl, v->tmpl_suffix) != 0)
		return false;
	snprintf(buf, size, "%.*s", (int)(len - pl - sl), name + pl);
	return vsym_variant_value_valid(buf);
}

struct vsym_variant *vsym_policy_variant(const struct vsym_policy *policy,
					 const char *name)
{
	for (size_t i = 0; i < policy->nvariants; i++)
		if (strcmp(policy->variants[i].name, name) == 0)
			return &policy->variants[i];
	return NULL;
}

static void bind_free(struct vsym_bind *bind)
{
	free(bind->target);
	free(bind->source);
}

/* Adds bind to list, replacing the entry for the same target in place:
 * the last setting for a target wins. Takes ownership of the strings. */
static void list_put(struct vsym_bind_list *list, struct vsym_bind bind)
{
	for (size_t i = 0; i < list->n; i++) {
		if (strcmp(list->binds[i].target, bind.target) == 0) {
			bind_free(&list->binds[i]);
			list->binds[i] = bind;
			return;
		}
	}
	list->binds[list->n++] = bind;
}

static int put_bind(struct vsym_bind_list *list, const struct vsym_bind *bind)
{
	struct vsym_bind copy = *bind;

	copy.target = strdup(bind->target);
	copy.source = strdup(bind->source);
	if (copy.target == NULL || copy.source == NULL) {
		bind_free(&copy);
		return -1;
	}
	list_put(list, copy);
	return 0;
}

static int put_variant(struct vsym_bind_list *list, const struct vsym_variant *v)
{
	struct vsym_bind bind = {
		.readonly = v->readonly, .optional = false, .create = v->create,
		.variant = v->name, .value = v->value,
		.origin = v->value_origin, .line = v->value_line,
	};

	bind.target = strdup(v->target);
	bind.source = vsym_variant_source(v, v->value);
	if (bind.target == NULL || bind.source == NULL) {
		bind_free(&bind);
		return -1;
	}
	list_put(list, bind);
	return 0;
}

static int put_origin(struct vsym_bind_list *list, const struct vsym_policy *policy,
		      enum vsym_origin origin)
{
	for (size_t i = 0; i < policy->nbinds; i++)
		if (policy->binds[i].origin == origin && put_bind(list, &policy->binds[i]) < 0)
			return -1;
	for (size_t i = 0; i < policy->nvariants; i++) {
		const struct vsym_variant *v = &policy->variants[i];

		if (v->value != NULL && v->value_origin == origin && put_variant(list, v) < 0)
			return -1;
	}
	return 0;
}

int vsym_policy_session_defaults(const struct vsym_policy *policy,
			  struct vsym_bind_list *list, struct vsym_error *err)
{
	memset(list, 0, sizeof(*list));
	list->binds = calloc(policy->nbinds + policy->nvariants + 1, sizeof(*list->binds));
	if (list->binds == NULL)
		return vsym_error_set(err, "out of memory");
	if (put_origin(list, policy, VSYM_ORIGIN_SYSTEM) < 0 ||
	    put_origin(list, policy, VSYM_ORIGIN_USER) < 0) {
		vsym_bind_list_free(list);
		return vsym_error_set(err, "out of memory");
	}
	while (list->n > policy->max_binds) {
		bind_free(&list->binds[--list->n]);
		list->dropped++;
	}
	return 0;
}

void vsym_bind_list_free(struct vsym_bind_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		bind_free(&list->binds[i]);
	free(list->binds);
	memset(list, 0, sizeof(*list));
}
