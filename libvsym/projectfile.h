/* The parsers of project files: .vsym, .tool-versions and version files
 * (go.mod with Go's rules). Pure: text in, picks and notes out. */
#ifndef VSYM_PROJECTFILE_H
#define VSYM_PROJECTFILE_H

#include <stddef.h>

#include "error.h"
#include "policy.h"
#include "project.h"

/* The parsers: text of one file (label names it in notes) into proj,
 * adding picks only for variants proj has not claimed yet. A problem with
 * one entry becomes a note. Returns 0, or -1 with err set when the whole
 * file is refused (.vsym: a syntax error, a key other than variants, a
 * definition instead of a value) or when out of memory. */
int vsym_projectfile_parse_vsym(const struct vsym_policy *policy, const char *label,
				const char *text, size_t len, struct vsym_project *proj,
				struct vsym_error *err);
int vsym_projectfile_parse_tool_versions(const struct vsym_policy *policy, const char *label,
					 const char *text, size_t len, struct vsym_project *proj,
					 struct vsym_error *err);

/* The file of variant (an index into policy's variants): its first line
 * that is not blank or a # comment is the value. A file named go.mod is
 * Go's: its "toolchain goX.Y.Z" line is the value, else its "go X.Y[.Z]"
 * line is a minimum (pick->minimum). */
int vsym_projectfile_parse_version_file(const struct vsym_policy *policy, size_t variant,
					const char *label, const char *text, size_t len,
					struct vsym_project *proj, struct vsym_error *err);

#endif
