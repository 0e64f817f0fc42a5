/* binds.c: binds made, replaced (beneath, and with the detach-then-mount
 * fallback), refused, and recovered from the journal, for real, in a
 * throwaway namespace. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "testns.h"
#include "testutil.h"
#include "testhome.h"

#include "binds.h"
#include "cfg.h"
#include "cred.h"
#include "mount.h"
#include "policyfile.h"
#include "state.h"
#include "target.h"
#include "vsymrc.h"

static enum vsym_outcome bind_detail(struct fixture *f, const char *version, unsigned flags,
				     struct vsym_error *detail)
{
	struct vsym_bind b = { .target = f->target, .readonly = false };
	char source[256];
	enum vsym_outcome outcome;

	snprintf(source, sizeof(source), "%s/.v/%s", f->home, version);
	b.source = source;
	outcome = vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, flags, detail);
	if (outcome != VSYM_BOUND)
		print_message("bind %s: %s\n", version, detail->text);
	return outcome;
}

static enum vsym_outcome bind(struct fixture *f, const char *version, unsigned flags)
{
	struct vsym_error detail;

	return bind_detail(f, version, flags, &detail);
}

static bool target_shows(const struct fixture *f, const char *version)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", f->target, version);
	return access(path, F_OK) == 0;
}

static void test_bind_and_record(void **state)
{
	struct fixture *f = *state;
	struct vsym_state saved;
	struct vsym_error err;

	REQUIRE_ROOT();
	assert_int_equal(bind(f, "1.0", 0), VSYM_BOUND);
	assert_true(target_shows(f, "1.0"));
	assert_int_equal(testns_mounts_on(f->target), 1);
	assert_contains(testns_options_of(f->target), "nosuid,nodev");
	assert_int_equal(vsym_state_load(&saved, f->run, VSYM_STATE_FILE, &err), 0);
	assert_int_equal(saved.n, 1);
	assert_string_equal(saved.entries[0].target, f->target);
	assert_true(saved.entries[0].mnt_id != 0);
	vsym_state_free(&saved);
}

/* However many times it runs, one vsym mount stays on the target. */
static void replace_many(struct fixture *f, unsigned flags)
{
	assert_int_equal(bind(f, "1.0", flags), VSYM_BOUND);
	for (int i = 0; i < 20; i++) {
		const char *v = i % 2 ? "1.0" : "2.0";

		assert_int_equal(bind(f, v, flags), VSYM_BOUND);
		assert_true(target_shows(f, v));
		assert_int_equal(testns_mounts_on(f->target), 1);
	}
}

static void test_replace_beneath(void **state)
{
	REQUIRE_ROOT();
	replace_many(*state, 0);
}

/* The fallback for kernels before 6.5 (Debian 12's 6.1), forced here. */
static void test_replace_fallback(void **state)
{
	REQUIRE_ROOT();
	replace_many(*state, VSYM_BIND_NO_BENEATH);
}

static void test_refusals_leave_nothing(void **state)
{
	struct fixture *f = *state;
	char etc[] = "/etc";
	struct vsym_bind b = { .target = f->target, .source = etc };
	struct vsym_error detail;

	REQUIRE_ROOT();
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, 0, &detail), VSYM_REFUSED);
	assert_contains(detail.text, "source /etc is not allowed");
	assert_int_equal(testns_mounts_on(f->target), 0);
	/* a target owned by root */
	assert_int_equal(chown(f->target, 0, 0), 0);
	assert_int_equal(bind(f, "1.0", 0), VSYM_REFUSED);
	assert_int_equal(testns_mounts_on(f->target), 0);
	assert_int_equal(f->state.n, 0);
}

/* Each refusal has a cause that quotes no path (what the module logs for
 * a bind of the user's file), beside the message that does. */
