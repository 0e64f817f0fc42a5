/* Loading vsym.conf and ~/.vsymrc (cfg.h): the users, allow rules, binds
 * and settings of the system file, the user file merged all or nothing,
 * where -s edits a value, and vsym_policy_free. The values are read by
 * cfgread.c, the variants block by cfgvariant.c. */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfgread.h"
#include "cfgtext.h"
#include "cfgvariant.h"
#include "expand.h"

static const char *const system_keys[] = {
	"version", "users", "allow", "variants", "binds", "user_config",
	"max_binds", "on_error", NULL
};
static const char *const user_keys[] = { "version", "variants", "binds", NULL };
static const char *const users_keys[] = { "exclude", "groups", NULL };
static const char *const rule_keys[] = { "target", "source", "readonly", NULL };
static const char *const bind_keys[] = { "target", "source", "readonly", "optional", "create", NULL };

/* users.exclude defaults to [ "root" ] when not given. */
static int default_exclude(const struct vsym_cfgread_load *ld)
{
	struct vsym_policy *p = ld->policy;

	p->exclude = calloc(1, sizeof(char *));
	if (p->exclude == NULL || (p->exclude[0] = strdup("root")) == NULL)
		return vsym_error_set(ld->err, "out of memory");
	p->nexclude = 1;
	return 0;
}

static int load_users(const struct vsym_cfgread_load *ld, const config_setting_t *root)
{
	const config_setting_t *users = config_setting_get_member(root, "users");
	const config_setting_t *exclude, *groups;
	struct vsym_policy *p = ld->policy;

	if (users == NULL)
		return default_exclude(ld);
	if (config_setting_type(users) != CONFIG_TYPE_GROUP)
		return vsym_cfgread_fail(ld, users, "'users' must be a group: users: { exclude = [ ... ]; groups = [ ... ]; };");
	if (vsym_cfgread_check_keys(ld, users, users_keys, "users") < 0)
		return -1;
	exclude = config_setting_get_member(users, "exclude");
	if (exclude == NULL && default_exclude(ld) < 0)
		return -1;
	if (exclude != NULL && vsym_cfgread_names(ld, exclude, &p->exclude, &p->nexclude) < 0)
		return -1;
	groups = config_setting_get_member(users, "groups");
	if (groups != NULL && vsym_cfgread_names(ld, groups, &p->groups, &p->ngroups) < 0)
		return -1;
	return 0;
}

/* Notes which targets of a rule were written literally (no *, **, ~ or $):
 * only those may name a system target. */
static int mark_literal_targets(const struct vsym_cfgread_load *ld, const config_setting_t *rule_setting,
				struct vsym_rule *rule)
{
	const config_setting_t *s = config_setting_get_member(rule_setting, "target");
	bool single = config_setting_type(s) == CONFIG_TYPE_STRING;

	rule->literal = calloc(rule->ntargets + 1, sizeof(bool));
	if (rule->literal == NULL)
		return vsym_cfgread_fail(ld, s, "out of memory");
	for (size_t i = 0; i < rule->ntargets; i++) {
		const config_setting_t *e = single ? s : config_setting_get_elem(s, (unsigned)i);

		rule->literal[i] = strpbrk(config_setting_get_string(e), "*~$") == NULL;
	}
	return 0;
}

static int load_rule(const struct vsym_cfgread_load *ld, const config_setting_t *s)
{
	struct vsym_policy *p = ld->policy;
	struct vsym_rule *rule;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return vsym_cfgread_fail(ld, s, "each allow rule must be a group: { target = \"...\"; source = \"...\"; }");
	if (vsym_cfgread_check_keys(ld, s, rule_keys, "an allow rule") < 0)
		return -1;
	if (vsym_cfgread_grow(&p->rules, &p->nrules, sizeof(*p->rules)) < 0)
		return vsym_cfgread_fail(ld, s, "out of memory");
	rule = &p->rules[p->nrules - 1];
	rule->line = vsym_cfgread_line(s);
	if (vsym_cfgread_paths(ld, s, "target", VSYM_CFGREAD_PATTERN, &rule->targets, &rule->ntargets) < 0 ||
	    vsym_cfgread_paths(ld, s, "source", VSYM_CFGREAD_PATTERN, &rule->sources, &rule->nsources) < 0 ||
	    vsym_cfgread_bool(ld, s, "readonly", &rule->readonly) < 0 ||
	    mark_literal_targets(ld, s, rule) < 0)
		return -1;
	if (rule->ntargets == 0 || rule->nsources == 0)
		return vsym_cfgread_fail(ld, s, "an allow rule needs at least one target and one source");
	return 0;
}

