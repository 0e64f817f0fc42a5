#include "config.h"

#include <libconfig.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfgtext.h"
#include "expand.h"

/* Everything one load needs to report and expand. */
struct load {
	struct vsym_policy *policy;    /* what is being filled */
	const struct vsym_policy *system; /* for a user file: the system part */
	enum vsym_origin origin;
	const char *label;
	const struct vsym_user *user;
	struct vsym_error *err;
};

/* A variant value picked by the user file, applied only once all is valid. */
struct pick {
	size_t variant;  /* index into the system part's variants */
	char *value;
	unsigned line;
};

static const char *const system_keys[] = {
	"version", "users", "allow", "variants", "binds", "user_config",
	"max_binds", "on_error", NULL
};
static const char *const user_keys[] = { "version", "variants", "binds", NULL };
static const char *const users_keys[] = { "exclude", "groups", NULL };
static const char *const rule_keys[] = { "target", "source", "readonly", NULL };
static const char *const bind_keys[] = { "target", "source", "readonly", "optional", "create", NULL };
static const char *const variant_keys[] = {
	"target", "source", "default", "readonly", "create", "aliases", "tool", "version_file",
	"version_from", "match", NULL
};
static const char *const version_from_keys[] = { "file", "pattern", NULL };

static unsigned line_of(const config_setting_t *s)
{
	return config_setting_source_line(s);
}

