/* The bind engine: one bind resolved, judged, mounted and recorded with
 * a journal around each change; unbinding, moved binds, recovery after a
 * killed vsym-rebind, and the session defaults applied in turn. */
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

#include "cred.h"
#include "mountinfo.h"
#include "mount.h"
#include "resolve.h"
#include "binds.h"
#include "target.h"
#include "systarget.h"

bool vsym_binds_is_recorded(int fd, const struct vsym_state_entry *entry)
{
	struct stat st;
	uint64_t id;

	return vsym_mount_root_id(fd, &id) == 0 && id == entry->mnt_id && fstat(fd, &st) == 0 &&
	       st.st_dev == entry->root_dev && st.st_ino == entry->root_ino;
}

/* Whether the mount with this id is still somewhere in the namespace: 1
 * yes, 0 no, -1 (err set) when the mount table cannot be read. An error is
 * never taken for "gone": a moved bind would lose its record and stop
 * counting against max_binds. */
static int still_mounted(uint64_t id, struct vsym_error *err)
{
	struct vsym_mount_info info;

	return vsym_mountinfo_lookup(id, &info, err);
}

/* Opens the target; tells whether a vsym mount recorded in state is on top
 * of it, and if not, makes the checks a fresh target needs. */
static enum vsym_outcome open_target(const struct vsym_user *user, const char *path,
				     struct vsym_state *state, struct vsym_resolved *target,
				     bool *replacing, struct vsym_error *detail)
{
	struct vsym_state_entry *entry;
	int mounted, rc = vsym_target_open(user, path, target, detail);

	if (rc < 0)
		return rc == VSYM_ERR_SYSTEM ? VSYM_FAILED : VSYM_REFUSED;
	entry = vsym_state_find(state, target->path);
	*replacing = entry != NULL && vsym_binds_is_recorded(target->fd, entry);
	/* A bind moved away (mv of a parent) still counts against max_binds
	 * under its old path: its record must not be given to a new one. */
	mounted = entry != NULL && !*replacing ? still_mounted(entry->mnt_id, detail) : 0;
	if (mounted < 0) {
		vsym_error_cause(detail, "the mount table could not be read");
		vsym_resolved_close(target);
		return VSYM_FAILED;
	}
	if (mounted == 1) {
		vsym_error_set(detail, "the vsym bind made on %s was moved or covered; vsym-rebind -r removes it",
			       target->path);
		vsym_error_cause(detail, "the vsym bind made on the target was moved or covered");
		vsym_resolved_close(target);
		return VSYM_REFUSED;
	}
	/* A recorded vsym mount was checked when it was made; its root is
	 * the source's, owned by whoever owns the source. */
	if (!*replacing && vsym_target_check_fresh(user, target, detail) < 0) {
		vsym_resolved_close(target);
		return VSYM_REFUSED;
	}
	return VSYM_BOUND;
}

/* The journal: before a mount changes, the new bind is written to
 * /run/vsym/pending, so a vsym-rebind killed between two steps leaves a
 * record of which mounts are its own (vsym_binds_recover). */
static int journal_begin(const struct vsym_state *state, const struct vsym_state_entry *entry,
			 struct vsym_error *err)
{
	struct vsym_state journal = { NULL, 0, state->dir };
	int rc = vsym_state_put(&journal, entry) < 0 ? vsym_error_set(err, "out of memory")
						      : vsym_state_save(&journal, VSYM_JOURNAL_FILE, err);

	vsym_state_free(&journal);
	return rc;
}

static int journal_end(const struct vsym_state *state, struct vsym_error *err)
{
	struct vsym_state empty = { NULL, 0, state->dir };

	return vsym_state_save(&empty, VSYM_JOURNAL_FILE, err);
}

/* What swap_in left: the new tree on the target, nothing changed (a
 * failure), or the old bind gone and the new one not attached because the
 * target changed in between (only on the fallback below). */