/* Runs load_one on every element of the list member key of root. */
static int load_list(const struct vsym_cfgread_load *ld, const config_setting_t *root, const char *key,
		     int (*load_one)(const struct vsym_cfgread_load *, const config_setting_t *))
{
	const config_setting_t *list = config_setting_get_member(root, key);

	if (list == NULL)
		return 0;
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return vsym_cfgread_fail(ld, list, "'%s' must be a list: %s = ( { ... }, { ... } );", key, key);
	for (int i = 0; i < config_setting_length(list); i++)
		if (load_one(ld, config_setting_get_elem(list, (unsigned)i)) < 0)
			return -1;
	return 0;
}

static int load_bind(const struct vsym_cfgread_load *ld, const config_setting_t *s)
{
	struct vsym_policy *p = ld->policy;
	struct vsym_bind *bind;
	const char *target, *source;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return vsym_cfgread_fail(ld, s, "each bind must be a group: { source = \"...\"; target = \"...\"; }");
	if (vsym_cfgread_check_keys(ld, s, bind_keys, "a bind") < 0 ||
	    vsym_cfgread_need_string(ld, s, "target", "this bind", &target) < 0 ||
	    vsym_cfgread_need_string(ld, s, "source", "this bind", &source) < 0)
		return -1;
	if (vsym_cfgread_grow(&p->binds, &p->nbinds, sizeof(*p->binds)) < 0)
		return vsym_cfgread_fail(ld, s, "out of memory");
	bind = &p->binds[p->nbinds - 1];
	bind->origin = ld->origin;
	bind->line = vsym_cfgread_line(s);
	bind->target = vsym_cfgread_path(ld, config_setting_get_member(s, "target"), target, VSYM_CFGREAD_PATH, NULL);
	bind->source = vsym_cfgread_path(ld, config_setting_get_member(s, "source"), source, VSYM_CFGREAD_PATH, NULL);
	if (bind->target == NULL || bind->source == NULL)
		return -1;
	if (vsym_cfgread_bool(ld, s, "readonly", &bind->readonly) < 0 ||
	    vsym_cfgread_bool(ld, s, "optional", &bind->optional) < 0 ||
	    vsym_cfgread_bool(ld, s, "create", &bind->create) < 0)
		return -1;
	return vsym_cfgread_check_target_place(ld, config_setting_get_member(s, "target"), bind->target, bind->create);
}

static int load_version(const struct vsym_cfgread_load *ld, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "version");

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT || config_setting_get_int(s) != 1)
		return vsym_cfgread_fail(ld, s, "unsupported version; this vsym reads version = 1;");
	return 0;
}

static int load_max_binds(const struct vsym_cfgread_load *ld, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "max_binds");
	int n;

	ld->policy->max_binds = VSYM_DEFAULT_MAX_BINDS;
	if (s == NULL)
		return 0;
	n = config_setting_type(s) == CONFIG_TYPE_INT ? config_setting_get_int(s) : -1;
	if (n < 0 || n > VSYM_MAX_BINDS_LIMIT)
		return vsym_cfgread_fail(ld, s, "'max_binds' must be a whole number from 0 to %d", VSYM_MAX_BINDS_LIMIT);
	ld->policy->max_binds = (unsigned)n;
	return 0;
}

