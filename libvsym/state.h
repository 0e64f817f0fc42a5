/* The session's record of the binds vsym made, kept in the root-owned
 * marker tmpfs (/run/vsym/binds), so that vsym-rebind lists, replaces and
 * removes only mounts vsym made (doc/security.md invariant 9). One line per bind:
 * MNT_ID DEV:INO TARGET SOURCE ro|rw VARIANT VALUE, tab-separated, paths
 * escaped as in /proc/self/mountinfo. DEV:INO names the directory at the
 * root of the mount: with the mount id it tells vsym's mount from another
 * that took a reused id or a swapped path. */
#ifndef VSYM_STATE_H
#define VSYM_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "runlayout.h"

struct vsym_state_entry {
	uint64_t mnt_id;
	uint64_t root_dev;
	uint64_t root_ino;
	char *target;
	char *source;
	bool readonly;
	char *variant;  /* NULL when not from a variant */
	char *value;
};

struct vsym_state {
	struct vsym_state_entry *entries;
	size_t n;
	const char *dir;  /* where it is kept (/run/vsym), or NULL: memory only */
};

/* Reads the record file (VSYM_STATE_FILE or VSYM_JOURNAL_FILE) from dir;
 * a missing file is an empty record. Sets state->dir = dir. Returns 0 or -1
 * with err set. */
int vsym_state_load(struct vsym_state *state, const char *dir, const char *file,
		    struct vsym_error *err);

/* Replaces the record file in state->dir atomically (temporary file and
 * rename); does nothing for a memory-only state. Returns 0 or -1. */
int vsym_state_save(const struct vsym_state *state, const char *file, struct vsym_error *err);

/* Sets the entry for entry->target (copying the strings), replacing any. */
int vsym_state_put(struct vsym_state *state, const struct vsym_state_entry *entry);

/* Returns the entry for target, or NULL. */
struct vsym_state_entry *vsym_state_find(struct vsym_state *state, const char *target);

/* Drops the entry for target, if any. */
void vsym_state_remove(struct vsym_state *state, const char *target);

void vsym_state_free(struct vsym_state *state);

/* Writes path escaped as /proc/self/mountinfo does (space, tab, newline,
 * backslash as \ooo). */
void vsym_fput_escaped(const char *path, FILE *out);

#endif
