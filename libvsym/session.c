#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount.h"
#include "mountinfo.h"
#include "resolve.h"
#include "session.h"
#include "target.h"

void vsym_session_charge_to(uid_t uid)
{
	vsym_mount_charge_to(uid);
}

bool vsym_session_here(uid_t uid)
{
	struct vsym_error err;

	return vsym_marker_check(uid, &err) == 0;
}

/* The record of the vsym session of user's that this process is in, read
 * before a new namespace is made (the new marker will cover it). Empty
 * when this is no vsym session of user's. */
static void read_parent_binds(const struct vsym_user *user, struct vsym_state *parent)
{
	struct vsym_error err;

	memset(parent, 0, sizeof(*parent));
	if (vsym_marker_check(user->uid, &err) == 0 &&
	    vsym_state_load(parent, VSYM_RUN_DIR, VSYM_STATE_FILE, &err) < 0)
		memset(parent, 0, sizeof(*parent));
	parent->dir = NULL;
}

/* When fd is the root of a mount with entry's root directory (a copy of
 * that bind in a namespace copied from the session), takes its new mount
 * id into entry and returns true. */
static bool adopt_copy(int fd, struct vsym_state_entry *entry)
{
	struct stat st;
	uint64_t id;

	if (vsym_mount_root_id(fd, &id) < 0 || fstat(fd, &st) < 0 ||
	    st.st_dev != entry->root_dev || st.st_ino != entry->root_ino)
		return false;
	entry->mnt_id = id;
	return true;
}

/* Detaches, in the new namespace, the copies of the parent session's vsym
 * mounts: only a mount whose root is the very directory the parent bound
 * there, found on the target opened as the user. */
static void shed_parent_binds(const struct vsym_user *user, struct vsym_state *parent)
{
	for (size_t i = 0; i < parent->n; i++) {
		struct vsym_state_entry e = parent->entries[i];
		cleanup_resolved struct vsym_resolved top = { .fd = -1 };
		struct vsym_error err;

		if (vsym_target_open(user, e.target, &top, &err) < 0)
			continue;
		if (strcmp(top.path, e.target) == 0 && adopt_copy(top.fd, &e))
			vsym_mount_detach(top.fd, e.mnt_id, &err);
	}
}

/* The new mount namespace of a session (vsym_ns_create), without the
 * parent session's binds. Returns 0 or -1 with err set. */
static int create_namespace(const struct vsym_user *user, struct vsym_error *err)
{
	struct vsym_state parent;
	int rc;

	read_parent_binds(user, &parent);
	rc = vsym_ns_create(err);
	if (rc == 0)
		shed_parent_binds(user, &parent);
	vsym_state_free(&parent);
	return rc;
}

int vsym_session_abandon(int old, struct vsym_error *err)
{
	int rc = 0;

	if (setns(old, CLONE_NEWNS) < 0)
		rc = vsym_error_set(err, "cannot return to the original mount namespace: %s", strerror(errno));
	close(old);
	return rc;
}

int vsym_session_create(const struct vsym_user *user, struct vsym_error *err)
{
	struct vsym_error back;
	char first[VSYM_ERROR_MAX];
	int old = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);

	if (old < 0)
		return vsym_error_set(err, "cannot open /proc/self/ns/mnt: %s", strerror(errno));
	if (create_namespace(user, err) == 0 && vsym_marker_create(user->uid, err) == 0)
		return old;
	/* Back where the caller was, so a failed login leaves nothing. */
	if (vsym_session_abandon(old, &back) == 0)
		return -1;
	snprintf(first, sizeof(first), "%s", err->text);
	vsym_error_set(err, "%s; %s", first, back.text);
	return -EIO;
}

int vsym_session_lock(struct vsym_error *err)
{
	int lock = open(VSYM_RUN_PATH(VSYM_LOCK_FILE), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		vsym_error_set(err, "cannot lock the session: %s", strerror(errno));
		if (lock >= 0)
			close(lock);
		return -1;
	}
	return lock;
}

enum vsym_enter_result vsym_session_enter(struct vsym_session *s, const struct vsym_user *user,
					  struct vsym_error *err)
{
	s->lock = -1;
	if (vsym_marker_check(user->uid, err) < 0)
		return VSYM_NOT_A_SESSION;
	s->lock = vsym_session_lock(err);
	if (s->lock < 0)
		return VSYM_ENTER_FAILED; /* a failure, whatever errno: never "no session" */
	if (vsym_state_load(&s->state, VSYM_RUN_DIR, VSYM_STATE_FILE, err) < 0 ||
	    vsym_binds_recover(user, &s->state, err) < 0)
		return VSYM_ENTER_FAILED;
	vsym_binds_prune(&s->state);
	return VSYM_ENTERED;
}

