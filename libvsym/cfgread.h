/* Reading libconfig values for cfg.c and cfgvariant.c (internal: only
 * cfg*.c include it). Every reader returns 0, or -1 with the load's
 * error set to "FILE:LINE: message" (vsym_cfgread_fail). */
#ifndef VSYM_CFGREAD_H
#define VSYM_CFGREAD_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "policy.h"
#include "user.h"

/* Everything one load needs to report and expand. */
struct vsym_cfgread_load {
	struct vsym_policy *policy;    /* what is being filled */
	const struct vsym_policy *system; /* for a user file: the system part */
	enum vsym_origin origin;
	const char *label;
	const struct vsym_user *user;
	struct vsym_error *err;
};

/* The line of s in its file, for messages. */
unsigned vsym_cfgread_line(const config_setting_t *s);

/* Reports "FILE:LINE: message" and returns -1. */
int vsym_cfgread_fail(const struct vsym_cfgread_load *ld, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The name of setting s, or "(element)" for a list element. */
const char *vsym_cfgread_name(const config_setting_t *s);

/* Adds one zeroed element of size to the array *array of *n. Returns 0, or
 * -1 when out of memory (the array as it was). */
int vsym_cfgread_grow(void *array, size_t *n, size_t size);

/* Frees an array of n strings and the strings. */
void vsym_cfgread_strv_free(char **v, size_t n);

/* Refuses keys of group s that are not in known. */
int vsym_cfgread_check_keys(const struct vsym_cfgread_load *ld, const config_setting_t *s,
			    const char *const *known, const char *where);

/* Sets *out to the boolean member key of group, left as it is when
 * absent. Returns 0, or -1 with the error set when it is no boolean. */
int vsym_cfgread_bool(const struct vsym_cfgread_load *ld, const config_setting_t *group,
		      const char *key, bool *out);

/* Sets *out to the string member key of group, or NULL when absent. */
int vsym_cfgread_string(const struct vsym_cfgread_load *ld, const config_setting_t *group,
			const char *key, const char **out);

/* As vsym_cfgread_string, but a missing key is an error naming what
 * lacks it (as "this bind"). */
int vsym_cfgread_need_string(const struct vsym_cfgread_load *ld, const config_setting_t *group,
			     const char *key, const char *what, const char **out);

enum vsym_cfgread_word {
	VSYM_CFGREAD_PATTERN,   /* "*" and whole-component "**" allowed */
	VSYM_CFGREAD_PATH,      /* one path, no pattern characters */
	VSYM_CFGREAD_TEMPLATE,  /* one path holding ${variant} */
};

/* Expands one path word of setting s and checks it suits kind; var names
 * the variant for a template. Returns the new string or NULL. */
char *vsym_cfgread_path(const struct vsym_cfgread_load *ld, const config_setting_t *s,
			const char *word, enum vsym_cfgread_word kind, const char *var);

/* Reads member key of group, a string or a list of strings, as paths or
 * patterns of kind. */
int vsym_cfgread_paths(const struct vsym_cfgread_load *ld, const config_setting_t *group,
		       const char *key, enum vsym_cfgread_word kind, char ***v, size_t *n);

/* Reads a list of user or group names (a string or a list of strings). */
int vsym_cfgread_names(const struct vsym_cfgread_load *ld, const config_setting_t *s,
		       char ***v, size_t *n);

/* A user file binds only inside the home: a system target is the system
 * file's to name. create = true makes directories only in the home. */
int vsym_cfgread_check_target_place(const struct vsym_cfgread_load *ld, const config_setting_t *s,
				    const char *target, bool create);

#endif
