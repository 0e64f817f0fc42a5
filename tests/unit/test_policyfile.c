/* policyfile.c: ~/.vsymrc loaded as the user, all or nothing. */
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
#include "policyfile.h"
#include "state.h"
#include "vsymrc.h"

static void write_vsymrc(const struct fixture *f, const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/.vsymrc", f->home);
	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchown(fd, 1000, 1000), 0);
	close(fd);
}

static const char *variant_value(const struct fixture *f, const char *name)
{
	for (size_t i = 0; i < f->policy.nvariants; i++)
		if (strcmp(f->policy.variants[i].name, name) == 0)
			return f->policy.variants[i].value;
	return NULL;
}

static void reset_policy(struct fixture *f)
{
	load_policy(f, "allow = ( { target = \"~/gos\"; source = \"~/.v/*\"; } );\n"
		       "variants: { go = { target = \"~/gos\"; source = \"~/.v/${go}\"; }; };\n");
}

/* The user's pick goes into the policy, read with or without the user's
 * identity held already; a missing file is not an error. */
static void test_load_user(void **state)
{
	struct fixture *f = *state;
	struct vsym_cred_hold hold;
	struct vsym_error err;

	REQUIRE_ROOT();
	reset_policy(f);
	assert_int_equal(vsym_policyfile_load_user(&f->policy, &f->alice.user, &err), 0);
	assert_null(variant_value(f, "go"));

	write_vsymrc(f, "version = 1;\nvariants: { go = \"2.0\"; };\n");
	assert_int_equal(vsym_policyfile_load_user(&f->policy, &f->alice.user, &err), 0);
	assert_string_equal(variant_value(f, "go"), "2.0");

	reset_policy(f);
	assert_int_equal(vsym_cred_hold(&hold, &f->alice.user, &err), 0);
	assert_int_equal(vsym_policyfile_load_user(&f->policy, &f->alice.user, &err), 0);
	assert_int_equal(vsym_cred_release(&hold, &f->alice.user, &err), 0);
	assert_string_equal(variant_value(f, "go"), "2.0");
}

/* The file is opened as the user, never as root: behind a directory only
 * root may enter, the user's file is out of the user's reach, and so out
 * of vsym's, whether or not the caller holds the user's identity. */
static void test_load_user_reads_as_user(void **state)
{
	struct fixture *f = *state;
	struct vsym_cred_hold hold;
	struct vsym_error err;
	int plain, held;

	REQUIRE_ROOT();
	write_vsymrc(f, "version = 1;\nvariants: { go = \"2.0\"; };\n");
	make_dir(f->home, 0, 0, 0700);
	reset_policy(f);
	plain = vsym_policyfile_load_user(&f->policy, &f->alice.user, &err);
	assert_contains(err.text, "Permission denied");
	assert_int_equal(vsym_cred_hold(&hold, &f->alice.user, &err), 0);
	held = vsym_policyfile_load_user(&f->policy, &f->alice.user, &err);
	assert_int_equal(vsym_cred_release(&hold, &f->alice.user, &err), 0);
	make_dir(f->home, 1000, 1000, 0755);
	assert_int_equal(plain, -1);
	assert_int_equal(held, -1);
	assert_null(variant_value(f, "go"));
	assert_contains(err.text, "Permission denied");
	/* The control: where the user may enter, it is read. */
	assert_int_equal(vsym_policyfile_load_user(&f->policy, &f->alice.user, &err), 0);
	assert_string_equal(variant_value(f, "go"), "2.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_user_reads_as_user, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