int vsym_session_peek(struct vsym_session *s, const struct vsym_user *user, struct vsym_error *err)
{
	int rc = 0;

	s->lock = -1;
	if (vsym_session_here(user->uid))
		rc = vsym_state_load(&s->state, VSYM_RUN_DIR, VSYM_STATE_FILE, err);
	s->state.dir = NULL;
	return rc;
}

/* max_binds counts every vsym mount of a namespace, and -x copies them
 * all: those on their targets, those moved away with a renamed parent and
 * those covered by another bind. So the new namespace's record carries
 * every one of them, each under the id its copy got, and the copies count
 * there as the originals do in the session (-r then removes the moved
 * ones). Detaching the copies of moved binds instead would not do: a
 * covered copy cannot be reached by any path. A record found under two
 * mounts of the same place and root cannot be carried: -x stops. */
static int carry_over_state(struct vsym_state *state, const struct vsym_state *old,
			    const struct vsym_mount_table *before, struct vsym_error *err)
{
	struct vsym_mount_table *now;
	int rc = 0;

	if (before == NULL)
		return 0;
	now = vsym_mountinfo_read(err);
	if (now == NULL)
		return -1;
	for (size_t i = 0; rc == 0 && i < old->n; i++) {
		struct vsym_state_entry e = old->entries[i];
		int found = vsym_mountinfo_copy_id(before, e.mnt_id, now, &e.mnt_id);

		if (found < 0)
			rc = vsym_error_set(err, "cannot tell the copy of the vsym bind made on %s from another "
					    "mount there; vsym-rebind -r in the session, then try again", e.target);
		else if (found > 0 && vsym_state_put(state, &e) < 0)
			rc = vsym_error_set(err, "out of memory");
	}
	vsym_mountinfo_free(now);
	return rc;
}

/* The record of the session -x leaves (none outside a session), read
 * under the session's lock so that no vsym-rebind changes it before the
 * copy is made, and the mount table its ids refer to (NULL outside a
 * session). Returns 0 or -1. */
static int read_old_state(struct vsym_session *old, const struct vsym_user *user,
			  struct vsym_mount_table **table, struct vsym_error *err)
{
	*table = NULL;
	if (!vsym_session_here(user->uid))
		return 0;
	if (vsym_session_enter(old, user, err) != VSYM_ENTERED)
		return -1;
	*table = vsym_mountinfo_read(err);
	return *table != NULL ? 0 : -1;
}

int vsym_session_clone(struct vsym_session *s, const struct vsym_user *user, struct vsym_error *err)
{
	struct vsym_session old;
	struct vsym_mount_table *before = NULL;
	int rc;

	memset(&old, 0, sizeof(old));
	old.lock = -1;
	rc = read_old_state(&old, user, &before, err);
	/* The old session's lock stays held until exit, as before the copy. */
	s->lock = old.lock;
	if (rc == 0 && (vsym_ns_create(err) < 0 || vsym_marker_create(user->uid, err) < 0))
		rc = -1;
	if (rc == 0) {
		s->state.dir = VSYM_RUN_DIR;
		rc = carry_over_state(&s->state, &old.state, before, err);
	}
	vsym_mountinfo_free(before);
	vsym_state_free(&old.state);
	return rc;
}

int vsym_session_save(const struct vsym_session *s, struct vsym_error *err)
{
	return vsym_state_save(&s->state, VSYM_STATE_FILE, err);
}

static bool in_list(const struct vsym_bind_list *list, const char *target)
{
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->binds[i].target, target) == 0)
			return true;
	return false;
}

void vsym_session_keep_only(struct vsym_session *s, const struct vsym_user *user,
			    const struct vsym_bind_list *keep)
{
	struct vsym_error err;
	size_t i = 0;

	while (i < s->state.n) {
		char *target = s->state.entries[i].target;

		if (in_list(keep, target) || vsym_binds_remove(user, &s->state, target, &err) != 0)
			i++;
		/* else unbind removed entry i; the next one moved into its place */
	}
}

int vsym_session_probe_namespace(struct vsym_error *err)
{
	return vsym_ns_create(err);
}

void vsym_session_free(struct vsym_session *s)
{
	vsym_state_free(&s->state);
}
