/* The search for project files: each directory from dir up to "/" (taken
 * lexically), .vsym, .tool-versions and version files in that order, the
 * nearest file naming a variant winning; as the user, each pick settled
 * among the choices. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "choices.h"
#include "cleanup.h"
#include "cred.h"
#include "project.h"
#include "projectfile.h"
#include "projectread.h"
#include "projectsearch.h"

/* dir with "." and ".." taken lexically and "//" collapsed; "/" stays. */
static char *lexical_dir(const char *dir, struct vsym_error *err)
{
	char *out;
	size_t n = 0;

	if (dir[0] != '/') {
		vsym_error_set(err, "%s is not an absolute directory", dir);
		return NULL;
	}
	if ((out = malloc(strlen(dir) + 2)) == NULL) {
		vsym_error_set(err, "out of memory");
		return NULL;
	}
	for (const char *p = dir; *p != '\0';) {
		size_t len;

		while (*p == '/')
			p++;
		len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.')) {
			p += len;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (n > 0 && out[--n] != '/')
				;
		} else {
			out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	out[n] = '\0';
	return out;
}

static bool all_claimed(const struct vsym_policy *policy, const struct vsym_project *proj)
{
	return proj->n >= policy->nvariants;
}

/* Reads dir/name and hands it to the parser for its kind; a file that
 * cannot be read or is refused becomes a note. variant is used for
 * version files only. Returns 0, or -1 when out of memory. */
static int try_file(const struct vsym_policy *policy, const char *dir, const char *name,
		    long variant, vsym_projectsearch_reader reader, void *ctx,
		    struct vsym_project *proj, struct vsym_error *err)
{
	struct vsym_error why = { .text = "" };
	char *path, *text = NULL;
	size_t len = 0;
	int rc;

	if (asprintf(&path, "%s/%s", dir[1] != '\0' ? dir : "", name) < 0)
		return vsym_error_set(err, "out of memory");
	rc = reader(ctx, path, &text, &len, &why);
	if (rc == 0 && variant >= 0)
		rc = vsym_projectfile_parse_version_file(policy, (size_t)variant, path, text, len, proj, &why);
	else if (rc == 0 && strcmp(name, VSYM_PROJECT_FILE) == 0)
		rc = vsym_projectfile_parse_vsym(policy, path, text, len, proj, &why);
	else if (rc == 0)
		rc = vsym_projectfile_parse_tool_versions(policy, path, text, len, proj, &why);
	free(text);
	free(path);
	if (rc == -ENOENT || rc == 0)
		return 0;
	return vsym_project_note(proj, true, err, "%s", why.text);
}

/* True when some variant reads name as a version file (or it is .vsym
 * or .tool-versions). */
static bool is_read(const struct vsym_policy *policy, const char *name)
{
	for (size_t i = 0; i < policy->nvariants; i++)
		for (size_t j = 0; j < policy->variants[i].nversion_files; j++)
			if (strcmp(policy->variants[i].version_files[j], name) == 0)
				return true;
	return false;
}

/* Another tool's version file that no variant reads: said, not used. */
static int note_unread(const struct vsym_policy *policy, const char *dir, const char *name,
		       vsym_projectsearch_reader reader, void *ctx, struct vsym_project *proj, struct vsym_error *err)
{
	struct vsym_error why = { .text = "" };
	char *path, *text = NULL;
	size_t len;
	int rc;

	if (is_read(policy, name))
		return 0;
	if (asprintf(&path, "%s/%s", dir[1] != '\0' ? dir : "", name) < 0)
		return vsym_error_set(err, "out of memory");
	rc = reader(ctx, path, &text, &len, &why);
	free(text);
	if (rc == 0 && vsym_project_note(proj, false, err, "%s: found, but no variant reads it (add it to a variant's version_file in vsym.conf); ignored",
					 path) < 0) {
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

static int search_dir(const struct vsym_policy *policy, const char *dir,
		      vsym_projectsearch_reader reader, void *ctx, struct vsym_project *proj,
		      struct vsym_error *err)
{
	static const char *const known[] = { VSYM_PROJECT_KNOWN_FILES };

	if (try_file(policy, dir, VSYM_PROJECT_FILE, -1, reader, ctx, proj, err) < 0)
		return -1;
	if (!all_claimed(policy, proj) &&
	    try_file(policy, dir, VSYM_PROJECT_TOOL_VERSIONS, -1, reader, ctx, proj, err) < 0)
		return -1;
	for (size_t i = 0; i < policy->nvariants; i++) {
		const struct vsym_variant *v = &policy->variants[i];

		for (size_t j = 0; j < v->nversion_files && vsym_project_pick_of(proj, i) == NULL; j++)
			if (try_file(policy, dir, v->version_files[j], (long)i, reader, ctx, proj, err) < 0)
				return -1;
	}
	/* Only while a variant is still looked for: a search that has all it
	 * needs reads no more. */
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]) && !all_claimed(policy, proj); k++)
		if (note_unread(policy, dir, known[k], reader, ctx, proj, err) < 0)
			return -1;
	return 0;
}

int vsym_projectsearch_run(const struct vsym_policy *policy, const char *dir,
			   vsym_projectsearch_reader reader, void *ctx, struct vsym_project *proj,
			   struct vsym_error *err)
{
	char *d = lexical_dir(dir, err);
	int rc = 0;

