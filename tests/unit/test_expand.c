#include "config.h"

#include "testutil.h"

#include "expand.h"

static const struct vsym_expand_ctx alice = { .user = "alice", .home = "/home/alice" };

static void expect_expansion(const struct vsym_expand_ctx *ctx, const char *word, const char *want)
{
	struct vsym_error err = { .text = "" };
	char *got = vsym_expand(word, ctx, &err);

	if (got == NULL)
		fail_msg("'%s' failed: %s", word, err.text);
	assert_string_equal(got, want);
	free(got);
}

static void expect_expand_error(const struct vsym_expand_ctx *ctx, const char *word, const char *msg)
{
	struct vsym_error err = { .text = "" };

	assert_null(vsym_expand(word, ctx, &err));
	assert_contains(err.text, msg);
}

static void test_tilde(void **state)
{
	(void)state;
	expect_expansion(&alice, "~", "/home/alice");
	expect_expansion(&alice, "~/gos", "/home/alice/gos");
	expect_expansion(&alice, "/opt/~/x", "/opt/~/x");
	expect_expand_error(&alice, "~bob/gos", "'~user' is not supported");
}

static void test_variables(void **state)
{
	(void)state;
	expect_expansion(&alice, "$HOME/x", "/home/alice/x");
	expect_expansion(&alice, "/srv/$USER/x", "/srv/alice/x");
	expect_expansion(&alice, "/srv/${USER}_v", "/srv/alice_v");
	expect_expansion(&alice, "/srv/a$$b", "/srv/a$b");
	expect_expand_error(&alice, "/srv/$PATH", "unknown variable 'PATH'");
	expect_expand_error(&alice, "/srv/${USER", "malformed variable reference");
	expect_expand_error(&alice, "/srv/$", "malformed variable reference");
	expect_expand_error(&alice, "/srv/${go}", "unknown variable 'go'");
}

static void test_variant_reference(void **state)
{
	struct vsym_expand_ctx keep = alice, fill = alice;

	(void)state;
	keep.var_name = "go";
	fill.var_name = "go";
	fill.var_value = "1.22.0";
	expect_expansion(&keep, "~/.gos/go${go}", "/home/alice/.gos/go${go}");
	expect_expansion(&fill, "~/.gos/go${go}", "/home/alice/.gos/go1.22.0");
	expect_expand_error(&keep, "~/.gos/${node}", "only $USER, $HOME and ${go} are known");
}

static void test_relative_refused(void **state)
{
	(void)state;
	expect_expand_error(&alice, "gos", "not an absolute path");
	expect_expand_error(&alice, "", "not an absolute path");
	expect_expand_error(&alice, "$USER/x", "not an absolute path");
}

static void test_too_long(void **state)
{
	char word[5000];

	(void)state;
	memset(word, 'a', sizeof(word) - 1);
	word[0] = '/';
	word[sizeof(word) - 1] = '\0';
	expect_expand_error(&alice, word, "path longer than");
}

static void expect_normal(const char *in, const char *want)
{
	struct vsym_error err = { .text = "" };
	char buf[256];

	strcpy(buf, in);
	if (vsym_path_normalize(buf, &err) < 0)
		fail_msg("'%s': %s", in, err.text);
	assert_string_equal(buf, want);
}

static void expect_not_normal(const char *in, const char *msg)
{
	struct vsym_error err = { .text = "" };
	char buf[256];

	strcpy(buf, in);
	assert_int_equal(vsym_path_normalize(buf, &err), -1);
	assert_contains(err.text, msg);
}

static void test_normalize(void **state)
{
	(void)state;
	expect_normal("/a//b///c", "/a/b/c");
	expect_normal("/a/b/", "/a/b");
	expect_normal("//", "/");
	expect_normal("/", "/");
	expect_normal("/a/.b/..c", "/a/.b/..c");
	expect_not_normal("/a/./b", "'.' or '..' component");
	expect_not_normal("/a/../etc", "'.' or '..' component");
	expect_not_normal("/a/..", "'.' or '..' component");
	expect_not_normal("a/b", "not an absolute path");
}

static void test_variant_values(void **state)
{
	char long_value[200];

	(void)state;
	assert_true(vsym_variant_value_valid("1.22.0"));
	assert_true(vsym_variant_value_valid("go1.2.1-rc_1+x"));
	assert_true(vsym_variant_value_valid("..x"));
	assert_false(vsym_variant_value_valid(""));
	assert_false(vsym_variant_value_valid("."));
	assert_false(vsym_variant_value_valid(".."));
	assert_false(vsym_variant_value_valid("1/2"));
	assert_false(vsym_variant_value_valid("a b"));
	assert_false(vsym_variant_value_valid("*"));
	assert_false(vsym_variant_value_valid("$HOME"));
	memset(long_value, 'a', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	assert_false(vsym_variant_value_valid(long_value));
}

static void test_variant_names(void **state)
{
	(void)state;
	assert_true(vsym_variant_name_valid("go"));
	assert_true(vsym_variant_name_valid("node_18"));
	assert_false(vsym_variant_name_valid("1go"));
	assert_false(vsym_variant_name_valid("go-x"));
	assert_false(vsym_variant_name_valid(""));
}

/* The two checks every path and name goes through. */
static void test_control_chars_and_dots(void **state)
{
	(void)state;
	assert_false(vsym_has_control_char("/home/alice/g\xc3\xa9 ~x"));
	assert_true(vsym_has_control_char("a\nb"));
	assert_true(vsym_has_control_char("\x1b[31m"));
	assert_true(vsym_has_control_char("x\x7f"));
	assert_true(vsym_has_control_char("\t"));
	assert_true(vsym_is_dot_component(".", 1));
	assert_true(vsym_is_dot_component("../x", 2));
	assert_false(vsym_is_dot_component("...", 3));
	assert_false(vsym_is_dot_component(".a", 2));
	assert_false(vsym_is_dot_component("", 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tilde),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_variant_reference),
		cmocka_unit_test(test_relative_refused),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_variant_values),
		cmocka_unit_test(test_variant_names),
		cmocka_unit_test(test_control_chars_and_dots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