static void test_refusal_causes_quote_no_path(void **state)
{
	struct fixture *f = *state;
	char etc[] = "/etc", missing[] = "/forged: Accepted publickey for root", nowhere[256];
	struct vsym_bind b = { .target = f->target, .source = etc };
	struct vsym_error detail;

	REQUIRE_ROOT();
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, 0, &detail), VSYM_REFUSED);
	assert_contains(detail.text, "/etc");
	assert_contains(detail.cause, "no allow rule of ");
	assert_null(strstr(detail.cause, "/etc is"));
	assert_null(strstr(detail.cause, f->target));
	b.source = missing;
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, 0, &detail), VSYM_REFUSED);
	assert_contains(detail.text, "Accepted publickey");
	assert_string_equal(detail.cause, "the source does not exist");
	snprintf(nowhere, sizeof(nowhere), "%s/no-such-target", f->home);
	b.source = etc;
	b.target = nowhere;
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, 0, &detail), VSYM_REFUSED);
	assert_string_equal(detail.cause, "the target does not exist");
	assert_int_equal(bind(f, "1.0", 0), VSYM_BOUND);
}

/* A symlink may lead to a name with a newline; the name would reach the
 * log as a forged line. */
static void test_control_characters_refused(void **state)
{
	struct fixture *f = *state;
	char odd[256], link[256];

	REQUIRE_ROOT();
	snprintf(odd, sizeof(odd), "%s/.v/1.0\nsshd[1]: Accepted publickey for root", f->home);
	snprintf(link, sizeof(link), "%s/.v/odd", f->home);
	make_dir(odd, 1000, 1000, 0755);
	assert_int_equal(symlink(odd, link), 0);
	assert_int_equal(bind(f, "odd", 0), VSYM_REFUSED);
	assert_int_equal(testns_mounts_on(f->target), 0);
}

static void test_dry_run_mounts_nothing(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	assert_int_equal(bind(f, "1.0", VSYM_BIND_DRY_RUN), VSYM_BOUND);
	assert_int_equal(testns_mounts_on(f->target), 0);
	assert_int_equal(f->state.n, 0);
}

/* A journal left by a rebind killed between "beneath" and "detach": the
 * next run detaches the old mount and records the new one. */
static void test_recover_between_beneath_and_detach(void **state)
{
	struct fixture *f = *state;
	struct vsym_resolved source, top;
	struct vsym_state journal = { NULL, 0, f->run };
	struct vsym_state_entry pending = { .target = f->target, .readonly = false };
	struct vsym_error err;
	char path[256];
	int tree;

	REQUIRE_ROOT();
	assert_int_equal(bind(f, "1.0", 0), VSYM_BOUND);
	snprintf(path, sizeof(path), "%s/.v/2.0", f->home);
	assert_int_equal(vsym_resolve_source(&f->alice.user, path, &source, &err), 0);
	assert_int_equal(vsym_target_open(&f->alice.user, f->target, &top, &err), 0);
	tree = vsym_tree_prepare(&source, &top, false, &pending.mnt_id, &err);
	assert_true(tree >= 0);
	pending.source = source.path;
	pending.root_dev = source.st.st_dev;
	pending.root_ino = source.st.st_ino;
	assert_int_equal(vsym_state_put(&journal, &pending), 0);
	assert_int_equal(vsym_state_save(&journal, VSYM_JOURNAL_FILE, &err), 0);
	if (vsym_tree_attach_beneath(tree, &top, &err) == -EINVAL)
		skip(); /* kernel without MOVE_MOUNT_BENEATH: no such window */
	close(tree);
	assert_int_equal(testns_mounts_on(f->target), 2);

	assert_int_equal(vsym_binds_recover(&f->alice.user, &f->state, &err), 0);
	assert_int_equal(testns_mounts_on(f->target), 1);
	assert_true(target_shows(f, "2.0"));
	assert_non_null(vsym_state_find(&f->state, f->target));
	assert_int_equal(vsym_state_find(&f->state, f->target)->mnt_id, pending.mnt_id);
	vsym_state_free(&journal);
	vsym_resolved_close(&source);
	vsym_resolved_close(&top);
}

