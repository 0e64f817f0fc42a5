/* session.c: the life of a session as both front ends see it. A login
 * creates one (and abandons it when denied); vsym-rebind enters, peeks
 * at, clones, saves and trims it. Real namespaces, markers and
 * binds, in the throwaway namespace of testns.h with a private /run; each
 * step that changes the process's namespace runs in a forked child. */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "testns.h"
#include "testutil.h"

#include "binds.h"
#include "cfg.h"
#include "mountinfo.h"
#include "session.h"
#include "state.h"

struct fixture {
	struct test_user alice;
	struct vsym_policy policy;
	char home[128], gos[160], nodes[160], other[160];
};

static int setup(void **state)
{
	static const char policy[] = "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n";
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	if (geteuid() != 0)
		return 0; /* each test says skip or fail */
	if (test_alice_at_home(&f->alice, f->home, sizeof(f->home), "api") < 0 || testns_private_run() < 0)
		return -1;
	snprintf(f->gos, sizeof(f->gos), "%s/gos", f->home);
	snprintf(f->nodes, sizeof(f->nodes), "%s/nodes", f->home);
	snprintf(f->other, sizeof(f->other), "%s/other", f->home);
	make_dir(f->gos, 1000, 1000, 0755);
	make_dir(f->nodes, 1000, 1000, 0755);
	make_dir(f->other, 1000, 1000, 0755);
	make_dir(test_path(f->home, ".v"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".v/1.0"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".v/2.0"), 1000, 1000, 0755);
	write_file(test_path(f->home, ".v/1.0/one"), "1\n", 1000, 1000, 0644);
	test_load_policy(&f->policy, policy, &f->alice.user);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vsym_policy_free(&f->policy);
	free(f);
	return 0;
}

/* The inode of this process's mount namespace: tells one from another. */
static ino_t ns_id(void)
{
	struct stat st;

	return stat("/proc/self/ns/mnt", &st) == 0 ? st.st_ino : 0;
}

/* Binds ~/.v/VERSION on target and records it in state, as a login or
 * vsym-rebind does. True when bound. */
static bool bind_version(struct fixture *f, struct vsym_state *state, const char *target, const char *version)
{
	char source[256], tgt[256];
	struct vsym_bind b = { .source = source, .target = tgt };
	struct vsym_error detail;

	snprintf(source, sizeof(source), "%s/.v/%s", f->home, version);
	snprintf(tgt, sizeof(tgt), "%s", target);
	return vsym_binds_add(&f->policy, &f->alice.user, state, &b, 0, &detail) == VSYM_BOUND;
}

/* In a child: a login session of alice's with go 1.0 bound on ~/gos and
 * 2.0 on ~/nodes, recorded in /run/vsym. Returns the namespace the child
 * came from, or -1. */
static int make_session(struct fixture *f)
{
	struct vsym_session s = { .state = { .dir = VSYM_RUN_DIR }, .lock = -1 };
	struct vsym_error err;
	int old = vsym_session_create(&f->alice.user, &err);
	bool ok;

	if (old < 0)
		return -1;
	ok = bind_version(f, &s.state, f->gos, "1.0") && bind_version(f, &s.state, f->nodes, "2.0") &&
	     vsym_session_save(&s, &err) == 0;
	vsym_session_free(&s);
	return ok ? old : -1;
}

/* ---------------------------------------------------------- create, abandon */

static int child_create_abandon(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_error err = { .text = "" };
	ino_t before = ns_id();
	int old;

	CHECK(!vsym_session_here(1000), "a session before one was made");
	old = vsym_session_create(&f->alice.user, &err);
	CHECK(old >= 0, "%s", err.text);
	CHECK(ns_id() != before, "still in the namespace the login came from");
	CHECK(vsym_session_here(1000), "the new namespace is not marked for alice");
	CHECK(!vsym_session_here(1001), "marked for another uid too");
	CHECK(fcntl(old, F_GETFD) & FD_CLOEXEC, "the old namespace leaks into exec");
	CHECK(bind_version(f, &(struct vsym_state){ 0 }, f->gos, "1.0"), "no bind in the session");
	CHECK(testns_mounts_on(f->gos) == 1, "the bind is not there");
	CHECK(vsym_session_abandon(old, &err) == 0, "%s", err.text);
	CHECK(ns_id() == before, "not back where the login came from");
	CHECK(!vsym_session_here(1000), "the marker outlived the abandoned session");
	CHECK(testns_mounts_on(f->gos) == 0, "a bind of the abandoned session is here");
	CHECK(fcntl(old, F_GETFD) < 0 && errno == EBADF, "abandon left the descriptor open");
	return 0;
}

