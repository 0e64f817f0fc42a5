#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "testutil.h"
#include "testcfg.h"

#include "cfg.h"

static void expect_strv(char *const *v, size_t n, const char *const *want, size_t nwant)
{
	assert_int_equal(n, nwant);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(v[i], want[i]);
}

static const char *const design_example =
	"version = 1;\n"
	"\n"
	"users: {                       # whom the module acts for\n"
	"  exclude = [ \"root\" ];\n"
	"  groups  = [ ];\n"
	"};\n"
	"\n"
	"allow = (\n"
	"  { target = \"~/gos\";   source = [ \"~/.gos/*\", \"/opt/go/*\" ]; },\n"
	"  { target = \"~/opt/*\"; source = \"~/.versions/**\"; readonly = true; }\n"
	");\n"
	"\n"
	"variants: {\n"
	"  go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; default = \"1.22.0\"; };\n"
	"};\n"
	"\n"
	"binds = (\n"
	"  { source = \"/opt/go/1.22\"; target = \"~/gos\"; readonly = true; optional = true; }\n"
	");\n"
	"\n"
	"user_config = true;\n"
	"max_binds   = 64;\n"
	"on_error    = \"warn\";\n";

static void test_design_example(void **state)
{
	static const char *const root[] = { "root" };
	static const char *const gos[] = { "/home/alice/gos" };
	static const char *const gos_src[] = { "/home/alice/.gos/*", "/opt/go/*" };
	static const char *const opt[] = { "/home/alice/opt/*" };
	static const char *const opt_src[] = { "/home/alice/.versions/**" };
	struct vsym_policy p;

	(void)state;
	expect_system(&p, design_example);
	assert_string_equal(p.label[VSYM_ORIGIN_SYSTEM], SYS);
	assert_null(p.label[VSYM_ORIGIN_USER]);
	expect_strv(p.exclude, p.nexclude, root, 1);
	assert_int_equal(p.ngroups, 0);
	assert_int_equal(p.nrules, 2);
	expect_strv(p.rules[0].targets, p.rules[0].ntargets, gos, 1);
	expect_strv(p.rules[0].sources, p.rules[0].nsources, gos_src, 2);
	assert_false(p.rules[0].readonly);
	assert_int_equal(p.rules[0].line, 9);
	expect_strv(p.rules[1].targets, p.rules[1].ntargets, opt, 1);
	expect_strv(p.rules[1].sources, p.rules[1].nsources, opt_src, 1);
	assert_true(p.rules[1].readonly);
	assert_int_equal(p.rules[1].line, 10);
	assert_int_equal(p.nvariants, 1);
	assert_string_equal(p.variants[0].name, "go");
	assert_string_equal(p.variants[0].target, "/home/alice/gos");
	assert_string_equal(p.variants[0].source, "/home/alice/.gos/go${go}");
	assert_string_equal(p.variants[0].value, "1.22.0");
	assert_false(p.variants[0].readonly);
	assert_int_equal(p.variants[0].origin, VSYM_ORIGIN_SYSTEM);
	assert_int_equal(p.variants[0].line, 14);
	assert_int_equal(p.variants[0].value_origin, VSYM_ORIGIN_SYSTEM);
	assert_int_equal(p.variants[0].value_line, 14);
	assert_int_equal(p.nbinds, 1);
	assert_string_equal(p.binds[0].source, "/opt/go/1.22");
	assert_string_equal(p.binds[0].target, "/home/alice/gos");
	assert_true(p.binds[0].readonly);
	assert_true(p.binds[0].optional);
	assert_null(p.binds[0].variant);
	assert_int_equal(p.binds[0].origin, VSYM_ORIGIN_SYSTEM);
	assert_int_equal(p.binds[0].line, 18);
	assert_true(p.user_config);
	assert_int_equal(p.max_binds, 64);
	assert_int_equal(p.on_error, VSYM_ON_ERROR_WARN);
	assert_false(p.user_loaded);
	vsym_policy_free(&p);
	assert_null(p.rules);
	assert_null(p.label[0]);
}

static void expect_defaults(const struct vsym_policy *p)
{
	static const char *const root[] = { "root" };

	expect_strv(p->exclude, p->nexclude, root, 1);
	assert_int_equal(p->ngroups, 0);
	assert_int_equal(p->nrules, 0);
	assert_int_equal(p->nvariants, 0);
	assert_int_equal(p->nbinds, 0);
	assert_true(p->user_config);
	assert_int_equal(p->max_binds, VSYM_DEFAULT_MAX_BINDS);
	assert_int_equal(p->max_binds, 64);
	assert_int_equal(p->on_error, VSYM_ON_ERROR_WARN);
}

