#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "choices.h"
#include "cleanup.h"
#include "cred.h"
#include "expand.h"
#include "resolve.h"
#include "projectread.h"

#define FUSE_SUPER_MAGIC 0x65735546

/* True when the source for value is a directory reached from dirfd
 * without leaving it, its mount, or following a magic link: a symlink
 * to a sibling (/usr/lib/jvm/java-1.17.0-openjdk-amd64) counts, and
 * nothing outside the listed directory is looked up. */
static bool is_choice_dir(const struct vsym_variant *v, int dirfd, const char *value, unsigned char d_type)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS,
	};
	cleanup_free char *source = vsym_variant_source(v, value);
	size_t skip = strcmp(v->tmpl_dir, "/") == 0 ? 1 : strlen(v->tmpl_dir) + 1;
	cleanup_fd int fd = -1;

	/* /usr/lib/go-vsym fits /usr/lib/go-${go}, but it is where choices
	 * are shown, not one of them. */
	if (source == NULL || strlen(source) <= skip || strcmp(source, v->target) == 0)
		return false;
	if (d_type == DT_DIR && strchr(source + skip, '/') == NULL)
		return true;
	fd = (int)syscall(SYS_openat2, dirfd, source + skip, &how, sizeof(how));
	return fd >= 0;
}

static int add_string(char ***list, size_t n, const char *value)
{
	char **bigger = realloc(*list, (n + 1) * sizeof(char *));

	if (bigger == NULL)
		return -1;
	*list = bigger;
	bigger[n] = value != NULL ? strdup(value) : NULL;
	return value != NULL && bigger[n] == NULL ? -1 : 0;
}

/* The value of the choice the entry name links to, when it is a symlink
 * to a sibling that matches the template (Debian's java-1.17.0-openjdk-amd64
 * -> java-17-openjdk-amd64). readlinkat looks up nothing beyond the entry. */
static bool link_to_sibling(const struct vsym_variant *v, int dirfd, const char *name,
			    unsigned char d_type, char *value, size_t size)
{
	char link[256];
	const char *to = link;
	size_t dirlen = strlen(v->tmpl_dir);
	ssize_t len;

	if (d_type != DT_LNK && d_type != DT_UNKNOWN)
		return false;
	len = readlinkat(dirfd, name, link, sizeof(link) - 1);
	if (len <= 0)
		return false;
	link[len] = '\0';
	if (strncmp(to, "./", 2) == 0)
		to += 2;
	else if (strncmp(to, v->tmpl_dir, dirlen) == 0 && to[dirlen] == '/')
		to += dirlen + 1;
	return strchr(to, '/') == NULL && vsym_variant_value_of(v, to, value, size);
}

static int add_choice(struct vsym_choices *out, char ***link_to, const char *value, const char *to)
{
	if (add_string(&out->values, out->n, value) < 0 || add_string(link_to, out->n, to) < 0)
		return -1;
	out->n++;
	return 0;
}

static bool has_value(const struct vsym_choices *c, char *const *link_to, const char *value)
{
	for (size_t i = 0; i < c->n; i++)
		if (link_to[i] == NULL && strcmp(c->values[i], value) == 0)
			return true;
	return false;
}

/* A choice that links to another choice becomes a link name of it: one
 * tree is listed once. Takes the strings of link_to (keeps or frees each);
 * the array itself stays the caller's. */
static int fold_links(struct vsym_choices *c, char **link_to)
{
	size_t kept = 0;
	cleanup_free bool *folds = calloc(c->n + 1, sizeof(bool));

	c->link_names = calloc(c->n + 1, sizeof(char *));
	c->link_values = calloc(c->n + 1, sizeof(char *));
	if (folds == NULL || c->link_names == NULL || c->link_values == NULL) {
		for (size_t i = 0; i < c->n; i++)
			free(link_to[i]);
		return -1;
	}
	for (size_t i = 0; i < c->n; i++)
		folds[i] = link_to[i] != NULL && has_value(c, link_to, link_to[i]);
	for (size_t i = 0; i < c->n; i++) {
		if (folds[i]) {
			c->link_names[c->nlinks] = c->values[i];
			c->link_values[c->nlinks++] = link_to[i];
		} else {
			c->values[kept++] = c->values[i];
			free(link_to[i]);
		}
	}
	c->n = kept;
	return 0;
}

