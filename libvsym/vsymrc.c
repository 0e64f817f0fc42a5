/* ~/.vsymrc: its one spelling, and vsym-rebind -s editing its values in
 * place (as the user, privileges gone for good). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "cfgtext.h"
#include "cleanup.h"
#include "cred.h"
#include "fileio.h"
#include "vsymrc.h"

int vsym_vsymrc_path(const struct vsym_user *user, char *buf, size_t size)
{
	const char *home = strcmp(user->home, "/") == 0 ? "" : user->home;

	return (size_t)snprintf(buf, size, "%s/%s", home, VSYM_USER_FILE) < size ? 0 : -1;
}

/* Puts before and after around the message in err (the cause stays). */
static void annotate(struct vsym_error *err, const char *before, const char *after)
{
	char text[VSYM_ERROR_MAX], cause[VSYM_CAUSE_MAX];

	snprintf(text, sizeof(text), "%s", err->text);
	snprintf(cause, sizeof(cause), "%s", err->cause);
	vsym_error_set(err, "%s%s%s", before, text, after);
	snprintf(err->cause, sizeof(err->cause), "%s", cause);
}

/* The user's file as it is now ("" when there is none) and its mode.
 * Returns the text, or NULL with err set and *result saying whether the
 * file was refused or could not be read. */
static char *read_user_file(const struct vsym_user *user, const char *path, mode_t *mode,
			    enum vsym_save_result *result, struct vsym_error *err)
{
	struct stat st;
	char *text;
	size_t len;
	int read = vsym_file_read_trusted(path, user->uid, VSYM_CFG_MAX_SIZE, &text, &len, err);

	*mode = 0644;
	*result = VSYM_SAVE_REFUSED;
	if (read == -ENOENT) {
		*result = VSYM_SAVE_FAILED;
		text = strdup("");
		if (text == NULL)
			vsym_error_set(err, "out of memory");
		return text;
	}
	if (read < 0) {
		annotate(err, "", "; not saved");
		return NULL;
	}
	if (lstat(path, &st) == 0)
		*mode = st.st_mode & 0755;
	if (strlen(text) != len) {
		vsym_error_set(err, "%s holds a NUL byte; not saved", path);
		free(text);
		return NULL;
	}
	return text;
}

/* Sets NAME=VALUE in the text of ~/.vsymrc, keeping every other byte.
 * Returns the new text (text is freed), or NULL with err set (text kept). */
static char *set_in_text(char *text, const char *path, const char *word, struct vsym_error *err)
{
	const char *value = strchr(word, '=') + 1;
	struct vsym_cfgtext_spot spot;
	char name[80];
	char *edited;

	snprintf(name, sizeof(name), "%.*s", (int)(value - 1 - word), word);
	if (vsym_cfg_user_spot(path, text, strlen(text), name, &spot, err) < 0) {
		annotate(err, "", "; not saved");
		return NULL;
	}
	edited = vsym_cfgtext_set_value(text, &spot, name, value, err);
	if (edited == NULL) {
		char before[PATH_MAX + 4], after[VSYM_ERROR_MAX];

		snprintf(before, sizeof(before), "%s: ", path);
		snprintf(after, sizeof(after), "; set %s there by hand", word);
		annotate(err, before, after);
		return NULL;
	}
	free(text);
	return edited;
}

enum vsym_save_result vsym_vsymrc_save_values(const struct vsym_user *user, char *const *words, size_t n,
					      struct vsym_error *err)
{
	enum vsym_save_result result;
	char path[PATH_MAX];
	mode_t mode;
	cleanup_free char *text = NULL;

	if (vsym_vsymrc_path(user, path, sizeof(path)) < 0) {
		vsym_error_set(err, "switched, but not saved: your home is too long");
		return VSYM_SAVE_REFUSED;
	}
	text = read_user_file(user, path, &mode, &result, err);
	if (text == NULL)
		return result;
	for (size_t i = 0; i < n; i++) {
		char *edited = set_in_text(text, path, words[i], err);

		if (edited == NULL)
			return VSYM_SAVE_REFUSED;
		text = edited; /* set_in_text freed the old text */
	}
	result = VSYM_SAVED;
	if (vsym_file_replace(path, text, strlen(text), mode, err) < 0) {
		annotate(err, "switched, but not saved: ", "");
		result = VSYM_SAVE_FAILED; /* the write failed: not a refusal */
	}
	return result;
}