static void test_defaults(void **state)
{
	static const char *const texts[] = {
		"", "version = 1;\n", "users: { };\n", "# nothing\nusers: { groups = [ ]; };\n",
	};
	struct vsym_policy p;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		expect_system(&p, texts[i]);
		expect_defaults(&p);
		vsym_policy_free(&p);
	}
}

static void test_users(void **state)
{
	static const char *const root[] = { "root" };
	static const char *const bob[] = { "bob" };
	static const char *const two[] = { "bob", "carol" };
	static const char *const staff[] = { "staff" };
	struct vsym_policy p;

	(void)state;
	expect_system(&p, "users: { groups = [ \"staff\" ]; };\n");
	expect_strv(p.exclude, p.nexclude, root, 1);
	expect_strv(p.groups, p.ngroups, staff, 1);
	vsym_policy_free(&p);
	/* An explicit empty list excludes nobody, root included. */
	expect_system(&p, "users: { exclude = [ ]; };\n");
	assert_int_equal(p.nexclude, 0);
	vsym_policy_free(&p);
	expect_system(&p, "users: { exclude = \"bob\"; groups = \"staff\"; };\n");
	expect_strv(p.exclude, p.nexclude, bob, 1);
	expect_strv(p.groups, p.ngroups, staff, 1);
	vsym_policy_free(&p);
	expect_system(&p, "users: { exclude = ( \"bob\", \"carol\" ); };\n");
	expect_strv(p.exclude, p.nexclude, two, 2);
	vsym_policy_free(&p);
}

static void test_settings(void **state)
{
	struct vsym_policy p;

	(void)state;
	expect_system(&p, "user_config = false;\nmax_binds = 0;\non_error = \"deny\";\n");
	assert_false(p.user_config);
	assert_int_equal(p.max_binds, 0);
	assert_int_equal(p.on_error, VSYM_ON_ERROR_DENY);
	vsym_policy_free(&p);
	expect_system(&p, "user_config = true;\nmax_binds = 1024;\non_error = \"warn\";\n");
	assert_true(p.user_config);
	assert_int_equal(p.max_binds, VSYM_MAX_BINDS_LIMIT);
	assert_int_equal(p.on_error, VSYM_ON_ERROR_WARN);
	vsym_policy_free(&p);
	expect_system(&p, "max_binds = 0x10;\n");
	assert_int_equal(p.max_binds, 16);
	vsym_policy_free(&p);
}

/* target and source of an allow rule: a string, an array or a list. */
static void test_rule_string_or_list(void **state)
{
	static const char *const one[] = { "/a" };
	static const char *const two[] = { "/a", "/home/alice/b" };
	struct vsym_policy p;

	(void)state;
	expect_system(&p, "allow = (\n"
			  "  { target = \"/a\"; source = \"/a\"; },\n"
			  "  { target = [ \"/a\", \"~/b\" ]; source = ( \"/a\", \"~/b\" ); },\n"
			  "  { target = ( \"/a\" ); source = [ \"/a/\", \"$HOME//b\" ]; }\n"
			  ");\n");
	assert_int_equal(p.nrules, 3);
	expect_strv(p.rules[0].targets, p.rules[0].ntargets, one, 1);
	expect_strv(p.rules[0].sources, p.rules[0].nsources, one, 1);
	expect_strv(p.rules[1].targets, p.rules[1].ntargets, two, 2);
	expect_strv(p.rules[1].sources, p.rules[1].nsources, two, 2);
	expect_strv(p.rules[2].targets, p.rules[2].ntargets, one, 1);
	expect_strv(p.rules[2].sources, p.rules[2].nsources, two, 2);
	assert_int_equal(p.rules[2].line, 4);
	vsym_policy_free(&p);
}

static void test_syntax_errors(void **state)
{
	static const struct error_case cases[] = {
		{ "version = 1;\nusers: {\n  exclude = [ \"root\" \n};\n", SYS ":4: syntax error" },
		{ "version = = 1;\n", SYS ":1: syntax error" },
		{ "version = 1;\n\n\nallow = ( { target = \"/a\"; source = } );\n", SYS ":4: syntax error" },
		{ "max_binds = 1;\nmax_binds = 2;\n", SYS ":2: duplicate setting name" },
	};

	(void)state;
	run_system_errors(cases);
}