/* The real version of the choice value, read from its tree's file as the
 * caller (already the user) through the walk, into buf; false when the
 * file is missing, refused or does not match. */
static bool version_of_tree(const struct vsym_variant *v, const char *value, char *buf, size_t size)
{
	struct vsym_error ignored;
	char *source = vsym_variant_source(v, value), *path = NULL, *text = NULL;
	size_t len;
	bool found = false;

	if (source != NULL && asprintf(&path, "%s/%s", source, v->version_from_file) >= 0) {
		found = vsym_projectread_file(NULL, path, &text, &len, &ignored) == 0 &&
			vsym_variant_version_in(v, text, buf, size);
		free(text);
		free(path);
	}
	free(source);
	return found;
}

/* version_from: each choice's real version, or NULL. Returns -1 when out
 * of memory. */
static int read_versions(const struct vsym_variant *v, struct vsym_choices *c)
{
	char version[128];

	if (v->version_from_re == NULL || c->n == 0)
		return 0;
	if ((c->versions = calloc(c->n, sizeof(char *))) == NULL)
		return -1;
	for (size_t i = 0; i < c->n; i++)
		if (version_of_tree(v, c->values[i], version, sizeof(version)) &&
		    (c->versions[i] = strdup(version)) == NULL)
			return -1;
	return 0;
}

static int read_choices(const struct vsym_variant *v, int dirfd, struct vsym_choices *out,
			struct vsym_error *err)
{
	cleanup_fd int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	cleanup_free char **link_to = NULL;
	struct dirent *d;
	char value[160], to[160];
	int rc = 0;

	if (dir == NULL)
		return vsym_error_set(err, "cannot read %s: %s", v->tmpl_dir, strerror(errno));
	steal_fd(&fd); /* dir owns it now */
	while (rc == 0 && (d = readdir(dir)) != NULL && out->n < VSYM_CHOICES_MAX) {
		if (!vsym_variant_value_of(v, d->d_name, value, sizeof(value)) ||
		    !is_choice_dir(v, dirfd, value, d->d_type))
			continue;
		rc = add_choice(out, &link_to, value,
				link_to_sibling(v, dirfd, d->d_name, d->d_type, to, sizeof(to)) ? to : NULL);
	}
	closedir(dir);
	if (rc == 0)
		rc = fold_links(out, link_to);
	/* Sorted before the versions are read: they go by index. */
	vsym_version_sort(out->values, out->n);
	if (rc == 0)
		rc = read_versions(v, out);
	return rc < 0 ? vsym_error_set(err, "out of memory") : 0;
}

int vsym_choices_list(const struct vsym_user *user, const struct vsym_variant *variant,
		      struct vsym_choices *out, struct vsym_error *err)
{
	cleanup_resolved struct vsym_resolved dir = { .fd = -1 };
	struct vsym_saved_cred saved;
	struct statfs fs;
	int rc;

	memset(out, 0, sizeof(*out));
	if (variant->tmpl_dir == NULL)
		return vsym_error_set(err, "variant '%s' has no ${%s} in its source", variant->name, variant->name);
	rc = vsym_resolve_source(user, variant->tmpl_dir, &dir, err);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return -1;
	/* A FUSE server the user runs could hold a directory listing for ever. */
	if (fstatfs(dir.fd, &fs) < 0 || fs.f_type == FUSE_SUPER_MAGIC || !S_ISDIR(dir.st.st_mode))
		return vsym_error_set(err, "the values of '%s' in %s are not listed (not a directory, or on FUSE)",
				      variant->name, variant->tmpl_dir);
	rc = vsym_cred_become(&saved, user, err);
	if (rc == 0) {
		rc = read_choices(variant, dir.fd, out, err);
		if (vsym_cred_restore(&saved, err) < 0)
			rc = -1;
	}
	if (rc < 0)
		vsym_choices_free(out);
	return rc;
}