/* A mount the journal does not name is never touched by recovery. */
static void test_recover_leaves_foreign_mounts(void **state)
{
	struct fixture *f = *state;
	struct vsym_state journal = { NULL, 0, f->run };
	char source[] = "/x";
	struct vsym_state_entry pending = { .target = f->target, .source = source, .mnt_id = 999999 };
	struct vsym_error err;

	REQUIRE_ROOT();
	assert_int_equal(bind(f, "1.0", 0), VSYM_BOUND);
	assert_int_equal(mount("foreign", f->target, "tmpfs", 0, NULL), 0);
	assert_int_equal(vsym_state_put(&journal, &pending), 0);
	assert_int_equal(vsym_state_save(&journal, VSYM_JOURNAL_FILE, &err), 0);
	assert_int_equal(vsym_binds_recover(&f->alice.user, &f->state, &err), 0);
	assert_int_equal(testns_mounts_on(f->target), 2);
	assert_int_equal(umount(f->target), 0);
	vsym_state_free(&journal);
}

/* A rebind stopped between attach and record (as kill -9 or SIGXFSZ
 * there leaves it), then the target's parent renamed: recovery finds the
 * mount by its id. Returns the number of journal entries left. */
static size_t journal_entries(const struct fixture *f)
{
	struct vsym_state journal;
	struct vsym_error err;
	size_t n;

	assert_int_equal(vsym_state_load(&journal, f->run, VSYM_JOURNAL_FILE, &err), 0);
	n = journal.n;
	vsym_state_free(&journal);
	return n;
}

/* Killed after the switch's detach of the old mount, before the record
 * was saved (with and without MOVE_MOUNT_BENEATH): the record names a
 * mount that is gone and the pending one is on top. Recovery records the
 * pending one in its place and empties the journal. */
static void recover_after_switch(struct fixture *f, unsigned flags)
{
	struct vsym_state saved = { NULL, 0, f->run };
	struct vsym_error err;
	uint64_t old_id;

	assert_int_equal(bind(f, "1.0", flags), VSYM_BOUND);
	old_id = vsym_state_find(&f->state, f->target)->mnt_id;
	assert_int_equal(bind(f, "2.0", flags | VSYM_BIND_STOP_AFTER_ATTACH), VSYM_FAILED);
	assert_int_equal(testns_mounts_on(f->target), 1);
	assert_true(target_shows(f, "2.0"));
	/* what the next vsym-rebind finds on disk */
	assert_int_equal(vsym_state_load(&saved, f->run, VSYM_STATE_FILE, &err), 0);
	assert_int_equal(saved.n, 1);
	assert_true(saved.entries[0].mnt_id == old_id);
	assert_int_equal(journal_entries(f), 1);
	assert_int_equal(vsym_binds_recover(&f->alice.user, &saved, &err), 0);
	assert_int_equal(saved.n, 1);
	assert_true(saved.entries[0].mnt_id != old_id);
	assert_int_equal(journal_entries(f), 0);
	assert_int_equal(testns_mounts_on(f->target), 1);
	vsym_state_free(&saved);
	assert_int_equal(vsym_state_load(&saved, f->run, VSYM_STATE_FILE, &err), 0);
	assert_int_equal(saved.n, 1);
	assert_true(saved.entries[0].mnt_id != old_id);
	vsym_state_free(&saved);
}

static void test_recover_after_switch(void **state)
{
	REQUIRE_ROOT();
	recover_after_switch(*state, 0);
}

static void test_recover_after_fallback_switch(void **state)
{
	REQUIRE_ROOT();
	recover_after_switch(*state, VSYM_BIND_NO_BENEATH);
}

