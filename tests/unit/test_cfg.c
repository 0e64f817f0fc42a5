/* cfg.c: what a system file loads: the example of the design, the
 * defaults, users, settings, allow rules and create. The refusals are in
 * test_cfgerrors, the user file in test_cfguser. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_design_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_rule_string_or_list),
		cmocka_unit_test(test_create),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