/* Reports "FILE:LINE: message" and returns -1. */
static int fail(const struct load *ld, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(const struct load *ld, const config_setting_t *s, const char *fmt, ...)
{
	char msg[VSYM_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vsym_error_at(ld->err, ld->label, s ? line_of(s) : 0, "%s", msg);
}

static const char *name_of(const config_setting_t *s)
{
	const char *name = config_setting_name(s);

	return name ? name : "(element)";
}

static int grow(void *array, size_t *n, size_t size)
{
	void **p = array;
	void *bigger = realloc(*p, (*n + 1) * size);

	if (bigger == NULL)
		return -1;
	*p = bigger;
	memset((char *)bigger + *n * size, 0, size);
	(*n)++;
	return 0;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Refuses keys of group s that are not in known. */
static int check_keys(const struct load *ld, const config_setting_t *s,
		      const char *const *known, const char *where)
{
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *child = config_setting_get_elem(s, (unsigned)i);
		const char *name = name_of(child);
		size_t k = 0;

		while (known[k] != NULL && strcmp(known[k], name) != 0)
			k++;
		if (known[k] == NULL)
			return fail(ld, child, "unknown key '%s' in %s", name, where);
	}
	return 0;
}

static int get_bool(const struct load *ld, const config_setting_t *group,
		    const char *key, bool *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(ld, s, "'%s' must be true or false", key);
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

/* Sets *out to the string member key of group, or NULL when absent. */
static int get_string(const struct load *ld, const config_setting_t *group,
		      const char *key, const char **out)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	*out = NULL;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(ld, s, "'%s' must be a string", key);
	*out = config_setting_get_string(s);
	return 0;
}

static int need_string(const struct load *ld, const config_setting_t *group,
		       const char *key, const char *what, const char **out)
{
	if (get_string(ld, group, key, out) < 0)
		return -1;
	if (*out == NULL)
		return fail(ld, group, "%s has no '%s'; add %s = \"...\";", what, key, key);
	return 0;
}

enum word_kind {
	WORD_PATTERN,   /* "*" and whole-component "**" allowed */
	WORD_PATH,      /* one path, no pattern characters */
	WORD_TEMPLATE,  /* one path holding ${variant} */
};

static int check_globstars(const struct load *ld, const config_setting_t *s,
			   const char *path)
{
	for (const char *p = strstr(path, "**"); p != NULL; p = strstr(p + 2, "**")) {
		bool starts = p == path || p[-1] == '/';
		bool ends = p[2] == '\0' || p[2] == '/';

		if (!starts || !ends)
			return fail(ld, s, "'%s': '**' must be a whole path component, as in /opt/**/bin", path);
	}
	return 0;
}

/* Expands one path word of setting s and checks it suits kind; var names
 * the variant for a template. Returns the new string or NULL. */
static char *path_word(const struct load *ld, const config_setting_t *s,
		       const char *word, enum word_kind kind, const char *var)
{
	struct vsym_expand_ctx ctx = {
		.user = ld->user->name, .home = ld->user->home, .var_name = var,
	};
	struct vsym_error e;
	char *path = vsym_expand(word, &ctx, &e);

	if (path == NULL) {
		fail(ld, s, "%s", e.text);
		return NULL;
	}
	if (vsym_has_control_char(path)) {
		fail(ld, s, "a path holds a control character; write it without one");
	} else if (vsym_path_normalize(path, &e) < 0) {
		fail(ld, s, "%s", e.text);
	} else if (kind != WORD_PATTERN && strchr(path, '*') != NULL) {
		fail(ld, s, "'%s': a bind names one path; patterns belong in allow rules", word);
	} else if (kind == WORD_PATTERN && check_globstars(ld, s, path) < 0) {
		/* reported */
	} else {
		return path;
	}
	free(path);
	return NULL;
}

static int add_word(const struct load *ld, const config_setting_t *s,
		    enum word_kind kind, char ***v, size_t *n)
{
	char *word;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(ld, s, "expected a string or a list of strings");
	word = path_word(ld, s, config_setting_get_string(s), kind, NULL);
	if (word == NULL)
		return -1;
	if (grow(v, n, sizeof(char *)) < 0) {
		free(word);
		return fail(ld, s, "out of memory");
	}
	(*v)[*n - 1] = word;
	return 0;
}

/* Reads member key of group, a string or a list of strings, as paths or
 * patterns of kind. */
static int get_paths(const struct load *ld, const config_setting_t *group,
		     const char *key, enum word_kind kind, char ***v, size_t *n)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	int count;

	if (s == NULL)
		return fail(ld, group, "missing '%s'; add %s = \"...\"; or a list [ \"...\", ... ]", key, key);
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return add_word(ld, s, kind, v, n);
	if (!config_setting_is_aggregate(s) || config_setting_type(s) == CONFIG_TYPE_GROUP)
		return fail(ld, s, "'%s' must be a string or a list of strings", key);
	count = config_setting_length(s);
	for (int i = 0; i < count; i++)
		if (add_word(ld, config_setting_get_elem(s, (unsigned)i), kind, v, n) < 0)
			return -1;
	return 0;
}

/* Reads a list of user or group names (a string or a list of strings). */
static int get_names(const struct load *ld, const config_setting_t *s,
		     char ***v, size_t *n)
{
	bool single = config_setting_type(s) == CONFIG_TYPE_STRING;
	int count = single ? 1 : config_setting_length(s);

	if (!single && (!config_setting_is_aggregate(s) || config_setting_type(s) == CONFIG_TYPE_GROUP))
		return fail(ld, s, "'%s' must be a string or a list of strings", name_of(s));
	for (int i = 0; i < count; i++) {
		const config_setting_t *e = single ? s : config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_get_string(e);

		if (name == NULL || name[0] == '\0')
			return fail(ld, e, "'%s' must be a list of non-empty strings", name_of(s));
		if (grow(v, n, sizeof(char *)) < 0 || ((*v)[*n - 1] = strdup(name)) == NULL)
			return fail(ld, e, "out of memory");
	}
	return 0;
}

/* users.exclude defaults to [ "root" ] when not given. */
static int default_exclude(const struct load *ld)
{
	struct vsym_policy *p = ld->policy;

	p->exclude = calloc(1, sizeof(char *));
	if (p->exclude == NULL || (p->exclude[0] = strdup("root")) == NULL)
		return vsym_error_set(ld->err, "out of memory");
	p->nexclude = 1;
	return 0;
}

static int load_users(const struct load *ld, const config_setting_t *root)
{
	const config_setting_t *users = config_setting_get_member(root, "users");
	const config_setting_t *exclude, *groups;
	struct vsym_policy *p = ld->policy;

	if (users == NULL)
		return default_exclude(ld);
	if (config_setting_type(users) != CONFIG_TYPE_GROUP)
		return fail(ld, users, "'users' must be a group: users: { exclude = [ ... ]; groups = [ ... ]; };");
	if (check_keys(ld, users, users_keys, "users") < 0)
		return -1;
	exclude = config_setting_get_member(users, "exclude");
	if (exclude == NULL && default_exclude(ld) < 0)
		return -1;
	if (exclude != NULL && get_names(ld, exclude, &p->exclude, &p->nexclude) < 0)
		return -1;
	groups = config_setting_get_member(users, "groups");
	if (groups != NULL && get_names(ld, groups, &p->groups, &p->ngroups) < 0)
		return -1;
	return 0;
}

/* Notes which targets of a rule were written literally (no *, **, ~ or $):
 * only those may name a system target. */
static int mark_literal_targets(const struct load *ld, const config_setting_t *rule_setting,
				struct vsym_rule *rule)
{
	const config_setting_t *s = config_setting_get_member(rule_setting, "target");
	bool single = config_setting_type(s) == CONFIG_TYPE_STRING;

	rule->literal = calloc(rule->ntargets + 1, sizeof(bool));
	if (rule->literal == NULL)
		return fail(ld, s, "out of memory");
	for (size_t i = 0; i < rule->ntargets; i++) {
		const config_setting_t *e = single ? s : config_setting_get_elem(s, (unsigned)i);

		rule->literal[i] = strpbrk(config_setting_get_string(e), "*~$") == NULL;
	}
	return 0;
}

static int load_rule(const struct load *ld, const config_setting_t *s)
{
	struct vsym_policy *p = ld->policy;
	struct vsym_rule *rule;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return fail(ld, s, "each allow rule must be a group: { target = \"...\"; source = \"...\"; }");
	if (check_keys(ld, s, rule_keys, "an allow rule") < 0)
		return -1;
	if (grow(&p->rules, &p->nrules, sizeof(*p->rules)) < 0)
		return fail(ld, s, "out of memory");
	rule = &p->rules[p->nrules - 1];
	rule->line = line_of(s);
	if (get_paths(ld, s, "target", WORD_PATTERN, &rule->targets, &rule->ntargets) < 0 ||
	    get_paths(ld, s, "source", WORD_PATTERN, &rule->sources, &rule->nsources) < 0 ||
	    get_bool(ld, s, "readonly", &rule->readonly) < 0 ||
	    mark_literal_targets(ld, s, rule) < 0)
		return -1;
	if (rule->ntargets == 0 || rule->nsources == 0)
		return fail(ld, s, "an allow rule needs at least one target and one source");
	return 0;
}

/* Runs load_one on every element of the list member key of root. */
static int load_list(const struct load *ld, const config_setting_t *root, const char *key,
		     int (*load_one)(const struct load *, const config_setting_t *))
{
	const config_setting_t *list = config_setting_get_member(root, key);

	if (list == NULL)
		return 0;
	if (config_setting_type(list) != CONFIG_TYPE_LIST)
		return fail(ld, list, "'%s' must be a list: %s = ( { ... }, { ... } );", key, key);
	for (int i = 0; i < config_setting_length(list); i++)
		if (load_one(ld, config_setting_get_elem(list, (unsigned)i)) < 0)
			return -1;
	return 0;
}

/* A user file binds only inside the home: a system target is the system
 * file's to name. create = true makes directories only in the home. */
static int check_target_place(const struct load *ld, const config_setting_t *s,
			      const char *target, bool create)
{
	bool home = vsym_path_within(ld->user->home, target);

	if (!home && ld->origin == VSYM_ORIGIN_USER)
		return fail(ld, s, "target %s is outside your home; only %s may name a system target (pick a value of its variant instead)",
			    target, ld->system->label[VSYM_ORIGIN_SYSTEM]);
	if (!home && create)
		return fail(ld, s, "create = true makes only targets in the home; make %s once as root (mkdir)",
			    target);
	return 0;
}

static int load_bind(const struct load *ld, const config_setting_t *s)
{
	struct vsym_policy *p = ld->policy;
	struct vsym_bind *bind;
	const char *target, *source;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return fail(ld, s, "each bind must be a group: { source = \"...\"; target = \"...\"; }");
	if (check_keys(ld, s, bind_keys, "a bind") < 0 ||
	    need_string(ld, s, "target", "this bind", &target) < 0 ||
	    need_string(ld, s, "source", "this bind", &source) < 0)
		return -1;
	if (grow(&p->binds, &p->nbinds, sizeof(*p->binds)) < 0)
		return fail(ld, s, "out of memory");
	bind = &p->binds[p->nbinds - 1];
	bind->origin = ld->origin;
	bind->line = line_of(s);
	bind->target = path_word(ld, config_setting_get_member(s, "target"), target, WORD_PATH, NULL);
	bind->source = path_word(ld, config_setting_get_member(s, "source"), source, WORD_PATH, NULL);
	if (bind->target == NULL || bind->source == NULL)
		return -1;
	if (get_bool(ld, s, "readonly", &bind->readonly) < 0 ||
	    get_bool(ld, s, "optional", &bind->optional) < 0 ||
	    get_bool(ld, s, "create", &bind->create) < 0)
		return -1;
	return check_target_place(ld, config_setting_get_member(s, "target"), bind->target, bind->create);
}

static int check_value(const struct load *ld, const config_setting_t *s,
		       const char *name, const char *value)
{
	if (!vsym_variant_value_valid(value))
		return fail(ld, s, "'%s' is not a valid value for variant '%s': use letters, digits and . _ + - (not '.' or '..')",
			    value, name);
	return 0;
}

static int load_variant_paths(const struct load *ld, const config_setting_t *s,
			      struct vsym_variant *v)
{
	const char *target, *source;
	char ref[80];

	if (need_string(ld, s, "target", "this variant", &target) < 0 ||
	    need_string(ld, s, "source", "this variant", &source) < 0)
		return -1;
	v->target = path_word(ld, config_setting_get_member(s, "target"), target, WORD_PATH, NULL);
	if (v->target == NULL)
		return -1;
	v->source = path_word(ld, config_setting_get_member(s, "source"), source, WORD_TEMPLATE, v->name);
	if (v->source == NULL)
		return -1;
	vsym_variant_ref(v->name, ref, sizeof(ref));
	if (strstr(v->source, ref) == NULL)
		return fail(ld, s, "source of variant '%s' must use %s, as in \"~/.%ss/%s\"", v->name, ref, v->name, ref);
	if (vsym_variant_parse_template(v) < 0)
		return fail(ld, s, "out of memory");
	return 0;
}

static int load_variant_default(const struct load *ld, const config_setting_t *s,
				struct vsym_variant *v)
{
	const char *value;

	if (get_string(ld, s, "default", &value) < 0)
		return -1;
	if (value == NULL)
		return 0;
	if (check_value(ld, config_setting_get_member(s, "default"), v->name, value) < 0)
		return -1;
	v->value = strdup(value);
	if (v->value == NULL)
		return fail(ld, s, "out of memory");
	v->value_origin = ld->origin;
	v->value_line = line_of(config_setting_get_member(s, "default"));
	return 0;
}

static int add_alias(const struct load *ld, const config_setting_t *a, struct vsym_variant *v)
{
	char buf[160];
	const char *name = vsym_cfgtext_name(name_of(a), buf, sizeof(buf));
	const char *value = config_setting_get_string(a);
	size_t n = v->naliases;

	if (value == NULL)
		return fail(ld, a, "alias '%s' of variant '%s' must be a string: \"%s\" = \"VALUE\";", name, v->name, name);
	if (!vsym_variant_value_valid(name))
		return fail(ld, a, "alias '%s' of variant '%s' is not a valid value: use letters, digits and . _ + -", name, v->name);
	if (check_value(ld, a, v->name, value) < 0)
		return -1;
	if (grow(&v->alias_names, &n, sizeof(char *)) < 0 || grow(&v->alias_values, &v->naliases, sizeof(char *)) < 0)
		return fail(ld, a, "out of memory");
	v->alias_names[n - 1] = strdup(name);
	v->alias_values[n - 1] = strdup(value);
	if (v->alias_names[n - 1] == NULL || v->alias_values[n - 1] == NULL)
		return fail(ld, a, "out of memory");
	return 0;
}

static int check_project_name(const struct load *ld, const config_setting_t *s, const char *key,
			      const struct vsym_variant *v, const char *word)
{
	if (word == NULL || !vsym_variant_value_valid(word))
		return fail(ld, s, "'%s' of variant '%s' must be a plain name (letters, digits and . _ + -), as in \"%s\"",
			    key, v->name, strcmp(key, "tool") == 0 ? "golang" : ".go-version");
	return 0;
}

/* version_file = ".go-version"; or [ ".go-version", "go.mod" ];: names
 * looked up in project directories, never paths. */
static int load_version_files(const struct load *ld, const config_setting_t *s, struct vsym_variant *v)
{
	const config_setting_t *vf = config_setting_get_member(s, "version_file");
	bool single = vf != NULL && config_setting_type(vf) == CONFIG_TYPE_STRING;
	int count;

	if (vf == NULL)
		return 0;
	if (!single && (config_setting_type(vf) != CONFIG_TYPE_ARRAY && config_setting_type(vf) != CONFIG_TYPE_LIST))
		return fail(ld, vf, "'version_file' of variant '%s' must be a name or a list: [ \".go-version\", \"go.mod\" ]",
			    v->name);
	count = single ? 1 : config_setting_length(vf);
	for (int i = 0; i < count; i++) {
		const config_setting_t *e = single ? vf : config_setting_get_elem(vf, (unsigned)i);
		const char *word = config_setting_get_string(e);

		if (check_project_name(ld, e, "version_file", v, word) < 0)
			return -1;
		if (grow(&v->version_files, &v->nversion_files, sizeof(char *)) < 0 ||
		    (v->version_files[v->nversion_files - 1] = strdup(word)) == NULL)
			return fail(ld, e, "out of memory");
	}
	return 0;
}

/* tool = "golang"; a plain word, its name in .tool-versions. */
static int load_project_names(const struct load *ld, const config_setting_t *s,
			      struct vsym_variant *v)
{
	const char *word;

	if (get_string(ld, s, "tool", &word) < 0)
		return -1;
	if (word != NULL) {
		if (check_project_name(ld, config_setting_get_member(s, "tool"), "tool", v, word) < 0)
			return -1;
		if ((v->tool = strdup(word)) == NULL)
			return fail(ld, s, "out of memory");
	}
	return load_version_files(ld, s, v);
}

/* A relative path inside a choice's tree: no "/" first, no "." or "..". */
static bool tree_path_valid(const char *path)
{
	if (path[0] == '\0' || path[0] == '/' || vsym_has_control_char(path))
		return false;
	for (const char *p = path; *p != '\0';) {
		size_t len = strcspn(p, "/");

		if (len == 0 || vsym_is_dot_component(p, len))
			return false;
		p += len + (p[len] == '/');
	}
	return true;
}

/* True when pattern holds a back-reference (\1 .. \9): glibc matches
 * those by backtracking, which a pattern can make take exponential time
 * on a 64 KiB file at every login (invariant 8). */
static bool has_back_reference(const char *pattern)
{
	for (const char *p = pattern; *p != '\0'; p++) {
		if (*p != '\\')
			continue;
		if (p[1] >= '1' && p[1] <= '9')
			return true;
		if (p[1] != '\0')
			p++;
	}
	return false;
}

/* The pattern compiled as POSIX extended, with at least one group: its
 * first group is the version. */
static int compile_version_pattern(const struct load *ld, const config_setting_t *s, struct vsym_variant *v,
				   const char *pattern)
{
	char why[128];
	int rc;

	if (has_back_reference(pattern))
		return fail(ld, s, "version_from pattern of variant '%s' uses a back-reference (\\1 ... \\9), whose matching time has no bound; write it without one",
			    v->name);

	if ((v->version_from_re = calloc(1, sizeof(regex_t))) == NULL)
		return fail(ld, s, "out of memory");
	rc = regcomp(v->version_from_re, pattern, REG_EXTENDED);
	if (rc != 0) {
		regerror(rc, v->version_from_re, why, sizeof(why));
		free(v->version_from_re);
		v->version_from_re = NULL;
		return fail(ld, s, "version_from pattern of variant '%s' is not a POSIX extended regular expression (%s); write one with a group around the version, as \"go([0-9][0-9.]*)\"",
			    v->name, why);
	}
	if (v->version_from_re->re_nsub < 1)
		return fail(ld, s, "version_from pattern of variant '%s' has no group; put ( ) around the version, as in \"go([0-9][0-9.]*)\"",
			    v->name);
	return 0;
}

/* version_from = { file = "VERSION"; pattern = "go([0-9][0-9.]*)"; }; */
static int load_version_from(const struct load *ld, const config_setting_t *s, struct vsym_variant *v)
{
	const config_setting_t *g = config_setting_get_member(s, "version_from");
	const char *file, *pattern;

	if (g == NULL)
		return 0;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return fail(ld, g, "'version_from' must be a group: version_from = { file = \"VERSION\"; pattern = \"go([0-9][0-9.]*)\"; };");
	if (check_keys(ld, g, version_from_keys, "version_from") < 0 ||
	    need_string(ld, g, "file", "version_from", &file) < 0 ||
	    need_string(ld, g, "pattern", "version_from", &pattern) < 0)
		return -1;
	if (!tree_path_valid(file))
		return fail(ld, config_setting_get_member(g, "file"),
			    "version_from file of variant '%s' must be a path inside each choice's tree, as \"VERSION\" (no leading /, no . or ..)",
			    v->name);
	if ((v->version_from_file = strdup(file)) == NULL || (v->version_from_pattern = strdup(pattern)) == NULL)
		return fail(ld, g, "out of memory");
	return compile_version_pattern(ld, config_setting_get_member(g, "pattern"), v, pattern);
}

/* match = "exact" | "newer-patch"; */
static int load_match(const struct load *ld, const config_setting_t *s, struct vsym_variant *v)
{
	const char *match;

	if (get_string(ld, s, "match", &match) < 0)
		return -1;
	if (match == NULL || strcmp(match, "exact") == 0)
		return 0;
	if (strcmp(match, "newer-patch") != 0)
		return fail(ld, config_setting_get_member(s, "match"),
			    "match of variant '%s' must be \"exact\" or \"newer-patch\"", v->name);
	v->match = VSYM_MATCH_NEWER_PATCH;
	return 0;
}

/* aliases = { lts = "1.22.12"; "17" = "java-17-openjdk-amd64"; }; */
static int load_aliases(const struct load *ld, const config_setting_t *s, struct vsym_variant *v)
{
	const config_setting_t *group = config_setting_get_member(s, "aliases");

	if (group == NULL)
		return 0;
	if (config_setting_type(group) != CONFIG_TYPE_GROUP)
		return fail(ld, group, "'aliases' must be a group: aliases = { lts = \"1.22.12\"; \"17\" = \"java-17-openjdk-amd64\"; };");
	for (int i = 0; i < config_setting_length(group); i++)
		if (add_alias(ld, config_setting_get_elem(group, (unsigned)i), v) < 0)
			return -1;
	return 0;
}

static int define_variant(const struct load *ld, const config_setting_t *s)
{
	struct vsym_policy *p = ld->policy;
	const char *name = name_of(s);
	struct vsym_variant *v;

	if (ld->system != NULL && vsym_policy_variant(ld->system, name) != NULL)
		return fail(ld, s, "variant '%s' is defined in %s; pick a value with %s = \"...\"; instead",
			    name, ld->system->label[VSYM_ORIGIN_SYSTEM], name);
	if (check_keys(ld, s, variant_keys, "a variant") < 0)
		return -1;
	if (grow(&p->variants, &p->nvariants, sizeof(*p->variants)) < 0)
		return fail(ld, s, "out of memory");
	v = &p->variants[p->nvariants - 1];
	v->origin = ld->origin;
	v->line = line_of(s);
	if ((v->name = strdup(name)) == NULL)
		return fail(ld, s, "out of memory");
	if (load_variant_paths(ld, s, v) < 0 || load_variant_default(ld, s, v) < 0 ||
	    get_bool(ld, s, "readonly", &v->readonly) < 0 ||
	    get_bool(ld, s, "create", &v->create) < 0 ||
	    load_aliases(ld, s, v) < 0 || load_project_names(ld, s, v) < 0 ||
	    load_version_from(ld, s, v) < 0 || load_match(ld, s, v) < 0)
		return -1;
	return check_target_place(ld, config_setting_get_member(s, "target"), v->target, v->create);
}

/* The system variant .tool-versions knows by tool = name, or NULL. */
static const struct vsym_variant *variant_of_tool(const struct vsym_policy *system, const char *name)
{
	for (size_t i = 0; i < system->nvariants; i++)
		if (system->variants[i].tool != NULL && strcmp(system->variants[i].tool, name) == 0)
			return &system->variants[i];
	return NULL;
}

/* The names of the system file's variants, "go, jdk", into buf. */
static void variant_names(const struct vsym_policy *system, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < system->nvariants && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", system->variants[i].name);
	if (used == 0)
		snprintf(buf, size, "none");
}

/* A value for a variant the system file does not define: what it is
 * called there, or which there are. */
static int no_such_variant(const struct load *ld, const config_setting_t *s, const char *name, const char *value)
{
	const struct vsym_variant *v = variant_of_tool(ld->system, name);
	const char *label = ld->system->label[VSYM_ORIGIN_SYSTEM];
	char names[256];

	if (v != NULL)
		return fail(ld, s, "'%s' is variant '%s' (tool = \"%s\" in %s names it so for .tool-versions); here write %s = \"%s\";",
			    name, v->name, name, label, v->name, value);
	variant_names(ld->system, names, sizeof(names));
	return fail(ld, s, "no variant '%s' is defined in %s (its variants: %s); pick a value of one of those, "
		    "or define a variant of your own in your home as %s = { target = \"~/...\"; source = \"~/...${%s}\"; };",
		    name, label, names, name, name);
}

static int pick_variant(const struct load *ld, const config_setting_t *s,
			struct pick **picks, size_t *npicks)
{
	const char *name = name_of(s);
	const char *value = config_setting_get_string(s);
	struct vsym_variant *v;

	if (ld->origin == VSYM_ORIGIN_SYSTEM || ld->system == NULL)
		return fail(ld, s, "variant '%s' must be a group: %s = { target = \"...\"; source = \"...${%s}\"; default = \"...\"; };",
			    name, name, name);
	v = vsym_policy_variant(ld->system, name);
	if (v == NULL)
		return no_such_variant(ld, s, name, value);
	if (check_value(ld, s, name, value) < 0)
		return -1;
	if (grow(picks, npicks, sizeof(**picks)) < 0 ||
	    ((*picks)[*npicks - 1].value = strdup(value)) == NULL)
		return fail(ld, s, "out of memory");
	(*picks)[*npicks - 1].variant = (size_t)(v - ld->system->variants);
	(*picks)[*npicks - 1].line = line_of(s);
	return 0;
}

static int load_variants(const struct load *ld, const config_setting_t *root,
			 struct pick **picks, size_t *npicks)
{
	const config_setting_t *group = config_setting_get_member(root, "variants");

	if (group == NULL)
		return 0;
	if (config_setting_type(group) != CONFIG_TYPE_GROUP)
		return fail(ld, group, "'variants' must be a group: variants: { go = { ... }; };");
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		int type = config_setting_type(s);

		if (!vsym_variant_name_valid(name_of(s)))
			return fail(ld, s, "'%s' is not a valid variant name: use letters, digits and _", name_of(s));
		if (type == CONFIG_TYPE_GROUP && define_variant(ld, s) < 0)
			return -1;
		if (type == CONFIG_TYPE_STRING && pick_variant(ld, s, picks, npicks) < 0)
			return -1;
		if ((type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64 || type == CONFIG_TYPE_FLOAT) &&
		    ld->origin == VSYM_ORIGIN_USER)
			return fail(ld, s, "the value of variant '%s' is a number; write it in quotes: %s = \"...\";",
				    name_of(s), name_of(s));
		if (type != CONFIG_TYPE_GROUP && type != CONFIG_TYPE_STRING)
			return fail(ld, s, "variant '%s' must be a group (a definition) or a string (a value)", name_of(s));
	}
	return 0;
}

