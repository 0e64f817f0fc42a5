/* login.c: the setup steps of a login, driven as pam_vsym drives them,
 * with a reporter that records every call. Whether vsym takes the
 * session at all (and when it reads the group database), then in a new
 * session namespace the user's file, the default binds, the record, and
 * what is logged and told to the user on the way. Real files and mounts
 * in the throwaway namespace of testns.h with a private /run; the session
 * steps run in a forked child. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <syslog.h>

#include "testns.h"
#include "testutil.h"

#include "cfg.h"
#include "login.h"
#include "session.h"
#include "state.h"

/* Every call the module would have turned into a log line, a message to
 * the user or a bind report. */
#define MAX_CALLS 16
struct recorder {
	int nlogs, nnotes, nbinds;
	int priority[MAX_CALLS];
	char log[MAX_CALLS][512];
	char note[MAX_CALLS][512];
	enum vsym_outcome outcome[MAX_CALLS];
	char bound[MAX_CALLS][256];  /* the target of each bind reported */
};

static void record_bind(void *ctx, enum vsym_outcome outcome, const struct vsym_bind *bind,
			const struct vsym_error *detail, const struct vsym_mounted *mounted)
{
	struct recorder *r = ctx;

	(void)detail;
	(void)mounted;
	if (r->nbinds < MAX_CALLS) {
		r->outcome[r->nbinds] = outcome;
		snprintf(r->bound[r->nbinds], sizeof(r->bound[0]), "%s", bind->target);
	}
	r->nbinds++;
}

static void record_log(void *ctx, int priority, const char *text)
{
	struct recorder *r = ctx;

	if (r->nlogs < MAX_CALLS) {
		r->priority[r->nlogs] = priority;
		snprintf(r->log[r->nlogs], sizeof(r->log[0]), "%s", text);
	}
	r->nlogs++;
}

static void record_note(void *ctx, const char *text)
{
	struct recorder *r = ctx;

	if (r->nnotes < MAX_CALLS)
		snprintf(r->note[r->nnotes], sizeof(r->note[0]), "%s", text);
	r->nnotes++;
}