static void test_create_and_abandon(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_create_abandon, *state);
}

/* abandon with a descriptor that is no namespace: it says so, and closes it. */
static int child_abandon_bad(void *arg, char *msg, size_t size)
{
	struct vsym_error err = { .text = "" };
	int fd = open("/", O_RDONLY | O_CLOEXEC);

	(void)arg;
	CHECK(vsym_session_abandon(fd, &err) == -1, "a directory taken for a namespace");
	CHECK(strstr(err.text, "cannot return to the original mount namespace") != NULL, "%s", err.text);
	CHECK(fcntl(fd, F_GETFD) < 0, "the descriptor was left open");
	return 0;
}

static void test_abandon_bad_descriptor(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_abandon_bad, *state);
}

/* A login inside a session of the same user starts from its own defaults:
 * the parent's vsym binds are detached in the new namespace (and only
 * there), other mounts stay. */
static int child_nested(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_error err = { .text = "" };
	int outer, inner;

	outer = make_session(f);
	CHECK(outer >= 0, "no session");
	CHECK(mount("vsym-test", f->other, "tmpfs", 0, NULL) == 0, "%s", strerror(errno));
	inner = vsym_session_create(&f->alice.user, &err);
	CHECK(inner >= 0, "%s", err.text);
	CHECK(testns_mounts_on(f->gos) == 0, "the parent's bind on gos was copied in");
	CHECK(testns_mounts_on(f->nodes) == 0, "the parent's bind on nodes was copied in");
	CHECK(testns_mounts_on(f->other) == 1, "a mount not vsym's was detached");
	CHECK(vsym_session_here(1000), "the nested session is not marked");
	CHECK(vsym_session_abandon(inner, &err) == 0, "%s", err.text);
	CHECK(testns_mounts_on(f->gos) == 1 && testns_mounts_on(f->nodes) == 1,
	      "the parent session lost its binds");
	close(outer);
	return 0;
}

static void test_create_sheds_parent_binds(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_nested, *state);
}

/* ------------------------------------------------------------ enter, lock */

static int child_enter(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_session s;
	struct vsym_error err = { .text = "" };
	struct test_user bob;
	int other;

	memset(&s, 0, sizeof(s));
	CHECK(vsym_session_enter(&s, &f->alice.user, &err) == VSYM_NOT_A_SESSION, "entered outside a session");
	CHECK(s.lock == -1, "a lock outside a session");
	CHECK(make_session(f) >= 0, "no session");
	/* another user's vsym-rebind is refused */
	test_user_alice(&bob);
	bob.user.uid = 1001;
	memset(&s, 0, sizeof(s));
	CHECK(vsym_session_enter(&s, &bob.user, &err) == VSYM_NOT_A_SESSION, "bob entered alice's session");
	/* a record whose mount is gone is dropped on entering */
	CHECK(umount2(f->nodes, MNT_DETACH) == 0, "%s", strerror(errno));
	memset(&s, 0, sizeof(s));
	CHECK(vsym_session_enter(&s, &f->alice.user, &err) == VSYM_ENTERED, "%s", err.text);
	CHECK(s.state.n == 1 && strcmp(s.state.entries[0].target, f->gos) == 0, "%zu records", s.state.n);
	CHECK(strcmp(s.state.dir, VSYM_RUN_DIR) == 0, "the record is not kept in %s", VSYM_RUN_DIR);
	/* the lock is held: no second vsym-rebind gets it */
	CHECK(s.lock >= 0 && (fcntl(s.lock, F_GETFD) & FD_CLOEXEC), "no close-on-exec lock");
	other = open(VSYM_RUN_PATH(VSYM_LOCK_FILE), O_RDWR | O_CLOEXEC);
	CHECK(other >= 0, "%s", strerror(errno));
	CHECK(flock(other, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK, "the lock was free");
	vsym_session_free(&s);
	close(s.lock);
	CHECK(flock(other, LOCK_EX | LOCK_NB) == 0, "the lock was not released with its descriptor");
	close(other);
	return 0;
}

static void test_enter(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_enter, *state);
}

/* A record that cannot be read and a lock that cannot be taken are
 * failures (exit status 3), never "no vsym session" (exit status 1). */
