#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "choices.h"
#include "expand.h"
#include "operands.h"

/* Longest NAME of a NAME=VALUE operand, with its NUL: longer than any
 * valid variant name (vsym_variant_name_valid). */
#define NAME_MAX_LEN 80

/* The NAME of a NAME=... word into name; false when it does not fit. */
static bool name_of(const char *word, char name[NAME_MAX_LEN])
{
	size_t len = strcspn(word, "=");

	if (len >= NAME_MAX_LEN)
		return false;
	memcpy(name, word, len);
	name[len] = '\0';
	return true;
}

bool vsym_operand_is_assignment(const char *word)
{
	char name[NAME_MAX_LEN];

	return strchr(word, '=') != NULL && name_of(word, name) && vsym_variant_name_valid(name);
}

/* NAME=VALUE into bind, as the variant's source for the value picked
 * (into *value, which bind->value then names). */
static enum vsym_operand_problem variant_bind(const struct vsym_policy *policy, const struct vsym_user *user,
					      const char *word, bool readonly, struct vsym_bind *bind,
					      char **value, char **refusal, char **why)
{
	const char *asked = strchr(word, '=') + 1;
	char name[NAME_MAX_LEN];
	const struct vsym_variant *v;

	name_of(word, name);
	v = vsym_policy_variant(policy, name);
	if (v == NULL)
		return VSYM_OPERAND_NO_VARIANT;
	if (asked[0] == '\0')
		return VSYM_OPERAND_NO_VALUE;
	if (!vsym_variant_value_valid(asked))
		return VSYM_OPERAND_BAD_VALUE;
	*value = vsym_choices_pick(user, v, asked, refusal, why);
	if (*value == NULL)
		return VSYM_OPERAND_NO_MEMORY;
	bind->target = strdup(v->target);
	bind->source = vsym_variant_source(v, *value);
	bind->readonly = v->readonly || readonly;
	bind->create = v->create;
	bind->variant = v->name;
	bind->value = *value;
	return bind->target == NULL || bind->source == NULL ? VSYM_OPERAND_NO_MEMORY : VSYM_OPERAND_OK;
}

char *vsym_operand_path(const char *cwd, const char *path)
{
	char *out;

	if (path[0] == '/')
		return strdup(path);
	return asprintf(&out, "%s/%s", cwd, path) < 0 ? NULL : out;
}

/* SRC DST at words[i]: the caller may have meant NAME VALUE. */
static enum vsym_operand_problem path_bind(const struct vsym_policy *policy, const char *cwd,
					   char *const *words, size_t nwords, size_t i, bool readonly,
					   struct vsym_bind *bind)
{
	if (strchr(words[i], '/') == NULL && vsym_policy_variant(policy, words[i]) != NULL)
		return VSYM_OPERAND_SPACED;
	if (i + 1 >= nwords || vsym_operand_is_assignment(words[i + 1]))
		return VSYM_OPERAND_NO_TARGET;
	bind->source = vsym_operand_path(cwd, words[i]);
	bind->target = vsym_operand_path(cwd, words[i + 1]);
	bind->readonly = readonly;
	return bind->source == NULL || bind->target == NULL ? VSYM_OPERAND_NO_MEMORY : VSYM_OPERAND_OK;
}

enum vsym_operand_problem vsym_operands_to_binds(const struct vsym_policy *policy,
						 const struct vsym_user *user, const char *cwd,
						 char *const *words, size_t nwords, bool readonly,
						 struct vsym_operand_binds *out, size_t *bad)
{
	struct vsym_bind_list *list = &out->list;
	enum vsym_operand_problem problem = VSYM_OPERAND_OK;