static int load_on_error(const struct vsym_cfgread_load *ld, const config_setting_t *root)
{
	const char *mode;

	ld->policy->on_error = VSYM_ON_ERROR_WARN;
	if (vsym_cfgread_string(ld, root, "on_error", &mode) < 0)
		return -1;
	if (mode == NULL)
		return 0;
	if (strcmp(mode, "deny") == 0)
		ld->policy->on_error = VSYM_ON_ERROR_DENY;
	else if (strcmp(mode, "warn") != 0)
		return vsym_cfgread_fail(ld, config_setting_get_member(root, "on_error"),
					 "'on_error' must be \"warn\" or \"deny\", not \"%s\"", mode);
	return 0;
}

/* Refuses what libconfig would act on or silently cut: a NUL byte ends its
 * input early, and "@include" would make it open another file, as root. */
static int check_text(const struct vsym_cfgread_load *ld, const char *text, size_t len)
{
	unsigned line = 1;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\0')
			return vsym_error_at(ld->err, ld->label, line, "NUL byte; this is not a text file");
		if (text[i] == '@' && len - i >= 8 && memcmp(text + i, "@include", 8) == 0)
			return vsym_error_at(ld->err, ld->label, line,
					     "@include is not supported; keep the configuration in one file");
		if (text[i] == '\n')
			line++;
	}
	return 0;
}

/* Parses text into cfg; on a syntax error reports libconfig's line, with
 * a hint when the line holds a version number without quotes. */
static int parse(const struct vsym_cfgread_load *ld, config_t *cfg, const char *text, size_t len)
{
	char hint[160] = "";
	char *copy;
	int ok;

	if (check_text(ld, text, len) < 0)
		return -1;
	/* Quoted names ("17" = ...) are read as libconfig 1.5 cannot. */
	copy = vsym_cfgtext_quote_names(text, len);
	if (copy == NULL)
		return vsym_error_set(ld->err, "out of memory");
	ok = config_read_string(cfg, copy);
	if (ok != CONFIG_TRUE && config_error_line(cfg) > 0 &&
	    vsym_cfgtext_unquoted_hint(copy, (unsigned)config_error_line(cfg), hint + 2, sizeof(hint) - 2))
		memcpy(hint, "; ", 2);
	free(copy);
	if (ok != CONFIG_TRUE)
		return vsym_error_at(ld->err, ld->label, (unsigned)config_error_line(cfg), "%s%s",
				     config_error_text(cfg) ? config_error_text(cfg) : "syntax error", hint);
	return 0;
}

static bool is_system_only(const char *key)
{
	for (size_t k = 0; system_keys[k] != NULL; k++)
		if (strcmp(system_keys[k], key) == 0)
			return true;
	return false;
}

/* The system file's variant called name, or known by that tool name. */
static const struct vsym_variant *variant_named(const struct vsym_policy *system, const char *name)
{
	const struct vsym_variant *v = vsym_policy_variant(system, name);

	return v != NULL ? v : vsym_cfgvariant_of_tool(system, name);
}

static int check_user_keys(const struct vsym_cfgread_load *ld, const config_setting_t *root)
{
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *key = vsym_cfgread_name(s);
		const struct vsym_variant *v;
		size_t k = 0;

		while (user_keys[k] != NULL && strcmp(user_keys[k], key) != 0)
			k++;
		if (user_keys[k] == NULL && is_system_only(key))
			return vsym_cfgread_fail(ld, s, "'%s' may only be set in %s; a user file holds binds and variants",
						 key, ld->system->label[VSYM_ORIGIN_SYSTEM]);
		v = user_keys[k] == NULL ? variant_named(ld->system, key) : NULL;
		if (v != NULL)
			return vsym_cfgread_fail(ld, s, "unknown key '%s': a value of a variant goes under variants: variants: { %s = \"%s\"; };",
						 key, v->name, config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : "...");
	}
	return vsym_cfgread_check_keys(ld, root, user_keys, "a user file");
}

static int set_label(const struct vsym_cfgread_load *ld)
{
	ld->policy->label[ld->origin] = strdup(ld->label);
	return ld->policy->label[ld->origin] ? 0 : vsym_error_set(ld->err, "out of memory");
}

