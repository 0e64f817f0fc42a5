/* The user's file, ~/.vsymrc. */
#ifndef VSYM_VSYMRC_H
#define VSYM_VSYMRC_H

#include <stddef.h>

#include "error.h"
#include "user.h"

#define VSYM_USER_FILE ".vsymrc"

/* What vsym_vsymrc_save_values did: a refusal (exit status 1) and a
 * failure (exit status 3) are two results, never one return value. */
enum vsym_save_result {
	VSYM_SAVED,
	VSYM_SAVE_REFUSED,  /* the file cannot be edited safely; nothing saved */
	VSYM_SAVE_FAILED,   /* reading or writing failed; nothing saved */
};

/* The path of user's ~/.vsymrc into buf; the one spelling of it, so that
 * messages about the file can be matched against it. Returns 0, or -1
 * when it does not fit. */
int vsym_vsymrc_path(const struct vsym_user *user, char *buf, size_t size);

/* vsym-rebind -s: sets each NAME=VALUE of words in ~/.vsymrc, keeping
 * every other byte, written beside the file and renamed over it. Call as
 * the user, with privileges gone for good. Returns the result, err set
 * (saying why and that nothing was saved) unless VSYM_SAVED. */
enum vsym_save_result vsym_vsymrc_save_values(const struct vsym_user *user, char *const *words, size_t n,
					      struct vsym_error *err);

#endif