static void test_unknown_keys(void **state)
{
	static const struct error_case cases[] = {
		{ "version = 1;\nfoo = 1;\n", SYS ":2: unknown key 'foo' in the system file" },
		{ "include: { };\n", SYS ":1: unknown key 'include' in the system file" },
		{ "users: {\n  exclude = [ ];\n  group = [ ];\n};\n", SYS ":3: unknown key 'group' in users" },
		{ "allow = (\n  { target = \"/a\"; source = \"/b\";\n    ro = true; }\n);\n",
		  SYS ":3: unknown key 'ro' in an allow rule" },
		{ "binds = (\n  { target = \"/a\"; source = \"/b\"; mode = \"ro\"; }\n);\n",
		  SYS ":2: unknown key 'mode' in a bind" },
		{ "variants: {\n  go = { target = \"/a\"; source = \"/b/${go}\";\n    value = \"1\"; };\n};\n",
		  SYS ":3: unknown key 'value' in a variant" },
	};

	(void)state;
	run_system_errors(cases);
}

static void test_wrong_types_top(void **state)
{
	static const struct error_case cases[] = {
		{ "version = \"1\";\n", SYS ":1: unsupported version; this vsym reads version = 1;" },
		{ "version = 1.0;\n", SYS ":1: unsupported version; this vsym reads version = 1;" },
		{ "version = 1L;\n", SYS ":1: unsupported version; this vsym reads version = 1;" },
		{ "\nversion = 2;\n", SYS ":2: unsupported version; this vsym reads version = 1;" },
		{ "version = 0;\n", SYS ":1: unsupported version; this vsym reads version = 1;" },
		{ "users = 1;\n", SYS ":1: 'users' must be a group: users: { exclude = [ ... ]; groups = [ ... ]; };" },
		{ "users = ( );\n", SYS ":1: 'users' must be a group: users: { exclude = [ ... ]; groups = [ ... ]; };" },
		{ "allow = 1;\n", SYS ":1: 'allow' must be a list: allow = ( { ... }, { ... } );" },
		{ "allow: { };\n", SYS ":1: 'allow' must be a list: allow = ( { ... }, { ... } );" },
		{ "variants = 1;\n", SYS ":1: 'variants' must be a group: variants: { go = { ... }; };" },
		{ "variants = ( );\n", SYS ":1: 'variants' must be a group: variants: { go = { ... }; };" },
		{ "binds: { };\n", SYS ":1: 'binds' must be a list: binds = ( { ... }, { ... } );" },
		{ "binds = \"/a\";\n", SYS ":1: 'binds' must be a list: binds = ( { ... }, { ... } );" },
		{ "user_config = \"yes\";\n", SYS ":1: 'user_config' must be true or false" },
		{ "user_config = 1;\n", SYS ":1: 'user_config' must be true or false" },
		{ "on_error = 1;\n", SYS ":1: 'on_error' must be a string" },
		{ "on_error = true;\n", SYS ":1: 'on_error' must be a string" },
		{ "on_error = \"fail\";\n", SYS ":1: 'on_error' must be \"warn\" or \"deny\", not \"fail\"" },
		{ "on_error = \"Deny\";\n", SYS ":1: 'on_error' must be \"warn\" or \"deny\", not \"Deny\"" },
		{ "on_error = \"\";\n", SYS ":1: 'on_error' must be \"warn\" or \"deny\", not \"\"" },
	};

	(void)state;
	run_system_errors(cases);
}

#define MAX_BINDS_MSG ":1: 'max_binds' must be a whole number from 0 to 1024"

static void test_max_binds_range(void **state)
{
	static const struct error_case cases[] = {
		{ "max_binds = -1;\n", SYS MAX_BINDS_MSG },
		{ "max_binds = 1025;\n", SYS MAX_BINDS_MSG },
		{ "max_binds = 5000000000;\n", SYS MAX_BINDS_MSG },
		{ "max_binds = 64L;\n", SYS MAX_BINDS_MSG },
		{ "max_binds = \"64\";\n", SYS MAX_BINDS_MSG },
		{ "max_binds = 64.0;\n", SYS MAX_BINDS_MSG },
		{ "max_binds = true;\n", SYS MAX_BINDS_MSG },
		{ "max_binds = [ 64 ];\n", SYS MAX_BINDS_MSG },
	};

	(void)state;
	run_system_errors(cases);
}

#define NAMES_MSG "must be a string or a list of strings"

