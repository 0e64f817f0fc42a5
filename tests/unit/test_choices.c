/* choices.c: a variant's values are the directories on disk that match its
 * template, listed as the user, in version order; symlinks count only when
 * they stay in the listed directory; defaults are resolved among them.
 * Real files in a throwaway namespace, as a made-up alice (uid 1000). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "testutil.h"
#include "testns.h"

#include "cfg.h"
#include "choices.h"

struct fixture {
	struct test_user alice;
	char home[128];
	struct vsym_policy policy;
};

static void load(struct fixture *f, const char *text)
{
	test_load_policy(&f->policy, text, &f->alice.user);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	if (geteuid() != 0)
		return 0;
	if (test_alice_at_home(&f->alice, f->home, sizeof(f->home), "choices") < 0)
		return -1;
	make_dir(test_path(f->home, ".gos"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/go1.21.5"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/go1.22.0"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/go1.22.10"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/go1.22.10/bin"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/other"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/go@x"), 1000, 1000, 0755);
	write_file(test_path(f->home, ".gos/go1.30"), "", 1000, 1000, 0644);
	make_link("go1.21.5", test_path(f->home, ".gos/go1.9"), 1000, 1000);
	make_link("/etc", test_path(f->home, ".gos/go1.8"), 1000, 1000);
	make_link("../../..", test_path(f->home, ".gos/go1.7"), 1000, 1000);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vsym_policy_free(&f->policy);
	free(f);
	return 0;
}

static void expect_choices(struct fixture *f, const char *name, const char *want)
{
	struct vsym_choices c;
	struct vsym_error err = { .text = "" };
	char got[512] = "";

	if (vsym_choices_list(&f->alice.user, vsym_policy_variant(&f->policy, name), &c, &err) < 0)
		fail_msg("%s", err.text);
	for (size_t i = 0; i < c.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "", c.values[i]);
	vsym_choices_free(&c);
	assert_string_equal(got, want);
}

static void test_directories_in_version_order(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; }; };");
	/* no file, no invalid value, no symlink out of the directory */
	expect_choices(f, "go", "1.9,1.21.5,1.22.0,1.22.10");
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/.gos/go${go}/bin\"; }; };");
	expect_choices(f, "go", "1.22.10");
	load(f, "variants: { go = { target = \"~/.gos/other\"; source = \"~/.gos/${go}\"; }; };");
	/* the target itself is no choice */
	expect_choices(f, "go", "go1.9,go1.21.5,go1.22.0,go1.22.10");
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/missing/go${go}\"; }; };");
	expect_choices(f, "go", "");
}

static void test_listed_as_the_user(void **state)
{
	struct fixture *f = *state;
	struct vsym_choices c;
	struct vsym_error err = { .text = "" };

	REQUIRE_ROOT();
	make_dir(test_path(f->home, "secret"), 0, 0, 0711);
	make_dir(test_path(f->home, "secret/go1"), 0, 0, 0755);
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/secret/go${go}\"; }; };");
	assert_int_equal(vsym_choices_list(&f->alice.user, &f->policy.variants[0], &c, &err), -1);
	assert_contains(err.text, "cannot read");
	assert_int_equal(c.n, 0);
}

static void test_defaults_resolved(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };

	REQUIRE_ROOT();
	load(f, "variants: {\n"
		"  a = { target = \"~/a\"; source = \"~/.gos/go${a}\"; default = \"1.22\"; };\n"
		"  b = { target = \"~/b\"; source = \"~/.gos/go${b}\"; default = \"old\"; aliases = { old = \"1.21\"; }; };\n"
		"  c = { target = \"~/c\"; source = \"~/.gos/go${c}\"; default = \"2\"; };\n"
		"  d = { target = \"~/d\"; source = \"~/.gos/go${d}\"; };\n"
		"  e = { target = \"~/e\"; source = \"~/.gos/go${e}\"; default = \"1.22.0\"; };\n"
		"  f = { target = \"~/f\"; source = \"~/.gos/go${f}\"; default = \"1.22.0\"; aliases = { \"1.22.0\" = \"1.21\"; }; };\n"
		"};");
	assert_int_equal(vsym_choices_resolve_policy(&f->policy, &f->alice.user, &err), 0);
	assert_string_equal(f->policy.variants[0].value, "1.22.10");
	assert_string_equal(f->policy.variants[1].value, "1.21.5");
	assert_string_equal(f->policy.variants[2].value, "2");  /* nothing fits: as written */
	assert_null(f->policy.variants[3].value);
	assert_string_equal(f->policy.variants[4].value, "1.22.0");   /* exact */
	assert_string_equal(f->policy.variants[5].value, "1.21.5");   /* an alias comes first */
}

static void test_describe(void **state)
{
	struct fixture *f = *state;
	char v1[] = "1.21", v2[] = "1.22";
	char *values[] = { v1, v2 };
	struct vsym_choices c = { values, 2 };
	char buf[128];

	REQUIRE_ROOT();
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; aliases = { lts = \"1.22\"; }; }; };");
	vsym_choices_describe(&f->policy.variants[0], &c, buf, sizeof(buf));
	assert_string_equal(buf, "1.21, 1.22, lts (1.22)");
	c.n = 0;
	f->policy.variants[0].naliases = 0;
	vsym_choices_describe(&f->policy.variants[0], &c, buf, sizeof(buf));
	f->policy.variants[0].naliases = 1;
	assert_string_equal(buf, "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directories_in_version_order),
		cmocka_unit_test(test_listed_as_the_user),
		cmocka_unit_test(test_defaults_resolved),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