enum swap_result { SWAP_DONE, SWAP_FAILED, SWAP_TARGET_CHANGED };

/* The fallback's second step: the target opened again by its name, now
 * that the old bind is gone, and checked as a fresh target (the user's own
 * in the home, an empty root-owned directory outside it). It must still
 * be the path the policy judged. */
static int reopen_target(const struct vsym_user *user, const char *path,
			 struct vsym_resolved *target, struct vsym_error *detail)
{
	if (vsym_target_open(user, path, target, detail) < 0)
		return -1;
	if (strcmp(target->path, path) != 0) {
		vsym_error_set(detail, "target %s is now %s", path, target->path);
		vsym_error_cause(detail, "the target's path changed");
		vsym_resolved_close(target);
		return -1;
	}
	if (vsym_target_check_fresh(user, target, detail) < 0) {
		vsym_resolved_close(target);
		return -1;
	}
	return 0;
}

/* Swaps the prepared tree in for the vsym mount on target: beneath it, then
 * the old one detached, so the target is never seen empty. Without
 * MOVE_MOUNT_BENEATH (Linux < 6.5, or asked for by flags), detaches first
 * and mounts on what is beneath, opened and checked anew: a user who
 * renames the target in that moment loses the old bind (SWAP_TARGET_CHANGED),
 * and the new one is never mounted on what the name now leads to. */
static enum swap_result swap_in(const struct vsym_user *user, int tree, struct vsym_resolved *target,
				uint64_t old_id, unsigned flags, struct vsym_error *detail)
{
	char path[sizeof(target->path)];
	int rc = -EINVAL;

	if (!(flags & VSYM_BIND_NO_BENEATH))
		rc = vsym_tree_attach_beneath(tree, target, detail);
	if (rc == 0)
		return vsym_mount_detach(target->fd, old_id, detail) == 0 ? SWAP_DONE : SWAP_FAILED;
	if (rc != -EINVAL || vsym_mount_detach(target->fd, old_id, detail) < 0)
		return SWAP_FAILED;
	memcpy(path, target->path, sizeof(path));
	vsym_resolved_close(target);
	if (reopen_target(user, path, target, detail) < 0) {
		snprintf(target->path, sizeof(target->path), "%s", path);
		return SWAP_TARGET_CHANGED;
	}
	return vsym_tree_attach(tree, target, detail) == 0 ? SWAP_DONE : SWAP_FAILED;
}

/* The old bind is gone and the new one was not made (SWAP_TARGET_CHANGED):
 * its record goes, the journal is closed, and the user is told why and
 * what to do. A refusal, not a failure: the user's rename caused it. */
static enum vsym_outcome forget_lost_bind(struct vsym_state *state, const char *target,
					  struct vsym_error *detail)
{
	struct vsym_error why = *detail, saved;

	vsym_state_remove(state, target);
	if (vsym_state_save(state, VSYM_STATE_FILE, &saved) < 0 || journal_end(state, &saved) < 0) {
		*detail = saved;
		return VSYM_FAILED;
	}
	vsym_error_set(detail, "%s changed while its bind was switched (%s); this kernel has no "
		       "MOVE_MOUNT_BENEATH, so the old bind was taken off first and %s has no bind now; "
		       "run vsym-rebind again", target, why.text, target);
	vsym_error_cause(detail, "the target changed while its bind was switched");
	return VSYM_REFUSED;
}

