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
	assert_int_equal(check_source(f, test_path(f->base, "go-1.22"), &err), 0);
	make_dir(test_path(f->base, "go-1.22/bin"), 1000, 1000, 0755);
	assert_int_equal(check_source(f, test_path(f->base, "go-1.22"), &err), -1);
	assert_contains(err.text, "something at its top level or in its bin/ is not owned by root");
	assert_contains(err.text, "(find " );
	assert_int_equal(chown(test_path(f->base, "go-1.22/bin"), 0, 0), 0);
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

/* What the bind shows first, checked: the top level and bin/; symbolic
 * links are not followed; deeper entries are not read (the admin's word). */
static void test_source_surface(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };
	char jdk[256], path[300];

	REQUIRE_ROOT();
	snprintf(jdk, sizeof(jdk), "%s/jdk", f->base);
	make_dir(jdk, 0, 0, 0755);
	make_dir(test_path(jdk, "bin"), 0, 0, 0755);
	make_dir(test_path(jdk, "lib"), 0, 0, 0755);
	write_file(test_path(jdk, "release"), "JAVA_VERSION=17\n", 0, 0, 0644);
	write_file(test_path(jdk, "bin/java"), "#!/bin/sh\n", 0, 0, 0755);
	write_file(test_path(jdk, "lib/deep"), "alice's\n", 1000, 1000, 0666);
	assert_int_equal(symlink("/nonexistent/alices-java", test_path(jdk, "bin/javac")), 0);
	assert_int_equal(check_source(f, jdk, &err), 0);
	/* a program in bin/ others can write */
	assert_int_equal(chmod(test_path(jdk, "bin/java"), 0757), 0);
	assert_int_equal(check_source(f, jdk, &err), -1);
	snprintf(path, sizeof(path), "(find %s/bin -mindepth 1", jdk);
	assert_contains(err.text, path);
	assert_int_equal(chmod(test_path(jdk, "bin/java"), 0755), 0);
	/* a file at the top level owned by alice */
	assert_int_equal(chown(test_path(jdk, "release"), 1000, 1000), 0);
	assert_int_equal(check_source(f, jdk, &err), -1);
	assert_false(strstr(err.text, "release") != NULL); /* no entry named: listed as root */
	assert_int_equal(chown(test_path(jdk, "release"), 0, 0), 0);
	/* bin/ group-writable itself */
	assert_int_equal(chmod(test_path(jdk, "bin"), 0775), 0);
	assert_int_equal(check_source(f, jdk, &err), -1);
	assert_int_equal(chmod(test_path(jdk, "bin"), 0755), 0);
	assert_int_equal(check_source(f, jdk, &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target),
		cmocka_unit_test(test_source),
		cmocka_unit_test(test_source_surface),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
