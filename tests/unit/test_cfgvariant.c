#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "testutil.h"
#include "testcfg.h"

#include "cfg.h"

#define VALUE_MSG(v) "'" v "' is not a valid value for variant 'go': use letters, digits and . _ + - (not '.' or '..')"

#define GO_WITH(d) "variants: {\n  go = { target = \"/g\"; source = \"/g/${go}\";\n    default = \"" d "\"; };\n};\n"

static void test_wrong_types_variant(void **state)
{
	static const struct error_case cases[] = {
		{ "variants: { go = 1; };\n",
		  SYS ":1: variant 'go' must be a group (a definition) or a string (a value)" },
		{ "variants: { go = [ \"1\" ]; };\n",
		  SYS ":1: variant 'go' must be a group (a definition) or a string (a value)" },
		{ "variants: { go = \"1.2\"; };\n",
		  SYS ":1: variant 'go' must be a group: go = { target = \"...\"; source = \"...${go}\"; default = \"...\"; };" },
		{ "variants: { go = { source = \"/g/${go}\"; }; };\n",
		  SYS ":1: this variant has no 'target'; add target = \"...\";" },
		{ "variants: { go = { target = \"/g\"; }; };\n",
		  SYS ":1: this variant has no 'source'; add source = \"...\";" },
		{ "variants: { go = { target = 1; source = \"/g/${go}\"; }; };\n",
		  SYS ":1: 'target' must be a string" },
		{ "variants: { go = { target = \"/g\"; source = [ \"/g/${go}\" ]; }; };\n",
		  SYS ":1: 'source' must be a string" },
		{ "variants: { go = { target = \"/g\"; source = \"/g/${go}\"; default = 1; }; };\n",
		  SYS ":1: 'default' must be a string" },
		{ "variants: { go = { target = \"/g\"; source = \"/g/${go}\"; readonly = \"no\"; }; };\n",
		  SYS ":1: 'readonly' must be true or false" },
	};

	(void)state;
	run_system_errors(cases);
}

static void test_variant_values_and_names(void **state)
{
	static const struct error_case cases[] = {
		{ GO_WITH("1/2"), SYS ":3: " VALUE_MSG("1/2") },
		{ GO_WITH(".."), SYS ":3: " VALUE_MSG("..") },
		{ GO_WITH("."), SYS ":3: " VALUE_MSG(".") },
		{ GO_WITH(""), SYS ":3: " VALUE_MSG("") },
		{ GO_WITH("a b"), SYS ":3: " VALUE_MSG("a b") },
		{ GO_WITH("$HOME"), SYS ":3: " VALUE_MSG("$HOME") },
		{ GO_WITH("*"), SYS ":3: " VALUE_MSG("*") },
		{ "variants: {\n  go-x = { target = \"/g\"; source = \"/g/${go}\"; };\n};\n",
		  SYS ":2: 'go-x' is not a valid variant name: use letters, digits and _" },
		{ "variants: { go* = { target = \"/g\"; source = \"/g/x\"; }; };\n",
		  SYS ":1: 'go*' is not a valid variant name: use letters, digits and _" },
		{ "variants: { v12345678901234567890123456789012345678901234567890123456789012345 = \"1\"; };\n",
		  SYS ":1: 'v12345678901234567890123456789012345678901234567890123456789012345' is not a valid variant name: use letters, digits and _" },
	};
	struct vsym_policy p;

	(void)state;
	run_system_errors(cases);
	expect_system(&p, GO_WITH("go1.2.1-rc_1+x"));
	assert_string_equal(p.variants[0].value, "go1.2.1-rc_1+x");
	assert_int_equal(p.variants[0].value_line, 3);
	vsym_policy_free(&p);
}