static int load_system_settings(const struct vsym_cfgread_load *ld, const config_setting_t *root)
{
	ld->policy->user_config = true;
	if (vsym_cfgread_check_keys(ld, root, system_keys, "the system file") < 0 ||
	    load_version(ld, root) < 0 || load_users(ld, root) < 0 ||
	    load_list(ld, root, "allow", load_rule) < 0 ||
	    vsym_cfgvariant_load(ld, root, NULL, NULL) < 0 ||
	    load_list(ld, root, "binds", load_bind) < 0 ||
	    vsym_cfgread_bool(ld, root, "user_config", &ld->policy->user_config) < 0 ||
	    load_max_binds(ld, root) < 0 || load_on_error(ld, root) < 0)
		return -1;
	return 0;
}

int vsym_cfg_load_system(struct vsym_policy *policy, const char *label,
			 const char *text, size_t len,
			 const struct vsym_user *user, struct vsym_error *err)
{
	struct vsym_cfgread_load ld = {
		.policy = policy, .system = NULL, .origin = VSYM_ORIGIN_SYSTEM,
		.label = label, .user = user, .err = err,
	};
	config_t cfg;
	int rc;

	config_init(&cfg);
	rc = set_label(&ld);
	if (rc == 0 && (policy->home = strdup(user->home)) == NULL)
		rc = vsym_error_set(err, "out of memory");
	if (rc == 0)
		rc = parse(&ld, &cfg, text, len);
	if (rc == 0)
		rc = load_system_settings(&ld, config_root_setting(&cfg));
	config_destroy(&cfg);
	return rc;
}

/* Moves the user part into policy. Returns -1 only when out of memory, and
 * then policy is unchanged. */
static int merge_user(struct vsym_policy *policy, struct vsym_policy *part,
		      struct vsym_cfgvariant_pick *picks, size_t npicks)
{
	struct vsym_bind *binds = realloc(policy->binds, (policy->nbinds + part->nbinds + 1) * sizeof(*binds));
	struct vsym_variant *variants;

	if (binds == NULL)
		return -1;
	policy->binds = binds;
	variants = realloc(policy->variants, (policy->nvariants + part->nvariants + 1) * sizeof(*variants));
	if (variants == NULL)
		return -1;
	policy->variants = variants;
	/* An empty part holds NULL arrays, and memcpy from NULL is undefined
	 * even for zero bytes. */
	if (part->nbinds > 0)
		memcpy(binds + policy->nbinds, part->binds, part->nbinds * sizeof(*binds));
	policy->nbinds += part->nbinds;
	part->nbinds = 0;
	if (part->nvariants > 0)
		memcpy(variants + policy->nvariants, part->variants, part->nvariants * sizeof(*variants));
	policy->nvariants += part->nvariants;
	part->nvariants = 0;
	for (size_t i = 0; i < npicks; i++) {
		struct vsym_variant *v = &policy->variants[picks[i].variant];

		if (v->value_origin == VSYM_ORIGIN_SYSTEM && v->system_default == NULL) {
			v->system_default = v->value;
			v->system_default_line = v->value_line;
		} else {
			free(v->value);
		}
		v->value = picks[i].value;
		v->value_origin = VSYM_ORIGIN_USER;
		v->value_line = picks[i].line;
		picks[i].value = NULL;
	}
	return 0;
}