static int load_version(const struct load *ld, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "version");

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT || config_setting_get_int(s) != 1)
		return fail(ld, s, "unsupported version; this vsym reads version = 1;");
	return 0;
}

static int load_max_binds(const struct load *ld, const config_setting_t *root)
{
	const config_setting_t *s = config_setting_get_member(root, "max_binds");
	int n;

	ld->policy->max_binds = VSYM_DEFAULT_MAX_BINDS;
	if (s == NULL)
		return 0;
	n = config_setting_type(s) == CONFIG_TYPE_INT ? config_setting_get_int(s) : -1;
	if (n < 0 || n > VSYM_MAX_BINDS_LIMIT)
		return fail(ld, s, "'max_binds' must be a whole number from 0 to %d", VSYM_MAX_BINDS_LIMIT);
	ld->policy->max_binds = (unsigned)n;
	return 0;
}

static int load_on_error(const struct load *ld, const config_setting_t *root)
{
	const char *mode;

	ld->policy->on_error = VSYM_ON_ERROR_WARN;
	if (get_string(ld, root, "on_error", &mode) < 0)
		return -1;
	if (mode == NULL)
		return 0;
	if (strcmp(mode, "deny") == 0)
		ld->policy->on_error = VSYM_ON_ERROR_DENY;
	else if (strcmp(mode, "warn") != 0)
		return fail(ld, config_setting_get_member(root, "on_error"),
			    "'on_error' must be \"warn\" or \"deny\", not \"%s\"", mode);
	return 0;
}

