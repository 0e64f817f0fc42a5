/* Who a session or a rebind acts for, read from the password and group
 * databases once, so that nothing later consults the environment. */
#ifndef VSYM_USER_H
#define VSYM_USER_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct vsym_cred_hold;

/* At most this many groups are taken from the database or saved. */
#define VSYM_MAX_GROUPS 65536

struct vsym_user {
	char *name;
	char *home;      /* from the password database, never $HOME */
	char *shell;
	uid_t uid;
	gid_t gid;
	gid_t *gids;     /* primary and supplementary groups; NULL until read */
	size_t ngids;
	char **group_names; /* names of gids, same order (NULL where unnamed);
			     * NULL until vsym_user_name_groups */
	const struct vsym_cred_hold *hold; /* this user's identity, held by
					    * vsym_cred_hold; NULL when not */
};

/* Fills user from the password database entry of name (or of uid when name
 * is NULL) and the groups the user is in. Refuses homes that are not
 * absolute or contain pattern characters. Returns 0, or -1 with err set. */
int vsym_user_lookup(struct vsym_user *user, const char *name, uid_t uid,
		     struct vsym_error *err);

/* vsym_user_lookup by uid without the groups (left empty): for a caller
 * whose own groups (getgroups) stand instead. The group database is not
 * read, so no NSS module is loaded only to list groups unused. */
int vsym_user_lookup_passwd(struct vsym_user *user, uid_t uid, struct vsym_error *err);

/* The password database entry of name, without the groups (gids stays
 * NULL until vsym_user_lookup_groups): a login reads the group database
 * only once it knows vsym acts for the user, since that lookup is the
 * largest part of what a login costs (every NSS module is asked).
 * Returns 0, or -1 with err set. */
int vsym_user_lookup_name(struct vsym_user *user, const char *name, struct vsym_error *err);

/* Reads the groups user is in (primary and supplementary) into gids, unless
 * they are there already. Returns 0, or -1 with err set. vsym never acts as
 * a user whose groups are not read (cred.c refuses): with fewer groups
 * than the user has, a directory that denies one of them would open. */
int vsym_user_lookup_groups(struct vsym_user *user, struct vsym_error *err);

/* Looks up the names of user's groups, for the policy's users.groups. A
 * separate step: on a host with network groups each name costs an NSS
 * call, and most policies name no group. Returns 0 or -1 with err set. */
int vsym_user_name_groups(struct vsym_user *user, struct vsym_error *err);

/* Frees what vsym_user_lookup allocated. */
void vsym_user_free(struct vsym_user *user);

#endif