int vsym_cfg_load_user(struct vsym_policy *policy, const char *label,
		       const char *text, size_t len,
		       const struct vsym_user *user, struct vsym_error *err)
{
	struct vsym_policy part;
	struct vsym_cfgread_load ld = {
		.policy = &part, .system = policy, .origin = VSYM_ORIGIN_USER,
		.label = label, .user = user, .err = err,
	};
	struct vsym_cfgvariant_pick *picks = NULL;
	size_t npicks = 0;
	config_t cfg;
	int rc;

	memset(&part, 0, sizeof(part));
	config_init(&cfg);
	rc = parse(&ld, &cfg, text, len);
	if (rc == 0)
		rc = check_user_keys(&ld, config_root_setting(&cfg));
	if (rc == 0)
		rc = load_version(&ld, config_root_setting(&cfg));
	if (rc == 0)
		rc = vsym_cfgvariant_load(&ld, config_root_setting(&cfg), &picks, &npicks);
	if (rc == 0)
		rc = load_list(&ld, config_root_setting(&cfg), "binds", load_bind);
	if (rc == 0 && (policy->label[VSYM_ORIGIN_USER] = strdup(label)) == NULL)
		rc = vsym_error_set(err, "out of memory");
	if (rc == 0 && merge_user(policy, &part, picks, npicks) < 0)
		rc = vsym_error_set(err, "out of memory");
	if (rc == 0)
		policy->user_loaded = true;
	config_destroy(&cfg);
	vsym_cfgvariant_picks_free(picks, npicks);
	vsym_policy_free(&part);
	return rc;
}

int vsym_cfg_user_spot(const char *label, const char *text, size_t len, const char *name,
		       struct vsym_cfgtext_spot *spot, struct vsym_error *err)
{
	struct vsym_cfgread_load ld = { .label = label, .err = err };
	const config_setting_t *group, *pick;
	config_t cfg;
	int rc;

	memset(spot, 0, sizeof(*spot));
	config_init(&cfg);
	rc = parse(&ld, &cfg, text, len);
	group = rc == 0 ? config_setting_get_member(config_root_setting(&cfg), "variants") : NULL;
	if (group != NULL && config_setting_type(group) == CONFIG_TYPE_GROUP) {
		spot->variants_line = vsym_cfgread_line(group);
		pick = config_setting_get_member(group, name);
		if (pick != NULL && config_setting_type(pick) != CONFIG_TYPE_STRING)
			rc = vsym_cfgread_fail(&ld, pick, "variant '%s' is defined here; change its default in this file", name);
		else if (pick != NULL)
			spot->pick_line = vsym_cfgread_line(pick);
	}
	config_destroy(&cfg);
	return rc;
}

void vsym_policy_free(struct vsym_policy *policy)
{
	for (size_t i = 0; i < policy->nrules; i++) {
		vsym_cfgread_strv_free(policy->rules[i].targets, policy->rules[i].ntargets);
		vsym_cfgread_strv_free(policy->rules[i].sources, policy->rules[i].nsources);
		free(policy->rules[i].literal);
	}
	for (size_t i = 0; i < policy->nbinds; i++) {
		free(policy->binds[i].target);
		free(policy->binds[i].source);
	}
	for (size_t i = 0; i < policy->nvariants; i++) {
		free(policy->variants[i].name);
		free(policy->variants[i].target);
		free(policy->variants[i].source);
		free(policy->variants[i].tmpl_dir);
		free(policy->variants[i].tmpl_prefix);
		free(policy->variants[i].tmpl_suffix);
		free(policy->variants[i].value);
		free(policy->variants[i].system_default);
		free(policy->variants[i].tool);
		vsym_cfgread_strv_free(policy->variants[i].version_files, policy->variants[i].nversion_files);
		free(policy->variants[i].version_from_file);
		free(policy->variants[i].version_from_pattern);
		if (policy->variants[i].version_from_re != NULL)
			regfree(policy->variants[i].version_from_re);
		free(policy->variants[i].version_from_re);
		vsym_cfgread_strv_free(policy->variants[i].alias_names, policy->variants[i].naliases);
		vsym_cfgread_strv_free(policy->variants[i].alias_values, policy->variants[i].naliases);
	}
	vsym_cfgread_strv_free(policy->exclude, policy->nexclude);
	vsym_cfgread_strv_free(policy->groups, policy->ngroups);
	free(policy->rules);
	free(policy->binds);
	free(policy->variants);
	free(policy->label[0]);
	free(policy->label[1]);
	free(policy->home);
	memset(policy, 0, sizeof(*policy));
}