#define NONEMPTY_MSG "must be a list of non-empty strings"

static void test_wrong_types_users(void **state)
{
	static const struct error_case cases[] = {
		{ "users: { exclude = 1; };\n", SYS ":1: 'exclude' " NAMES_MSG },
		{ "users: { exclude: { }; };\n", SYS ":1: 'exclude' " NAMES_MSG },
		{ "users: { groups = true; };\n", SYS ":1: 'groups' " NAMES_MSG },
		{ "users: { exclude = [ 1 ]; };\n", SYS ":1: 'exclude' " NONEMPTY_MSG },
		{ "users: { exclude = [ \"\" ]; };\n", SYS ":1: 'exclude' " NONEMPTY_MSG },
		{ "users: { exclude = \"\"; };\n", SYS ":1: 'exclude' " NONEMPTY_MSG },
		{ "users: { groups = ( \"a\",\n  2 ); };\n", SYS ":2: 'groups' " NONEMPTY_MSG },
		{ "users: { groups = ( [ \"a\" ] ); };\n", SYS ":1: 'groups' " NONEMPTY_MSG },
	};

	(void)state;
	run_system_errors(cases);
}

#define RULE_MISSING(k) "missing '" k "'; add " k " = \"...\"; or a list [ \"...\", ... ]"

static void test_wrong_types_rule(void **state)
{
	static const struct error_case cases[] = {
		{ "allow = ( \"/a\" );\n",
		  SYS ":1: each allow rule must be a group: { target = \"...\"; source = \"...\"; }" },
		{ "allow = (\n  { source = \"/b\"; }\n);\n", SYS ":2: " RULE_MISSING("target") },
		{ "allow = (\n  { target = \"/a\"; }\n);\n", SYS ":2: " RULE_MISSING("source") },
		{ "allow = ( { target = 1; source = \"/b\"; } );\n", SYS ":1: 'target' " NAMES_MSG },
		{ "allow = ( { target = \"/a\"; source: { x = 1; }; } );\n", SYS ":1: 'source' " NAMES_MSG },
		{ "allow = ( { target = (\n  \"/a\",\n  1 ); source = \"/b\"; } );\n",
		  SYS ":3: expected a string or a list of strings" },
		{ "allow = ( { target = \"/a\"; source = ( ( \"/b\" ) ); } );\n",
		  SYS ":1: expected a string or a list of strings" },
		{ "allow = ( { target = [ ]; source = \"/b\"; } );\n",
		  SYS ":1: an allow rule needs at least one target and one source" },
		{ "allow = ( { target = \"/a\"; source = ( ); } );\n",
		  SYS ":1: an allow rule needs at least one target and one source" },
		{ "allow = ( { target = \"/a\"; source = \"/b\"; readonly = 1; } );\n",
		  SYS ":1: 'readonly' must be true or false" },
		{ "allow = ( { target = \"/a\"; source = \"/b\"; readonly = \"true\"; } );\n",
		  SYS ":1: 'readonly' must be true or false" },
	};

	(void)state;
	run_system_errors(cases);
}

static void test_wrong_types_bind(void **state)
{
	static const struct error_case cases[] = {
		{ "binds = ( 1 );\n", SYS ":1: each bind must be a group: { source = \"...\"; target = \"...\"; }" },
		{ "binds = ( { source = \"/b\"; } );\n", SYS ":1: this bind has no 'target'; add target = \"...\";" },
		{ "binds = ( { target = \"/a\"; } );\n", SYS ":1: this bind has no 'source'; add source = \"...\";" },
		{ "binds = ( { target = [ \"/a\" ]; source = \"/b\"; } );\n", SYS ":1: 'target' must be a string" },
		{ "binds = ( { target = \"/a\"; source = 1; } );\n", SYS ":1: 'source' must be a string" },
		{ "binds = ( { target = \"/a\"; source = \"/b\"; readonly = 1; } );\n",
		  SYS ":1: 'readonly' must be true or false" },
		{ "binds = ( { target = \"/a\"; source = \"/b\";\n  optional = \"yes\"; } );\n",
		  SYS ":2: 'optional' must be true or false" },
	};

	(void)state;
	run_system_errors(cases);
}

static void test_nul_byte(void **state)
{
	static const char text[] = "version = 1;\nmax_binds\0 = 3;\n";

	(void)state;
	expect_system_error_len(text, sizeof(text) - 1, SYS ":2: NUL byte; this is not a text file");
	expect_system_error_len("\0", 1, SYS ":1: NUL byte; this is not a text file");
	expect_user_error_len(text, sizeof(text) - 1, USR ":2: NUL byte; this is not a text file");
}

