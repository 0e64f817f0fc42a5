/* What project files say (project.h): the picks, at most one a variant,
 * claimed by the nearest file, and the notes; the names a search tries. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"
#include "project.h"
#include "safetext.h"

/* A file of thousands of lines each worth a note gets this many, then
 * one saying that more were left out. */
#define PROJECT_MAX_NOTES 16

/* A repository may hold a directory whose name carries terminal escapes:
 * no control character of a path reaches a message (safetext.h). Takes
 * text and returns it made safe, in new memory, or NULL (text freed). */
static char *made_safe(char *text)
{
	size_t size = 4 * strlen(text) + 1;
	char *safe = malloc(size);

	if (safe != NULL)
		vsym_safe_text(text, safe, size);
	free(text);
	return safe;
}

int vsym_project_note(struct vsym_project *proj, bool problem, struct vsym_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int vsym_project_note(struct vsym_project *proj, bool problem, struct vsym_error *err, const char *fmt, ...)
{
	char **notes;
	va_list ap;
	int rc;

	proj->problems += problem;
	if (proj->nnotes > PROJECT_MAX_NOTES)
		return 0;
	notes = realloc(proj->notes, (proj->nnotes + 1) * sizeof(char *));
	if (notes == NULL)
		return vsym_error_set(err, "out of memory");
	proj->notes = notes;
	va_start(ap, fmt);
	if (proj->nnotes == PROJECT_MAX_NOTES)
		rc = asprintf(&notes[proj->nnotes], "more notes about project files left out");
	else
		rc = vasprintf(&notes[proj->nnotes], fmt, ap);
	va_end(ap);
	if (rc < 0 || (notes[proj->nnotes] = made_safe(notes[proj->nnotes])) == NULL)
		return vsym_error_set(err, "out of memory");
	proj->nnotes++;
	return 0;
}

const struct vsym_project_pick *vsym_project_pick_of(const struct vsym_project *proj,
						     size_t variant)
{
	for (size_t i = 0; i < proj->n; i++)
		if (proj->picks[i].variant == variant)
			return &proj->picks[i];
	return NULL;
}

void vsym_project_pick_free(struct vsym_project_pick *p)
{
	free(p->value);
	free(p->file);
	for (size_t i = 0; i < p->nfallbacks; i++)
		free(p->fallbacks[i]);
	free(p->fallbacks);
}

static int add_pick(struct vsym_project *proj, size_t variant, const struct vsym_project_named *named,
		    const char *file, unsigned line, struct vsym_error *err)
{
	struct vsym_project_pick *picks = realloc(proj->picks, (proj->n + 1) * sizeof(*picks));
	struct vsym_project_pick *p;
	bool ok;

	if (picks == NULL)
		return vsym_error_set(err, "out of memory");
	proj->picks = picks;
	p = &picks[proj->n];
	memset(p, 0, sizeof(*p));
	p->variant = variant;
	p->line = line;
	p->minimum = named != NULL && named->minimum;
	p->file = strdup(file);
	ok = p->file != NULL && (p->file = made_safe(p->file)) != NULL;
	if (named != NULL && ok) {
		p->value = strdup(named->values[0]);
		p->fallbacks = calloc(named->n, sizeof(char *));
		ok = p->value != NULL && p->fallbacks != NULL;
		for (size_t i = 1; ok && i < named->n; i++)
			ok = (p->fallbacks[p->nfallbacks++] = strdup(named->values[i])) != NULL;
	}
	if (!ok) {
		vsym_project_pick_free(p);
		return vsym_error_set(err, "out of memory");
	}
	proj->n++;
	return 0;
}

/* Claims variant for the values named unless a nearer file did: a bad
 * value claims it too (left as it is) and is noted without being quoted,
 * since it may hold anything, control characters included. */
int vsym_project_claim_named(const struct vsym_policy *policy, struct vsym_project *proj, size_t variant,
			     const struct vsym_project_named *named, const char *file, unsigned line, struct vsym_error *err)
{
	bool valid = true;

	if (vsym_project_pick_of(proj, variant) != NULL)
		return 0;
	for (size_t i = 0; i < named->n; i++)
		valid = valid && vsym_variant_value_valid(named->values[i]);
	if (!valid && vsym_project_note(proj, true, err, "%s:%u: not a valid value for %s (use letters, digits and . _ + -); %s left as it is",
					file, line, policy->variants[variant].name, policy->variants[variant].name) < 0)
		return -1;
	return add_pick(proj, variant, valid ? named : NULL, file, line, err);
}

int vsym_project_claim(const struct vsym_policy *policy, struct vsym_project *proj, size_t variant,
		       const char *value, const char *file, unsigned line, struct vsym_error *err)
{
	const char *values[] = { value };
	struct vsym_project_named named = { values, 1, false };

	return vsym_project_claim_named(policy, proj, variant, &named, file, line, err);
}

static bool has_name(const char **names, size_t n, const char *name)
{
	for (size_t j = 0; j < n; j++)
		if (strcmp(names[j], name) == 0)
			return true;
	return false;
}

const char **vsym_project_file_names(const struct vsym_policy *policy, size_t *n)
{
	size_t max = 3;
	const char **names;

	for (size_t i = 0; i < policy->nvariants; i++)
		max += policy->variants[i].nversion_files;
	if ((names = calloc(max, sizeof(char *))) == NULL)
		return NULL;
	names[0] = VSYM_PROJECT_FILE;
	names[1] = VSYM_PROJECT_TOOL_VERSIONS;
	*n = 2;
	for (size_t i = 0; i < policy->nvariants; i++)
		for (size_t j = 0; j < policy->variants[i].nversion_files; j++)
			if (!has_name(names, *n, policy->variants[i].version_files[j]))
				names[(*n)++] = policy->variants[i].version_files[j];
	return names;
}

void vsym_project_free(struct vsym_project *proj)
{
	for (size_t i = 0; i < proj->n; i++)
		vsym_project_pick_free(&proj->picks[i]);
	for (size_t i = 0; i < proj->nnotes; i++)
		free(proj->notes[i]);
	free(proj->picks);
	free(proj->notes);
	memset(proj, 0, sizeof(*proj));
}