static enum vsym_outcome mount_checked(const struct vsym_user *user, struct vsym_state *state,
				       const struct vsym_bind *bind, struct vsym_resolved *source,
				       struct vsym_resolved *target, bool replacing,
				       bool readonly, unsigned flags, struct vsym_error *detail)
{
	struct vsym_state_entry entry = {
		.root_dev = source->st.st_dev, .root_ino = source->st.st_ino,
		.target = target->path, .source = source->path, .readonly = readonly,
		.variant = (char *)(uintptr_t)bind->variant, .value = (char *)(uintptr_t)bind->value,
	};
	uint64_t old_id = replacing ? vsym_state_find(state, target->path)->mnt_id : 0;
	int tree = vsym_tree_prepare(source, target, readonly, &entry.mnt_id, detail), rc;

	if (tree < 0)
		return VSYM_FAILED;
	rc = journal_begin(state, &entry, detail);
	if (rc == 0 && replacing) {
		enum swap_result swapped = swap_in(user, tree, target, old_id, flags, detail);

		if (swapped == SWAP_TARGET_CHANGED) {
			close(tree);
			return forget_lost_bind(state, target->path, detail);
		}
		rc = swapped == SWAP_DONE ? 0 : -1;
	} else if (rc == 0) {
		rc = vsym_tree_attach(tree, target, detail);
	}
	close(tree);
	if (rc == 0 && (flags & VSYM_BIND_STOP_AFTER_ATTACH)) {
		vsym_error_set(detail, "stopped after the attach (a test)");
		return VSYM_FAILED;
	}
	if (rc == 0 && vsym_state_put(state, &entry) < 0)
		rc = vsym_error_set(detail, "out of memory");
	if (rc == 0)
		rc = vsym_state_save(state, VSYM_STATE_FILE, detail);
	if (rc == 0)
		rc = journal_end(state, detail);
	return rc == 0 ? VSYM_BOUND : VSYM_FAILED;
}

/* Judges a bind whose target create = true would make (a dry run): the
 * target as written, the source as resolved. */
static enum vsym_outcome judge_uncreated(const struct vsym_policy *policy, const struct vsym_bind *bind,
					 struct vsym_resolved *source, struct vsym_error *detail)
{
	struct vsym_verdict verdict;

	vsym_policy_decide(policy, bind->target, source->path, &verdict);
	vsym_resolved_close(source);
	if (!verdict.allowed) {
		vsym_error_set(detail, "%s", verdict.reason);
		return VSYM_REFUSED;
	}
	vsym_error_set(detail, "%s, %s; the target will be made", bind->readonly || verdict.readonly ? "ro" : "rw",
		       verdict.reason);
	return VSYM_BOUND;
}

enum vsym_outcome vsym_binds_add(const struct vsym_policy *policy,
				 const struct vsym_user *user,
				 struct vsym_state *state,
				 const struct vsym_bind *bind, unsigned flags,
				 struct vsym_error *detail)
{
	struct vsym_mounted mounted;

	return vsym_binds_add_mounted(policy, user, state, bind, flags, detail, &mounted);
}

enum vsym_outcome vsym_binds_add_mounted(const struct vsym_policy *policy,
					 const struct vsym_user *user,
					 struct vsym_state *state,
					 const struct vsym_bind *bind, unsigned flags,
					 struct vsym_error *detail, struct vsym_mounted *mounted)
{
	cleanup_resolved struct vsym_resolved source = { .fd = -1 };
	cleanup_resolved struct vsym_resolved target = { .fd = -1 };
	struct vsym_verdict verdict;
	enum vsym_outcome outcome = VSYM_BOUND;
	bool replacing = false, readonly;
	int rc;