/* Refuses what libconfig would act on or silently cut: a NUL byte ends its
 * input early, and "@include" would make it open another file, as root. */
static int check_text(const struct load *ld, const char *text, size_t len)
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
static int parse(const struct load *ld, config_t *cfg, const char *text, size_t len)
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

	return v != NULL ? v : variant_of_tool(system, name);
}

static int check_user_keys(const struct load *ld, const config_setting_t *root)
{
	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *key = name_of(s);
		const struct vsym_variant *v;
		size_t k = 0;

		while (user_keys[k] != NULL && strcmp(user_keys[k], key) != 0)
			k++;
		if (user_keys[k] == NULL && is_system_only(key))
			return fail(ld, s, "'%s' may only be set in %s; a user file holds binds and variants",
				    key, ld->system->label[VSYM_ORIGIN_SYSTEM]);
		v = user_keys[k] == NULL ? variant_named(ld->system, key) : NULL;
		if (v != NULL)
			return fail(ld, s, "unknown key '%s': a value of a variant goes under variants: variants: { %s = \"%s\"; };",
				    key, v->name, config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : "...");
	}
	return check_keys(ld, root, user_keys, "a user file");
}

static int set_label(const struct load *ld)
{
	ld->policy->label[ld->origin] = strdup(ld->label);
	return ld->policy->label[ld->origin] ? 0 : vsym_error_set(ld->err, "out of memory");
}

