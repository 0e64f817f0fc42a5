/* Project files (vsym-rebind(1) -p): .vsym, asdf's .tool-versions and each
 * variant's version_file (.go-version, .nvmrc, ...), found from a
 * directory up to "/". They are untrusted: whoever wrote the repository
 * wrote them. So they only pick values: each value must be a valid value,
 * and the caller resolves it (aliases, prefixes) and judges the bind like
 * any other value. Nothing of a refused file's text reaches a message,
 * nor a control character of a path.
 *
 * Order: for each variant the nearest file naming it wins; within one
 * directory .vsym comes first, then .tool-versions, then version files.
 * A file that names a variant with a bad value still claims it: the
 * variant is left as it is, and one note names the file and line. */
#ifndef VSYM_PROJECT_H
#define VSYM_PROJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "policy.h"
#include "user.h"

/* Size cap for one project file. */
#define VSYM_PROJECT_MAX_SIZE (64 * 1024)

/* The project file names tried in each directory before version files. */
#define VSYM_PROJECT_FILE ".vsym"
#define VSYM_PROJECT_TOOL_VERSIONS ".tool-versions"

struct vsym_project_pick {
	size_t variant;   /* index into the policy's variants */
	char *value;      /* as written (a leading "v" of a version file dropped);
			   * NULL: named with a bad value, left as it is;
			   * after vsym_projectsearch_as_user: the choice picked */
	char **fallbacks; /* .tool-versions: the versions after the first,
			   * tried in turn when it resolves to nothing */
	size_t nfallbacks;
	bool minimum;     /* go.mod's "go X.Y": the lowest choice at least it */
	char *file;       /* the file that named it, for messages (a control
			   * character shown as '?') */
	unsigned line;
};

/* What the project files say: at most one pick per variant, and notes
 * ("FILE:LINE: what was skipped or refused, and why"); problems counts
 * the notes about a file or value refused (not those about words skipped
 * or variants this machine does not have). */
struct vsym_project {
	struct vsym_project_pick *picks;
	size_t n;
	char **notes;
	size_t nnotes;
	size_t problems;
};

/* The pick of variant (an index), or NULL when no file names it. */
const struct vsym_project_pick *vsym_project_pick_of(const struct vsym_project *proj,
						     size_t variant);

/* Version files of other tools that a search notes when no variant reads
 * them (one note each: found, but not used). */
#define VSYM_PROJECT_KNOWN_FILES \
	".go-version", "go.mod", ".nvmrc", ".node-version", ".python-version", \
	".ruby-version", ".java-version", ".terraform-version"

/* The names a search tries in each directory, in its order: .vsym,
 * .tool-versions, then each variant's version_file once (for the shell
 * hook, which looks for them before it runs vsym-rebind -p). Returns an
 * array to free, of *n names the policy owns, or NULL when out of memory. */
const char **vsym_project_file_names(const struct vsym_policy *policy, size_t *n);

void vsym_project_free(struct vsym_project *proj);

/* For the parsers (projectfile.c) and the search (projectsearch.c). */

/* Adds a note (printf-style; a control character shown as '?') to proj;
 * problem: it is about a file or value refused (proj->problems). After
 * PROJECT_MAX_NOTES one more says the rest were left out. Returns 0, or -1
 * with err set when out of memory. */
int vsym_project_note(struct vsym_project *proj, bool problem, struct vsym_error *err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Frees what a pick holds (not the pick itself). */
void vsym_project_pick_free(struct vsym_project_pick *p);

/* The values a file names for one variant: the first, then the fallbacks
 * of a .tool-versions line; minimum for go.mod's "go" line. */
struct vsym_project_named {
	const char *const *values;
	size_t n;
	bool minimum;
};

/* Claims variant for the values named unless a nearer file did: a bad
 * value claims it too (left as it is) and is noted without being quoted,
 * since it may hold anything, control characters included. */
int vsym_project_claim_named(const struct vsym_policy *policy, struct vsym_project *proj, size_t variant,
			     const struct vsym_project_named *named, const char *file, unsigned line, struct vsym_error *err);

/* vsym_project_claim_named with the one value value. */
int vsym_project_claim(const struct vsym_policy *policy, struct vsym_project *proj, size_t variant,
		       const char *value, const char *file, unsigned line, struct vsym_error *err);

#endif