	vsym_error_clear(detail);
	mounted->source[0] = mounted->target[0] = '\0';
	rc = vsym_resolve_source(user, bind->source, &source, detail);
	if (rc == VSYM_ERR_SYSTEM)
		return VSYM_FAILED;
	if (rc < 0)
		return rc == -ENOENT && bind->optional ? VSYM_SKIPPED : VSYM_REFUSED;
	rc = bind->create ? vsym_target_make_missing(user, bind->target, flags & VSYM_BIND_DRY_RUN, detail) : 0;
	if (rc != 0)
		return rc > 0 ? judge_uncreated(policy, bind, &source, detail) : VSYM_REFUSED;
	outcome = open_target(user, bind->target, state, &target, &replacing, detail);
	if (outcome != VSYM_BOUND)
		return outcome;
	/* Judged on the canonical paths read back from the descriptors that
	 * the mount will use, not on the spelling asked for. */
	vsym_policy_decide(policy, target.path, source.path, &verdict);
	readonly = bind->readonly || verdict.readonly;
	if (!verdict.allowed) {
		vsym_error_set(detail, "%s", verdict.reason);
		vsym_error_cause(detail, "no allow rule of %s permits it",
				 policy->label[VSYM_ORIGIN_SYSTEM] ? policy->label[VSYM_ORIGIN_SYSTEM] : "the system file");
		outcome = VSYM_REFUSED;
	} else if (verdict.system_target && vsym_systarget_check_source(&source, detail) < 0) {
		outcome = VSYM_REFUSED;
	} else if (!replacing && state->n >= policy->max_binds) {
		vsym_error_set(detail, "this session has max_binds = %u binds already", policy->max_binds);
		vsym_error_cause(detail, "%s", detail->text);
		outcome = VSYM_REFUSED;
	} else if (!(flags & VSYM_BIND_DRY_RUN)) {
		outcome = mount_checked(user, state, bind, &source, &target, replacing, readonly, flags, detail);
		if (outcome == VSYM_FAILED)
			vsym_error_cause(detail, "the mount failed (a system error)");
	}
	/* The verdict names only the system file's rule: a cause as it is. */
	if (outcome == VSYM_BOUND) {
		vsym_error_set(detail, "%s, %s", readonly ? "ro" : "rw", verdict.reason);
		vsym_error_cause(detail, "%s", detail->text);
	}
	if (outcome == VSYM_BOUND && !(flags & VSYM_BIND_DRY_RUN)) {
		snprintf(mounted->source, sizeof(mounted->source), "%s", source.path);
		snprintf(mounted->target, sizeof(mounted->target), "%s", target.path);
	}
	return outcome;
}

/* Detaches the recorded mount whose root fd is open on; drops the record. */
static int detach_recorded(struct vsym_state *state, int fd, const char *target,
			   struct vsym_error *err)
{
	struct vsym_state_entry *entry = vsym_state_find(state, target);

	if (vsym_mount_detach(fd, entry->mnt_id, err) < 0)
		return -1;
	vsym_state_remove(state, target);
	return vsym_state_save(state, VSYM_STATE_FILE, err);
}

int vsym_binds_remove(const struct vsym_user *user, struct vsym_state *state,
		      const char *target, struct vsym_error *err)
{
	cleanup_resolved struct vsym_resolved top = { .fd = -1 };
	struct vsym_state_entry *entry;
	int rc = 1;

	if (vsym_target_open(user, target, &top, err) < 0)
		return -1;
	entry = vsym_state_find(state, top.path);
	if (entry != NULL && vsym_binds_is_recorded(top.fd, entry))
		rc = detach_recorded(state, top.fd, top.path, err);
	else
		vsym_error_set(err, "no vsym bind on %s", top.path);
	return rc;
}

int vsym_binds_remove_moved(const struct vsym_user *user, struct vsym_state *state,
			    struct vsym_error *err)
{
	size_t i = 0;

	while (i < state->n) {
		struct vsym_state_entry *e = &state->entries[i];
		cleanup_resolved struct vsym_resolved top = { .fd = -1 };
		struct vsym_mount_info info;
		char target[sizeof(top.path)];
		bool removed = false;
		int found;

		/* Found where it is now, opened there as the user, and
		 * detached only if it is still the very mount vsym made. */
		snprintf(target, sizeof(target), "%s", e->target);
		found = vsym_mountinfo_lookup(e->mnt_id, &info, err);
		if (found < 0)
			return -1;   /* no record is given up unseen */
		if (found == 1 && strcmp(info.target, e->target) != 0 &&
		    vsym_target_open(user, info.target, &top, err) == 0 && vsym_binds_is_recorded(top.fd, e)) {
			if (vsym_mount_detach(top.fd, e->mnt_id, err) < 0)
				return -1;
			vsym_state_remove(state, target);
			removed = true;
		}
		if (!removed)
			i++;
	}
	return vsym_state_save(state, VSYM_STATE_FILE, err);
}

