#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "fileio.h"
#include "mount.h"
#include "resolve.h"
#include "session.h"

int vsym_session_load_system(struct vsym_policy *policy, const char *path,
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

int vsym_session_load_user(struct vsym_policy *policy, const struct vsym_user *user,
			   struct vsym_error *err)
{
	char path[4096];
	char *text;
	size_t len;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", strcmp(user->home, "/") ? user->home : "",
			     VSYM_USER_FILE) >= sizeof(path))
		return vsym_error_set(err, "home of %s is too long", user->name);
	rc = vsym_file_read_as_user(path, user, VSYM_CFG_MAX_SIZE, VSYM_USER_FILE_TIMEOUT_MS,
				    &text, &len, err);
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

static enum vsym_outcome resolve_pair(const struct vsym_user *user, const struct vsym_bind *bind,
				      struct vsym_resolved *source, struct vsym_resolved *target,
				      struct vsym_error *detail)
{
	int rc = vsym_resolve_source(user, bind->source, source, detail);

	if (rc == -ENOENT && bind->optional)
		return VSYM_SKIPPED;
	if (rc < 0)
		return VSYM_REFUSED;
	if (vsym_resolve_target(user, bind->target, target, detail) < 0) {
		vsym_resolved_close(source);
		return VSYM_REFUSED;
	}
	return VSYM_BOUND;
}

enum vsym_outcome vsym_session_bind(const struct vsym_policy *policy,
				    const struct vsym_user *user,
				    const struct vsym_bind *bind,
				    struct vsym_error *detail)
{
	struct vsym_resolved source = { .fd = -1 }, target = { .fd = -1 };
	struct vsym_verdict verdict;
	enum vsym_outcome outcome;
	uint64_t mnt_id;

	vsym_error_clear(detail);
	outcome = resolve_pair(user, bind, &source, &target, detail);
	if (outcome != VSYM_BOUND)
		return outcome;
	/* Judged on the canonical paths read back from the descriptors that
	 * the mount will use, not on the configured spelling. */
	vsym_policy_decide(policy, target.path, source.path, &verdict);
	if (!verdict.allowed) {
		vsym_error_set(detail, "%s", verdict.reason);
		outcome = VSYM_REFUSED;
	} else if (vsym_bind_attach(&source, &target, bind->readonly || verdict.readonly,
				    &mnt_id, detail) < 0) {
		outcome = VSYM_FAILED;
	} else {
		vsym_error_set(detail, "%s, %s", bind->readonly || verdict.readonly ? "ro" : "rw",
			       verdict.reason);
	}
	vsym_resolved_close(&source);
	vsym_resolved_close(&target);
	return outcome;
}

int vsym_session_apply_defaults(const struct vsym_policy *policy,
				const struct vsym_user *user,
				const struct vsym_reporter *reporter,
				struct vsym_error *err)
{
	struct vsym_bind_list list;
	int bad = 0;

	if (vsym_session_defaults(policy, &list, err) < 0)
		return -1;
	for (size_t i = 0; i < list.n; i++) {
		struct vsym_error detail;
		enum vsym_outcome outcome = vsym_session_bind(policy, user, &list.binds[i], &detail);

		if (outcome == VSYM_REFUSED || outcome == VSYM_FAILED)
			bad++;
		reporter->bind(reporter->ctx, outcome, &list.binds[i], detail.text);
	}
	if (list.dropped > 0) {
		bad += (int)list.dropped;
		vsym_error_set(err, "%zu binds beyond max_binds = %u were not made", list.dropped,
			       policy->max_binds);
	}
	vsym_bind_list_free(&list);
	return bad;
}
