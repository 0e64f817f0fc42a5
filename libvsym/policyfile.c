/* Loading the policy files: the system file (root's, checked), ~/.vsymrc
 * (read as the user) and a file named to vsym-rebind -C. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fileio.h"
#include "policyfile.h"
#include "vsymrc.h"

int vsym_policyfile_load_system(struct vsym_policy *policy, const char *path,
				const struct vsym_user *user, struct vsym_error *err)
{
	char *text;
	size_t len;
	int rc;

	/* The system file decides for everybody: only root may write it. */
	rc = vsym_file_read_trusted(path, 0, VSYM_CFG_MAX_SIZE, &text, &len, err);
	if (rc < 0)
		return rc;
	rc = vsym_cfg_load_system(policy, path, text, len, user, err);
	free(text);
	return rc;
}

int vsym_policyfile_load_user(struct vsym_policy *policy, const struct vsym_user *user,
			      struct vsym_error *err)
{
	char path[PATH_MAX];
	char *text;
	size_t len;
	int rc;

	if (vsym_vsymrc_path(user, path, sizeof(path)) < 0)
		return vsym_error_set(err, "home of %s is too long", user->name);
	rc = vsym_file_read_as_user(path, user, VSYM_CFG_MAX_SIZE, &text, &len, err);
	if (rc == -ENOENT) {
		vsym_error_clear(err);
		return 0;
	}
	if (rc < 0)
		return -1;
	rc = vsym_cfg_load_user(policy, path, text, len, user, err);
	free(text);
	return rc;
}

int vsym_policyfile_load_named(struct vsym_policy *policy, const char *label, const char *path,
			       const struct vsym_user *user, struct vsym_error *err)
{
	char *text;
	size_t len;
	int rc;

	if (vsym_file_read_trusted(path, user->uid, VSYM_CFG_MAX_SIZE, &text, &len, err) < 0 &&
	    vsym_file_read_trusted(path, 0, VSYM_CFG_MAX_SIZE, &text, &len, err) < 0)
		return -1;
	rc = vsym_cfg_load_system(policy, label, text, len, user, err);
	free(text);
	return rc;
}