struct fixture {
	struct recorder rec;
	struct vsym_reporter reporter;
	struct vsym_user user;     /* heap strings, as vsym_user_lookup_name makes */
	struct vsym_policy policy;
	struct vsym_login login;
	char base[96], config[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	if (geteuid() != 0)
		return 0; /* each test says skip or fail */
	if (test_scratch_dir(f->base, sizeof(f->base), "login", 0, 0) < 0 || testns_private_run() < 0)
		return -1;
	snprintf(f->config, sizeof(f->config), "%s/vsym.conf", f->base);
	/* alice as the module looks her up: the groups not read yet */
	f->user = (struct vsym_user){ .name = strdup("alice"), .home = strdup(test_path(f->base, "home")),
				      .shell = strdup("/bin/sh"), .uid = 1000, .gid = 1000 };
	make_dir(f->user.home, 1000, 1000, 0755);
	make_dir(test_path(f->user.home, "gos"), 1000, 1000, 0755);
	make_dir(test_path(f->user.home, "nodes"), 1000, 1000, 0755);
	make_dir(test_path(f->user.home, ".v"), 1000, 1000, 0755);
	make_dir(test_path(f->user.home, ".v/1.0"), 1000, 1000, 0755);
	make_dir(test_path(f->user.home, ".v/2.0"), 1000, 1000, 0755);
	f->reporter = (struct vsym_reporter){ record_bind, record_log, record_note, &f->rec };
	f->login = (struct vsym_login){ .config = f->config, .user = &f->user, .policy = &f->policy,
					.reporter = &f->reporter };
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vsym_policy_free(&f->policy);
	vsym_user_free(&f->user);
	free(f);
	return 0;
}

static void write_config(struct fixture *f, const char *text)
{
	write_file(f->config, text, 0, 0, 0644);
}

static void write_vsymrc(struct fixture *f, const char *text)
{
	write_file(test_path(f->user.home, ".vsymrc"), text, 1000, 1000, 0644);
}

/* True when some log line of priority contains text. */
static bool logged(const struct recorder *r, int priority, const char *text)
{
	for (int i = 0; i < r->nlogs && i < MAX_CALLS; i++)
		if (r->priority[i] == priority && strstr(r->log[i], text) != NULL)
			return true;
	return false;
}

static bool noted(const struct recorder *r, const char *text)
{
	for (int i = 0; i < r->nnotes && i < MAX_CALLS; i++)
		if (strstr(r->note[i], text) != NULL)
			return true;
	return false;
}

/* Fails the test with every log line, for a readable failure. */
#define assert_logged(rec, prio, text)                                        \
	do {                                                                  \
		if (!logged((rec), (prio), (text))) {                         \
			for (int i_ = 0; i_ < (rec)->nlogs && i_ < MAX_CALLS; i_++) \
				print_message("log %d: %s\n", (rec)->priority[i_], (rec)->log[i_]); \
			fail_msg("nothing logged at %d with '%s'", (prio), (text)); \
		}                                                             \
	} while (0)

static const char allow_go[] = "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n";

/* ---------------------------------------------------------- load_policy */

/* No system file: vsym stays out of the way, saying why only in debug. */
static void test_no_config(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	assert_false(vsym_login_load_policy(&f->login));
	assert_int_equal(f->rec.nlogs, 0);
	f->login.debug = true;
	assert_false(vsym_login_load_policy(&f->login));
	assert_int_equal(f->rec.nlogs, 1);
	assert_int_equal(f->rec.priority[0], LOG_DEBUG);
	assert_contains(f->rec.log[0], f->config);
}

/* A broken system file leaves the session alone, logged as an error
 * naming the file and line; nobody is locked out. */
static void test_broken_config(void **state)
{
	struct fixture *f = *state;
	char want[256];

	REQUIRE_ROOT();
	write_config(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\nmax_binds = \"x\";\n");
	assert_false(vsym_login_load_policy(&f->login));
	snprintf(want, sizeof(want), "%s:2", f->config);
	assert_logged(&f->rec, LOG_ERR, want);
	assert_logged(&f->rec, LOG_ERR, "; vsym is off for this session");
	assert_null(f->user.gids);
}

/* A system file anybody may write is no policy: off, logged. */
static void test_untrusted_config(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	write_file(f->config, allow_go, 0, 0, 0666);
	assert_false(vsym_login_load_policy(&f->login));
	assert_logged(&f->rec, LOG_ERR, "vsym is off for this session");
}

/* An excluded user, or a policy with nothing to bind, gets no namespace,
 * and the group database is not read for either. */
static void test_left_alone_without_group_lookup(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	f->login.debug = true;
	write_config(f, "users: { exclude = [ \"alice\" ]; };\nallow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n");
	assert_false(vsym_login_load_policy(&f->login));
	assert_logged(&f->rec, LOG_DEBUG, "alice: not a vsym user by");
	assert_null(f->user.gids);

	vsym_policy_free(&f->policy);
	memset(&f->policy, 0, sizeof(f->policy));
	write_config(f, "max_binds = 3;\n");
	assert_false(vsym_login_load_policy(&f->login));
	assert_logged(&f->rec, LOG_DEBUG, "alice: no allow rule in");
	assert_null(f->user.gids);
}

/* A user vsym acts for: true, and the groups are read (cred.c refuses to
 * act as a user whose groups are unknown). Nothing is logged. */
static void test_takes_session(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	write_config(f, allow_go);
	assert_true(vsym_login_load_policy(&f->login));
	assert_non_null(f->user.gids);
	assert_true(f->user.ngids >= 1 && f->user.gids[0] == 1000);
	assert_int_equal(f->rec.nlogs, 0);
	assert_int_equal(f->policy.nrules, 1);
}

/* users.groups: membership decides, by the names of the user's groups. */
static void test_group_membership(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	f->login.debug = true;
	f->user.gid = 0; /* group "root" on every system */
	write_config(f, "users: { groups = [ \"root\" ]; };\nallow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n");
	assert_true(vsym_login_load_policy(&f->login));
	assert_non_null(f->user.group_names);

	vsym_policy_free(&f->policy);
	memset(&f->policy, 0, sizeof(f->policy));
	write_config(f, "users: { groups = [ \"vsym-nobody-is-in-this\" ]; };\n"
			"allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n");
	assert_false(vsym_login_load_policy(&f->login));
	assert_logged(&f->rec, LOG_DEBUG, "alice: not a vsym user by");
}

/* --------------------------------------------------------------- set_up */

struct setup_arg {
	struct fixture *f;
	enum vsym_setup_result result;
	size_t records;           /* binds in the record written */
	int mounts_gos, mounts_nodes;
	bool have_record;
};

/* In a child: load_policy, a new session, set_up; then what it left in
 * the session, copied into a shared page for the parent's assertions. */
static int child_login(void *argp, char *msg, size_t size)
{
	struct setup_arg *a = argp;
	struct fixture *f = a->f;
	struct vsym_error err = { .text = "" };
	struct vsym_state saved;
	int old;

	CHECK(vsym_login_load_policy(&f->login), "the policy did not take the session");
	old = vsym_session_create(f->login.user, &err);
	CHECK(old >= 0, "%s", err.text);
	close(old);
	a->result = vsym_login_set_up(&f->login);
	a->mounts_gos = testns_mounts_on(test_path(f->user.home, "gos"));
	a->mounts_nodes = testns_mounts_on(test_path(f->user.home, "nodes"));
	a->have_record = access(VSYM_RUN_PATH(VSYM_STATE_FILE), F_OK) == 0;
	memset(&saved, 0, sizeof(saved));
	CHECK(vsym_state_load(&saved, VSYM_RUN_DIR, VSYM_STATE_FILE, &err) == 0, "%s", err.text);
	a->records = saved.n;
	vsym_state_free(&saved);
	return 0;
}

/* Runs a login in a child; a and the fixture's recorder (copied back
 * through a shared page) hold what happened. */
static void run_login(struct fixture *f, struct setup_arg *a)
{
	struct setup_arg *shared = mmap(NULL, sizeof(*shared) + sizeof(f->rec), PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct recorder *rec;

	assert_true(shared != MAP_FAILED);
	rec = (struct recorder *)(shared + 1);
	memset(shared, 0, sizeof(*shared) + sizeof(*rec));
	shared->f = f;
	/* the child reports into the shared recorder */
	f->reporter.ctx = rec;
	RUN_CHILD(child_login, shared);
	f->reporter.ctx = &f->rec;
	*a = *shared;
	f->rec = *rec;
	munmap(shared, sizeof(*shared) + sizeof(*rec));
}

/* The defaults are bound, each reported once, and recorded. */
static void test_set_up_binds_and_records(void **state)
{
	struct fixture *f = *state;
	struct setup_arg a;

	REQUIRE_ROOT();
	write_config(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
			"variants: { go = { target = \"~/gos\"; source = \"~/.v/${go}\"; default = \"1\"; }; };\n"
			"binds = ( { target = \"~/nodes\"; source = \"~/.v/2.0\"; } );\n");
	run_login(f, &a);
	assert_int_equal(a.result, VSYM_SETUP_DONE);
	assert_int_equal(a.mounts_gos, 1);
	assert_int_equal(a.mounts_nodes, 1);
	assert_true(a.have_record);
	assert_int_equal(a.records, 2);
	assert_int_equal(f->rec.nbinds, 2);
	assert_int_equal(f->rec.outcome[0], VSYM_BOUND);
	assert_int_equal(f->rec.outcome[1], VSYM_BOUND);
	assert_int_equal(f->rec.nnotes, 0);
	/* nothing reached the test's namespace */
	assert_int_equal(testns_mounts_on(test_path(f->user.home, "gos")), 0);
}

/* ~/.vsymrc picks the value; with nouserconf it is not read. */
static void test_set_up_user_file(void **state)
{
	struct fixture *f = *state;
	struct setup_arg a;

	REQUIRE_ROOT();
	write_config(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
			"variants: { go = { target = \"~/gos\"; source = \"~/.v/${go}\"; }; };\n");
	write_vsymrc(f, "variants: { go = \"2.0\"; };\n");
	run_login(f, &a);
	assert_int_equal(a.result, VSYM_SETUP_DONE);
	assert_int_equal(a.mounts_gos, 1);
	assert_int_equal(f->rec.nbinds, 1);

	vsym_policy_free(&f->policy);
	memset(&f->policy, 0, sizeof(f->policy));
	f->login.nouserconf = true;
	run_login(f, &a);
	assert_int_equal(a.result, VSYM_SETUP_DONE);
	assert_int_equal(a.mounts_gos, 0); /* no default, no pick: no bind */
	assert_int_equal(f->rec.nbinds, 0);
}

/* A broken ~/.vsymrc: logged by line only (invariant 6: the log never
 * quotes the user's file), the user told in full; the session goes on
 * with the system's defaults under on_error = "warn". */
static void test_set_up_broken_user_file_warn(void **state)
{
	struct fixture *f = *state;
	struct setup_arg a;
	char want[256];

	REQUIRE_ROOT();
	write_config(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
			"binds = ( { target = \"~/nodes\"; source = \"~/.v/2.0\"; } );\n");
	write_vsymrc(f, "# ok\nvariants: { go = secret-word; };\n");
	run_login(f, &a);
	assert_int_equal(a.result, VSYM_SETUP_DONE);
	assert_int_equal(a.mounts_nodes, 1);
	assert_true(a.have_record);
	snprintf(want, sizeof(want), "alice: %s/.vsymrc:2 is invalid; the user's part was skipped", f->user.home);
	assert_logged(&f->rec, LOG_NOTICE, want);
	for (int i = 0; i < f->rec.nlogs; i++)
		if (strstr(f->rec.log[i], "secret-word") != NULL)
			fail_msg("the log quotes the user's file: %s", f->rec.log[i]);
	assert_int_equal(f->rec.nnotes, 2);
	assert_true(noted(&f->rec, ":2"));
	assert_true(noted(&f->rec, "your ~/.vsymrc was skipped"));
}

/* The same under on_error = "deny": refused, nothing recorded. */
static void test_set_up_broken_user_file_deny(void **state)
{
	struct fixture *f = *state;
	struct setup_arg a;

	REQUIRE_ROOT();
	write_config(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\non_error = \"deny\";\n");
	write_vsymrc(f, "variants: { go = ; };\n");
	run_login(f, &a);
	assert_int_equal(a.result, VSYM_SETUP_REFUSED);
	assert_false(a.have_record);
	assert_true(noted(&f->rec, "your ~/.vsymrc was skipped"));
}

/* A refused default: reported as refused; "warn" goes on and records the
 * others, "deny" refuses the login. */
static void test_set_up_refused_bind(void **state)
{
	static const char policy[] = "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
				     "binds = ( { target = \"~/nodes\"; source = \"/etc\"; },\n"
				     "          { target = \"~/gos\"; source = \"~/.v/1.0\"; } );\n";
	struct fixture *f = *state;
	struct setup_arg a;
	char text[512];

	REQUIRE_ROOT();
	write_config(f, policy);
	run_login(f, &a);
	assert_int_equal(a.result, VSYM_SETUP_DONE);
	assert_int_equal(f->rec.nbinds, 2);
	assert_int_equal(f->rec.outcome[0], VSYM_REFUSED);
	assert_int_equal(f->rec.outcome[1], VSYM_BOUND);
	assert_int_equal(a.mounts_nodes, 0);
	assert_int_equal(a.mounts_gos, 1);
	assert_int_equal(a.records, 1);

	vsym_policy_free(&f->policy);
	memset(&f->policy, 0, sizeof(f->policy));
	snprintf(text, sizeof(text), "%son_error = \"deny\";\n", policy);
	write_config(f, text);
	run_login(f, &a);
	assert_int_equal(a.result, VSYM_SETUP_REFUSED);
	assert_false(a.have_record);
}

/* A value of ~/.vsymrc that fits no choice falls back to the system
 * default (on_error = "deny" then has nothing to refuse): the user is told
 * the file, line, value, choices and default; the log names the file, line
 * and default, not the value written. With no default to fall back to,
 * the bind is refused as before, and the note says so. */
static void test_set_up_bad_pick_falls_back(void **state)
{
	static const char policy[] = "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
				     "on_error = \"deny\";\n"
				     "variants: { go = { target = \"~/gos\"; source = \"~/.v/${go}\";\n"
				     "                   default = \"1.0\"; }; };\n";
	struct fixture *f = *state;
	struct setup_arg a;
	char want[512];

	REQUIRE_ROOT();
	write_config(f, policy);
	write_vsymrc(f, "# mine\nvariants: { go = \"9.9\"; };\n");
	run_login(f, &a);
	assert_int_equal(a.result, VSYM_SETUP_DONE);
	assert_int_equal(f->rec.nbinds, 1);
	assert_int_equal(f->rec.outcome[0], VSYM_BOUND);
	assert_int_equal(a.mounts_gos, 1);
	snprintf(want, sizeof(want), "%s/.vsymrc:2: go = \"9.9\" is none of the values of go (there are: 1.0, 2.0); "
		 "the system default go = \"1.0\" is used instead", f->user.home);
	assert_true(noted(&f->rec, want));
	snprintf(want, sizeof(want), "alice: %s/.vsymrc:2: the value resolves to no choice; the system default go = \"1.0\" is used",
		 f->user.home);
	assert_logged(&f->rec, LOG_NOTICE, want);
	for (int i = 0; i < f->rec.nlogs; i++)
		if (strstr(f->rec.log[i], "9.9") != NULL)
			fail_msg("the log quotes the user's file: %s", f->rec.log[i]);

	vsym_policy_free(&f->policy);
	memset(&f->policy, 0, sizeof(f->policy));
	f->rec = (struct recorder){ 0 };
	write_config(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
			"variants: { go = { target = \"~/gos\"; source = \"~/.v/${go}\"; }; };\n");
	run_login(f, &a);
	assert_int_equal(a.result, VSYM_SETUP_DONE);
	assert_int_equal(f->rec.outcome[0], VSYM_REFUSED);
	assert_int_equal(a.mounts_gos, 0);
	assert_true(noted(&f->rec, "there is no system default to use instead: go is not bound"));
}

/* Binds beyond max_binds: logged and told, with the count and the limit. */
static void test_set_up_dropped(void **state)
{
	struct fixture *f = *state;
	struct setup_arg a;

	REQUIRE_ROOT();
	write_config(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
			"binds = ( { target = \"~/gos\"; source = \"~/.v/1.0\"; },\n"
			"          { target = \"~/nodes\"; source = \"~/.v/2.0\"; } );\n"
			"max_binds = 1;\n");
	run_login(f, &a);
	assert_int_equal(a.result, VSYM_SETUP_DONE);
	assert_int_equal(a.mounts_gos, 1);
	assert_int_equal(a.mounts_nodes, 0);
	assert_logged(&f->rec, LOG_NOTICE, "alice: 1 binds beyond max_binds = 1 were not made");
	assert_true(noted(&f->rec, "1 binds beyond max_binds = 1 were not made"));
}

/* A record that cannot be written: not done (binds nobody could replace
 * or remove must not stand), logged as an error. */
static int child_no_record(void *argp, char *msg, size_t size)
{
	struct fixture *f = argp;
	struct vsym_error err = { .text = "" };
	enum vsym_setup_result result;

	CHECK(vsym_login_load_policy(&f->login), "the policy did not take the session");
	CHECK(vsym_session_probe_namespace(&err) == 0, "%s", err.text);
	CHECK(mkdir(VSYM_RUN_DIR, 0755) == 0 || errno == EEXIST, "%s", strerror(errno));
	CHECK(mount("vsym-test", VSYM_RUN_DIR, "tmpfs", MS_RDONLY, NULL) == 0, "%s", strerror(errno));
	result = vsym_login_set_up(&f->login);
	CHECK(result == VSYM_SETUP_NOT_DONE, "result %d", result);
	CHECK(logged(&f->rec, LOG_ERR, "alice: "), "the failed record was not logged");
	return 0;
}

static void test_set_up_record_not_written(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	write_config(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
			"binds = ( { target = \"~/gos\"; source = \"~/.v/1.0\"; } );\n");
	RUN_CHILD(child_no_record, f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_untrusted_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_left_alone_without_group_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_takes_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_membership, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_up_binds_and_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_up_user_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_up_broken_user_file_warn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_up_broken_user_file_deny, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_up_refused_bind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_up_bad_pick_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_up_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_up_record_not_written, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
