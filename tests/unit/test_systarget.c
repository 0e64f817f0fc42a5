/* systarget.c: a system target is an empty root-owned directory nobody
 * else can write, on a local disk file system; its sources are root's
 * alone up to /. Real files in a throwaway namespace (scratch tmpfs, root
 * 0755 up to /), opened as a made-up alice (uid 1000). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "testns.h"
#include "testutil.h"

#include "cred.h"
#include "resolve.h"
#include "systarget.h"
#include "target.h"

struct fixture {
	struct test_user alice;
	char base[128];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	if (geteuid() != 0)
		return 0;
	test_user_alice(&f->alice);
	return test_scratch_dir(f->base, sizeof(f->base), "systarget", 0, 0);
}

static int teardown(void **state)
{
	return test_free_fixture(state);
}

/* Opens path as a target and checks it as a system target, as alice (the
 * module holds the user's identity while it binds). */
static int check_target(struct fixture *f, const char *path, struct vsym_error *err)
{
	struct vsym_resolved r = { .fd = -1 };
	struct vsym_saved_cred saved;
	int rc = vsym_target_open(&f->alice.user, path, &r, err);

	if (rc == 0 && vsym_cred_become(&saved, &f->alice.user, err) == 0) {
		rc = vsym_systarget_check_target(&r, err);
		if (vsym_cred_restore(&saved, NULL) < 0)
			fail_msg("cannot restore credentials");
	}
	vsym_resolved_close(&r);
	return rc;
}

static int check_source(struct fixture *f, const char *path, struct vsym_error *err)
{
	struct vsym_resolved r = { .fd = -1 };
	int rc = vsym_resolve_source(&f->alice.user, path, &r, err);

	if (rc == 0)
		rc = vsym_systarget_check_source(&r, err);
	vsym_resolved_close(&r);
	return rc;
}

static void test_target(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };
	int fd;

	REQUIRE_ROOT();
	make_dir(test_path(f->base, "go-vsym"), 0, 0, 0755);
	assert_int_equal(check_target(f, test_path(f->base, "go-vsym"), &err), 0);
	make_dir(test_path(f->base, "full"), 0, 0, 0755);
	make_dir(test_path(f->base, "full/x"), 0, 0, 0755);
	assert_int_equal(check_target(f, test_path(f->base, "full"), &err), -1);
	assert_contains(err.text, "is not empty");
	make_dir(test_path(f->base, "groupw"), 0, 0, 0775);
	assert_int_equal(check_target(f, test_path(f->base, "groupw"), &err), -1);
	assert_contains(err.text, "must be owned by root and not writable by group or others");
	make_dir(test_path(f->base, "alices"), 1000, 1000, 0755);
	assert_int_equal(check_target(f, test_path(f->base, "alices"), &err), -1);
	assert_contains(err.text, "must be owned by root");
	fd = open(test_path(f->base, "file"), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(check_target(f, test_path(f->base, "file"), &err), -1);
	assert_contains(err.text, "is not a directory");
	make_dir(test_path(f->base, "closed"), 0, 0, 0711);
	assert_int_equal(check_target(f, test_path(f->base, "closed"), &err), -1);
	assert_contains(err.text, "cannot read system target");
	assert_int_equal(check_target(f, "/proc/sys", &err), -1);
	assert_contains(err.text, "is not on a local disk file system");
}

static void test_source(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };

	REQUIRE_ROOT();
	make_dir(test_path(f->base, "go-1.22"), 0, 0, 0755);
	make_dir(test_path(f->base, "go-1.22/bin"), 1000, 1000, 0755);  /* below the source: not checked */
	assert_int_equal(check_source(f, test_path(f->base, "go-1.22"), &err), 0);
	make_dir(test_path(f->base, "go-gw"), 0, 0, 0775);
	assert_int_equal(check_source(f, test_path(f->base, "go-gw"), &err), -1);
	assert_contains(err.text, "is not for a system target");
	make_dir(test_path(f->base, "go-alice"), 1000, 1000, 0755);
	assert_int_equal(check_source(f, test_path(f->base, "go-alice"), &err), -1);
	make_dir(test_path(f->base, "shared"), 0, 0, 01777);
	make_dir(test_path(f->base, "shared/go"), 0, 0, 0755);
	assert_int_equal(check_source(f, test_path(f->base, "shared/go"), &err), -1);
	assert_contains(err.text, "every directory above it");
	make_dir(test_path(f->base, "alicedir"), 1000, 1000, 0755);
	make_dir(test_path(f->base, "alicedir/go"), 0, 0, 0755);
	assert_int_equal(check_source(f, test_path(f->base, "alicedir/go"), &err), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_source),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
