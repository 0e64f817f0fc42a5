/* Loading vsym.conf and ~/.vsymrc (libconfig syntax, vsym.conf(5)) into
 * a struct vsym_policy. Every error names the file and line and what to do.
 * These functions parse text handed to them; reading the files with the
 * right credentials is fileio.h's job. */
#ifndef VSYM_CFG_H
#define VSYM_CFG_H

#include <stddef.h>

#include "cfgtext.h"
#include "error.h"
#include "policy.h"
#include "user.h"

/* Size cap for either file. */
#define VSYM_CFG_MAX_SIZE (64 * 1024)

/* Parses the system file's text (label names it in messages) into a zeroed
 * policy, paths expanded for user. On error the policy holds nothing that
 * needs keeping but must still be freed. Returns 0 or -1 with err set. */
int vsym_cfg_load_system(struct vsym_policy *policy, const char *label,
			 const char *text, size_t len,
			 const struct vsym_user *user, struct vsym_error *err);

/* Adds the user file's binds, variant definitions and variant values to a
 * policy that holds the system file. All or nothing: on error the policy is
 * as it was. Returns 0 or -1 with err set. */
int vsym_cfg_load_user(struct vsym_policy *policy, const char *label,
		       const char *text, size_t len,
		       const struct vsym_user *user, struct vsym_error *err);

/* Finds in a user file's text where the value of variant name is set, for
 * vsym_cfgtext_set_value. Returns 0, or -1 with err set when the text does
 * not parse or defines the variant itself. */
int vsym_cfg_user_spot(const char *label, const char *text, size_t len, const char *name,
		       struct vsym_cfgtext_spot *spot, struct vsym_error *err);

#endif
