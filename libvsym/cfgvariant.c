/* The `variants` block of vsym.conf and ~/.vsymrc: a definition (target,
 * source template, default, aliases, tool and version_file for project
 * files, version_from, match) or, in the user file, a pick of a value of
 * a system variant, applied by cfg.c once the whole file is valid. */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgread.h"
#include "cfgtext.h"
#include "cfgvariant.h"
#include "expand.h"

static const char *const variant_keys[] = {
	"target", "source", "default", "readonly", "create", "aliases", "tool", "version_file",
	"version_from", "match", NULL
};
static const char *const version_from_keys[] = { "file", "pattern", NULL };

static int check_value(const struct vsym_cfgread_load *ld, const config_setting_t *s,
		       const char *name, const char *value)
{
	if (!vsym_variant_value_valid(value))
		return vsym_cfgread_fail(ld, s, "'%s' is not a valid value for variant '%s': use letters, digits and . _ + - (not '.' or '..')",
					 value, name);
	return 0;
}

static int load_variant_paths(const struct vsym_cfgread_load *ld, const config_setting_t *s,
			      struct vsym_variant *v)
{
	const char *target, *source;
	char ref[80];

	if (vsym_cfgread_need_string(ld, s, "target", "this variant", &target) < 0 ||
	    vsym_cfgread_need_string(ld, s, "source", "this variant", &source) < 0)
		return -1;
	v->target = vsym_cfgread_path(ld, config_setting_get_member(s, "target"), target, VSYM_CFGREAD_PATH, NULL);
	if (v->target == NULL)
		return -1;
	v->source = vsym_cfgread_path(ld, config_setting_get_member(s, "source"), source, VSYM_CFGREAD_TEMPLATE, v->name);
	if (v->source == NULL)
		return -1;
	vsym_variant_ref(v->name, ref, sizeof(ref));
	if (strstr(v->source, ref) == NULL)
		return vsym_cfgread_fail(ld, s, "source of variant '%s' must use %s, as in \"~/.%ss/%s\"", v->name, ref, v->name, ref);
	if (vsym_variant_parse_template(v) < 0)
		return vsym_cfgread_fail(ld, s, "out of memory");
	return 0;
}

static int load_variant_default(const struct vsym_cfgread_load *ld, const config_setting_t *s,
				struct vsym_variant *v)
{
	const char *value;

	if (vsym_cfgread_string(ld, s, "default", &value) < 0)
		return -1;
	if (value == NULL)
		return 0;
	if (check_value(ld, config_setting_get_member(s, "default"), v->name, value) < 0)
		return -1;
	v->value = strdup(value);
	if (v->value == NULL)
		return vsym_cfgread_fail(ld, s, "out of memory");
	v->value_origin = ld->origin;
	v->value_line = vsym_cfgread_line(config_setting_get_member(s, "default"));
	return 0;
}

static int add_alias(const struct vsym_cfgread_load *ld, const config_setting_t *a, struct vsym_variant *v)
{
	char buf[160];
	const char *name = vsym_cfgtext_name(vsym_cfgread_name(a), buf, sizeof(buf));
	const char *value = config_setting_get_string(a);
	size_t n = v->naliases;

	if (value == NULL)
		return vsym_cfgread_fail(ld, a, "alias '%s' of variant '%s' must be a string: \"%s\" = \"VALUE\";", name, v->name, name);
	if (!vsym_variant_value_valid(name))
		return vsym_cfgread_fail(ld, a, "alias '%s' of variant '%s' is not a valid value: use letters, digits and . _ + -", name, v->name);
	if (check_value(ld, a, v->name, value) < 0)
		return -1;
	if (vsym_cfgread_grow(&v->alias_names, &n, sizeof(char *)) < 0 || vsym_cfgread_grow(&v->alias_values, &v->naliases, sizeof(char *)) < 0)
		return vsym_cfgread_fail(ld, a, "out of memory");
	v->alias_names[n - 1] = strdup(name);
	v->alias_values[n - 1] = strdup(value);
	if (v->alias_names[n - 1] == NULL || v->alias_values[n - 1] == NULL)
		return vsym_cfgread_fail(ld, a, "out of memory");
	return 0;
}

