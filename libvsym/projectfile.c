/* The parsers of project files: .vsym (libconfig, values only), asdf's
 * .tool-versions (fallbacks, words that are no version skipped), a version
 * file's first line, and go.mod ("toolchain", else "go" as a minimum). */
#include "config.h"

#include <libconfig.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgtext.h"
#include "expand.h"
#include "project.h"
#include "projectfile.h"

static long variant_index(const struct vsym_policy *policy, const char *name)
{
	const struct vsym_variant *v = vsym_policy_variant(policy, name);

	return v != NULL ? (long)(v - policy->variants) : -1;
}

/* libconfig acts on "@include" (it would open another file) and stops
 * at a NUL byte: neither belongs in a project file. */
static int check_vsym_text(const char *label, const char *text, size_t len, struct vsym_error *err)
{
	unsigned line = 1;

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\0')
			return vsym_error_set(err, "%s:%u: NUL byte; not a text file, so it is refused", label, line);
		if (text[i] == '@' && len - i >= 8 && memcmp(text + i, "@include", 8) == 0)
			return vsym_error_set(err, "%s:%u: @include is not allowed in a project file; the file is refused", label, line);
		if (text[i] == '\n')
			line++;
	}
	return 0;
}

static int vsym_picks(const struct vsym_policy *policy, const char *label,
		      const config_setting_t *group, struct vsym_project *proj, struct vsym_error *err)
{
	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		unsigned line = (unsigned)config_setting_source_line(s);
		long v;

		if (name != NULL && (config_setting_type(s) == CONFIG_TYPE_INT || config_setting_type(s) == CONFIG_TYPE_INT64 ||
				     config_setting_type(s) == CONFIG_TYPE_FLOAT))
			return vsym_error_set(err, "%s:%u: the value of %s is a number; write it in quotes: %s = \"...\"; the file is refused",
					      label, line, name, name);
		if (name == NULL || config_setting_type(s) != CONFIG_TYPE_STRING)
			return vsym_error_set(err, "%s:%u: a project file only picks values, as go = \"1.22\"; the file is refused",
					      label, line);
		v = variant_index(policy, name);
		if (v < 0) {
			if (vsym_project_note(proj, false, err, "%s:%u: no variant %s here; skipped", label, line, name) < 0)
				return -1;
			continue;
		}
		if (vsym_project_claim(policy, proj, (size_t)v, config_setting_get_string(s), label, line, err) < 0)
			return -1;
	}
	return 0;
}

/* The whole file is checked before any pick is taken from it. */
static int vsym_root(const struct vsym_policy *policy, const char *label, config_t *cfg,
		     struct vsym_project *proj, struct vsym_error *err)
{
	const config_setting_t *root = config_root_setting(cfg);
	const config_setting_t *group = NULL;

	for (int i = 0; i < config_setting_length(root); i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);

		if (name == NULL || strcmp(name, "variants") != 0 || config_setting_type(s) != CONFIG_TYPE_GROUP)
			return vsym_error_set(err, "%s:%d: a project file holds only variants: { go = \"1.22\"; }; '%s' is not allowed; the file is refused",
					      label, config_setting_source_line(s), name ? name : "(element)");
		group = s;
	}
	if (group == NULL)
		return 0;
	return vsym_picks(policy, label, group, proj, err);
}

int vsym_projectfile_parse_vsym(const struct vsym_policy *policy, const char *label,
				const char *text, size_t len, struct vsym_project *proj,
				struct vsym_error *err)
{
	struct vsym_project scratch = { 0 };
	config_t cfg;
	int rc;

	if (check_vsym_text(label, text, len, err) < 0)
		return -1;
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		char hint[160] = "";