static int child_enter_failures(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_session s;
	struct vsym_error err = { .text = "" };
	FILE *record;

	CHECK(make_session(f) >= 0, "no session");
	record = fopen(VSYM_RUN_PATH(VSYM_STATE_FILE), "w");
	CHECK(record != NULL && fputs("not a record line\n", record) >= 0 && fclose(record) == 0, "%s",
	      strerror(errno));
	memset(&s, 0, sizeof(s));
	CHECK(vsym_session_enter(&s, &f->alice.user, &err) == VSYM_ENTER_FAILED, "an unreadable record entered");
	if (s.lock >= 0)
		close(s.lock);
	vsym_session_free(&s);
	CHECK(unlink(VSYM_RUN_PATH(VSYM_STATE_FILE)) == 0, "%s", strerror(errno));
	CHECK(unlink(VSYM_RUN_PATH(VSYM_LOCK_FILE)) == 0 || errno == ENOENT, "%s", strerror(errno));
	CHECK(mkdir(VSYM_RUN_PATH(VSYM_LOCK_FILE), 0700) == 0, "%s", strerror(errno));
	memset(&s, 0, sizeof(s));
	CHECK(vsym_session_enter(&s, &f->alice.user, &err) == VSYM_ENTER_FAILED, "entered without the lock");
	CHECK(strstr(err.text, "cannot lock the session") != NULL, "%s", err.text);
	return 0;
}

static void test_enter_failures(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_enter_failures, *state);
}

/* The lock file is root's, in the marker tmpfs, and is not followed
 * through a symbolic link. */
static int child_lock(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_error err = { .text = "" };
	struct stat st;
	int lock;

	CHECK(make_session(f) >= 0, "no session");
	lock = vsym_session_lock(&err);
	CHECK(lock >= 0, "%s", err.text);
	CHECK(fstat(lock, &st) == 0 && st.st_uid == 0 && (st.st_mode & 0777) == 0600, "mode %o uid %d",
	      (unsigned)st.st_mode, (int)st.st_uid);
	close(lock);
	CHECK(unlink(VSYM_RUN_PATH(VSYM_LOCK_FILE)) == 0, "%s", strerror(errno));
	CHECK(symlink(VSYM_RUN_PATH("lock-elsewhere"), VSYM_RUN_PATH(VSYM_LOCK_FILE)) == 0, "%s", strerror(errno));
	CHECK(vsym_session_lock(&err) == -1, "a symbolic link followed");
	CHECK(strstr(err.text, "cannot lock the session") != NULL, "%s", err.text);
	CHECK(access(VSYM_RUN_PATH("lock-elsewhere"), F_OK) < 0, "the link's target was made");
	return 0;
}

static void test_lock(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_lock, *state);
}

/* -------------------------------------------------------------------- peek */

static int child_peek(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_session s;
	struct vsym_error err = { .text = "" };
	int other;

	memset(&s, 0, sizeof(s));
	CHECK(vsym_session_peek(&s, &f->alice.user, &err) == 0, "%s", err.text);
	CHECK(s.state.n == 0 && s.lock == -1, "a record outside a session");
	CHECK(make_session(f) >= 0, "no session");
	memset(&s, 0, sizeof(s));
	CHECK(vsym_session_peek(&s, &f->alice.user, &err) == 0, "%s", err.text);
	CHECK(s.state.n == 2, "%zu records", s.state.n);
	CHECK(s.state.dir == NULL, "a peeked record could be written back");
	CHECK(s.lock == -1, "peek holds a lock");
	other = open(VSYM_RUN_PATH(VSYM_LOCK_FILE), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	CHECK(other >= 0 && flock(other, LOCK_EX | LOCK_NB) == 0, "peek took the lock");
	vsym_session_free(&s);
	close(other);
	return 0;
}

static void test_peek(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_peek, *state);
}

/* ------------------------------------------------------------- clone, save */

/* -x in a session: a marked namespace of its own whose record names each
 * copied bind under its copy's id, saved where the marker is. */
