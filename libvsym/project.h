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
			   * after vsym_project_find_as_user: the choice picked */
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

/* The parsers: text of one file (label names it in notes) into proj,
 * adding picks only for variants proj has not claimed yet. A problem with
 * one entry becomes a note. Returns 0, or -1 with err set when the whole
 * file is refused (.vsym: a syntax error, a key other than variants, a
 * definition instead of a value) or when out of memory. */
int vsym_project_parse_vsym(const struct vsym_policy *policy, const char *label,
			    const char *text, size_t len, struct vsym_project *proj,
			    struct vsym_error *err);
int vsym_project_parse_tool_versions(const struct vsym_policy *policy, const char *label,
				     const char *text, size_t len, struct vsym_project *proj,
				     struct vsym_error *err);
/* The file of variant (an index into policy's variants): its first line
 * that is not blank or a # comment is the value. A file named go.mod is
 * Go's: its "toolchain goX.Y.Z" line is the value, else its "go X.Y[.Z]"
 * line is a minimum (pick->minimum). */
int vsym_project_parse_version_file(const struct vsym_policy *policy, size_t variant,
				    const char *label, const char *text, size_t len,
				    struct vsym_project *proj, struct vsym_error *err);

/* Reads path into a new NUL-terminated *text. Returns 0, -ENOENT when
 * there is no such file, or -1 with err set (the file is then noted). */
typedef int (*vsym_project_reader)(void *ctx, const char *path, char **text, size_t *len,
				   struct vsym_error *err);

/* Searches dir (absolute; "." and ".." are taken lexically, as the shell's
 * $PWD) and each directory above it up to "/" with reader, into a zeroed
 * proj. Unreadable or refused files become notes. Returns 0, or -1 with
 * err set (a relative dir, out of memory). */
int vsym_project_search(const struct vsym_policy *policy, const char *dir,
			vsym_project_reader reader, void *ctx, struct vsym_project *proj,
			struct vsym_error *err);

/* Reads a project file as the process may: found by vsym_walk (never
 * through a FUSE mount), never through a symlink in the last component,
 * only a regular file (a FIFO or device is refused without blocking), at
 * most VSYM_PROJECT_MAX_SIZE bytes. Any owner: a repository's files belong
 * to whoever cloned or unpacked it, and a project file only picks values.
 * A vsym_project_reader. ctx is NULL, or what vsym_project_find_as_user
 * passes: the last directory walked, so that a name missing there is
 * known absent with one lookup (the many misses of a search from a deep
 * directory); a file that is there is still walked in full. */
int vsym_project_read_file(void *ctx, const char *path, char **text, size_t *len,
			   struct vsym_error *err);

/* vsym_project_search with vsym_project_read_file, with user's groups and
 * file-system ids and no capability (vsym_cred_become): every directory
 * and file is reached only as the user can, and never through FUSE.
 * Then each pick is resolved among its variant's choices
 * (vsym_choices_pick_among: fallbacks, minimums) and its value becomes
 * the choice picked; a note says so when it is not the value written, a
 * newer patch, a real version or a minimum.
 * Returns 0, -ENOTDIR when dir is not a directory the user can enter, or
 * -1, with err set. */
int vsym_project_find_as_user(const struct vsym_policy *policy, const struct vsym_user *user,
			      const char *dir, struct vsym_project *proj, struct vsym_error *err);

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

#endif