		if (config_error_line(&cfg) > 0 &&
		    vsym_cfgtext_unquoted_hint(text, (unsigned)config_error_line(&cfg), hint + 2, sizeof(hint) - 2))
			memcpy(hint, "; ", 2);
		rc = vsym_error_set(err, "%s:%d: %s%s; the file is refused", label, config_error_line(&cfg),
				    config_error_text(&cfg) ? config_error_text(&cfg) : "syntax error", hint);
		config_destroy(&cfg);
		return rc;
	}
	/* Parsed into a scratch copy first: a refused file claims nothing. */
	scratch = *proj;
	rc = vsym_root(policy, label, &cfg, &scratch, err);
	config_destroy(&cfg);
	if (rc < 0) {
		/* Drop what the scratch added, keep what proj had. */
		for (size_t i = proj->n; i < scratch.n; i++)
			vsym_project_pick_free(&scratch.picks[i]);
		for (size_t i = proj->nnotes; i < scratch.nnotes; i++)
			free(scratch.notes[i]);
		scratch.n = proj->n;
		scratch.nnotes = proj->nnotes;
		scratch.problems = proj->problems;
	}
	*proj = scratch;
	return rc;
}

/* The variant a .tool-versions tool name stands for: the one whose tool
 * key names it, else the one of that name that has no tool key. */
static long tool_variant(const struct vsym_policy *policy, const char *tool)
{
	for (size_t i = 0; i < policy->nvariants; i++) {
		const struct vsym_variant *v = &policy->variants[i];

		if (strcmp(v->tool != NULL ? v->tool : v->name, tool) == 0)
			return (long)i;
	}
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Splits line (modified in place) into at most max blank-separated words. */
static size_t split_words(char *line, char **words, size_t max)
{
	size_t n = 0;

	while (*line != '\0' && n < max) {
		while (is_blank(*line))
			*line++ = '\0';
		if (*line == '\0')
			break;
		words[n++] = line;
		while (*line != '\0' && !is_blank(*line))
			line++;
	}
	return n;
}

/* asdf's words for "not an installed version": skipped, with a note. */
static const char *not_a_version(const char *word)
{
	if (strcmp(word, "system") == 0)
		return "'system'";
	if (strncmp(word, "ref:", 4) == 0)
		return "a ref: version";
	if (strncmp(word, "path:", 5) == 0)
		return "a path: version";
	return NULL;
}

/* A tool no variant maps is said once, never dropped silently. */
static int unmapped_tool(struct vsym_project *proj, const char *label, unsigned line_no, const char *tool,
			 struct vsym_error *err)
{
	return vsym_project_note(proj, false, err, "%s:%u: no variant here reads tool %.64s (a variant with tool = \"%.64s\" would); skipped",
				 label, line_no, tool, tool);
}

/* "golang 1.21.5 1.22": the versions in order, the first that resolves
 * wins (asdf's fallbacks); asdf's words that are no version skipped. */
static int tool_line(const struct vsym_policy *policy, const char *label, unsigned line_no,
		     char *line, struct vsym_project *proj, struct vsym_error *err)
{
	char *words[32];
	const char *versions[32];
	struct vsym_project_named named = { versions, 0, false };
	size_t n;
	long v;

	*strchrnul(line, '#') = '\0';
	n = split_words(line, words, 32);
	if (n == 0)
		return 0;
	if ((v = tool_variant(policy, words[0])) < 0)
		return unmapped_tool(proj, label, line_no, words[0], err);
	for (size_t i = 1; i < n; i++) {
		const char *skip = not_a_version(words[i]);

		if (skip == NULL)
			versions[named.n++] = words[i];
		else if (vsym_project_pick_of(proj, (size_t)v) == NULL &&
			 vsym_project_note(proj, false, err, "%s:%u: %s for %s skipped: vsym picks installed versions only",
					   label, line_no, skip, words[0]) < 0)
			return -1;
	}
	return named.n > 0 ? vsym_project_claim_named(policy, proj, (size_t)v, &named, label, line_no, err) : 0;
}

/* Calls fn for each line of text (a copy, NUL-terminated per line). */
static int each_line(const char *text, size_t len,
		     int (*fn)(void *ctx, unsigned line_no, char *line), void *ctx, struct vsym_error *err)
{
	unsigned line_no = 0;
	size_t start = 0;

	while (start < len) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t end = nl != NULL ? (size_t)(nl - text) : len;
		char *line = strndup(text + start, end - start);
		int rc;

		if (line == NULL)
			return vsym_error_set(err, "out of memory");
		rc = fn(ctx, ++line_no, line);
		free(line);
		if (rc != 0)
			return rc;
		start = end + 1;
	}
	return 0;
}

