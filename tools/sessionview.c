#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "choices.h"
#include "expand.h"
#include "mountinfo.h"
#include "safetext.h"
#include "session.h"
#include "sessionview.h"

int vsym_session_print_binds(const struct vsym_state *state, FILE *out, struct vsym_error *err)
{
	for (size_t i = 0; i < state->n; i++) {
		const struct vsym_state_entry *e = &state->entries[i];
		struct vsym_mount_info info;
		int found = vsym_mountinfo_lookup(e->mnt_id, &info, err);

		if (found < 0)
			return -1;
		if (found == 0 || strcmp(info.target, e->target) != 0)
			continue; /* gone: unmounted by root, or the record is stale */
		vsym_fput_escaped(e->target, out);
		fputc('\t', out);
		/* The source as mountinfo tells it now (renamed since?),
		 * else as recorded. */
		vsym_fput_escaped(info.source[0] != '\0' ? info.source : e->source, out);
		fprintf(out, "\t%s\n", info.options);
	}
	return 0;
}

/* The values found on disk for a variant, comma-separated: the
 * directories matching its template, listed with user's credentials. */
static void print_choices(const struct vsym_user *user, const struct vsym_variant *v, FILE *out)
{
	struct vsym_choices choices;
	struct vsym_error err;

	if (vsym_choices_list(user, v, &choices, &err) < 0)
		return;
	for (size_t i = 0; i < choices.n; i++) {
		fputs(i > 0 ? "," : "", out);
		vsym_fput_escaped(choices.values[i], out);
	}
	vsym_choices_free(&choices);
}

void vsym_session_print_variants(const struct vsym_policy *policy, const struct vsym_user *user,
				 struct vsym_state *state, FILE *out)
{
	for (size_t i = 0; i < policy->nvariants; i++) {
		const struct vsym_variant *v = &policy->variants[i];
		const struct vsym_state_entry *e = vsym_state_find(state, v->target);
		const char *value = e && e->variant && strcmp(e->variant, v->name) == 0 ? e->value : "-";

		fprintf(out, "%s\t", v->name);
		vsym_fput_escaped(value ? value : "-", out);
		fputc('\t', out);
		vsym_fput_escaped(v->target, out);
		fputc('\t', out);
		print_choices(user, v, out);
		fputc('\n', out);
	}
}

int vsym_session_print_values(const struct vsym_variant *variant, const struct vsym_user *user,
			      FILE *out, struct vsym_error *err)
{
	struct vsym_choices choices;
	int rc = vsym_choices_list(user, variant, &choices, err);

	/* Names found in a directory: made safe (safetext.h). */
	for (size_t i = 0; i < choices.n; i++) {
		vsym_fput_safe(choices.values[i], out);
		fputc('\n', out);
	}
	for (size_t i = 0; i < variant->naliases; i++)
		fprintf(out, "%s\n", variant->alias_names[i]);
	vsym_choices_free(&choices);
	return rc < 0 ? -1 : 0;
}

/* One -C line; returns true when the bind is refused. */
static bool print_verdict(const struct vsym_bind *b, enum vsym_outcome outcome, const char *verdict, FILE *out)
{
	bool refused = outcome == VSYM_REFUSED || outcome == VSYM_FAILED;
	const char *detail = verdict;

	/* The verdict without its "ro, " or "rw, ": the options column says it. */
	if (!refused && (strncmp(detail, "ro, ", 4) == 0 || strncmp(detail, "rw, ", 4) == 0))
		detail += 4;
	vsym_fput_escaped(b->target, out);
	fputc('\t', out);
	vsym_fput_escaped(b->source, out);
	fprintf(out, "\t%s%s\t%s", b->readonly || strncmp(verdict, "ro, ", 4) == 0 ? "ro" : "rw",
		b->optional ? ",optional" : "", refused ? "refused: " : "");
	vsym_fput_safe(outcome == VSYM_SKIPPED ? "skipped: the source is missing (optional)" : detail, out);
	fputc('\n', out);
	return refused;
}

int vsym_session_check_defaults(const struct vsym_policy *policy, const struct vsym_user *user,
				struct vsym_state *state, FILE *out, size_t *dropped,
				struct vsym_error *err)
{
	struct vsym_bind_list list;
	int refused = 0;

	if (vsym_session_defaults(policy, &list, err) < 0)
		return -1;
	for (size_t i = 0; i < list.n; i++) {
		struct vsym_error verdict;
		enum vsym_outcome outcome = vsym_session_bind(policy, user, state, &list.binds[i],
							      VSYM_BIND_DRY_RUN, &verdict);

		if (print_verdict(&list.binds[i], outcome, verdict.text, out))
			refused++;
	}
	*dropped = list.dropped;
	vsym_bind_list_free(&list);
	return refused;
}

char *vsym_session_bound_values(const struct vsym_policy *policy, struct vsym_state *state, bool unbound)
{
	size_t size = 1;
	char *out;

	for (size_t i = 0; i < policy->nvariants; i++)
		size += strlen(policy->variants[i].name) + 2 + VSYM_ERROR_MAX;
	if ((out = calloc(1, size)) == NULL)
		return NULL;
	for (size_t i = 0; i < policy->nvariants; i++) {
		const struct vsym_variant *v = &policy->variants[i];
		const struct vsym_state_entry *e = vsym_state_find(state, v->target);

		if (e == NULL && unbound) {
			snprintf(out + strlen(out), size - strlen(out), "%s%s=", out[0] ? " " : "", v->name);
			continue;
		}
		if (e == NULL || e->variant == NULL || e->value == NULL || strcmp(e->variant, v->name) != 0 ||
		    !vsym_variant_value_valid(e->value))
			continue;
		snprintf(out + strlen(out), size - strlen(out), "%s%s=%s", out[0] ? " " : "", v->name, e->value);
	}
	return out;
}

bool vsym_session_bound_on(struct vsym_state *state, const char *target)
{
	return vsym_state_find(state, target) != NULL;
}

bool vsym_session_has_bound(struct vsym_state *state, const struct vsym_bind *b)
{
	const struct vsym_state_entry *e = vsym_state_find(state, b->target);

	return e != NULL && b->variant != NULL && e->variant != NULL && e->value != NULL &&
	       strcmp(e->variant, b->variant) == 0 && strcmp(e->value, b->value) == 0 &&
	       strcmp(e->source, b->source) == 0 && e->readonly == b->readonly;
}
