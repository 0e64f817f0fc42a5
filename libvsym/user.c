#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "expand.h"
#include "user.h"

/* Names and homes go into log lines: a newline, CR or ESC there (a name
 * that LDAP serves, or a hostile passwd line) would forge a line or drive
 * the terminal of whoever reads the log. */
static bool has_control_char(const char *s)
{
	return vsym_has_control_char(s);
}

static int lookup_passwd(struct vsym_user *user, const char *name, uid_t uid,
			 struct vsym_error *err)
{
	struct passwd *pw;

	if (name != NULL && has_control_char(name))
		return vsym_error_set(err, "a user name holds a control character; vsym does not act for it");
	errno = 0;
	pw = name != NULL ? getpwnam(name) : getpwuid(uid);
	if (pw == NULL) {
		if (name != NULL)
			return vsym_error_set(err, "user '%s' not found in the password database", name);
		return vsym_error_set(err, "uid %u not found in the password database", (unsigned)uid);
	}
	if (has_control_char(pw->pw_name))
		return vsym_error_set(err, "the password database names uid %u with a control character; "
				      "vsym does not act for it", (unsigned)pw->pw_uid);
	user->name = strdup(pw->pw_name);
	user->home = strdup(pw->pw_dir);
	user->shell = strdup(pw->pw_shell[0] != '\0' ? pw->pw_shell : "/bin/sh");
	user->uid = pw->pw_uid;
	user->gid = pw->pw_gid;
	if (user->name == NULL || user->home == NULL || user->shell == NULL)
		return vsym_error_set(err, "out of memory");
	return 0;
}

/* A home is spliced into patterns by "~": it must be a plain absolute path. */
static int check_home(const struct vsym_user *user, struct vsym_error *err)
{
	if (has_control_char(user->home))
		return vsym_error_set(err, "home of user '%s' holds a control character; vsym does not act for it",
				      user->name);
	if (user->home[0] != '/')
		return vsym_error_set(err, "home of user '%s' is '%s', not an absolute path", user->name, user->home);
	if (strpbrk(user->home, "*$") != NULL)
		return vsym_error_set(err, "home of user '%s' contains '*' or '$'; vsym cannot tell it from a pattern", user->name);
	return 0;
}

int vsym_user_lookup_groups(struct vsym_user *user, struct vsym_error *err)
{
	cleanup_free gid_t *gids = NULL;
	int n = 64;

	if (user->gids != NULL)
		return 0;
	/* gids is set only once the list is whole: a NULL gids is what tells
	 * cred.c that the groups are not known. */
	for (;;) {
		gid_t *bigger = realloc(gids, (size_t)n * sizeof(*gids));
		int want = n;

		if (bigger == NULL)
			return vsym_error_set(err, "out of memory");
		gids = bigger;
		if (getgrouplist(user->name, user->gid, gids, &want) >= 0) {
			user->ngids = (size_t)want;
			user->gids = steal_pointer(&gids);
			return 0;
		}
		if (want <= n || want > VSYM_MAX_GROUPS)
			return vsym_error_set(err, "cannot list the groups of user '%s'", user->name);
		n = want;
	}
}

int vsym_user_name_groups(struct vsym_user *user, struct vsym_error *err)
{
	if (user->group_names != NULL)
		return 0;
	user->group_names = calloc(user->ngids ? user->ngids : 1, sizeof(char *));
	if (user->group_names == NULL)
		return vsym_error_set(err, "out of memory");
	for (size_t i = 0; i < user->ngids; i++) {
		struct group *gr = getgrgid(user->gids[i]);

		if (gr == NULL)
			continue;
		user->group_names[i] = strdup(gr->gr_name);
		if (user->group_names[i] == NULL)
			return vsym_error_set(err, "out of memory");
	}
	return 0;
}

int vsym_user_lookup(struct vsym_user *user, const char *name, uid_t uid,
		     struct vsym_error *err)
{
	memset(user, 0, sizeof(*user));
	if (lookup_passwd(user, name, uid, err) < 0 || check_home(user, err) < 0 ||
	    vsym_user_lookup_groups(user, err) < 0) {
		vsym_user_free(user);
		return -1;
	}
	return 0;
}

int vsym_user_lookup_passwd(struct vsym_user *user, uid_t uid, struct vsym_error *err)
{
	memset(user, 0, sizeof(*user));
	if (lookup_passwd(user, NULL, uid, err) < 0 || check_home(user, err) < 0) {
		vsym_user_free(user);
		return -1;
	}
	return 0;
}

int vsym_user_lookup_name(struct vsym_user *user, const char *name, struct vsym_error *err)
{
	memset(user, 0, sizeof(*user));
	if (lookup_passwd(user, name, 0, err) < 0 || check_home(user, err) < 0) {
		vsym_user_free(user);
		return -1;
	}
	return 0;
}

void vsym_user_free(struct vsym_user *user)
{
	if (user->group_names != NULL)
		for (size_t i = 0; i < user->ngids; i++)
			free(user->group_names[i]);
	free(user->group_names);
	free(user->gids);
	free(user->name);
	free(user->home);
	free(user->shell);
	memset(user, 0, sizeof(*user));
}
