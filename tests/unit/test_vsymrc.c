/* vsymrc.c: the one spelling of ~/.vsymrc. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "testns.h"
#include "testutil.h"

#include "binds.h"
#include "cfg.h"
#include "cred.h"
#include "policyfile.h"
#include "state.h"
#include "vsymrc.h"

struct fixture {
	struct test_user alice;
	struct vsym_policy policy;
	struct vsym_state state;
	char home[128], run[128], target[160];
};

/* A version directory holding a file named after it. */
static void make_version(const struct fixture *f, const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/.v/%s", f->home, name);
	make_dir(path, 1000, 1000, 0755);
	snprintf(path, sizeof(path), "%s/.v/%s/%s", f->home, name, name);
	fd = open(path, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	close(fd);
}

static void load_policy(struct fixture *f, const char *text)
{
	test_load_policy(&f->policy, text, &f->alice.user);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (geteuid() != 0) {
		*state = f;
		return 0; /* each test says skip or fail */
	}
	if (test_alice_at_home(&f->alice, f->home, sizeof(f->home), "home") < 0 ||
	    test_scratch_dir(f->run, sizeof(f->run), "run", 0, 0) < 0)
		return -1;
	snprintf(f->target, sizeof(f->target), "%s/gos", f->home);
	make_dir(f->target, 1000, 1000, 0755);
	make_dir(test_path(f->home, ".v"), 1000, 1000, 0755);
	make_version(f, "1.0");
	make_version(f, "2.0");
	load_policy(f, "allow = ( { target = \"~/gos\"; source = \"~/.v/*\"; } );\n"
		       "variants: { go = { target = \"~/gos\"; source = \"~/.v/${go}\"; }; };\n"
		       "max_binds = 2;\n");
	f->state.dir = f->run;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vsym_state_free(&f->state);
	vsym_policy_free(&f->policy);
	free(f);
	return 0;
}

/* One spelling of the file's path, "/" as a home included: the module
 * matches messages against it to keep the file's text out of the log. */
static void test_user_file_path(void **state)
{
	struct fixture *f = *state;
	struct vsym_user u = f->alice.user;
	char buf[64], tiny[8], home[] = "/home/alice", root[] = "/";

	u.home = home;
	assert_int_equal(vsym_vsymrc_path(&u, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/home/alice/.vsymrc");
	u.home = root;
	assert_int_equal(vsym_vsymrc_path(&u, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/.vsymrc");
	u.home = home;
	assert_int_equal(vsym_vsymrc_path(&u, tiny, sizeof(tiny)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_user_file_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
