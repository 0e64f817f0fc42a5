/* The libconfig value readers of one load of vsym.conf or ~/.vsymrc:
 * strings, booleans, paths and patterns (expanded, normalised, checked)
 * and name lists, each error reported as "FILE:LINE: what to do". */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgread.h"
#include "expand.h"

unsigned vsym_cfgread_line(const config_setting_t *s)
{
	return config_setting_source_line(s);
}

/* Reports "FILE:LINE: message" and returns -1. */
int vsym_cfgread_fail(const struct vsym_cfgread_load *ld, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsym_cfgread_fail(const struct vsym_cfgread_load *ld, const config_setting_t *s, const char *fmt, ...)
{
	char msg[VSYM_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return vsym_error_at(ld->err, ld->label, s ? vsym_cfgread_line(s) : 0, "%s", msg);
}

const char *vsym_cfgread_name(const config_setting_t *s)
{
	const char *name = config_setting_name(s);

	return name ? name : "(element)";
}

int vsym_cfgread_grow(void *array, size_t *n, size_t size)
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

void vsym_cfgread_strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Refuses keys of group s that are not in known. */
int vsym_cfgread_check_keys(const struct vsym_cfgread_load *ld, const config_setting_t *s,
			    const char *const *known, const char *where)
{
	for (int i = 0; i < config_setting_length(s); i++) {
		const config_setting_t *child = config_setting_get_elem(s, (unsigned)i);
		const char *name = vsym_cfgread_name(child);
		size_t k = 0;

		while (known[k] != NULL && strcmp(known[k], name) != 0)
			k++;
		if (known[k] == NULL)
			return vsym_cfgread_fail(ld, child, "unknown key '%s' in %s", name, where);
	}
	return 0;
}

int vsym_cfgread_bool(const struct vsym_cfgread_load *ld, const config_setting_t *group,
		      const char *key, bool *out)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return vsym_cfgread_fail(ld, s, "'%s' must be true or false", key);
	*out = config_setting_get_bool(s) != 0;
	return 0;
}

/* Sets *out to the string member key of group, or NULL when absent. */
int vsym_cfgread_string(const struct vsym_cfgread_load *ld, const config_setting_t *group,
			const char *key, const char **out)
{
	const config_setting_t *s = config_setting_get_member(group, key);

	*out = NULL;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return vsym_cfgread_fail(ld, s, "'%s' must be a string", key);
	*out = config_setting_get_string(s);
	return 0;
}

int vsym_cfgread_need_string(const struct vsym_cfgread_load *ld, const config_setting_t *group,
			     const char *key, const char *what, const char **out)
{
	if (vsym_cfgread_string(ld, group, key, out) < 0)
		return -1;
	if (*out == NULL)
		return vsym_cfgread_fail(ld, group, "%s has no '%s'; add %s = \"...\";", what, key, key);
	return 0;
}

static int check_globstars(const struct vsym_cfgread_load *ld, const config_setting_t *s,
			   const char *path)
{
	for (const char *p = strstr(path, "**"); p != NULL; p = strstr(p + 2, "**")) {
		bool starts = p == path || p[-1] == '/';
		bool ends = p[2] == '\0' || p[2] == '/';

		if (!starts || !ends)
			return vsym_cfgread_fail(ld, s, "'%s': '**' must be a whole path component, as in /opt/**/bin", path);
	}
	return 0;
}

/* Expands one path word of setting s and checks it suits kind; var names
 * the variant for a template. Returns the new string or NULL. */
char *vsym_cfgread_path(const struct vsym_cfgread_load *ld, const config_setting_t *s,
			const char *word, enum vsym_cfgread_word kind, const char *var)
{
	struct vsym_expand_ctx ctx = {
		.user = ld->user->name, .home = ld->user->home, .var_name = var,
	};
	struct vsym_error e;
	char *path = vsym_expand(word, &ctx, &e);

	if (path == NULL) {
		vsym_cfgread_fail(ld, s, "%s", e.text);
		return NULL;
	}
	if (vsym_has_control_char(path)) {
		vsym_cfgread_fail(ld, s, "a path holds a control character; write it without one");
	} else if (vsym_path_normalize(path, &e) < 0) {
		vsym_cfgread_fail(ld, s, "%s", e.text);
	} else if (kind != VSYM_CFGREAD_PATTERN && strchr(path, '*') != NULL) {
		vsym_cfgread_fail(ld, s, "'%s': a bind names one path; patterns belong in allow rules", word);
	} else if (kind == VSYM_CFGREAD_PATTERN && check_globstars(ld, s, path) < 0) {
		/* reported */
	} else {
		return path;
	}
	free(path);
	return NULL;
}

static int add_word(const struct vsym_cfgread_load *ld, const config_setting_t *s,
		    enum vsym_cfgread_word kind, char ***v, size_t *n)
{
	char *word;

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return vsym_cfgread_fail(ld, s, "expected a string or a list of strings");
	word = vsym_cfgread_path(ld, s, config_setting_get_string(s), kind, NULL);
	if (word == NULL)
		return -1;
	if (vsym_cfgread_grow(v, n, sizeof(char *)) < 0) {
		free(word);
		return vsym_cfgread_fail(ld, s, "out of memory");
	}
	(*v)[*n - 1] = word;
	return 0;
}

/* Reads member key of group, a string or a list of strings, as paths or
 * patterns of kind. */
int vsym_cfgread_paths(const struct vsym_cfgread_load *ld, const config_setting_t *group,
		       const char *key, enum vsym_cfgread_word kind, char ***v, size_t *n)
{
	const config_setting_t *s = config_setting_get_member(group, key);
	int count;

	if (s == NULL)
		return vsym_cfgread_fail(ld, group, "missing '%s'; add %s = \"...\"; or a list [ \"...\", ... ]", key, key);
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return add_word(ld, s, kind, v, n);
	if (!config_setting_is_aggregate(s) || config_setting_type(s) == CONFIG_TYPE_GROUP)
		return vsym_cfgread_fail(ld, s, "'%s' must be a string or a list of strings", key);
	count = config_setting_length(s);
	for (int i = 0; i < count; i++)
		if (add_word(ld, config_setting_get_elem(s, (unsigned)i), kind, v, n) < 0)
			return -1;
	return 0;
}

/* Reads a list of user or group names (a string or a list of strings). */
int vsym_cfgread_names(const struct vsym_cfgread_load *ld, const config_setting_t *s,
		       char ***v, size_t *n)
{
	bool single = config_setting_type(s) == CONFIG_TYPE_STRING;
	int count = single ? 1 : config_setting_length(s);

	if (!single && (!config_setting_is_aggregate(s) || config_setting_type(s) == CONFIG_TYPE_GROUP))
		return vsym_cfgread_fail(ld, s, "'%s' must be a string or a list of strings", vsym_cfgread_name(s));
	for (int i = 0; i < count; i++) {
		const config_setting_t *e = single ? s : config_setting_get_elem(s, (unsigned)i);
		const char *name = config_setting_get_string(e);

		if (name == NULL || name[0] == '\0')
			return vsym_cfgread_fail(ld, e, "'%s' must be a list of non-empty strings", vsym_cfgread_name(s));
		if (vsym_cfgread_grow(v, n, sizeof(char *)) < 0 || ((*v)[*n - 1] = strdup(name)) == NULL)
			return vsym_cfgread_fail(ld, e, "out of memory");
	}
	return 0;
}

/* A user file binds only inside the home: a system target is the system
 * file's to name. create = true makes directories only in the home. */
int vsym_cfgread_check_target_place(const struct vsym_cfgread_load *ld, const config_setting_t *s,
				    const char *target, bool create)
{
	bool home = vsym_path_within(ld->user->home, target);

	if (!home && ld->origin == VSYM_ORIGIN_USER)
		return vsym_cfgread_fail(ld, s, "target %s is outside your home; only %s may name a system target (pick a value of its variant instead)",
					 target, ld->system->label[VSYM_ORIGIN_SYSTEM]);
	if (!home && create)
		return vsym_cfgread_fail(ld, s, "create = true makes only targets in the home; make %s once as root (mkdir)",
					 target);
	return 0;
}
