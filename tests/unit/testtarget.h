/* The fixture of test_resolve and test_target (struct fixture, setup,
 * teardown): as root, a root-owned scratch directory holding alice's home
 * (hers, 0755) with a directory "real" in it. target() resolves a target
 * as alice and prints why it was refused. */
#ifndef VSYM_TESTTARGET_H
#define VSYM_TESTTARGET_H

#include "testns.h"
#include "testutil.h"

#include "resolve.h"
#include "target.h"

struct fixture {
	struct test_user alice;
	char base[96];   /* root-owned 0755 */
	char home[128];  /* alice's, 0755 */
};

static inline int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	if (geteuid() != 0)
		return 0; /* each test says skip or fail */
	if (test_scratch_dir(f->base, sizeof(f->base), "resolve", 0, 0) < 0)
		return -1;
	test_user_alice(&f->alice);
	snprintf(f->home, sizeof(f->home), "%s/home", f->base);
	f->alice.user.home = f->home;
	make_dir(f->home, 1000, 1000, 0755);
	make_dir(test_path(f->home, "real"), 1000, 1000, 0755);
	return 0;
}

static inline int teardown(void **state)
{
	return test_free_fixture(state);
}

static inline int target(struct fixture *f, const char *path, struct vsym_resolved *r, struct vsym_error *err)
{
	int rc = vsym_target_resolve(&f->alice.user, path, r, err);

	if (rc != 0)
		print_message("target %s: %s\n", path, err->text);
	return rc;
}

#endif