/* As recover_after_switch, on a kernel that hands out a freed mount's id
 * again (before 6.8): the record that outlived the old mount carries the
 * very id the pending mount has, with the old root. Recovery must not
 * take it for the pending mount's record (-l would name the old source)
 * nor refuse because its name is taken: the pending mount takes its
 * place. */
static void test_recover_reused_id(void **state)
{
	struct fixture *f = *state;
	struct vsym_state saved = { NULL, 0, f->run }, journal;
	struct vsym_state_entry pending;
	struct vsym_error err;

	REQUIRE_ROOT();
	assert_int_equal(bind(f, "1.0", VSYM_BIND_NO_BENEATH), VSYM_BOUND);
	assert_int_equal(bind(f, "2.0", VSYM_BIND_NO_BENEATH | VSYM_BIND_STOP_AFTER_ATTACH), VSYM_FAILED);
	assert_int_equal(vsym_state_load(&journal, f->run, VSYM_JOURNAL_FILE, &err), 0);
	assert_int_equal(journal.n, 1);
	pending = journal.entries[0];
	assert_int_equal(vsym_state_load(&saved, f->run, VSYM_STATE_FILE, &err), 0);
	assert_int_equal(saved.n, 1);
	assert_true(saved.entries[0].root_ino != pending.root_ino);
	saved.entries[0].mnt_id = pending.mnt_id;
	assert_int_equal(vsym_binds_recover(&f->alice.user, &saved, &err), 0);
	assert_int_equal(journal_entries(f), 0);
	assert_int_equal(saved.n, 1);
	assert_true(saved.entries[0].mnt_id == pending.mnt_id);
	assert_true(saved.entries[0].root_ino == pending.root_ino);
	assert_string_equal(saved.entries[0].source, pending.source);
	assert_int_equal(testns_mounts_on(f->target), 1);
	assert_true(target_shows(f, "2.0"));
	vsym_state_free(&saved);
	vsym_state_free(&journal);
}

/* Killed after the record was saved and before the journal was ended
 * (a window rebind_security's random kills hit): the journal names the
 * recorded mount, in place or, once ~/p is renamed, elsewhere. Recovery
 * leaves the one record and the mount as they are and empties the
 * journal; it neither refuses nor counts the mount twice. */
static void recorded_then_killed(struct fixture *f, bool move_parent)
{
	struct vsym_state journal = { NULL, 0, f->run };
	struct vsym_state_entry recorded;
	struct vsym_error err;
	char p[200], moved[200], moved_t[220];

	snprintf(p, sizeof(p), "%s/p", f->home);
	snprintf(moved, sizeof(moved), "%s/moved", f->home);
	snprintf(moved_t, sizeof(moved_t), "%s/t", moved);
	make_dir(p, 1000, 1000, 0755);
	snprintf(f->target, sizeof(f->target), "%s/p/t", f->home);
	make_dir(f->target, 1000, 1000, 0755);
	load_policy(f, "allow = ( { target = \"~/p/t\"; source = \"~/.v/*\"; } );\n");
	assert_int_equal(bind(f, "1.0", 0), VSYM_BOUND);
	recorded = *vsym_state_find(&f->state, f->target);
	assert_int_equal(vsym_state_put(&journal, &recorded), 0);
	assert_int_equal(vsym_state_save(&journal, VSYM_JOURNAL_FILE, &err), 0);
	if (move_parent)
		assert_int_equal(rename(p, moved), 0);
	assert_int_equal(vsym_binds_recover(&f->alice.user, &f->state, &err), 0);
	assert_int_equal(f->state.n, 1);
	assert_true(f->state.entries[0].mnt_id == recorded.mnt_id);
	assert_int_equal(journal_entries(f), 0);
	assert_int_equal(testns_mounts_on(move_parent ? moved_t : f->target), 1);
	vsym_state_free(&journal);
	if (move_parent)
		assert_int_equal(umount(moved_t), 0);
}

