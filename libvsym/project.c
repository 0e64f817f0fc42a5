#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "choices.h"
#include "expand.h"
#include "fileio.h"
#include "cfgtext.h"
#include "project.h"
#include "cred.h"
#include "resolve.h"


/* A file of thousands of lines each worth a note gets this many, then
 * one saying that more were left out. */
#define PROJECT_MAX_NOTES 16

/* A repository may hold a directory whose name carries terminal escapes:
 * no control character of a path reaches a message. */
static void blank_controls(char *text)
{
	for (unsigned char *p = (unsigned char *)text; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static int add_note(struct vsym_project *proj, bool problem, struct vsym_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int add_note(struct vsym_project *proj, bool problem, struct vsym_error *err, const char *fmt, ...)
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
	if (rc < 0)
		return vsym_error_set(err, "out of memory");
	blank_controls(notes[proj->nnotes]);
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

static void pick_free(struct vsym_project_pick *p)
{
	free(p->value);
	free(p->file);
	for (size_t i = 0; i < p->nfallbacks; i++)
		free(p->fallbacks[i]);
	free(p->fallbacks);
}

/* The values a file names for one variant: the first, then the fallbacks
 * of a .tool-versions line; minimum for go.mod's "go" line. */
struct named {
	const char *const *values;
	size_t n;
	bool minimum;
};

static int add_pick(struct vsym_project *proj, size_t variant, const struct named *named,
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
	ok = p->file != NULL;
	if (named != NULL && ok) {
		p->value = strdup(named->values[0]);
		p->fallbacks = calloc(named->n, sizeof(char *));
		ok = p->value != NULL && p->fallbacks != NULL;
		for (size_t i = 1; ok && i < named->n; i++)
			ok = (p->fallbacks[p->nfallbacks++] = strdup(named->values[i])) != NULL;
	}
	if (!ok) {
		pick_free(p);
		return vsym_error_set(err, "out of memory");
	}
	blank_controls(p->file);
	proj->n++;
	return 0;
}

/* Claims variant for the values named unless a nearer file did: a bad
 * value claims it too (left as it is) and is noted without being quoted,
 * since it may hold anything, control characters included. */
static int claim_named(const struct vsym_policy *policy, struct vsym_project *proj, size_t variant,
		       const struct named *named, const char *file, unsigned line, struct vsym_error *err)
{
	bool valid = true;

	if (vsym_project_pick_of(proj, variant) != NULL)
		return 0;
	for (size_t i = 0; i < named->n; i++)
		valid = valid && vsym_variant_value_valid(named->values[i]);
	if (!valid && add_note(proj, true, err, "%s:%u: not a valid value for %s (use letters, digits and . _ + -); %s left as it is",
			       file, line, policy->variants[variant].name, policy->variants[variant].name) < 0)
		return -1;
	return add_pick(proj, variant, valid ? named : NULL, file, line, err);
}

static int claim(const struct vsym_policy *policy, struct vsym_project *proj, size_t variant,
		 const char *value, const char *file, unsigned line, struct vsym_error *err)
{
	const char *values[] = { value };
	struct named named = { values, 1, false };

	return claim_named(policy, proj, variant, &named, file, line, err);
}

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
			if (add_note(proj, false, err, "%s:%u: no variant %s here; skipped", label, line, name) < 0)
				return -1;
			continue;
		}
		if (claim(policy, proj, (size_t)v, config_setting_get_string(s), label, line, err) < 0)
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

int vsym_project_parse_vsym(const struct vsym_policy *policy, const char *label,
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
			pick_free(&scratch.picks[i]);
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
	return add_note(proj, false, err, "%s:%u: no variant here reads tool %.64s (a variant with tool = \"%.64s\" would); skipped",
			label, line_no, tool, tool);
}

/* "golang 1.21.5 1.22": the versions in order, the first that resolves
 * wins (asdf's fallbacks); asdf's words that are no version skipped. */
static int tool_line(const struct vsym_policy *policy, const char *label, unsigned line_no,
		     char *line, struct vsym_project *proj, struct vsym_error *err)
{
	char *words[32];
	const char *versions[32];
	struct named named = { versions, 0, false };
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
			 add_note(proj, false, err, "%s:%u: %s for %s skipped: vsym picks installed versions only",
				  label, line_no, skip, words[0]) < 0)
			return -1;
	}
	return named.n > 0 ? claim_named(policy, proj, (size_t)v, &named, label, line_no, err) : 0;
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

int vsym_project_parse_tool_versions(const struct vsym_policy *policy, const char *label,
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
	value = vsym_value_unprefixed(words[0]);
	if (claim(job->policy, job->proj, job->variant, value, job->label, line_no, job->err) < 0)
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
	struct named named = { values, 1, false };

	if (each_line(text, len, gomod_line, &m, err) < 0)
		return -1;
	if (m.toolchain_line > 0)
		return claim(policy, proj, variant, m.toolchain, label, m.toolchain_line, err);
	if (m.go_line == 0)
		return 0;
	values[0] = m.go;
	named.minimum = true;
	return claim_named(policy, proj, variant, &named, label, m.go_line, err);
}

int vsym_project_parse_version_file(const struct vsym_policy *policy, size_t variant,
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
		    long variant, vsym_project_reader reader, void *ctx,
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
		rc = vsym_project_parse_version_file(policy, (size_t)variant, path, text, len, proj, &why);
	else if (rc == 0 && strcmp(name, VSYM_PROJECT_FILE) == 0)
		rc = vsym_project_parse_vsym(policy, path, text, len, proj, &why);
	else if (rc == 0)
		rc = vsym_project_parse_tool_versions(policy, path, text, len, proj, &why);
	free(text);
	free(path);
	if (rc == -ENOENT || rc == 0)
		return 0;
	return add_note(proj, true, err, "%s", why.text);
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
		       vsym_project_reader reader, void *ctx, struct vsym_project *proj, struct vsym_error *err)
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
	if (rc == 0 && add_note(proj, false, err, "%s: found, but no variant reads it (add it to a variant's version_file in vsym.conf); ignored",
				path) < 0) {
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

static int search_dir(const struct vsym_policy *policy, const char *dir,
		      vsym_project_reader reader, void *ctx, struct vsym_project *proj,
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

int vsym_project_search(const struct vsym_policy *policy, const char *dir,
			vsym_project_reader reader, void *ctx, struct vsym_project *proj,
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

/* Opens what the walk found for reading, without a path lookup; a FIFO
 * opened non-blocking returns at once and is refused below. */
static int reopen_for_reading(int fd)
{
	char link[64];

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	return open(link, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
}

/* Opens path for reading, or returns -errno / -1 with err set. */
static int open_project_file(const char *path, struct vsym_error *err)
{
	struct vsym_error why = { .text = "" };
	int fd = vsym_walk(path, VSYM_LINKS_FOLLOW_DIRS, &why), rfd;

	if (fd == -ENOENT || fd == -ENOTDIR)
		return -ENOENT;
	if (fd == -ELOOP)
		return vsym_error_set(err, "%s: a symbolic link; a project file must be a regular file, so it is refused", path);
	if (fd < 0 && why.text[0] != '\0')
		return vsym_error_set(err, "%s: %s; the file is refused", path, why.text);
	if (fd < 0)
		return vsym_error_set(err, "%s: cannot be read (%s); the file is refused", path, strerror(-fd));
	rfd = reopen_for_reading(fd);
	close(fd);
	if (rfd < 0)
		return vsym_error_set(err, "%s: cannot be read (%s); the file is refused", path, strerror(errno));
	return rfd;
}

/* The directory a search is in, walked once (vsym_walk: never into FUSE),
 * so that each name tried there costs one lookup, not a walk from "/". */
struct dir_cache {
	char *dir;  /* NULL: none walked yet */
	int fd;     /* O_PATH; -1 when the walk failed */
};

static void dir_cache_close(struct dir_cache *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->dir);
	c->dir = NULL;
	c->fd = -1;
}

/* True only when path's directory, walked, surely has no entry of its
 * name: one O_PATH lookup of that one name, which neither leaves the
 * directory's mount nor follows a link (nothing of a mount on the name,
 * FUSE or not, is called). Any other answer, or a directory that could
 * not be walked, leaves the verdict to the full walk of path. */
static bool surely_absent(struct dir_cache *c, const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dirlen = (size_t)(slash - path);
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | O_NOFOLLOW,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd;

	if (c->dir == NULL || strlen(c->dir) != dirlen || strncmp(c->dir, path, dirlen) != 0) {
		struct vsym_error ignored;

		dir_cache_close(c);
		if ((c->dir = strndup(path, dirlen)) == NULL)
			return false;
		c->fd = vsym_walk(dirlen > 0 ? c->dir : "/", VSYM_LINKS_FOLLOW, &ignored);
		if (c->fd < 0)
			c->fd = -1;
	}
	if (c->fd < 0 || slash[1] == '\0')
		return false;
	fd = (int)syscall(SYS_openat2, c->fd, slash + 1, &how, sizeof(how));
	if (fd >= 0)
		close(fd);
	return fd < 0 && errno == ENOENT;
}

int vsym_project_read_file(void *ctx, const char *path, char **text, size_t *len,
			   struct vsym_error *err)
{
	int fd;
	struct stat st;
	size_t n = 0;
	char *buf;

	if (ctx != NULL && surely_absent(ctx, path))
		return -ENOENT;
	fd = open_project_file(path, err);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (uintmax_t)st.st_size > VSYM_PROJECT_MAX_SIZE) {
		bool is_reg = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);

		close(fd);
		if (!is_reg)
			return vsym_error_set(err, "%s: not a regular file; the file is refused", path);
		return vsym_error_set(err, "%s: larger than %d bytes; the file is refused", path, VSYM_PROJECT_MAX_SIZE);
	}
	buf = malloc(VSYM_PROJECT_MAX_SIZE + 1);
	while (buf != NULL && n <= VSYM_PROJECT_MAX_SIZE) {
		ssize_t r = read(fd, buf + n, VSYM_PROJECT_MAX_SIZE + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (buf == NULL)
		return vsym_error_set(err, "out of memory");
	if (n > VSYM_PROJECT_MAX_SIZE) {
		free(buf);
		return vsym_error_set(err, "%s: grew past %d bytes while read; the file is refused", path, VSYM_PROJECT_MAX_SIZE);
	}
	buf[n] = '\0';
	*text = buf;
	*len = n;
	return 0;
}

/* The directory must be one the caller can enter, reached by the walk;
 * kept in cache, where the search starts. */
static int enter_dir(const char *dir, struct dir_cache *cache, struct vsym_error *err)
{
	struct vsym_error why = { .text = "" };
	int fd = dir[0] == '/' ? vsym_walk(dir, VSYM_LINKS_FOLLOW, &why) : -EINVAL;
	struct stat st;
	bool ok;

	if (fd < 0) {
		vsym_error_set(err, "%s is not a directory you can enter%s%s", dir, why.text[0] ? ": " : "", why.text);
		return -ENOTDIR;
	}
	ok = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) &&
	     faccessat(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) == 0;
	if (!ok) {
		close(fd);
		vsym_error_set(err, "%s is not a directory you can enter", dir);
		return -ENOTDIR;
	}
	/* Keyed as the search names it: "/" holds "/.vsym". */
	cache->dir = strdup(strcmp(dir, "/") == 0 ? "" : dir);
	cache->fd = cache->dir != NULL ? fd : -1;
	if (cache->dir == NULL)
		close(fd);
	return 0;
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
			rc = add_note(proj, false, err, "%s:%u: %s %s", p->file, p->line, v->name, why);
		free(why);
		if (rc < 0)
			return -1;
	}
	return 0;
}

int vsym_project_find_as_user(const struct vsym_policy *policy, const struct vsym_user *user,
			      const char *dir, struct vsym_project *proj, struct vsym_error *err)
{
	struct vsym_saved_cred saved;
	struct dir_cache cache = { NULL, -1 };
	int rc;

	if (vsym_cred_become(&saved, user, err) < 0)
		return -1;
	rc = enter_dir(dir, &cache, err);
	if (rc == 0)
		rc = vsym_project_search(policy, dir, vsym_project_read_file, &cache, proj, err);
	dir_cache_close(&cache);
	if (vsym_cred_restore(&saved, err) < 0)
		rc = -1;
	if (rc == 0)
		rc = settle_picks(policy, user, proj, err);
	if (rc < 0)
		vsym_project_free(proj);
	return rc == -ENOTDIR ? rc : rc < 0 ? -1 : 0;
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
		pick_free(&proj->picks[i]);
	for (size_t i = 0; i < proj->nnotes; i++)
		free(proj->notes[i]);
	free(proj->picks);
	free(proj->notes);
	memset(proj, 0, sizeof(*proj));
}