struct line_job {
	const struct vsym_policy *policy;
	const char *label;
	size_t variant;
	struct vsym_project *proj;
	struct vsym_error *err;
};

static int tool_versions_line(void *ctx, unsigned line_no, char *line)
{
	struct line_job *job = ctx;

	return tool_line(job->policy, job->label, line_no, line, job->proj, job->err);
}

int vsym_projectfile_parse_tool_versions(const struct vsym_policy *policy, const char *label,
					 const char *text, size_t len, struct vsym_project *proj,
					 struct vsym_error *err)
{
	struct line_job job = { policy, label, 0, proj, err };

	return each_line(text, len, tool_versions_line, &job, err);
}

/* The "//" that starts a comment in line, or its end. */
static char *strstr_or_end(char *line, const char *what)
{
	char *at = strstr(line, what);

	return at != NULL ? at : line + strlen(line);
}

/* Returns 1 once the value is taken: only the first one counts. */
static int version_line(void *ctx, unsigned line_no, char *line)
{
	struct line_job *job = ctx;
	char *words[2];
	const char *value;

	if (split_words(line, words, 2) == 0 || words[0][0] == '#')
		return 0;
	value = vsym_version_unprefixed(words[0]);
	if (vsym_project_claim(job->policy, job->proj, job->variant, value, job->label, line_no, job->err) < 0)
		return -1;
	return 1;
}

/* go.mod: "toolchain goX.Y.Z" is the value; else "go X.Y[.Z]" a minimum. */
struct gomod {
	char go[64], toolchain[64];
	unsigned go_line, toolchain_line;
};

static int gomod_line(void *ctx, unsigned line_no, char *line)
{
	struct gomod *m = ctx;
	char *words[3];
	size_t n;

	*strstr_or_end(line, "//") = '\0';
	n = split_words(line, words, 3);
	if (n != 2)
		return 0;
	if (strcmp(words[0], "go") == 0 && m->go_line == 0) {
		snprintf(m->go, sizeof(m->go), "%s", words[1]);
		m->go_line = line_no;
	} else if (strcmp(words[0], "toolchain") == 0 && strncmp(words[1], "go", 2) == 0 && m->toolchain_line == 0) {
		snprintf(m->toolchain, sizeof(m->toolchain), "%s", words[1] + 2);
		m->toolchain_line = line_no;
	}
	return 0;
}

static bool is_gomod(const char *label)
{
	const char *slash = strrchr(label, '/');

	return strcmp(slash != NULL ? slash + 1 : label, "go.mod") == 0;
}

static int parse_gomod(const struct vsym_policy *policy, size_t variant, const char *label,
		       const char *text, size_t len, struct vsym_project *proj, struct vsym_error *err)
{
	struct gomod m = { .go_line = 0 };
	const char *values[1];
	struct vsym_project_named named = { values, 1, false };

	if (each_line(text, len, gomod_line, &m, err) < 0)
		return -1;
	if (m.toolchain_line > 0)
		return vsym_project_claim(policy, proj, variant, m.toolchain, label, m.toolchain_line, err);
	if (m.go_line == 0)
		return 0;
	values[0] = m.go;
	named.minimum = true;
	return vsym_project_claim_named(policy, proj, variant, &named, label, m.go_line, err);
}

int vsym_projectfile_parse_version_file(const struct vsym_policy *policy, size_t variant,
					const char *label, const char *text, size_t len,
					struct vsym_project *proj, struct vsym_error *err)
{
	struct line_job job = { policy, label, variant, proj, err };

	if (memchr(text, '\0', len) != NULL)
		return vsym_error_set(err, "%s: NUL byte; not a text file, so it is refused", label);
	if (is_gomod(label))
		return parse_gomod(policy, variant, label, text, len, proj, err);
	return each_line(text, len, version_line, &job, err) < 0 ? -1 : 0;
}