static void test_recover_recorded_in_place(void **state)
{
	REQUIRE_ROOT();
	recorded_then_killed(*state, false);
}

static void test_recover_recorded_moved(void **state)
{
	REQUIRE_ROOT();
	recorded_then_killed(*state, true);
}

/* ~/p/t bound from ~/.v/1.0 and stopped after the attach; then ~/p
 * renamed to parent_to and ~/p/t made anew. */
static void stop_after_attach_then_move(struct fixture *f, const char *parent_to)
{
	char p[200];

	snprintf(p, sizeof(p), "%s/p", f->home);
	make_dir(p, 1000, 1000, 0755);
	snprintf(f->target, sizeof(f->target), "%s/p/t", f->home);
	make_dir(f->target, 1000, 1000, 0755);
	load_policy(f, "allow = ( { target = \"~/p/t\"; source = \"~/.v/*\"; } );\n");
	assert_int_equal(bind(f, "1.0", VSYM_BIND_STOP_AFTER_ATTACH), VSYM_FAILED);
	assert_int_equal(testns_mounts_on(f->target), 1);
	assert_int_equal(f->state.n, 0);
	assert_int_equal(journal_entries(f), 1);
	assert_int_equal(rename(p, parent_to), 0);
	make_dir(p, 1000, 1000, 0755);
	make_dir(f->target, 1000, 1000, 0755);
}

/* Moved where alice can reach it: detached there, the journal emptied. */
static void test_recover_moved_pending_detached(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err;
	char moved[200], moved_t[220];

	REQUIRE_ROOT();
	snprintf(moved, sizeof(moved), "%s/moved", f->home);
	snprintf(moved_t, sizeof(moved_t), "%s/t", moved);
	stop_after_attach_then_move(f, moved);
	assert_int_equal(vsym_binds_recover(&f->alice.user, &f->state, &err), 0);
	assert_int_equal(testns_mounts_on(moved_t), 0);
	assert_int_equal(f->state.n, 0);
	assert_int_equal(journal_entries(f), 0);
}

/* Moved where alice cannot open it: recorded under its target, so that
 * it counts against max_binds. */
static void test_recover_moved_pending_recorded(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err;
	char box[200], moved[220], moved_t[240];

	REQUIRE_ROOT();
	snprintf(box, sizeof(box), "%s/box", f->home);
	snprintf(moved, sizeof(moved), "%s/p", box);
	snprintf(moved_t, sizeof(moved_t), "%s/t", moved);
	make_dir(box, 1000, 1000, 0755);
	stop_after_attach_then_move(f, moved);
	assert_int_equal(chmod(box, 0), 0);
	assert_int_equal(vsym_binds_recover(&f->alice.user, &f->state, &err), 0);
	assert_int_equal(testns_mounts_on(moved_t), 1);
	assert_int_equal(f->state.n, 1);
	assert_non_null(vsym_state_find(&f->state, f->target));
	assert_int_equal(journal_entries(f), 0);
	assert_int_equal(chmod(box, 0755), 0);
	assert_int_equal(umount(moved_t), 0);
}

/* The change to alice's identity fails (her groups unknown): a failure
 * of the system (exit status 3), not a refusal of her paths. */
static void test_identity_change_failure_is_failed(void **state)
{
	struct fixture *f = *state;
	gid_t *gids;

	REQUIRE_ROOT();
	gids = f->alice.user.gids;
	f->alice.user.gids = NULL;
	assert_int_equal(bind(f, "1.0", 0), VSYM_FAILED);
	f->alice.user.gids = gids;
	assert_int_equal(testns_mounts_on(f->target), 0);
}

/* The fallback opens the target again once the old bind is off: the
 * directory beneath is no longer alice's (it stands for a rename of hers in
 * that moment, which this process cannot make: the name is a mount point
 * here). Nothing is mounted on what the name now leads to, the lost bind's
 * record goes, the journal is closed, and it is a refusal that says why. */