void vsym_binds_prune(struct vsym_state *state)
{
	uint64_t *ids = calloc(state->n + 1, sizeof(*ids));
	bool *present = calloc(state->n + 1, sizeof(*present));
	struct vsym_error err;
	size_t n = state->n;

	/* The table is read once for all records; when it cannot be read,
	 * nothing is dropped. From the last record back, so that a removal
	 * moves only records already looked at. */
	for (size_t i = 0; ids != NULL && i < n; i++)
		ids[i] = state->entries[i].mnt_id;
	if (ids != NULL && present != NULL && vsym_mountinfo_present(ids, n, present, &err) == 0)
		for (size_t i = n; i-- > 0;)
			if (!present[i])
				vsym_state_remove(state, state->entries[i].target);
	free(ids);
	free(present);
}

int vsym_binds_apply_defaults(const struct vsym_policy *policy,
			      const struct vsym_user *user,
			      struct vsym_state *state,
			      const struct vsym_reporter *reporter,
			      size_t *dropped, struct vsym_error *err)
{
	struct vsym_bind_list list;
	int bad = 0;

	*dropped = 0;
	if (vsym_policy_session_defaults(policy, &list, err) < 0)
		return -1;
	for (size_t i = 0; i < list.n; i++) {
		struct vsym_error detail;
		struct vsym_mounted mounted;
		enum vsym_outcome outcome = vsym_binds_add_mounted(policy, user, state, &list.binds[i], 0,
								   &detail, &mounted);

		if (outcome == VSYM_REFUSED || outcome == VSYM_FAILED)
			bad++;
		reporter->bind(reporter->ctx, outcome, &list.binds[i], &detail,
			       outcome == VSYM_BOUND ? &mounted : NULL);
	}
	*dropped = list.dropped;
	bad += (int)list.dropped;
	vsym_bind_list_free(&list);
	return bad;
}

/* Records pending under the first free name of target and also_at: the
 * mount then counts against max_binds wherever it is (-r removes a moved
 * one). Returns 0, or -1 (err set) when both names hold another record. */
static int record_pending(struct vsym_state *state, const struct vsym_state_entry *pending,
			  const char *also_at, struct vsym_error *err)
{
	struct vsym_state_entry entry = *pending;

	if (vsym_state_find(state, entry.target) != NULL)
		entry.target = (char *)(uintptr_t)also_at;
	if (vsym_state_find(state, entry.target) != NULL)
		return vsym_error_set(err, "the vsym bind begun on %s is now on %s and can be neither detached "
				      "nor recorded; move it back and run vsym-rebind again", pending->target, also_at);
	return vsym_state_put(state, &entry) < 0 ? vsym_error_set(err, "out of memory") : 0;
}

/* A pending mount found away from its target (a parent renamed after the
 * attach): detached where it is now, if it can be opened there as the
 * user and is still the very mount vsym made; otherwise recorded, so that
 * it is never left uncounted. Returns 0 or -1 with err set. */
static int recover_moved(const struct vsym_user *user, struct vsym_state *state,
			 const struct vsym_state_entry *pending, const char *now_at, struct vsym_error *err)
{
	cleanup_resolved struct vsym_resolved top = { .fd = -1 };
	struct vsym_error ignored;
	int rc = -1;

	if (vsym_target_open(user, now_at, &top, &ignored) == 0 && vsym_binds_is_recorded(top.fd, pending))
		rc = vsym_mount_detach(top.fd, pending->mnt_id, &ignored);
	return rc == 0 ? 0 : record_pending(state, pending, now_at, err);
}

/* A pending mount still on its target: on top (killed before the record),
 * or beneath the old one (killed between beneath and detach: the old one
 * is detached). Either way recorded. Returns 0 or -1 with err set (the
 * old mount could not be detached: the journal must stay). */