	list->binds = calloc(nwords + 1, sizeof(struct vsym_bind));
	out->refusals = calloc(nwords + 1, sizeof(char *));
	out->values = calloc(nwords + 1, sizeof(char *));
	out->whys = calloc(nwords + 1, sizeof(char *));
	*bad = 0;
	if (list->binds == NULL || out->refusals == NULL || out->values == NULL || out->whys == NULL)
		return VSYM_OPERAND_NO_MEMORY;
	for (size_t i = 0; i < nwords && problem == VSYM_OPERAND_OK; i++) {
		struct vsym_bind *bind = &list->binds[list->n];

		*bad = i;
		if (vsym_operand_is_assignment(words[i])) {
			problem = variant_bind(policy, user, words[i], readonly, bind, &out->values[list->n],
					       &out->refusals[list->n], &out->whys[list->n]);
		} else {
			problem = path_bind(policy, cwd, words, nwords, i, readonly, bind);
			i += problem == VSYM_OPERAND_OK;
		}
		/* A half-built bind counts too, so that it is freed. */
		list->n += bind->target != NULL || bind->source != NULL || out->values[list->n] != NULL ||
			   out->refusals[list->n] != NULL || out->whys[list->n] != NULL;
	}
	return problem;
}

void vsym_operand_binds_free(struct vsym_operand_binds *b)
{
	for (size_t i = 0; i < b->list.n; i++) {
		free(b->refusals[i]);
		free(b->values[i]);
		free(b->whys != NULL ? b->whys[i] : NULL);
	}
	free(b->refusals);
	free(b->values);
	free(b->whys);
	vsym_bind_list_free(&b->list);
	memset(b, 0, sizeof(*b));
}

/* The index of the variant a NAME= or NAME=VALUE word names, or
 * policy->nvariants when none. */
static size_t word_variant(const struct vsym_policy *policy, const char *word)
{
	size_t len = strcspn(word, "=");

	for (size_t i = 0; i < policy->nvariants; i++)
		if (strlen(policy->variants[i].name) == len && strncmp(policy->variants[i].name, word, len) == 0)
			return i;
	return policy->nvariants;
}

/* The project's values, as NAME=VALUE with where each was found. */
static bool take_picks(const struct vsym_policy *policy, const struct vsym_project *proj,
		       struct vsym_project_operands *out)
{
	for (size_t i = 0; i < proj->n; i++) {
		const struct vsym_project_pick *p = &proj->picks[i];

		if (p->value == NULL)
			continue;
		if (asprintf(&out->words[out->n], "%s=%s", policy->variants[p->variant].name, p->value) < 0) {
			out->words[out->n] = NULL;
			return false;
		}
		if (asprintf(&out->origins[out->n++], "%s:%u", p->file, p->line) < 0) {
			out->origins[out->n - 1] = NULL;
			return false;
		}
	}
	return true;
}

enum vsym_operand_problem vsym_project_operands(const struct vsym_policy *policy,
						const struct vsym_project *proj,
						char *const *words, size_t nwords,
						struct vsym_project_operands *out, size_t *bad)
{
	out->words = calloc(proj->n + nwords + 1, sizeof(char *));
	out->origins = calloc(proj->n + nwords + 1, sizeof(char *));
	out->clear = calloc(nwords + 1, sizeof(*out->clear));
	if (out->words == NULL || out->origins == NULL || out->clear == NULL || !take_picks(policy, proj, out))
		return VSYM_OPERAND_NO_MEMORY;
	for (size_t i = 0; i < nwords; i++) {
		size_t v = word_variant(policy, words[i]);

		if (vsym_project_pick_of(proj, v) != NULL)
			continue;
		if (words[i][strcspn(words[i], "=") + 1] != '\0') {
			out->words[out->n] = strdup(words[i]);
			if (out->words[out->n++] == NULL)
				return VSYM_OPERAND_NO_MEMORY;
		} else if (v == policy->nvariants) {
			*bad = i;
			return VSYM_OPERAND_NO_VARIANT;
		} else {
			out->clear[out->nclear++] = &policy->variants[v];
		}
	}
	return VSYM_OPERAND_OK;
}

void vsym_project_operands_free(struct vsym_project_operands *ops)
{
	for (size_t i = 0; ops->words != NULL && ops->origins != NULL && i < ops->n; i++) {
		free(ops->words[i]);
		free(ops->origins[i]);
	}
	free(ops->words);
	free(ops->origins);
	free(ops->clear);
	memset(ops, 0, sizeof(*ops));
}