static int load_system_settings(const struct load *ld, const config_setting_t *root)
{
	ld->policy->user_config = true;
	if (check_keys(ld, root, system_keys, "the system file") < 0 ||
	    load_version(ld, root) < 0 || load_users(ld, root) < 0 ||
	    load_list(ld, root, "allow", load_rule) < 0 ||
	    load_variants(ld, root, NULL, NULL) < 0 ||
	    load_list(ld, root, "binds", load_bind) < 0 ||
	    get_bool(ld, root, "user_config", &ld->policy->user_config) < 0 ||
	    load_max_binds(ld, root) < 0 || load_on_error(ld, root) < 0)
		return -1;
	return 0;
}

int vsym_cfg_load_system(struct vsym_policy *policy, const char *label,
			 const char *text, size_t len,
			 const struct vsym_user *user, struct vsym_error *err)
{
	struct load ld = {
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

static void picks_free(struct pick *picks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(picks[i].value);
	free(picks);
}

/* Moves the user part into policy. Returns -1 only when out of memory, and
 * then policy is unchanged. */
static int merge_user(struct vsym_policy *policy, struct vsym_policy *part,
		      struct pick *picks, size_t npicks)
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
	struct load ld = {
		.policy = &part, .system = policy, .origin = VSYM_ORIGIN_USER,
		.label = label, .user = user, .err = err,
	};
	struct pick *picks = NULL;
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
		rc = load_variants(&ld, config_root_setting(&cfg), &picks, &npicks);
	if (rc == 0)
		rc = load_list(&ld, config_root_setting(&cfg), "binds", load_bind);
	if (rc == 0 && (policy->label[VSYM_ORIGIN_USER] = strdup(label)) == NULL)
		rc = vsym_error_set(err, "out of memory");
	if (rc == 0 && merge_user(policy, &part, picks, npicks) < 0)
		rc = vsym_error_set(err, "out of memory");
	if (rc == 0)
		policy->user_loaded = true;
	config_destroy(&cfg);
	picks_free(picks, npicks);
	vsym_policy_free(&part);
	return rc;
}

int vsym_cfg_user_spot(const char *label, const char *text, size_t len, const char *name,
		       struct vsym_cfgtext_spot *spot, struct vsym_error *err)
{
	struct load ld = { .label = label, .err = err };
	const config_setting_t *group, *pick;
	config_t cfg;
	int rc;

	memset(spot, 0, sizeof(*spot));
	config_init(&cfg);
	rc = parse(&ld, &cfg, text, len);
	group = rc == 0 ? config_setting_get_member(config_root_setting(&cfg), "variants") : NULL;
	if (group != NULL && config_setting_type(group) == CONFIG_TYPE_GROUP) {
		spot->variants_line = line_of(group);
		pick = config_setting_get_member(group, name);
		if (pick != NULL && config_setting_type(pick) != CONFIG_TYPE_STRING)
			rc = fail(&ld, pick, "variant '%s' is defined here; change its default in this file", name);
		else if (pick != NULL)
			spot->pick_line = line_of(pick);
	}
	config_destroy(&cfg);
	return rc;
}

void vsym_policy_free(struct vsym_policy *policy)
{
	for (size_t i = 0; i < policy->nrules; i++) {
		strv_free(policy->rules[i].targets, policy->rules[i].ntargets);
		strv_free(policy->rules[i].sources, policy->rules[i].nsources);
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
		strv_free(policy->variants[i].version_files, policy->variants[i].nversion_files);
		free(policy->variants[i].version_from_file);
		free(policy->variants[i].version_from_pattern);
		if (policy->variants[i].version_from_re != NULL)
			regfree(policy->variants[i].version_from_re);
		free(policy->variants[i].version_from_re);
		strv_free(policy->variants[i].alias_names, policy->variants[i].naliases);
		strv_free(policy->variants[i].alias_values, policy->variants[i].naliases);
	}
	strv_free(policy->exclude, policy->nexclude);
	strv_free(policy->groups, policy->ngroups);
	free(policy->rules);
	free(policy->binds);
	free(policy->variants);
	free(policy->label[0]);
	free(policy->label[1]);
	free(policy->home);
	memset(policy, 0, sizeof(*policy));
}