void vsym_choices_free(struct vsym_choices *choices)
{
	for (size_t i = 0; i < choices->n; i++) {
		free(choices->values[i]);
		free(choices->versions != NULL ? choices->versions[i] : NULL);
	}
	for (size_t i = 0; i < choices->nlinks; i++) {
		free(choices->link_names[i]);
		free(choices->link_values[i]);
	}
	free(choices->values);
	free(choices->versions);
	free(choices->link_names);
	free(choices->link_values);
	memset(choices, 0, sizeof(*choices));
}

void vsym_choices_describe(const struct vsym_variant *v, const struct vsym_choices *c,
			   char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < c->n && used < size; i++) {
		const char *version = c->versions != NULL ? c->versions[i] : NULL;

		used += (size_t)snprintf(buf + used, size - used, "%s%s%s%s%s", used ? ", " : "", c->values[i],
					 version ? " [" : "", version ? version : "", version ? "]" : "");
	}
	/* An alias that stands for no choice is nothing one can pick. */
	for (size_t i = 0; i < v->naliases && used < size; i++)
		if (vsym_variant_resolve(v, v->alias_names[i], c, NULL) != NULL)
			used += (size_t)snprintf(buf + used, size - used, "%s%s (%s)", used ? ", " : "",
						 v->alias_names[i], v->alias_values[i]);
	if (used == 0)
		snprintf(buf, size, "none");
}

/* True when value names an existing choice itself and no alias: then it
 * is its own resolution, found without reading the directory (the common
 * case at every login). */
static bool is_plain_choice(const struct vsym_user *user, const struct vsym_variant *v, const char *value)
{
	cleanup_resolved struct vsym_resolved r = { .fd = -1 };
	struct vsym_error ignored;
	cleanup_free char *source = NULL;
	bool plain;

	for (size_t i = 0; i < v->naliases; i++)
		if (strcmp(v->alias_names[i], value) == 0)
			return false;
	source = vsym_variant_source(v, value);
	plain = source != NULL && strcmp(source, v->target) != 0 &&
		vsym_resolve_source(user, source, &r, &ignored) == 0 && S_ISDIR(r.st.st_mode);
	return plain;
}

int vsym_choices_resolve_policy(struct vsym_policy *policy, const struct vsym_user *user,
				struct vsym_error *err)
{
	for (size_t i = 0; i < policy->nvariants; i++) {
		struct vsym_variant *v = &policy->variants[i];
		struct vsym_choices choices;
		struct vsym_error ignored;
		const char *pick;
		char *copy;

		if (v->value == NULL || is_plain_choice(user, v, v->value) ||
		    vsym_choices_list(user, v, &choices, &ignored) < 0)
			continue;
		pick = vsym_variant_resolve(v, v->value, &choices, NULL);
		copy = pick != NULL ? strdup(pick) : NULL;
		vsym_choices_free(&choices);
		if (pick != NULL && copy == NULL)
			return vsym_error_set(err, "out of memory");
		if (copy != NULL) {
			free(v->value);
			v->value = copy;
		}
	}
	return 0;
}

/* "ASKED picked VALUE (version V): HOW" into *why (NULL when asked was
 * taken as it is). Returns -1 when out of memory. */
static int say_why(const struct vsym_choices *c, const char *asked, const char *pick,
		   enum vsym_picked how, char **why)
{
	const char *version = vsym_choices_version_of(c, pick);

	*why = NULL;
	if (how == VSYM_PICKED_EXACT && strcmp(asked, pick) == 0)
		return 0;
	if (asprintf(why, "%s picked %s%s%s%s: %s", asked, pick, version ? " (version " : "",
		     version ? version : "", version ? ")" : "", vsym_picked_words(how)) < 0) {
		*why = NULL;
		return -1;
	}
	return 0;
}

/* The alias value asked stands for, or NULL when it is no alias. */
static const char *alias_value(const struct vsym_variant *v, const char *asked)
{
	for (size_t i = 0; i < v->naliases; i++)
		if (strcmp(v->alias_names[i], asked) == 0)
			return v->alias_values[i];
	return NULL;
}

