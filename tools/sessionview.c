#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "binds.h"
#include "choices.h"
#include "cleanup.h"
#include "expand.h"
#include "mountinfo.h"
#include "safetext.h"
#include "sessionview.h"

int vsym_sessionview_print_binds(const struct vsym_state *state, FILE *out, struct vsym_error *err)
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
 * directories matching its template, listed with user's credentials, each
 * with its real version (version_from) and the symlinks that are the same
 * choice: "1.21 (version 1.21.13)", "java-17 (also java-1.17.0)". */
static void print_choices(const struct vsym_user *user, const struct vsym_variant *v, FILE *out)
{
	struct vsym_choices choices;
	struct vsym_error err;

	if (vsym_choices_list(user, v, &choices, &err) < 0)
		return;
	for (size_t i = 0; i < choices.n; i++) {
		const char *version = choices.versions != NULL ? choices.versions[i] : NULL;

		fputs(i > 0 ? "," : "", out);
		vsym_fput_escaped(choices.values[i], out);
		if (version != NULL)
			fprintf(out, " (version %s)", version);
		for (size_t j = 0; j < choices.nlinks; j++) {
			if (strcmp(choices.link_values[j], choices.values[i]) != 0)
				continue;
			fputs(" (also ", out);
			vsym_fput_escaped(choices.link_names[j], out);
			fputc(')', out);
		}
	}
	vsym_choices_free(&choices);
}

void vsym_sessionview_print_variants(const struct vsym_policy *policy, const struct vsym_user *user,
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

int vsym_sessionview_print_values(const struct vsym_variant *variant, const struct vsym_user *user,
				  FILE *out, struct vsym_error *err)
{
	struct vsym_choices choices;
	int rc = vsym_choices_list(user, variant, &choices, err);

	/* Names found in a directory: made safe (safetext.h). */
	for (size_t i = 0; i < choices.n; i++) {
		vsym_fput_safe(choices.values[i], out);
		fputc('\n', out);
	}
	for (size_t i = 0; i < choices.nlinks; i++) {
		vsym_fput_safe(choices.link_names[i], out);
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

int vsym_sessionview_check_defaults(const struct vsym_policy *policy, const struct vsym_user *user,
				    struct vsym_state *state, FILE *out, size_t *dropped,
				    struct vsym_error *err)
{
	struct vsym_bind_list list;
	int refused = 0;

	if (vsym_policy_session_defaults(policy, &list, err) < 0)
		return -1;
	for (size_t i = 0; i < list.n; i++) {
		struct vsym_error verdict;
		enum vsym_outcome outcome = vsym_binds_add(policy, user, state, &list.binds[i],
							   VSYM_BIND_DRY_RUN, &verdict);

		if (print_verdict(&list.binds[i], outcome, verdict.text, out))
			refused++;
	}
	*dropped = list.dropped;
	vsym_bind_list_free(&list);
	return refused;
}

/* One line of -C's judgement of the variants, made safe as a whole
 * (safetext.h): it quotes the name of a file the caller chose, patterns
 * and file names from it, and names found in directories. */
static void __attribute__((format(printf, 2, 3))) report_line(FILE *out, const char *fmt, ...)
{
	cleanup_free char *line = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (n < 0)
		line = NULL;  /* undefined after a failure: not to be freed */
	vsym_fput_safe(line != NULL ? line : "(out of memory)", out);
	fputc('\n', out);
}

/* The system file's default of v on its own: the value in force unless
 * ~/.vsymrc picked another. Returns NULL when it has none. */
static const char *system_default(const struct vsym_variant *v, unsigned *line)
{
	*line = v->value_origin == VSYM_ORIGIN_SYSTEM ? v->value_line : v->system_default_line;
	return v->value_origin == VSYM_ORIGIN_SYSTEM ? v->value : v->system_default;
}

/* A version_from that finds a version in none of v's choices (a wrong
 * file or pattern: values then match directory names only). Returns 1
 * when it printed so, else 0. */
static int check_version_from(const char *file, const struct vsym_variant *v, const struct vsym_choices *choices,
			      FILE *out)
{
	if (v->version_from_re == NULL || choices->n == 0)
		return 0;
	for (size_t i = 0; choices->versions != NULL && i < choices->n; i++)
		if (choices->versions[i] != NULL)
			return 0;
	report_line(out, "%s:%u: version_from of %s (pattern \"%s\" in each tree's %s) finds a version in none of its %zu "
		    "choices; each keeps only its directory name",
		    file, v->line, v->name, v->version_from_pattern, v->version_from_file, choices->n);
	return 1;
}

/* Each value the definition of v names that fits none of its choices:
 * the system default and the aliases. Returns how many it printed. */
static int check_variant(const struct vsym_policy *policy, const struct vsym_variant *v,
			 const struct vsym_choices *choices, FILE *out)
{
	const char *file = policy->label[v->origin] ? policy->label[v->origin] : "the system file";
	const char *there;
	char described[VSYM_ERROR_MAX];
	unsigned line;
	int bad = 0;

	vsym_choices_describe(v, choices, described, sizeof(described));
	there = described;
	if (system_default(v, &line) != NULL &&
	    vsym_variant_resolve(v, system_default(v, &line), choices, NULL) == NULL) {
		report_line(out, "%s:%u: the default %s = \"%s\" is none of the choices of %s (there are: %s)",
			    file, line, v->name, system_default(v, &line), v->name, there);
		bad++;
	}
	for (size_t i = 0; i < v->naliases; i++) {
		if (vsym_variant_resolve(v, v->alias_names[i], choices, NULL) != NULL)
			continue;
		report_line(out, "%s:%u: the alias %s of %s stands for %s, which is none of its choices (there are: %s)",
			    file, v->line, v->alias_names[i], v->name, v->alias_values[i], there);
		bad++;
	}
	return bad + check_version_from(file, v, choices, out);
}

int vsym_sessionview_check_variants(const struct vsym_policy *policy, const struct vsym_user *user, FILE *out)
{
	int bad = 0;

	for (size_t i = 0; i < policy->nvariants; i++) {
		const struct vsym_variant *v = &policy->variants[i];
		struct vsym_choices choices;
		struct vsym_error err;

		if (vsym_choices_list(user, v, &choices, &err) < 0) {
			report_line(out, "%s", err.text);
			bad++;
			continue;
		}
		bad += check_variant(policy, v, &choices, out);
		vsym_choices_free(&choices);
	}
	return bad;
}

char *vsym_sessionview_bound_values(const struct vsym_policy *policy, struct vsym_state *state, bool unbound)
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

bool vsym_sessionview_bound_on(struct vsym_state *state, const char *target)
{
	return vsym_state_find(state, target) != NULL;
}

bool vsym_sessionview_has_bound(struct vsym_state *state, const struct vsym_bind *b)
{
	const struct vsym_state_entry *e = vsym_state_find(state, b->target);

	return e != NULL && b->variant != NULL && e->variant != NULL && e->value != NULL &&
	       strcmp(e->variant, b->variant) == 0 && strcmp(e->value, b->value) == 0 &&
	       strcmp(e->source, b->source) == 0 && e->readonly == b->readonly;
}
