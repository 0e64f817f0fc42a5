#include "config.h"

#include <errno.h>
#include <stdint.h>
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

/* Opens the target; tells whether a vsym mount recorded in state is on top
 * of it, and if not, makes the checks a fresh target needs. */
static enum vsym_outcome open_target(const struct vsym_user *user, const char *path,
				     struct vsym_state *state, struct vsym_resolved *target,
				     bool *replacing, struct vsym_error *detail)
{
	struct vsym_state_entry *entry;
	uint64_t id;

	if (vsym_open_target(user, path, target, detail) < 0)
		return VSYM_REFUSED;
	entry = vsym_state_find(state, target->path);
	*replacing = entry != NULL && vsym_mount_id(target->fd, &id) == 0 && id == entry->mnt_id;
	/* A recorded vsym mount was checked when it was made; its root is
	 * the source's, owned by whoever owns the source. */
	if (!*replacing && vsym_check_target(user, target, detail) < 0) {
		vsym_resolved_close(target);
		return VSYM_REFUSED;
	}
	return VSYM_BOUND;
}

/* Replaces the vsym mount on target; without MOVE_MOUNT_BENEATH (Linux
 * before 6.5), detaches it and mounts on what is beneath, checked anew. */
static int replace(const struct vsym_user *user, const struct vsym_resolved *source,
		   struct vsym_resolved *target, const struct vsym_state_entry *old,
		   bool readonly, uint64_t *mnt_id, struct vsym_error *detail)
{
	char path[sizeof(target->path)];
	int rc = vsym_bind_replace_beneath(source, target, readonly, mnt_id, detail);

	if (rc != -EINVAL)
		return rc;
	if (vsym_mount_detach(target->fd, old->mnt_id, detail) < 0)
		return -1;
	memcpy(path, target->path, sizeof(path));
	vsym_resolved_close(target);
	if (vsym_resolve_target(user, path, target, detail) < 0)
		return -1;
	return vsym_bind_attach(source, target, readonly, mnt_id, detail);
}

static int record(struct vsym_state *state, const struct vsym_bind *bind, const char *target,
		  const char *source, bool readonly, uint64_t mnt_id, struct vsym_error *detail)
{
	struct vsym_state_entry entry = {
		.mnt_id = mnt_id, .target = (char *)(uintptr_t)target,
		.source = (char *)(uintptr_t)source, .readonly = readonly,
		.variant = (char *)(uintptr_t)bind->variant, .value = (char *)(uintptr_t)bind->value,
	};

	if (vsym_state_put(state, &entry) < 0)
		return vsym_error_set(detail, "out of memory");
	return 0;
}

static enum vsym_outcome mount_checked(const struct vsym_user *user, struct vsym_state *state,
				       const struct vsym_bind *bind, struct vsym_resolved *source,
				       struct vsym_resolved *target, bool replacing,
				       bool readonly, struct vsym_error *detail)
{
	uint64_t mnt_id = 0;
	int rc;

	if (replacing)
		rc = replace(user, source, target, vsym_state_find(state, target->path), readonly, &mnt_id, detail);
	else
		rc = vsym_bind_attach(source, target, readonly, &mnt_id, detail);
	if (rc < 0)
		return VSYM_FAILED;
	if (record(state, bind, target->path, source->path, readonly, mnt_id, detail) < 0)
		return VSYM_FAILED;
	return VSYM_BOUND;
}

enum vsym_outcome vsym_session_bind(const struct vsym_policy *policy,
				    const struct vsym_user *user,
				    struct vsym_state *state,
				    const struct vsym_bind *bind, bool dry_run,
				    struct vsym_error *detail)
{
	struct vsym_resolved source = { .fd = -1 }, target = { .fd = -1 };
	struct vsym_verdict verdict;
	enum vsym_outcome outcome = VSYM_BOUND;
	bool replacing = false, readonly;
	int rc;

	vsym_error_clear(detail);
	rc = vsym_resolve_source(user, bind->source, &source, detail);
	if (rc < 0)
		return rc == -ENOENT && bind->optional ? VSYM_SKIPPED : VSYM_REFUSED;
	outcome = open_target(user, bind->target, state, &target, &replacing, detail);
	if (outcome != VSYM_BOUND) {
		vsym_resolved_close(&source);
		return outcome;
	}
	/* Judged on the canonical paths read back from the descriptors that
	 * the mount will use, not on the spelling asked for. */
	vsym_policy_decide(policy, target.path, source.path, &verdict);
	readonly = bind->readonly || verdict.readonly;
	if (!verdict.allowed) {
		vsym_error_set(detail, "%s", verdict.reason);
		outcome = VSYM_REFUSED;
	} else if (!replacing && state->n >= policy->max_binds) {
		vsym_error_set(detail, "this session has max_binds = %u binds already", policy->max_binds);
		outcome = VSYM_REFUSED;
	} else if (!dry_run) {
		outcome = mount_checked(user, state, bind, &source, &target, replacing, readonly, detail);
	}
	if (outcome == VSYM_BOUND)
		vsym_error_set(detail, "%s, %s", readonly ? "ro" : "rw", verdict.reason);
	vsym_resolved_close(&source);
	vsym_resolved_close(&target);
	return outcome;
}

int vsym_session_unbind(const struct vsym_user *user, struct vsym_state *state,
			const char *target, struct vsym_error *err)
{
	struct vsym_resolved top = { .fd = -1 };
	struct vsym_state_entry *entry;
	uint64_t id;
	int rc;

	if (vsym_open_target(user, target, &top, err) < 0)
		return -1;
	entry = vsym_state_find(state, top.path);
	if (entry == NULL || vsym_mount_id(top.fd, &id) < 0 || id != entry->mnt_id) {
		vsym_error_set(err, "no vsym bind on %s", top.path);
		vsym_resolved_close(&top);
		return 1;
	}
	rc = vsym_mount_detach(top.fd, entry->mnt_id, err);
	if (rc == 0)
		vsym_state_remove(state, top.path);
	vsym_resolved_close(&top);
	return rc;
}

int vsym_session_apply_defaults(const struct vsym_policy *policy,
				const struct vsym_user *user,
				struct vsym_state *state,
				const struct vsym_reporter *reporter,
				struct vsym_error *err)
{
	struct vsym_bind_list list;
	int bad = 0;

	if (vsym_session_defaults(policy, &list, err) < 0)
		return -1;
	for (size_t i = 0; i < list.n; i++) {
		struct vsym_error detail;
		enum vsym_outcome outcome = vsym_session_bind(policy, user, state, &list.binds[i], false, &detail);

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