	if (d == NULL)
		return -1;
	for (;;) {
		char *slash;

		if (d[0] == '\0')
			strcpy(d, "/");
		if (all_claimed(policy, proj) || (rc = search_dir(policy, d, reader, ctx, proj, err)) < 0)
			break;
		if (strcmp(d, "/") == 0)
			break;
		slash = strrchr(d, '/');
		*slash = '\0';
	}
	free(d);
	return rc;
}

/* Each pick's value becomes the choice it resolves to (the first of its
 * fallbacks that does, the lowest at least a minimum), told in a note
 * when that is not plainly the value written. */
static int settle_picks(const struct vsym_policy *policy, const struct vsym_user *user,
			struct vsym_project *proj, struct vsym_error *err)
{
	for (size_t i = 0; i < proj->n; i++) {
		struct vsym_project_pick *p = &proj->picks[i];
		const struct vsym_variant *v = &policy->variants[p->variant];
		char **values, *pick, *why = NULL;
		int rc = 0;

		if (p->value == NULL)
			continue;
		if ((values = calloc(p->nfallbacks + 1, sizeof(char *))) == NULL)
			return vsym_error_set(err, "out of memory");
		values[0] = p->value;
		memcpy(values + 1, p->fallbacks, p->nfallbacks * sizeof(char *));
		pick = vsym_choices_pick_among(user, v, values, p->nfallbacks + 1, p->minimum, &why);
		free(values);
		if (pick == NULL)
			return vsym_error_set(err, "out of memory");
		free(p->value);
		p->value = pick;
		if (why != NULL)
			rc = vsym_project_note(proj, false, err, "%s:%u: %s %s", p->file, p->line, v->name, why);
		free(why);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int vsym_projectsearch_as_user(const struct vsym_policy *policy, const struct vsym_user *user,
			       const char *dir, struct vsym_project *proj, struct vsym_error *err)
{
	struct vsym_saved_cred saved;
	struct vsym_projectread_dir cache = { NULL, -1 };
	int rc;

	if (vsym_cred_become(&saved, user, err) < 0)
		return -1;
	rc = vsym_projectread_enter_dir(dir, &cache, err);
	if (rc == 0)
		rc = vsym_projectsearch_run(policy, dir, vsym_projectread_file, &cache, proj, err);
	vsym_projectread_dir_close(&cache);
	if (vsym_cred_restore(&saved, err) < 0)
		rc = -1;
	if (rc == 0)
		rc = settle_picks(policy, user, proj, err);
	if (rc < 0)
		vsym_project_free(proj);
	return rc == -ENOTDIR ? rc : rc < 0 ? -1 : 0;
}

void vsym_projectsearch_watched_free(struct vsym_projectsearch_watched *files, size_t n)
{
	for (size_t i = 0; files != NULL && i < n; i++)
		free(files[i].path);
	free(files);
}

/* Adds dir/name to *files when it is a file vsym would read. Returns 0,
 * or -1 when out of memory. */
static int add_watched(const char *dir, const char *name, struct vsym_projectread_dir *cache,
		       struct vsym_projectsearch_watched **files, size_t *n)
{
	struct vsym_projectsearch_watched *grown;
	struct timespec mtime;
	char *path;

	if (asprintf(&path, "%s/%s", dir[1] != '\0' ? dir : "", name) < 0)
		return -1;
	if (vsym_projectread_mtime(cache, path, &mtime) < 0) {
		free(path);
		return 0;
	}
	grown = realloc(*files, (*n + 1) * sizeof(**files));
	if (grown == NULL) {
		free(path);
		return -1;
	}
	*files = grown;
	(*files)[(*n)++] = (struct vsym_projectsearch_watched){ path, mtime };
	return 0;
}

/* Each name in each directory from d (lexical, writable) up to "/". */
static int find_watched(const char *const *names, size_t nnames, char *d, struct vsym_projectread_dir *cache,
			struct vsym_projectsearch_watched **files, size_t *n)
{
	for (;;) {
		if (d[0] == '\0')
			strcpy(d, "/");
		for (size_t i = 0; i < nnames; i++)
			if (add_watched(d, names[i], cache, files, n) < 0)
				return -1;
		if (strcmp(d, "/") == 0)
			return 0;
		*strrchr(d, '/') = '\0';
	}
}

int vsym_projectsearch_watched_as_user(const struct vsym_policy *policy, const struct vsym_user *user,
				       const char *dir, struct vsym_projectsearch_watched **files, size_t *n,
				       struct vsym_error *err)
{
	struct vsym_projectread_dir cache = { NULL, -1 };
	struct vsym_saved_cred saved;
	size_t nnames;
	cleanup_free const char **names = vsym_project_file_names(policy, &nnames);
	cleanup_free char *d = lexical_dir(dir, err);
	int rc;

	*files = NULL;
	*n = 0;
	if (d == NULL)
		return -1;
	if (names == NULL)
		return vsym_error_set(err, "out of memory");
	rc = vsym_cred_become(&saved, user, err);
	if (rc == 0) {
		if (find_watched(names, nnames, d, &cache, files, n) < 0)
			rc = vsym_error_set(err, "out of memory");
		vsym_projectread_dir_close(&cache);
		if (vsym_cred_restore(&saved, err) < 0)
			rc = -1;
	}
	if (rc < 0) {
		vsym_projectsearch_watched_free(*files, *n);
		*files = NULL;
		*n = 0;
	}
	return rc;
}