static int child_clone(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_session s, saved;
	struct vsym_error err = { .text = "" };
	struct vsym_mount_info info;
	ino_t session_ns;
	uint64_t old_id;

	CHECK(make_session(f) >= 0, "no session");
	session_ns = ns_id();
	memset(&s, 0, sizeof(s));
	CHECK(vsym_session_peek(&s, &f->alice.user, &err) == 0, "%s", err.text);
	old_id = vsym_state_find(&s.state, f->gos)->mnt_id;
	vsym_session_free(&s);

	memset(&s, 0, sizeof(s));
	CHECK(vsym_session_clone(&s, &f->alice.user, &err) == 0, "%s", err.text);
	CHECK(ns_id() != session_ns, "-x stayed in the session's namespace");
	CHECK(vsym_session_here(1000), "the copy is not marked as alice's session");
	CHECK(s.lock >= 0, "the session's lock is not held");
	CHECK(s.state.n == 2, "%zu records carried", s.state.n);
	CHECK(vsym_state_find(&s.state, f->gos)->mnt_id != old_id, "the record names the original mount");
	CHECK(vsym_mountinfo_lookup(vsym_state_find(&s.state, f->gos)->mnt_id, &info, &err) == 1,
	      "the carried id names no mount here");
	CHECK(strcmp(info.target, f->gos) == 0, "the carried id names %.200s", info.target);
	CHECK(vsym_session_save(&s, &err) == 0, "%s", err.text);
	memset(&saved, 0, sizeof(saved));
	CHECK(vsym_state_load(&saved.state, VSYM_RUN_DIR, VSYM_STATE_FILE, &err) == 0, "%s", err.text);
	CHECK(saved.state.n == 2 && vsym_state_find(&saved.state, f->gos)->mnt_id ==
	      vsym_state_find(&s.state, f->gos)->mnt_id, "the record written is not the one carried");
	vsym_session_free(&saved);
	vsym_session_free(&s);
	return 0;
}

static void test_clone_in_session(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_clone, *state);
}

/* -x outside a session: a new marked namespace with an empty record. */
static int child_clone_outside(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_session s;
	struct vsym_error err = { .text = "" };
	ino_t before = ns_id();

	memset(&s, 0, sizeof(s));
	CHECK(vsym_session_clone(&s, &f->alice.user, &err) == 0, "%s", err.text);
	CHECK(ns_id() != before, "no namespace of its own");
	CHECK(vsym_session_here(1000), "not marked");
	CHECK(s.state.n == 0 && s.lock == -1, "a record or lock from nowhere");
	return 0;
}

static void test_clone_outside_session(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_clone_outside, *state);
}

/* --------------------------------------------------------------- keep_only */

/* -r: every vsym bind not in keep is unmounted and dropped from the
 * record; the kept one stays mounted. */
static int child_keep_only(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_session s;
	struct vsym_error err = { .text = "" };
	char gos[160];
	struct vsym_bind keep_one = { .target = gos };
	struct vsym_bind_list keep = { .binds = &keep_one, .n = 1 };

	snprintf(gos, sizeof(gos), "%s", f->gos);
	CHECK(make_session(f) >= 0, "no session");
	memset(&s, 0, sizeof(s));
	CHECK(vsym_session_enter(&s, &f->alice.user, &err) == VSYM_ENTERED, "%s", err.text);
	vsym_session_keep_only(&s, &f->alice.user, &keep);
	CHECK(s.state.n == 1 && strcmp(s.state.entries[0].target, f->gos) == 0, "%zu records", s.state.n);
	CHECK(testns_mounts_on(f->gos) == 1, "the kept bind was removed");
	CHECK(testns_mounts_on(f->nodes) == 0, "the other bind stayed");
	/* keeping nothing removes all */
	keep.n = 0;
	vsym_session_keep_only(&s, &f->alice.user, &keep);
	CHECK(s.state.n == 0 && testns_mounts_on(f->gos) == 0, "a bind survived keeping none");
	vsym_session_free(&s);
	return 0;
}

static void test_keep_only(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_keep_only, *state);
}

/* ---------------------------------------------------------- probe_namespace */

/* The probe for -x: a namespace of its own, unmarked, and what is mounted
 * there does not reach the namespace it left. */
static int child_probe(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_error err = { .text = "" };
	ino_t before = ns_id();
	int old = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);

	CHECK(old >= 0, "%s", strerror(errno));
	CHECK(vsym_session_probe_namespace(&err) == 0, "%s", err.text);
	CHECK(ns_id() != before, "no namespace of its own");
	CHECK(!vsym_session_here(1000), "the probe is marked as a session");
	CHECK(mount("vsym-test", f->other, "tmpfs", 0, NULL) == 0, "%s", strerror(errno));
	CHECK(setns(old, CLONE_NEWNS) == 0, "%s", strerror(errno));
	CHECK(testns_mounts_on(f->other) == 0, "a mount of the probe reached the namespace it left");
	close(old);
	return 0;
}

static void test_probe_namespace(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_probe, *state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_and_abandon, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abandon_bad_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_sheds_parent_binds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enter_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peek, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_in_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clone_outside_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_namespace, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
