#include "config.h"

#include <stdio.h>

#include "testutil.h"

#include "cfg.h"
#include "version.h"

#define SYS "/etc/vsym.conf"

/* Builds a policy the way the module does, from text, so the tests judge
 * what a real configuration produces. */
static void load_system(struct vsym_policy *p, const struct vsym_user *user, const char *text)
{
	struct vsym_error err = { .text = "" };

	memset(p, 0, sizeof(*p));
	if (vsym_cfg_load_system(p, SYS, text, strlen(text), user, &err) < 0)
		fail_msg("system file refused: %s", err.text);
}

static void expect_order(const char *low, const char *high)
{
	if (vsym_version_compare(low, high) >= 0 || vsym_version_compare(high, low) <= 0)
		fail_msg("'%s' does not sort before '%s'", low, high);
}

/* The choices a test names: values, with real versions when given. */
static struct vsym_choices some_choices(char **values, char **versions, size_t n)
{
	struct vsym_choices c = { .values = values, .versions = versions, .n = n };

	return c;
}

static const char *resolve(const struct vsym_variant *v, const char *asked, const struct vsym_choices *c)
{
	return vsym_variant_resolve(v, asked, c, NULL);
}

static void test_version_order(void **state)
{
	(void)state;
	expect_order("20.9.0", "20.11.1");
	expect_order("1.9", "1.10");
	expect_order("1.22", "1.22.1");
	expect_order("1.21.13", "1.22.0");
	expect_order("2", "10");
	expect_order("007", "8");
	expect_order("java-11-openjdk-amd64", "java-17-openjdk-amd64");
	expect_order("1.22.0", "1.22.0a");
	assert_int_equal(vsym_version_compare("1.22.0", "1.22.0"), 0);
	assert_int_equal(vsym_version_compare("01.2", "1.2"), 0);
}

static void test_version_sort(void **state)
{
	char a[] = "20.11.1", b[] = "2.0", c[] = "20.9.0", d[] = "19", e[] = "20";
	char *values[] = { a, b, c, d, e };

	(void)state;
	vsym_version_sort(values, 5);
	assert_string_equal(values[0], "2.0");
	assert_string_equal(values[1], "19");
	assert_string_equal(values[2], "20");
	assert_string_equal(values[3], "20.9.0");
	assert_string_equal(values[4], "20.11.1");
}

static void test_version_prefix(void **state)
{
	(void)state;
	assert_true(vsym_version_prefix("20", "20.11.1"));
	assert_true(vsym_version_prefix("20", "20"));
	assert_true(vsym_version_prefix("20.11", "20.11.1"));
	assert_true(vsym_version_prefix("java-17", "java-17-openjdk-amd64"));
	assert_false(vsym_version_prefix("2", "20.11.1"));
	assert_false(vsym_version_prefix("20.1", "20.11.1"));
	assert_false(vsym_version_prefix("1.22", "1.22rc1"));
	assert_false(vsym_version_prefix("", "1"));
	assert_false(vsym_version_prefix("1.22.1", "1.22"));
}

/* goenv's and Git tags' "v1.19.8": the v before a digit is dropped, and
 * only there. */
static void test_value_unprefixed(void **state)
{
	struct test_user alice;
	struct vsym_policy p;
	char c1[] = "1.19.8", c2[] = "vim";
	char *values[] = { c1, c2 };
	struct vsym_choices c = some_choices(values, NULL, 2);
	const struct vsym_variant *v;

	(void)state;
	assert_string_equal(vsym_version_unprefixed("v1.19.8"), "1.19.8");
	assert_string_equal(vsym_version_unprefixed("1.19.8"), "1.19.8");
	assert_string_equal(vsym_version_unprefixed("vim"), "vim");
	assert_string_equal(vsym_version_unprefixed("v"), "v");
	test_user_alice(&alice);
	load_system(&p, &alice.user,
		    "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\"; aliases = { old = \"v1.19\"; }; }; };\n");
	v = vsym_policy_variant(&p, "go");
	assert_string_equal(resolve(v, "v1.19.8", &c), "1.19.8");
	assert_string_equal(resolve(v, "v1", &c), "1.19.8");
	assert_string_equal(resolve(v, "old", &c), "1.19.8");
	assert_string_equal(resolve(v, "vim", &c), "vim");
	vsym_policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_order),
		cmocka_unit_test(test_version_sort),
		cmocka_unit_test(test_version_prefix),
		cmocka_unit_test(test_value_unprefixed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