#define ONLY_SYSTEM "' may only be set in " SYS "; a user file holds binds and variants"

static void test_user_file_may_not_set(void **state)
{
	static const struct error_case cases[] = {
		{ "users: { exclude = [ ]; };\n", USR ":1: 'users" ONLY_SYSTEM },
		{ "version = 1;\nallow = ( { target = \"/\"; source = \"/**\"; } );\n", USR ":2: 'allow" ONLY_SYSTEM },
		{ "\n\nuser_config = true;\n", USR ":3: 'user_config" ONLY_SYSTEM },
		{ "max_binds = 1024;\n", USR ":1: 'max_binds" ONLY_SYSTEM },
		{ "binds = ( );\non_error = \"warn\";\n", USR ":2: 'on_error" ONLY_SYSTEM },
		{ "foo = 1;\n", USR ":1: unknown key 'foo' in a user file" },
		/* a value written outside variants: */
		{ "version = 1;\ngo = \"1.21\";\n",
		  USR ":2: unknown key 'go': a value of a variant goes under variants: variants: { go = \"1.21\"; };" },
		{ "golang = 1.21;\n", USR ":1: unknown key 'golang': a value of a variant goes under variants: variants: { go = \"...\"; };" },
		{ "version = 2;\n", USR ":1: unsupported version; this vsym reads version = 1;" },
		{ "binds = (\n", USR ":2: syntax error" },
	};

	(void)state;
	run_user_errors(cases);
}

static void test_user_file_errors(void **state)
{
	static const struct error_case cases[] = {
		{ "variants: {\n  go = { target = \"~/g2\"; source = \"~/.g/${go}\"; };\n};\n",
		  USR ":2: variant 'go' is defined in " SYS "; pick a value with go = \"...\"; instead" },
		{ "variants: { rust = \"1.70\"; };\n",
		  USR ":1: no variant 'rust' is defined in " SYS " (its variants: go); pick a value of one of those, "
		      "or define a variant of your own in your home as rust = { target = \"~/...\"; source = \"~/...${rust}\"; };" },
		/* the name .tool-versions uses is not the variant's */
		{ "variants: {\n  golang = \"1.21\";\n};\n",
		  USR ":2: 'golang' is variant 'go' (tool = \"golang\" in " SYS " names it so for .tool-versions); here write go = \"1.21\";" },
		{ "variants: {\n  go = \"..\";\n};\n", USR ":2: '..' is not a valid value for variant 'go': use letters, digits and . _ + - (not '.' or '..')" },
		{ "variants: { go = \"1.22/../../x\"; };\n",
		  USR ":1: '1.22/../../x' is not a valid value for variant 'go': use letters, digits and . _ + - (not '.' or '..')" },
		{ "variants: { go = 1; };\n", USR ":1: the value of variant 'go' is a number; write it in quotes: go = \"...\";" },
		{ "variants: { go = 1.22; };\n", USR ":1: the value of variant 'go' is a number; write it in quotes: go = \"...\";" },
		{ "variants: {\n  go = 1.22.1;\n};\n", USR ":2: syntax error; write the value in quotes: go = \"1.22.1\";" },
		{ "variants: { go = true; };\n", USR ":1: variant 'go' must be a group (a definition) or a string (a value)" },
		{ "binds = ( { source = \"~/x\"; target = \"/usr/lib/go-vsym\"; } );\n",
		  USR ":1: target /usr/lib/go-vsym is outside your home; only " SYS " may name a system target (pick a value of its variant instead)" },
		{ "variants: { py = { target = \"/opt/py\"; source = \"/opt/py-${py}\"; }; };\n",
		  USR ":1: target /opt/py is outside your home; only " SYS " may name a system target (pick a value of its variant instead)" },
		{ "variants: { go-2 = \"1\"; };\n", USR ":1: 'go-2' is not a valid variant name: use letters, digits and _" },
		{ "variants = 1;\n", USR ":1: 'variants' must be a group: variants: { go = { ... }; };" },
		{ "variants: { py = { target = \"~/py\"; source = \"~/.pys/py\"; }; };\n",
		  USR ":1: source of variant 'py' must use ${py}, as in \"~/.pys/${py}\"" },
		{ "binds = (\n  { source = \"/x\";\n    target = \"gos\"; } );\n", USR ":3: " NOT_ABS("gos") },
		{ "binds = ( { source = \"~/x/*\"; target = \"~/gos\"; } );\n", USR ":1: " ONE_PATH("~/x/*") },
		{ "binds = ( { source = \"~/x\"; target = \"~alice/gos\"; } );\n", USR ":1: " TILDE_USER("~alice/gos") },
		{ "binds = ( { source = \"$HOME/../bob\"; target = \"~/gos\"; } );\n", USR ":1: " DOTS("/home/alice/../bob") },
		{ "binds = ( { source = \"~/x\"; target = \"~/gos\"; opt = true; } );\n", USR ":1: unknown key 'opt' in a bind" },
	};

	(void)state;
	run_user_errors(cases);
}