static void test_aliases(void **state)
{
	struct vsym_policy p;
	const struct vsym_variant *v;

	(void)state;
	expect_system(&p, "variants: { jdk = { target = \"/usr/lib/jvm/vsym-jdk\"; source = \"/usr/lib/jvm/${jdk}\";\n"
			  "  default = \"17\";\n"
			  "  aliases = { \"17\" = \"java-17-openjdk-amd64\"; lts = \"21\"; \"1.8\" : \"java-8\"; };\n"
			  "  # \"21\" = \"a comment\"; \n"
			  "  readonly = true; }; };\n");
	v = vsym_policy_variant(&p, "jdk");
	assert_non_null(v);
	assert_int_equal(v->naliases, 3);
	assert_string_equal(v->alias_names[0], "17");
	assert_string_equal(v->alias_values[0], "java-17-openjdk-amd64");
	assert_string_equal(v->alias_names[1], "lts");
	assert_string_equal(v->alias_names[2], "1.8");
	assert_string_equal(v->alias_values[2], "java-8");
	assert_string_equal(v->value, "17");
	vsym_policy_free(&p);
	/* a quoted name inside a string is left alone */
	expect_system(&p, "binds = ( { source = \"/s/\\\"1\\\"=\"; target = \"~/t\"; } );\n");
	assert_string_equal(p.binds[0].source, "/s/\"1\"=");
	vsym_policy_free(&p);
}

static void test_alias_errors(void **state)
{
	static const struct error_case cases[] = {
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\"; aliases = [ \"x\" ]; }; };\n",
		  SYS ":1: 'aliases' must be a group: aliases = { lts = \"1.22.12\"; \"17\" = \"java-17-openjdk-amd64\"; };" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\"; aliases = { lts = 1; }; }; };\n",
		  SYS ":1: alias 'lts' of variant 'go' must be a string: \"lts\" = \"VALUE\";" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\"; aliases = { lts = \"../x\"; }; }; };\n",
		  SYS ":1: '../x' is not a valid value for variant 'go': use letters, digits and . _ + - (not '.' or '..')" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\"; aliases = { \"..\" = \"1\"; }; }; };\n",
		  SYS ":1: alias '..' of variant 'go' is not a valid value: use letters, digits and . _ + -" },
	};

	(void)state;
	run_system_errors(cases);
}

/* tool and version_file name project files' words, never paths. */
static void test_project_names(void **state)
{
	static const struct error_case cases[] = {
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\"; version_file = \"../.go-version\"; }; };\n",
		  SYS ":1: 'version_file' of variant 'go' must be a plain name (letters, digits and . _ + -), as in \".go-version\"" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\"; tool = \"..\"; }; };\n",
		  SYS ":1: 'tool' of variant 'go' must be a plain name (letters, digits and . _ + -), as in \"golang\"" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\"; version_file = [ \".go-version\", \"../go.mod\" ]; }; };\n",
		  SYS ":1: 'version_file' of variant 'go' must be a plain name (letters, digits and . _ + -), as in \".go-version\"" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\"; version_file = ( \".go-version\", 1 ); }; };\n",
		  SYS ":1: 'version_file' of variant 'go' must be a plain name (letters, digits and . _ + -), as in \".go-version\"" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\"; version_file = { a = \"b\"; }; }; };\n",
		  SYS ":1: 'version_file' of variant 'go' must be a name or a list: [ \".go-version\", \"go.mod\" ]" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\"; tool = 1; }; };\n",
		  SYS ":1: 'tool' must be a string" },
	};
	struct vsym_policy p;
	const struct vsym_variant *v;

	(void)state;
	expect_system(&p, "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\";\n"
			  "  tool = \"golang\"; version_file = \".go-version\"; };\n"
			  "  node = { target = \"~/n\"; source = \"~/.n/${node}\"; }; };\n");
	v = vsym_policy_variant(&p, "go");
	assert_string_equal(v->tool, "golang");
	assert_int_equal(v->nversion_files, 1);
	assert_string_equal(v->version_files[0], ".go-version");
	v = vsym_policy_variant(&p, "node");
	assert_null(v->tool);
	assert_int_equal(v->nversion_files, 0);
	vsym_policy_free(&p);
	expect_system(&p, "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\";\n"
			  "  version_file = [ \".go-version\", \"go.mod\" ]; }; };\n");
	v = vsym_policy_variant(&p, "go");
	assert_int_equal(v->nversion_files, 2);
	assert_string_equal(v->version_files[0], ".go-version");
	assert_string_equal(v->version_files[1], "go.mod");
	vsym_policy_free(&p);
	run_system_errors(cases);
}