/* Why asked fits nothing, into *refusal (to free); an alias that stands
 * for no choice says so and who can mend it. Returns 0 or -1. */
static int say_missing(const struct vsym_variant *v, const struct vsym_choices *c, const char *asked,
		       char **refusal)
{
	const char *stands_for = alias_value(v, asked);
	char there[VSYM_ERROR_MAX];
	int n;

	vsym_choices_describe(v, c, there, sizeof(there));
	if (stands_for == NULL)
		n = asprintf(refusal, "%s has no value %s; there are: %s", v->name, asked, there);
	else
		n = asprintf(refusal, "%s=%s: the alias %s stands for %s, which is none of the choices of %s "
			     "(there are: %s); pick one of those, or have %s installed or the alias (%s line %u) corrected",
			     v->name, asked, asked, stands_for, v->name, there, stands_for,
			     v->origin == VSYM_ORIGIN_SYSTEM ? "the system file," : "~/.vsymrc,", v->line);
	if (n < 0)
		*refusal = NULL;
	return n < 0 ? -1 : 0;
}

char *vsym_choices_pick(const struct vsym_user *user, const struct vsym_variant *variant,
			const char *asked, char **refusal, char **why)
{
	struct vsym_choices choices;
	struct vsym_error err;
	enum vsym_picked how;
	const char *pick;
	char *copy = NULL, *ignored = NULL;

	*refusal = NULL;
	if (why == NULL)
		why = &ignored;
	*why = NULL;
	if (vsym_choices_list(user, variant, &choices, &err) < 0)
		return strdup(vsym_version_unprefixed(asked));
	pick = vsym_variant_resolve(variant, asked, &choices, &how);
	if (pick == NULL && say_missing(variant, &choices, asked, refusal) == 0)
		copy = strdup(vsym_version_unprefixed(asked));
	else if (pick != NULL && say_why(&choices, asked, pick, how, why) == 0)
		copy = strdup(pick);
	vsym_choices_free(&choices);
	free(ignored);
	return copy;
}