static void test_user_file_loads(void **state)
{
	struct vsym_policy p;

	(void)state;
	expect_system(&p, base_system);
	expect_user(&p, "version = 1;\n"
			"variants: {\n"
			"  go = \"1.21.5\";\n"
			"  py = { target = \"~/py\"; source = \"~/.pys/${py}\"; readonly = true; };\n"
			"};\n"
			"binds = ( { source = \"~/mine\"; target = \"~/data\"; optional = true; } );\n");
	assert_true(p.user_loaded);
	assert_string_equal(p.label[VSYM_ORIGIN_USER], USR);
	assert_int_equal(p.nvariants, 2);
	assert_string_equal(p.variants[0].value, "1.21.5");
	assert_int_equal(p.variants[0].origin, VSYM_ORIGIN_SYSTEM);
	assert_int_equal(p.variants[0].value_origin, VSYM_ORIGIN_USER);
	assert_int_equal(p.variants[0].value_line, 3);
	assert_string_equal(p.variants[1].name, "py");
	assert_string_equal(p.variants[1].source, "/home/alice/.pys/${py}");
	assert_null(p.variants[1].value);
	assert_true(p.variants[1].readonly);
	assert_int_equal(p.variants[1].origin, VSYM_ORIGIN_USER);
	assert_int_equal(p.variants[1].line, 4);
	assert_int_equal(p.nbinds, 2);
	assert_int_equal(p.binds[0].origin, VSYM_ORIGIN_SYSTEM);
	assert_string_equal(p.binds[1].source, "/home/alice/mine");
	assert_true(p.binds[1].optional);
	assert_int_equal(p.binds[1].origin, VSYM_ORIGIN_USER);
	assert_int_equal(p.binds[1].line, 6);
	vsym_policy_free(&p);
}

/* Everything a policy holds, as text, to compare two states of it. */
static char *policy_dump(const struct vsym_policy *p)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);

	assert_non_null(f);
	fprintf(f, "labels %s %s\n", p->label[0] ? p->label[0] : "-", p->label[1] ? p->label[1] : "-");
	for (size_t i = 0; i < p->nexclude; i++)
		fprintf(f, "exclude %s\n", p->exclude[i]);
	for (size_t i = 0; i < p->ngroups; i++)
		fprintf(f, "group %s\n", p->groups[i]);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct vsym_rule *r = &p->rules[i];

		fprintf(f, "rule %u ro=%d:", r->line, r->readonly);
		for (size_t j = 0; j < r->ntargets; j++)
			fprintf(f, " t=%s", r->targets[j]);
		for (size_t j = 0; j < r->nsources; j++)
			fprintf(f, " s=%s", r->sources[j]);
		fputc('\n', f);
	}
	for (size_t i = 0; i < p->nvariants; i++) {
		const struct vsym_variant *v = &p->variants[i];

		fprintf(f, "variant %s %s %s %s ro=%d %d:%u %d:%u\n", v->name, v->target, v->source,
			v->value ? v->value : "-", v->readonly, v->origin, v->line, v->value_origin, v->value_line);
	}
	for (size_t i = 0; i < p->nbinds; i++) {
		const struct vsym_bind *b = &p->binds[i];

		fprintf(f, "bind %s %s ro=%d opt=%d %d:%u\n", b->target, b->source, b->readonly,
			b->optional, b->origin, b->line);
	}
	fprintf(f, "user_config=%d max_binds=%u on_error=%d user_loaded=%d\n",
		p->user_config, p->max_binds, p->on_error, p->user_loaded);
	fclose(f);
	return text;
}

/* Each refused file gets further than the last before its error: after a
 * valid pick, after a valid definition, after valid binds. */
