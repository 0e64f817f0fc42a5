/* The fixture of test_binds, test_policyfile and test_vsymrc (struct
 * fixture, setup, teardown): as root, alice with a home of her own (a
 * scratch directory) holding ~/gos and two versions, ~/.v/1.0 and ~/.v/2.0,
 * a state directory of the test's own, and a policy that allows binding
 * them on ~/gos. Without root, each test says skip or fail. */
#ifndef VSYM_TESTHOME_H
#define VSYM_TESTHOME_H

#include <fcntl.h>

#include "testns.h"
#include "testutil.h"

#include "cfg.h"
#include "policy.h"
#include "state.h"

struct fixture {
	struct test_user alice;
	struct vsym_policy policy;
	struct vsym_state state;
	char home[128], run[128], target[160];
};

/* A version directory holding a file named after it. */
static inline void make_version(const struct fixture *f, const char *name)
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

static inline void load_policy(struct fixture *f, const char *text)
{
	test_load_policy(&f->policy, text, &f->alice.user);
}

static inline int setup(void **state)
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

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	vsym_state_free(&f->state);
	vsym_policy_free(&f->policy);
	free(f);
	return 0;
}

#endif