static void test_fallback_target_changed(void **state)
{
	struct fixture *f = *state;
	struct vsym_state saved;
	struct vsym_error err;
	int beneath;

	REQUIRE_ROOT();
	beneath = open(f->target, O_RDONLY | O_DIRECTORY);
	assert_true(beneath >= 0);
	assert_int_equal(bind(f, "1.0", VSYM_BIND_NO_BENEATH), VSYM_BOUND);
	assert_int_equal(fchown(beneath, 0, 0), 0);
	close(beneath);
	assert_int_equal(bind_detail(f, "2.0", VSYM_BIND_NO_BENEATH, &err), VSYM_REFUSED);
	assert_contains(err.text, "changed while its bind was switched");
	assert_contains(err.text, "owned by uid 0");
	assert_contains(err.text, "run vsym-rebind again");
	assert_int_equal(testns_mounts_on(f->target), 0);
	assert_int_equal(f->state.n, 0);
	assert_int_equal(vsym_state_load(&saved, f->run, VSYM_STATE_FILE, &err), 0);
	assert_int_equal(saved.n, 0);
	vsym_state_free(&saved);
	assert_int_equal(journal_entries(f), 0);
}

/* A system target, replaced with the fallback: opened again, it is
 * checked as a system target (root's), not as one of alice's. */
static void test_fallback_system_target(void **state)
{
	struct fixture *f = *state;
	char sys[256], conf[1024], src1[256], src2[256];
	struct vsym_bind b = { .target = sys, .source = src1 };
	struct vsym_error detail;
	const char *scratch = testns_scratch();

	REQUIRE_ROOT();
	snprintf(sys, sizeof(sys), "%s/sys-fallback", scratch);
	snprintf(src1, sizeof(src1), "%s/sys-fallback-1", scratch);
	snprintf(src2, sizeof(src2), "%s/sys-fallback-2", scratch);
	make_dir(sys, 0, 0, 0755);
	make_dir(src1, 0, 0, 0755);
	make_dir(src2, 0, 0, 0755);
	make_dir(test_path(src2, "two"), 0, 0, 0755);
	snprintf(conf, sizeof(conf), "allow = ( { target = \"%s\"; source = \"%s-*\"; } );\n", sys, sys);
	load_policy(f, conf);
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, VSYM_BIND_NO_BENEATH, &detail),
			 VSYM_BOUND);
	b.source = src2;
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, VSYM_BIND_NO_BENEATH, &detail),
			 VSYM_BOUND);
	assert_int_equal(testns_mounts_on(sys), 1);
	assert_true(access(test_path(sys, "two"), F_OK) == 0);
}

static void test_max_binds(void **state)
{
	struct fixture *f = *state;
	char other[200], source[256];
	struct vsym_bind b = { .target = other };
	struct vsym_error detail;

	REQUIRE_ROOT();
	load_policy(f, "allow = ( { target = \"~/t*\"; source = \"~/.v/*\"; } );\nmax_binds = 2;\n");
	snprintf(source, sizeof(source), "%s/.v/1.0", f->home);
	b.source = source;
	for (int i = 1; i <= 3; i++) {
		snprintf(other, sizeof(other), "%s/t%d", f->home, i);
		make_dir(other, 1000, 1000, 0755);
		assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, 0, &detail),
				 i <= 2 ? VSYM_BOUND : VSYM_REFUSED);
	}
	assert_contains(detail.text, "max_binds = 2");
	assert_int_equal(testns_mounts_on(other), 0);
}

static void test_unbind(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err;

	REQUIRE_ROOT();
	assert_int_equal(bind(f, "1.0", 0), VSYM_BOUND);
	assert_int_equal(vsym_binds_remove(&f->alice.user, &f->state, f->target, &err), 0);
	assert_int_equal(testns_mounts_on(f->target), 0);
	assert_int_equal(f->state.n, 0);
	assert_int_equal(vsym_binds_remove(&f->alice.user, &f->state, f->target, &err), 1);
	assert_contains(err.text, "no vsym bind on");
}

