/* The `variants` block, for cfg.c (internal: only cfg*.c include it). */
#ifndef VSYM_CFGVARIANT_H
#define VSYM_CFGVARIANT_H

#include <stddef.h>

#include "cfgread.h"
#include "policy.h"

/* A variant value picked by the user file, applied only once all is valid. */
struct vsym_cfgvariant_pick {
	size_t variant;  /* index into the system part's variants */
	char *value;
	unsigned line;
};

/* The system variant .tool-versions knows by tool = name, or NULL. */
const struct vsym_variant *vsym_cfgvariant_of_tool(const struct vsym_policy *system, const char *name);

/* The variants block of root: definitions, and in a user file the picks
 * of system variants, added to *picks (NULL for the system file). Returns
 * 0 or -1 with the load's error set. */
int vsym_cfgvariant_load(const struct vsym_cfgread_load *ld, const config_setting_t *root,
			 struct vsym_cfgvariant_pick **picks, size_t *npicks);

/* Frees n picks and their values. */
void vsym_cfgvariant_picks_free(struct vsym_cfgvariant_pick *picks, size_t n);

#endif