static const char *const broken_user_files[] = {
	"variants: { go = \"1.23\"; };\nbinds = ( { source = \"/x\"; target = \"gos\"; } );\n",
	("variants: {\n  go = \"1.23\";\n  py = { target = \"~/py\"; source = \"~/.pys/${py}\"; default = \"3\"; };\n};\n"
	 "binds = ( { source = \"/x\"; target = \"/y\"; }, { source = \"/x\"; target = \"/y\"; ro = true; } );\n"),
	"binds = ( { source = \"/x\"; target = \"/y\"; } );\nvariants: { go = \"1.23\"; node = \"18\"; };\n",
	"binds = ( { source = \"/x\"; target = \"/y\"; } );\nmax_binds = 3;\n",
	"variants: { go = \"1.23\"; };\n@include \"/etc/passwd\"\n",
	"variants: { go = \"1.23\"; };\nbinds = ( {\n",
};

static void test_user_file_all_or_nothing(void **state)
{
	struct vsym_policy p;
	char *before, *after;

	(void)state;
	expect_system(&p, base_system);
	before = policy_dump(&p);
	for (size_t i = 0; i < sizeof(broken_user_files) / sizeof(broken_user_files[0]); i++) {
		struct vsym_error err = { .text = "" };
		const char *text = broken_user_files[i];

		if (load_user_len(&p, text, strlen(text), &err) == 0)
			fail_msg("broken user file %zu accepted", i);
		assert_contains(err.text, USR ":");
		after = policy_dump(&p);
		if (strcmp(before, after) != 0)
			fail_msg("user file %zu (%s) changed the policy:\n%s\n--- now:\n%s", i, err.text, before, after);
		free(after);
	}
	/* What was refused left nothing that stops a good file loading. */
	expect_user(&p, "variants: { go = \"1.23\"; };\n");
	assert_string_equal(p.variants[0].value, "1.23");
	free(before);
	vsym_policy_free(&p);
}

/* A real file that @include would name; the test sees any open of it. */
struct include_fixture {
	char dir[64];
	char path[96];
	int watch;
};

static int include_teardown(void **state)
{
	struct include_fixture *fx = *state;

	if (fx == NULL)
		return 0;
	if (fx->watch >= 0)
		close(fx->watch);
	unlink(fx->path);
	rmdir(fx->dir);
	free(fx);
	return 0;
}

static int include_setup(void **state)
{
	struct include_fixture *fx = calloc(1, sizeof(*fx));
	int fd;

	*state = fx;
	if (fx == NULL)
		return -1;
	fx->watch = -1;
	strcpy(fx->dir, "/tmp/vsym-test-cfg-XXXXXX");
	if (mkdtemp(fx->dir) == NULL)
		return -1;
	snprintf(fx->path, sizeof(fx->path), "%s/included.conf", fx->dir);
	fd = open(fx->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, "max_binds = 7;\n", 15) != 15 || close(fd) < 0)
		return include_teardown(state), -1;
	fx->watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fx->watch < 0 || inotify_add_watch(fx->watch, fx->path, IN_OPEN | IN_ACCESS) < 0)
		return include_teardown(state), -1;
	return 0;
}

static bool file_was_opened(int watch)
{
	char events[4096];
	ssize_t n = read(watch, events, sizeof(events));

	if (n < 0 && errno != EAGAIN)
		fail_msg("reading inotify events: %s", strerror(errno));
	return n > 0;
}