/* version_from and match: checked at load, with file and line. */
static void test_version_from_and_match(void **state)
{
	static const char broken[] =
		"variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\";\n version_from = { file = \"VERSION\"; pattern = \"go([0-9\"; }; }; };\n";
	static const struct error_case cases[] = {
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\";\n version_from = { file = \"VERSION\"; pattern = \"go[0-9.]+\"; }; }; };\n",
		  SYS ":2: version_from pattern of variant 'go' has no group; put ( ) around the version, as in \"go([0-9][0-9.]*)\"" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\";\n version_from = { file = \"../VERSION\"; pattern = \"go(.*)\"; }; }; };\n",
		  SYS ":2: version_from file of variant 'go' must be a path inside each choice's tree, as \"VERSION\" (no leading /, no . or ..)" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\";\n version_from = { file = \"/etc/VERSION\"; pattern = \"go(.*)\"; }; }; };\n",
		  SYS ":2: version_from file of variant 'go' must be a path inside each choice's tree, as \"VERSION\" (no leading /, no . or ..)" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\";\n version_from = { pattern = \"go(.*)\"; }; }; };\n",
		  SYS ":2: version_from has no 'file'; add file = \"...\";" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\";\n version_from = { file = \"VERSION\"; pattern = \"(.*)\"; regex = 1; }; }; };\n",
		  SYS ":2: unknown key 'regex' in version_from" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\";\n version_from = \"VERSION\"; }; };\n",
		  SYS ":2: 'version_from' must be a group: version_from = { file = \"VERSION\"; pattern = \"go([0-9][0-9.]*)\"; };" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\";\n version_from = { file = \"v\"; pattern = \"((a*)*)\\\\1\\\\2$\"; }; }; };\n",
		  SYS ":2: version_from pattern of variant 'go' uses a back-reference (\\1 ... \\9), whose matching time has no bound; write it without one" },
		{ "variants: { go = { target = \"~/g\"; source = \"~/.g/${go}\";\n match = \"newer\"; }; };\n",
		  SYS ":2: match of variant 'go' must be \"exact\" or \"newer-patch\"" },
	};
	struct vsym_policy p;
	struct vsym_error err;
	const struct vsym_variant *v;

	(void)state;
	expect_system(&p, "variants: { go = { target = \"~/g\"; source = \"/usr/lib/go-${go}\"; match = \"newer-patch\";\n"
			  "  version_from = { file = \"lib/VERSION\"; pattern = \"go([0-9][0-9.]*)\\\\\\\\1\"; }; };\n"
			  "  node = { target = \"~/n\"; source = \"~/.n/${node}\"; match = \"exact\"; }; };\n");
	v = vsym_policy_variant(&p, "go");
	assert_int_equal(v->match, VSYM_MATCH_NEWER_PATCH);
	assert_string_equal(v->version_from_file, "lib/VERSION");
	assert_non_null(v->version_from_re);
	v = vsym_policy_variant(&p, "node");
	assert_int_equal(v->match, VSYM_MATCH_EXACT);
	assert_null(v->version_from_re);
	vsym_policy_free(&p);
	run_system_errors(cases);
	/* a broken pattern: the file, its line, and regcomp's reason */
	assert_int_equal(load_system_len(&p, broken, strlen(broken), &err), -1);
	assert_non_null(strstr(err.text, SYS ":2: version_from pattern of variant 'go' is not a POSIX extended regular expression ("));
	vsym_policy_free(&p);
}

/* A user file may pick a value of a variant on a system target. */
static void test_user_picks_system_variant(void **state)
{
	struct vsym_policy p;

	(void)state;
	expect_system(&p, "allow = ( { target = \"/usr/lib/go-vsym\"; source = \"/usr/lib/go-*\"; } );\n"
			  "variants: { go = { target = \"/usr/lib/go-vsym\"; source = \"/usr/lib/go-${go}\"; default = \"1.22\"; }; };\n");
	expect_user(&p, "variants: { go = \"1.19\"; };\n");
	assert_string_equal(p.variants[0].value, "1.19");
	vsym_policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_types_variant),
		cmocka_unit_test(test_variant_values_and_names),
		cmocka_unit_test(test_aliases),
		cmocka_unit_test(test_alias_errors),
		cmocka_unit_test(test_project_names),
		cmocka_unit_test(test_version_from_and_match),
		cmocka_unit_test(test_user_picks_system_variant),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