static int check_project_name(const struct vsym_cfgread_load *ld, const config_setting_t *s, const char *key,
			      const struct vsym_variant *v, const char *word)
{
	if (word == NULL || !vsym_variant_value_valid(word))
		return vsym_cfgread_fail(ld, s, "'%s' of variant '%s' must be a plain name (letters, digits and . _ + -), as in \"%s\"",
					 key, v->name, strcmp(key, "tool") == 0 ? "golang" : ".go-version");
	return 0;
}

/* version_file = ".go-version"; or [ ".go-version", "go.mod" ];: names
 * looked up in project directories, never paths. */
static int load_version_files(const struct vsym_cfgread_load *ld, const config_setting_t *s, struct vsym_variant *v)
{
	const config_setting_t *vf = config_setting_get_member(s, "version_file");
	bool single = vf != NULL && config_setting_type(vf) == CONFIG_TYPE_STRING;
	int count;

	if (vf == NULL)
		return 0;
	if (!single && (config_setting_type(vf) != CONFIG_TYPE_ARRAY && config_setting_type(vf) != CONFIG_TYPE_LIST))
		return vsym_cfgread_fail(ld, vf, "'version_file' of variant '%s' must be a name or a list: [ \".go-version\", \"go.mod\" ]",
					 v->name);
	count = single ? 1 : config_setting_length(vf);
	for (int i = 0; i < count; i++) {
		const config_setting_t *e = single ? vf : config_setting_get_elem(vf, (unsigned)i);
		const char *word = config_setting_get_string(e);

		if (check_project_name(ld, e, "version_file", v, word) < 0)
			return -1;
		if (vsym_cfgread_grow(&v->version_files, &v->nversion_files, sizeof(char *)) < 0 ||
		    (v->version_files[v->nversion_files - 1] = strdup(word)) == NULL)
			return vsym_cfgread_fail(ld, e, "out of memory");
	}
	return 0;
}

/* tool = "golang"; a plain word, its name in .tool-versions. */
static int load_project_names(const struct vsym_cfgread_load *ld, const config_setting_t *s,
			      struct vsym_variant *v)
{
	const char *word;