/* create = true: a missing home target is made as the user, 0755 whatever
 * the umask, when its parent is the user's; never in someone else's
 * directory; a dry run makes nothing. */
static void test_create_target(void **state)
{
	struct fixture *f = *state;
	char target[256], rootdir[256], source[256];
	struct vsym_bind b = { .target = target, .source = source, .create = true };
	struct vsym_error detail;
	struct stat st;
	mode_t old_umask;

	REQUIRE_ROOT();
	snprintf(target, sizeof(target), "%s/sdk", f->home);
	snprintf(source, sizeof(source), "%s/.v/1.0", f->home);
	load_policy(f, "allow = ( { target = \"~/**\"; source = \"~/.v/*\"; } );\n");
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, VSYM_BIND_DRY_RUN, &detail),
			 VSYM_BOUND);
	assert_contains(detail.text, "the target will be made");
	assert_int_equal(access(target, F_OK), -1);
	old_umask = umask(077);
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, 0, &detail), VSYM_BOUND);
	umask(old_umask);
	assert_int_equal(testns_mounts_on(target), 1);
	assert_int_equal(lstat(target, &st), 0);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_mode & 07777, 0755);
	/* the parent is root's: nothing is made there */
	snprintf(rootdir, sizeof(rootdir), "%s/rootdir", f->home);
	make_dir(rootdir, 0, 0, 0755);
	snprintf(target, sizeof(target), "%s/rootdir/sdk", f->home);
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, 0, &detail), VSYM_REFUSED);
	assert_contains(detail.text, "is not a directory of yours to make it in");
	assert_int_equal(access(target, F_OK), -1);
	/* no parent: refused, nothing made */
	snprintf(target, sizeof(target), "%s/none/sdk", f->home);
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, 0, &detail), VSYM_REFUSED);
	assert_contains(detail.text, "does not exist");
}

/* A system target: checked as one (empty, root's), sources checked up to
 * /, the bind read-only whatever was asked. */
static void test_system_target_bind(void **state)
{
	struct fixture *f = *state;
	char sys[256], conf[1024], src[256], usersrc[256];
	struct vsym_bind b = { .target = sys, .source = src, .readonly = false };
	struct vsym_error detail;
	const char *scratch = testns_scratch();

	REQUIRE_ROOT();
	snprintf(sys, sizeof(sys), "%s/sys-vsym", scratch);
	snprintf(src, sizeof(src), "%s/sys-1.0", scratch);
	make_dir(sys, 0, 0, 0755);
	make_dir(src, 0, 0, 0755);
	snprintf(conf, sizeof(conf), "allow = ( { target = \"%s\"; source = [ \"%s\", \"~/.v/*\" ]; } );\n", sys, src);
	load_policy(f, conf);
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, 0, &detail), VSYM_BOUND);
	assert_contains(detail.text, "ro, allowed by");
	assert_contains(testns_options_of(sys), "ro,");
	/* a source alice owns is never shown there */
	snprintf(usersrc, sizeof(usersrc), "%s/.v/2.0", f->home);
	b.source = usersrc;
	assert_int_equal(vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, 0, &detail), VSYM_REFUSED);
	assert_contains(detail.text, "is not for a system target");
	assert_int_equal(testns_mounts_on(sys), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bind_and_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_beneath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_fallback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback_target_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fallback_system_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_leave_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusal_causes_quote_no_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_mounts_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_control_characters_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_between_beneath_and_detach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_leaves_foreign_mounts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_after_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_after_fallback_switch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_moved_pending_detached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_moved_pending_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_reused_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_recorded_in_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recover_recorded_moved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_identity_change_failure_is_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_binds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unbind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_target_bind, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