static void test_include_refused(void **state)
{
	struct include_fixture *fx = *state;
	char text[256];
	struct vsym_policy p;
	int fd;

	snprintf(text, sizeof(text), "version = 1;\n@include \"%s\"\n", fx->path);
	expect_system_error(text, SYS ":2: @include is not supported; keep the configuration in one file");
	assert_false(file_was_opened(fx->watch));
	snprintf(text, sizeof(text), "binds = ( );\n\n  @include \"%s\"\n", fx->path);
	expect_user_error(text, USR ":3: @include is not supported; keep the configuration in one file");
	assert_false(file_was_opened(fx->watch));
	/* Even where libconfig itself would not look for it. */
	snprintf(text, sizeof(text), "# @include \"%s\"\n", fx->path);
	expect_system_error(text, SYS ":1: @include is not supported; keep the configuration in one file");
	assert_false(file_was_opened(fx->watch));
	/* The watch does see an open, so the checks above can fail. */
	fd = open(fx->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	close(fd);
	assert_true(file_was_opened(fx->watch));
	expect_system(&p, "version = 1;\n");
	vsym_policy_free(&p);
}

static void test_create(void **state)
{
	struct vsym_policy p;

	(void)state;
	expect_system(&p, "variants: { go = { target = \"~/sdk/go\"; source = \"~/.gos/${go}\"; create = true; }; };\n"
			  "binds = ( { source = \"/srv/d\"; target = \"~/d\"; create = true; },\n"
			  "  { source = \"/srv/e\"; target = \"~/e\"; } );\n");
	assert_true(p.variants[0].create);
	assert_true(p.binds[0].create);
	assert_false(p.binds[1].create);
	vsym_policy_free(&p);
	expect_system_error("binds = ( { source = \"/srv/d\"; target = \"/srv/t\"; create = true; } );\n",
			    SYS ":1: create = true makes only targets in the home; make /srv/t once as root (mkdir)");
	expect_system_error("variants: { go = { target = \"/usr/lib/go-vsym\"; source = \"/usr/lib/go-${go}\"; create = true; }; };\n",
			    SYS ":1: create = true makes only targets in the home; make /usr/lib/go-vsym once as root (mkdir)");
	expect_system(&p, base_system);
	expect_user(&p, "binds = ( { source = \"~/x\"; target = \"~/y\"; create = true; } );\n");
	assert_true(p.binds[p.nbinds - 1].create);
	vsym_policy_free(&p);
}

static char *edit(const char *text, const char *name, const char *value)
{
	struct vsym_cfgtext_spot spot;
	struct vsym_error err = { .text = "" };
	char *out;

	if (vsym_cfg_user_spot(USR, text, strlen(text), name, &spot, &err) < 0)
		fail_msg("spot: %s", err.text);
	out = vsym_cfgtext_set_value(text, &spot, name, value, &err);
	if (out == NULL)
		fail_msg("set: %s", err.text);
	return out;
}

static void expect_edit(const char *text, const char *name, const char *value, const char *want)
{
	char *out = edit(text, name, value);
	struct vsym_policy p;

	assert_string_equal(out, want);
	/* and what it wrote is a valid user file picking that value */
	expect_system(&p, base_system);
	expect_user(&p, out);
	assert_string_equal(vsym_policy_variant(&p, name)->value, value);
	vsym_policy_free(&p);
	free(out);
}

static void test_set_value(void **state)
{
	static const char defines[] = "variants: { go = { target = \"~/g\"; }; };";
	struct vsym_cfgtext_spot spot;
	struct vsym_error err = { .text = "" };

	(void)state;
	expect_edit("", "go", "1.21", "variants: { go = \"1.21\"; };\n");
	expect_edit("# mine\nbinds = ( );", "go", "1.21", "# mine\nbinds = ( );\nvariants: { go = \"1.21\"; };\n");
	expect_edit("# keep\nvariants: {\n  go = \"1.22.0\"; # my pick\n};\n# end\n", "go", "1.21",
		    "# keep\nvariants: {\n  go = \"1.21\"; # my pick\n};\n# end\n");
	expect_edit("variants:\n{\n  # none yet\n};\n", "go", "lts", "variants:\n{ go = \"lts\";\n  # none yet\n};\n");
	expect_edit("variants = { go =\n  \"x\"; };", "go", "1.21", "variants = { go =\n  \"1.21\"; };");
	/* a user file that does not parse is never rewritten */
	assert_int_equal(vsym_cfg_user_spot(USR, "variants: { go = 1.22.1; };", 27, "go", &spot, &err), -1);
	assert_contains(err.text, USR ":1: syntax error; write the value in quotes: go = \"1.22.1\";");
	/* nor is a variant the file defines */
	assert_int_equal(vsym_cfg_user_spot(USR, defines, strlen(defines), "go", &spot, &err), -1);
	assert_contains(err.text, "variant 'go' is defined here");
	assert_null(vsym_cfgtext_set_value("", &spot, "go", "../x", &err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_rule_string_or_list),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types_top),
		cmocka_unit_test(test_max_binds_range),
		cmocka_unit_test(test_wrong_types_users),
		cmocka_unit_test(test_wrong_types_rule),
		cmocka_unit_test(test_wrong_types_bind),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_user_file_may_not_set),
		cmocka_unit_test(test_user_file_errors),
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_set_value),
		cmocka_unit_test(test_user_file_loads),
		cmocka_unit_test(test_user_file_all_or_nothing),
		cmocka_unit_test_setup_teardown(test_include_refused, include_setup, include_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