	if (vsym_cfgread_string(ld, s, "tool", &word) < 0)
		return -1;
	if (word != NULL) {
		if (check_project_name(ld, config_setting_get_member(s, "tool"), "tool", v, word) < 0)
			return -1;
		if ((v->tool = strdup(word)) == NULL)
			return vsym_cfgread_fail(ld, s, "out of memory");
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
static int compile_version_pattern(const struct vsym_cfgread_load *ld, const config_setting_t *s, struct vsym_variant *v,
				   const char *pattern)
{
	char why[128];
	int rc;

	if (has_back_reference(pattern))
		return vsym_cfgread_fail(ld, s, "version_from pattern of variant '%s' uses a back-reference (\\1 ... \\9), whose matching time has no bound; write it without one",
					 v->name);

	if ((v->version_from_re = calloc(1, sizeof(regex_t))) == NULL)
		return vsym_cfgread_fail(ld, s, "out of memory");
	rc = regcomp(v->version_from_re, pattern, REG_EXTENDED);
	if (rc != 0) {
		regerror(rc, v->version_from_re, why, sizeof(why));
		free(v->version_from_re);
		v->version_from_re = NULL;
		return vsym_cfgread_fail(ld, s, "version_from pattern of variant '%s' is not a POSIX extended regular expression (%s); write one with a group around the version, as \"go([0-9][0-9.]*)\"",
					 v->name, why);
	}
	if (v->version_from_re->re_nsub < 1)
		return vsym_cfgread_fail(ld, s, "version_from pattern of variant '%s' has no group; put ( ) around the version, as in \"go([0-9][0-9.]*)\"",
					 v->name);
	return 0;
}

/* version_from = { file = "VERSION"; pattern = "go([0-9][0-9.]*)"; }; */
static int load_version_from(const struct vsym_cfgread_load *ld, const config_setting_t *s, struct vsym_variant *v)
{
	const config_setting_t *g = config_setting_get_member(s, "version_from");
	const char *file, *pattern;

	if (g == NULL)
		return 0;
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return vsym_cfgread_fail(ld, g, "'version_from' must be a group: version_from = { file = \"VERSION\"; pattern = \"go([0-9][0-9.]*)\"; };");
	if (vsym_cfgread_check_keys(ld, g, version_from_keys, "version_from") < 0 ||
	    vsym_cfgread_need_string(ld, g, "file", "version_from", &file) < 0 ||
	    vsym_cfgread_need_string(ld, g, "pattern", "version_from", &pattern) < 0)
		return -1;
	if (!tree_path_valid(file))
		return vsym_cfgread_fail(ld, config_setting_get_member(g, "file"),
					 "version_from file of variant '%s' must be a path inside each choice's tree, as \"VERSION\" (no leading /, no . or ..)",
					 v->name);
	if ((v->version_from_file = strdup(file)) == NULL || (v->version_from_pattern = strdup(pattern)) == NULL)
		return vsym_cfgread_fail(ld, g, "out of memory");
	return compile_version_pattern(ld, config_setting_get_member(g, "pattern"), v, pattern);
}

/* match = "exact" | "newer-patch"; */
static int load_match(const struct vsym_cfgread_load *ld, const config_setting_t *s, struct vsym_variant *v)
{
	const char *match;

	if (vsym_cfgread_string(ld, s, "match", &match) < 0)
		return -1;
	if (match == NULL || strcmp(match, "exact") == 0)
		return 0;
	if (strcmp(match, "newer-patch") != 0)
		return vsym_cfgread_fail(ld, config_setting_get_member(s, "match"),
					 "match of variant '%s' must be \"exact\" or \"newer-patch\"", v->name);
	v->match = VSYM_MATCH_NEWER_PATCH;
	return 0;
}

/* aliases = { lts = "1.22.12"; "17" = "java-17-openjdk-amd64"; }; */
static int load_aliases(const struct vsym_cfgread_load *ld, const config_setting_t *s, struct vsym_variant *v)
{
	const config_setting_t *group = config_setting_get_member(s, "aliases");

	if (group == NULL)
		return 0;
	if (config_setting_type(group) != CONFIG_TYPE_GROUP)
		return vsym_cfgread_fail(ld, group, "'aliases' must be a group: aliases = { lts = \"1.22.12\"; \"17\" = \"java-17-openjdk-amd64\"; };");
	for (int i = 0; i < config_setting_length(group); i++)
		if (add_alias(ld, config_setting_get_elem(group, (unsigned)i), v) < 0)
			return -1;
	return 0;
}

static int define_variant(const struct vsym_cfgread_load *ld, const config_setting_t *s)
{
	struct vsym_policy *p = ld->policy;
	const char *name = vsym_cfgread_name(s);
	struct vsym_variant *v;

	if (ld->system != NULL && vsym_policy_variant(ld->system, name) != NULL)
		return vsym_cfgread_fail(ld, s, "variant '%s' is defined in %s; pick a value with %s = \"...\"; instead",
					 name, ld->system->label[VSYM_ORIGIN_SYSTEM], name);
	if (vsym_cfgread_check_keys(ld, s, variant_keys, "a variant") < 0)
		return -1;
	if (vsym_cfgread_grow(&p->variants, &p->nvariants, sizeof(*p->variants)) < 0)
		return vsym_cfgread_fail(ld, s, "out of memory");
	v = &p->variants[p->nvariants - 1];
	v->origin = ld->origin;
	v->line = vsym_cfgread_line(s);
	if ((v->name = strdup(name)) == NULL)
		return vsym_cfgread_fail(ld, s, "out of memory");
	if (load_variant_paths(ld, s, v) < 0 || load_variant_default(ld, s, v) < 0 ||
	    vsym_cfgread_bool(ld, s, "readonly", &v->readonly) < 0 ||
	    vsym_cfgread_bool(ld, s, "create", &v->create) < 0 ||
	    load_aliases(ld, s, v) < 0 || load_project_names(ld, s, v) < 0 ||
	    load_version_from(ld, s, v) < 0 || load_match(ld, s, v) < 0)
		return -1;
	return vsym_cfgread_check_target_place(ld, config_setting_get_member(s, "target"), v->target, v->create);
}

/* The system variant .tool-versions knows by tool = name, or NULL. */
const struct vsym_variant *vsym_cfgvariant_of_tool(const struct vsym_policy *system, const char *name)
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
static int no_such_variant(const struct vsym_cfgread_load *ld, const config_setting_t *s, const char *name, const char *value)
{
	const struct vsym_variant *v = vsym_cfgvariant_of_tool(ld->system, name);
	const char *label = ld->system->label[VSYM_ORIGIN_SYSTEM];
	char names[256];

	if (v != NULL)
		return vsym_cfgread_fail(ld, s, "'%s' is variant '%s' (tool = \"%s\" in %s names it so for .tool-versions); here write %s = \"%s\";",
					 name, v->name, name, label, v->name, value);
	variant_names(ld->system, names, sizeof(names));
	return vsym_cfgread_fail(ld, s, "no variant '%s' is defined in %s (its variants: %s); pick a value of one of those, "
				 "or define a variant of your own in your home as %s = { target = \"~/...\"; source = \"~/...${%s}\"; };",
				 name, label, names, name, name);
}

static int pick_variant(const struct vsym_cfgread_load *ld, const config_setting_t *s,
			struct vsym_cfgvariant_pick **picks, size_t *npicks)
{
	const char *name = vsym_cfgread_name(s);
	const char *value = config_setting_get_string(s);
	struct vsym_variant *v;

	if (ld->origin == VSYM_ORIGIN_SYSTEM || ld->system == NULL)
		return vsym_cfgread_fail(ld, s, "variant '%s' must be a group: %s = { target = \"...\"; source = \"...${%s}\"; default = \"...\"; };",
					 name, name, name);
	v = vsym_policy_variant(ld->system, name);
	if (v == NULL)
		return no_such_variant(ld, s, name, value);
	if (check_value(ld, s, name, value) < 0)
		return -1;
	if (vsym_cfgread_grow(picks, npicks, sizeof(**picks)) < 0 ||
	    ((*picks)[*npicks - 1].value = strdup(value)) == NULL)
		return vsym_cfgread_fail(ld, s, "out of memory");
	(*picks)[*npicks - 1].variant = (size_t)(v - ld->system->variants);
	(*picks)[*npicks - 1].line = vsym_cfgread_line(s);
	return 0;
}

int vsym_cfgvariant_load(const struct vsym_cfgread_load *ld, const config_setting_t *root,
			 struct vsym_cfgvariant_pick **picks, size_t *npicks)
{
	const config_setting_t *group = config_setting_get_member(root, "variants");

	if (group == NULL)
		return 0;
	if (config_setting_type(group) != CONFIG_TYPE_GROUP)
		return vsym_cfgread_fail(ld, group, "'variants' must be a group: variants: { go = { ... }; };");
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		int type = config_setting_type(s);

		if (!vsym_variant_name_valid(vsym_cfgread_name(s)))
			return vsym_cfgread_fail(ld, s, "'%s' is not a valid variant name: use letters, digits and _", vsym_cfgread_name(s));
		if (type == CONFIG_TYPE_GROUP && define_variant(ld, s) < 0)
			return -1;
		if (type == CONFIG_TYPE_STRING && pick_variant(ld, s, picks, npicks) < 0)
			return -1;
		if ((type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64 || type == CONFIG_TYPE_FLOAT) &&
		    ld->origin == VSYM_ORIGIN_USER)
			return vsym_cfgread_fail(ld, s, "the value of variant '%s' is a number; write it in quotes: %s = \"...\";",
						 vsym_cfgread_name(s), vsym_cfgread_name(s));
		if (type != CONFIG_TYPE_GROUP && type != CONFIG_TYPE_STRING)
			return vsym_cfgread_fail(ld, s, "variant '%s' must be a group (a definition) or a string (a value)", vsym_cfgread_name(s));
	}
	return 0;
}

void vsym_cfgvariant_picks_free(struct vsym_cfgvariant_pick *picks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(picks[i].value);
	free(picks);
}