static int recover_in_place(const struct vsym_user *user, struct vsym_state *state,
			    const struct vsym_state_entry *pending, struct vsym_error *err)
{
	const struct vsym_state_entry *old = vsym_state_find(state, pending->target);
	cleanup_resolved struct vsym_resolved top = { .fd = -1 };
	struct vsym_error ignored;
	bool old_on_top;
	int rc = 0;

	if (vsym_target_open(user, pending->target, &top, &ignored) == 0 && !vsym_binds_is_recorded(top.fd, pending)) {
		old_on_top = old != NULL && vsym_binds_is_recorded(top.fd, old);
		if (old_on_top && vsym_mount_detach(top.fd, old->mnt_id, err) < 0)
			rc = -1;
		else if (old_on_top)
			vsym_state_remove(state, pending->target);
	} else if (old != NULL) {
		/* The pending mount is on top: killed after the old one was
		 * detached, before the record was saved. The old record names
		 * a mount that is gone; it gives way, unless that mount is
		 * still somewhere (then it must stay counted). Before Linux 6.8
		 * a freed id is handed out again: when the pending mount has
		 * the id of the old record, the old mount is gone (two live
		 * mounts never share an id). */
		rc = old->mnt_id == pending->mnt_id ? 0 : still_mounted(old->mnt_id, err);
		if (rc == 0)
			vsym_state_remove(state, pending->target);
	}
	return rc < 0 ? -1 : record_pending(state, pending, pending->target, err);
}

static bool same_root(const struct vsym_state_entry *a, const struct vsym_state_entry *b)
{
	return a->root_dev == b->root_dev && a->root_ino == b->root_ino;
}

/* Whether a record names the pending mount itself: its id and the root
 * it shows. The id alone is not enough before Linux 6.8, where the id of
 * a freed mount is handed out again: a record that outlived its mount
 * (detached by root inside the session, say) may carry the pending
 * mount's id, and must then give way to it, not stand for it. */
static bool recorded_already(const struct vsym_state *state, const struct vsym_state_entry *pending)
{
	for (size_t i = 0; i < state->n; i++) {
		const struct vsym_state_entry *e = &state->entries[i];

		if (e->mnt_id == pending->mnt_id && same_root(e, pending))
			return true;
	}
	return false;
}

/* Accounts for the mount a journal entry names, found by its id wherever
 * it is now: nothing to do when a record names it already (killed after
 * the record was saved, before the journal was ended) or when it is in no
 * mount table (never attached, or gone), else recover_in_place or
 * recover_moved. Returns 0, or -1 (err set) when it could not be accounted
 * for, the mount table unread included: then the journal must stay. */
static int recover_one(const struct vsym_user *user, struct vsym_state *state,
		       const struct vsym_state_entry *pending, struct vsym_error *err)
{
	struct vsym_mount_info info;
	int found;

	if (recorded_already(state, pending))
		return 0;
	found = vsym_mountinfo_lookup(pending->mnt_id, &info, err);
	if (found <= 0)
		return found;
	if (strcmp(info.target, pending->target) != 0)
		return recover_moved(user, state, pending, info.target, err);
	return recover_in_place(user, state, pending, err);
}

int vsym_binds_recover(const struct vsym_user *user, struct vsym_state *state,
		       struct vsym_error *err)
{
	struct vsym_state journal;

	if (vsym_state_load(&journal, state->dir, VSYM_JOURNAL_FILE, err) < 0)
		return -1;
	if (journal.n == 0)
		return 0;
	for (size_t i = 0; i < journal.n; i++) {
		if (recover_one(user, state, &journal.entries[i], err) < 0) {
			vsym_state_free(&journal);
			return -1;
		}
	}
	vsym_state_free(&journal);
	if (vsym_state_save(state, VSYM_STATE_FILE, err) < 0)
		return -1;
	return journal_end(state, err);
}