/* "1.20.3 skipped (no choice fits); 1.21 picked 1.21 (version 1.21.13): exact" */
static int say_among(const struct vsym_choices *c, char *const *values, size_t skipped,
		     const char *pick, enum vsym_picked how, char **why)
{
	const char *version = vsym_choices_version_of(c, pick);
	char list[VSYM_ERROR_MAX / 2] = "";
	int rc;

	if (skipped == 0)
		return say_why(c, values[0], pick, how, why);
	for (size_t i = 0; i < skipped; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", i ? ", " : "", values[i]);
	rc = asprintf(why, "%s skipped (no choice fits); %s picked %s%s%s%s: %s", list, values[skipped], pick,
		      version ? " (version " : "", version ? version : "", version ? ")" : "", vsym_picked_words(how));
	if (rc < 0)
		*why = NULL;
	return rc < 0 ? -1 : 0;
}

char *vsym_choices_pick_among(const struct vsym_user *user, const struct vsym_variant *variant,
			      char *const *values, size_t n, bool minimum, char **why)
{
	struct vsym_choices choices;
	struct vsym_error err;
	enum vsym_picked how = VSYM_PICKED_NONE;
	const char *pick;
	size_t skipped;
	char *copy = NULL;

	*why = NULL;
	if (n == 0)
		return NULL;
	if (vsym_choices_list(user, variant, &choices, &err) < 0)
		return strdup(vsym_version_unprefixed(values[0]));
	pick = vsym_variant_resolve_first(variant, values, n, minimum, &choices, &skipped, &how);
	if (pick == NULL)
		copy = strdup(vsym_version_unprefixed(values[0]));
	else if (skipped == 0 && (how == VSYM_PICKED_EXACT || how == VSYM_PICKED_PREFIX))
		copy = strdup(pick);
	else if (say_among(&choices, values, skipped, pick, how, why) == 0)
		copy = strdup(pick);
	vsym_choices_free(&choices);
	return copy;
}

/* True when value fits a choice of v: itself a directory there, or
 * resolved among choices. */
static bool resolves(const struct vsym_user *user, const struct vsym_variant *v, const char *value,
		     const struct vsym_choices *choices)
{
	return is_plain_choice(user, v, value) || vsym_variant_resolve(v, value, choices, NULL) != NULL;
}

static int add_fallback(struct vsym_fallbacks *out, const struct vsym_variant *v,
			const struct vsym_choices *choices)
{
	struct vsym_fallback *bigger = realloc(out->items, (out->n + 1) * sizeof(*bigger));
	struct vsym_fallback *f;
	char there[VSYM_ERROR_MAX];

	if (bigger == NULL)
		return -1;
	out->items = bigger;
	f = &out->items[out->n];
	memset(f, 0, sizeof(*f));
	vsym_choices_describe(v, choices, there, sizeof(there));
	f->variant = v->name;
	f->line = v->value_line;
	f->asked = strdup(v->value);
	f->there = strdup(there);
	out->n++;
	return f->asked != NULL && f->there != NULL ? 0 : -1;
}

/* Puts the system default in place of the user's value, when it fits a
 * choice itself; the fallback records which value was used. */
static int use_system_default(const struct vsym_user *user, struct vsym_variant *v,
			      const struct vsym_choices *choices, struct vsym_fallback *f)
{
	char *value;

	if (v->system_default == NULL)
		return 0;
	if ((f->system_default = strdup(v->system_default)) == NULL)
		return -1;
	if (!resolves(user, v, v->system_default, choices))
		return 0;
	if ((value = strdup(v->system_default)) == NULL)
		return -1;
	free(v->value);
	v->value = value;
	v->value_origin = VSYM_ORIGIN_SYSTEM;
	v->value_line = v->system_default_line;
	f->used = true;
	return 0;
}

int vsym_choices_fall_back(struct vsym_policy *policy, const struct vsym_user *user,
			   struct vsym_fallbacks *out, struct vsym_error *err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < policy->nvariants; i++) {
		struct vsym_variant *v = &policy->variants[i];
		struct vsym_choices choices;
		struct vsym_error ignored;
		int rc = 0;

		/* The common case, a value naming its directory, costs one
		 * lookup; a listing that fails leaves the value to the bind. */
		if (v->value == NULL || v->value_origin != VSYM_ORIGIN_USER || is_plain_choice(user, v, v->value) ||
		    vsym_choices_list(user, v, &choices, &ignored) < 0)
			continue;
		if (!resolves(user, v, v->value, &choices)) {
			rc = add_fallback(out, v, &choices);
			if (rc == 0)
				rc = use_system_default(user, v, &choices, &out->items[out->n - 1]);
		}
		vsym_choices_free(&choices);
		if (rc < 0) {
			vsym_fallbacks_free(out);
			return vsym_error_set(err, "out of memory");
		}
	}
	return 0;
}

void vsym_fallbacks_free(struct vsym_fallbacks *fallbacks)
{
	for (size_t i = 0; i < fallbacks->n; i++) {
		free(fallbacks->items[i].asked);
		free(fallbacks->items[i].system_default);
		free(fallbacks->items[i].there);
	}
	free(fallbacks->items);
	memset(fallbacks, 0, sizeof(*fallbacks));
}

int vsym_fallback_describe(const struct vsym_fallback *f, const char *file, char *buf, size_t size)
{
	int n;

	if (f->used)
		n = snprintf(buf, size, "%s:%u: %s = \"%s\" is none of the values of %s (there are: %s); the system default %s = \"%s\" is used instead",
			     file, f->line, f->variant, f->asked, f->variant, f->there, f->variant, f->system_default);
	else if (f->system_default != NULL)
		n = snprintf(buf, size, "%s:%u: %s = \"%s\" is none of the values of %s (there are: %s), and neither is the system default %s = \"%s\": %s is not bound",
			     file, f->line, f->variant, f->asked, f->variant, f->there, f->variant, f->system_default, f->variant);
	else
		n = snprintf(buf, size, "%s:%u: %s = \"%s\" is none of the values of %s (there are: %s), and there is no system default to use instead: %s is not bound",
			     file, f->line, f->variant, f->asked, f->variant, f->there, f->variant);
	return n >= 0 && (size_t)n < size ? 0 : -1;
}
