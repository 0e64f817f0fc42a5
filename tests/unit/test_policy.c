#include "config.h"

#include <stdio.h>

#include "testutil.h"

#include "cfg.h"
#include "policy.h"

#define SYS "/etc/vsym.conf"

#define USR "/home/alice/.vsymrc"

/* Builds a policy the way the module does, from text, so the tests judge
 * what a real configuration produces. */
static void load_system(struct vsym_policy *p, const struct vsym_user *user, const char *text)
{
	struct vsym_error err = { .text = "" };

	memset(p, 0, sizeof(*p));
	if (vsym_cfg_load_system(p, SYS, text, strlen(text), user, &err) < 0)
		fail_msg("system file refused: %s", err.text);
}

static void load_user(struct vsym_policy *p, const struct vsym_user *user, const char *text)
{
	struct vsym_error err = { .text = "" };

	if (vsym_cfg_load_user(p, USR, text, strlen(text), user, &err) < 0)
		fail_msg("user file refused: %s", err.text);
}

#define expect_match(pattern, path) expect_pattern(pattern, path, true)

#define expect_no_match(pattern, path) expect_pattern(pattern, path, false)

static void expect_pattern(const char *pattern, const char *path, bool want)
{
	if (vsym_pattern_match(pattern, path) != want)
		fail_msg("pattern '%s' %s path '%s'", pattern,
			 want ? "does not match" : "wrongly matches", path);
}

static void test_star_stays_in_component(void **state)
{
	(void)state;
	expect_match("/home/alice/.gos/*", "/home/alice/.gos/go1.22");
	expect_match("/a/go*", "/a/go");
	expect_match("/a/*.tar", "/a/x.tar");
	expect_match("/a/*x*y*", "/a/axbyc");
	expect_no_match("/home/alice/.gos/*", "/home/alice/.gos/go1/bin");
	expect_no_match("/a/*", "/a");
	expect_no_match("/a/*.tar", "/a/b/x.tar");
	expect_no_match("/a*b", "/a/b");
	expect_no_match("/a/x**", "/a/x/y");
	expect_no_match("/a/*x*y*", "/a/ax/yc");
	expect_match("/a/b", "/a/b");
	expect_no_match("/a/b", "/a/bc");
	expect_no_match("/a/b", "/a/b/c");
	/* Pattern left over once the name is used up. */
	expect_no_match("/a/bc", "/a/b");
	expect_no_match("/a/*x", "/a/ab");
	expect_match("/a/b**", "/a/b");
}

static void test_globstar_middle(void **state)
{
	(void)state;
	expect_match("/opt/**/bin", "/opt/bin");
	expect_match("/opt/**/bin", "/opt/a/bin");
	expect_match("/opt/**/bin", "/opt/a/b/c/bin");
	expect_match("/opt/**/bin", "/opt/bin/bin");
	expect_no_match("/opt/**/bin", "/opt/a/b/bi");
	expect_no_match("/opt/**/bin", "/opt/bin/x");
	expect_no_match("/opt/**/bin", "/srv/bin");
	expect_match("/**/bin", "/bin");
	expect_match("/**/bin", "/usr/local/bin");
}

static void test_globstar_final(void **state)
{
	(void)state;
	expect_match("/a/**", "/a/b");
	expect_match("/a/**", "/a/b/c/d");
	expect_no_match("/a/**", "/a");
	expect_no_match("/a/**", "/a/");
	expect_no_match("/a/**", "/b/c");
	expect_match("/**", "/x");
	expect_no_match("/**", "/");
	expect_match("/a/*/**", "/a/b/c");
	expect_no_match("/a/*/**", "/a/b");
	expect_match("/a/**/**", "/a/b");
	expect_no_match("/a/**/**", "/a");
}

static void test_globstar_many(void **state)
{
	(void)state;
	expect_match("/a/**/b/**/c", "/a/b/c");
	expect_match("/a/**/b/**/c", "/a/x/b/y/z/c");
	expect_match("/a/**/b/**/c", "/a/b/b/c");
	expect_no_match("/a/**/b/**/c", "/a/x/y/c");
	expect_no_match("/a/**/b/**/c", "/a/b/c/d");
	expect_match("/**/x/**", "/x/y");
	expect_match("/**/x/**", "/p/q/x/y");
	expect_no_match("/**/x/**", "/x");
	expect_no_match("/**/x/**", "/p/x");
	expect_match("/**/*.d/**/conf", "/etc/a.d/conf");
}

static void test_slashes(void **state)
{
	(void)state;
	expect_match("/a/*", "/a/b/");
	expect_match("/a//b", "/a/b");
	expect_match("/a/b", "//a///b//");
	expect_match("/a/b/", "/a/b");
	expect_match("/a/**", "/a//b");
	expect_no_match("/a/**", "/a//");
	expect_match("/", "/");
	expect_match("/", "//");
	expect_no_match("/", "/a");
}

static void test_dots_never_match(void **state)
{
	(void)state;
	expect_no_match("/a/*", "/a/.");
	expect_no_match("/a/*", "/a/..");
	expect_no_match("/a/**", "/a/../etc/passwd");
	expect_no_match("/home/alice/**", "/home/alice/../bob/x");
	expect_no_match("/a/*/c", "/a/./c");
	expect_no_match("/a/b", "/a/./b");
	expect_no_match("/a/./b", "/a/b");
	expect_no_match("/a/./b", "/a/./b");
	expect_no_match("/**", "/..");
	/* Names that merely start with dots are ordinary. */
	expect_match("/a/*", "/a/.hidden");
	expect_match("/a/*", "/a/..x");
	expect_match("/a/...", "/a/...");
}

static void test_relative_never_match(void **state)
{
	(void)state;
	expect_no_match("/a/b", "a/b");
	expect_no_match("a/b", "a/b");
	expect_no_match("a/b", "/a/b");
	expect_no_match("*", "x");
	expect_no_match("**", "x/y");
	expect_no_match("/a", "");
	expect_no_match("", "");
	expect_no_match("/**", "");
}

static char *repeat(const char *unit, size_t times, const char *prefix, const char *suffix)
{
	size_t ulen = strlen(unit), plen = strlen(prefix), slen = strlen(suffix);
	char *s = malloc(plen + ulen * times + slen + 1);

	assert_non_null(s);
	memcpy(s, prefix, plen);
	for (size_t i = 0; i < times; i++)
		memcpy(s + plen + i * ulen, unit, ulen);
	memcpy(s + plen + ulen * times, suffix, slen + 1);
	return s;
}

/* Backtracking globs blow up on these; the matcher must finish (a hang
 * here is the failure, caught by the test harness's timeout). */
static void test_pathological_patterns(void **state)
{
	char *path = repeat("/aaaaaaaaaaaaaaaa", 2000, "", "");
	char *long_comp = repeat("a", 4000, "/", "");
	char *globstars = repeat("/**/a", 200, "", "/b");
	char *stars = repeat("*a", 60, "/", "*b");
	char *both = repeat("/**/*a*a*a*", 100, "", "/**/x");

	(void)state;
	expect_no_match(globstars, path);
	expect_no_match(stars, long_comp);
	expect_no_match(both, path);
	expect_no_match("/**/**/**/**/**/**/**/**/**/**/**/**/b", path);
	expect_match("/**/**/**/**/**/**/**/**/**/**/**/**/a*", path);
	expect_match("/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", long_comp);
	free(path);
	free(long_comp);
	free(globstars);
	free(stars);
	free(both);
}

static const char *const groups_conf =
	"users: { exclude = [ \"bob\", \"carol\" ]; groups = [ \"staff\", \"wheel\" ]; };\n";

static void test_applies_to_exclude(void **state)
{
	struct test_user alice, root;
	struct vsym_policy p;

	(void)state;
	test_user_alice(&alice);
	test_user_alice(&root);
	strcpy(root.name, "root");
	load_system(&p, &alice.user, "version = 1;\n");
	assert_true(vsym_policy_applies_to(&p, &alice.user));
	assert_false(vsym_policy_applies_to(&p, &root.user));
	vsym_policy_free(&p);
	load_system(&p, &alice.user, "users: { exclude = [ \"alice\" ]; };\n");
	assert_false(vsym_policy_applies_to(&p, &alice.user));
	assert_true(vsym_policy_applies_to(&p, &root.user));
	vsym_policy_free(&p);
}

static void test_applies_to_groups(void **state)
{
	struct test_user alice, bob;
	struct vsym_policy p;

	(void)state;
	test_user_alice(&alice);
	test_user_alice(&bob);
	strcpy(bob.name, "bob");
	load_system(&p, &alice.user, groups_conf);
	assert_true(vsym_policy_applies_to(&p, &alice.user));
	/* Excluded by name even though a member of staff. */
	assert_false(vsym_policy_applies_to(&p, &bob.user));
	/* Not a member of any listed group. */
	strcpy(alice.group[1], "users");
	assert_false(vsym_policy_applies_to(&p, &alice.user));
	/* The primary group counts like any other. */
	strcpy(alice.group[0], "wheel");
	assert_true(vsym_policy_applies_to(&p, &alice.user));
	vsym_policy_free(&p);
}

static void test_applies_to_unnamed_groups(void **state)
{
	struct test_user alice;
	struct vsym_policy p;

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user, groups_conf);
	/* A gid without a name in the group database matches no name. */
	alice.group_names[1] = NULL;
	assert_false(vsym_policy_applies_to(&p, &alice.user));
	alice.group_names[0] = NULL;
	assert_false(vsym_policy_applies_to(&p, &alice.user));
	/* A hand-built user may carry no names at all. */
	alice.user.group_names = NULL;
	assert_false(vsym_policy_applies_to(&p, &alice.user));
	vsym_policy_free(&p);
	/* Without a groups list the names are never looked at. */
	load_system(&p, &alice.user, "version = 1;\n");
	assert_true(vsym_policy_applies_to(&p, &alice.user));
	vsym_policy_free(&p);
}

static const char *const rules_conf =
	"version = 1;\n"
	"allow = (\n"
	"  { target = \"~/gos\"; source = [ \"~/.gos/*\", \"/opt/go/*\" ]; },\n"
	"  { target = \"~/opt/*\"; source = \"~/.versions/**\"; readonly = true; },\n"
	"  { target = \"~/opt/*\"; source = \"/srv/**\"; },\n"
	"  { target = \"~/gos\"; source = \"/opt/go/*\"; readonly = true; },\n"
	"  { target = [ \"~/data\", \"~/x/**\" ]; source = \"/srv/data\"; readonly = true; }\n"
	");\n";

static void expect_allowed(const struct vsym_policy *p, const char *target, const char *source,
			   size_t rule, bool readonly, const char *reason)
{
	struct vsym_verdict v;

	vsym_policy_decide(p, target, source, &v);
	if (!v.allowed)
		fail_msg("%s onto %s refused: %s", source, target, v.reason);
	assert_ptr_equal(v.rule, &p->rules[rule]);
	assert_int_equal(v.readonly, readonly);
	assert_string_equal(v.reason, reason);
}

static void expect_refused(const struct vsym_policy *p, const char *target, const char *source,
			   const char *reason)
{
	struct vsym_verdict v;

	vsym_policy_decide(p, target, source, &v);
	if (v.allowed)
		fail_msg("%s onto %s allowed: %s", source, target, v.reason);
	assert_null(v.rule);
	assert_false(v.readonly);
	assert_string_equal(v.reason, reason);
}

static void test_decide_first_rule_wins(void **state)
{
	struct test_user alice;
	struct vsym_policy p;

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user, rules_conf);
	expect_allowed(&p, "/home/alice/gos", "/home/alice/.gos/go1.22", 0, false, "allowed by " SYS ":3");
	/* Rule 4 would force read-only, but rule 1 matches first. */
	expect_allowed(&p, "/home/alice/gos", "/opt/go/1.22", 0, false, "allowed by " SYS ":3");
	expect_allowed(&p, "/home/alice/opt/node", "/home/alice/.versions/node/18", 1, true,
		       "allowed by " SYS ":4");
	/* Rule 2 names the target but not the source: rule 3 decides. */
	expect_allowed(&p, "/home/alice/opt/node", "/srv/node", 2, false, "allowed by " SYS ":5");
	expect_allowed(&p, "/home/alice/x/y/z", "/srv/data", 4, true, "allowed by " SYS ":7");
	expect_allowed(&p, "/home/alice/data", "/srv/data", 4, true, "allowed by " SYS ":7");
	vsym_policy_free(&p);
}

static void test_decide_refusals(void **state)
{
	struct test_user alice;
	struct vsym_policy p;

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user, rules_conf);
	expect_refused(&p, "/home/alice/gos", "/etc",
		       "source /etc is not allowed for target /home/alice/gos (see " SYS ":3)");
	expect_refused(&p, "/home/alice/opt/node", "/home/alice/.versions",
		       "source /home/alice/.versions is not allowed for target /home/alice/opt/node (see " SYS ":4)");
	expect_refused(&p, "/etc/passwd", "/home/alice/.gos/go1",
		       "/etc/passwd is outside your home: a system target must be named literally (no *, ~ or $) by an allow rule in " SYS);
	expect_refused(&p, "/home/alice/opt", "/srv/x",
		       "no allow rule in " SYS " names target /home/alice/opt");
	expect_refused(&p, "/home/alice/opt/../../bob/opt/x", "/srv/x",
		       "no allow rule in " SYS " names target /home/alice/opt/../../bob/opt/x");
	expect_refused(&p, "/home/alice/gos", "/home/alice/.gos/../../bob/.gos/x",
		       "source /home/alice/.gos/../../bob/.gos/x is not allowed for target /home/alice/gos (see " SYS ":3)");
	vsym_policy_free(&p);
	load_system(&p, &alice.user, "version = 1;\n");
	expect_refused(&p, "/home/alice/gos", "/opt/go/1",
		       "no allow rule in " SYS " names target /home/alice/gos");
	vsym_policy_free(&p);
}

static void test_variant_source(void **state)
{
	char name[] = "go", source[] = "/v/${go}/x/go${go}/${goo}/${g}";
	struct vsym_variant v = { .name = name, .source = source };
	char *s;

	(void)state;
	s = vsym_variant_source(&v, "1.22.0");
	assert_non_null(s);
	assert_string_equal(s, "/v/1.22.0/x/go1.22.0/${goo}/${g}");
	free(s);
	s = vsym_variant_source(&v, "a");
	assert_non_null(s);
	assert_string_equal(s, "/v/a/x/goa/${goo}/${g}");
	free(s);
}

/* The template is split once, at load, around the component holding
 * ${name}; which directory entry stands for which value is then a pure
 * function of the split. */
static void test_variant_template(void **state)
{
	char name[] = "go", source[] = "/a/b/go${go}-x/bin", top[] = "/go-${go}";
	struct vsym_variant v = { .name = name, .source = source };
	struct vsym_variant t = { .name = name, .source = top };
	char buf[16];

	(void)state;
	assert_int_equal(vsym_variant_parse_template(&v), 0);
	assert_string_equal(v.tmpl_dir, "/a/b");
	assert_string_equal(v.tmpl_prefix, "go");
	assert_string_equal(v.tmpl_suffix, "-x");
	assert_true(vsym_variant_value_of(&v, "go1.22.0-x", buf, sizeof(buf)));
	assert_string_equal(buf, "1.22.0");
	assert_false(vsym_variant_value_of(&v, "go-x", buf, sizeof(buf)));       /* no value */
	assert_false(vsym_variant_value_of(&v, "go1.22-y", buf, sizeof(buf)));   /* other suffix */
	assert_false(vsym_variant_value_of(&v, "node1-x", buf, sizeof(buf)));    /* other prefix */
	assert_false(vsym_variant_value_of(&v, "go..-x", buf, sizeof(buf)));     /* not a value */
	assert_false(vsym_variant_value_of(&v, "go a-x", buf, sizeof(buf)));
	assert_false(vsym_variant_value_of(&v, "go123456789012345678-x", buf, sizeof(buf))); /* too long for buf */
	assert_int_equal(vsym_variant_parse_template(&t), 0);
	assert_string_equal(t.tmpl_dir, "/");
	assert_string_equal(t.tmpl_prefix, "go-");
	assert_string_equal(t.tmpl_suffix, "");
	assert_true(vsym_variant_value_of(&t, "go-1", buf, sizeof(buf)));
	assert_string_equal(buf, "1");
	free(v.tmpl_dir);
	free(v.tmpl_prefix);
	free(v.tmpl_suffix);
	free(t.tmpl_dir);
	free(t.tmpl_prefix);
	free(t.tmpl_suffix);
	source[8] = '_'; /* "${go}" gone: no template */
	v = (struct vsym_variant){ .name = name, .source = source };
	assert_int_equal(vsym_variant_parse_template(&v), -1);
}

static void test_variant_source_from_config(void **state)
{
	struct test_user alice;
	struct vsym_policy p;
	struct vsym_variant *v;
	char *s;

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user,
		    "variants: { go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; }; };\n");
	assert_null(vsym_policy_variant(&p, "node"));
	assert_null(vsym_policy_variant(&p, "g"));
	v = vsym_policy_variant(&p, "go");
	assert_non_null(v);
	s = vsym_variant_source(v, "1.21.5");
	assert_string_equal(s, "/home/alice/.gos/go1.21.5");
	free(s);
	vsym_policy_free(&p);
}

static const char *const defaults_system =
	"version = 1;\n"
	"variants: {\n"
	"  go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; default = \"1.22.0\"; };\n"
	"  node = { target = \"~/node\"; source = \"/opt/node/${node}\"; default = \"18\"; readonly = true; };\n"
	"  ruby = { target = \"~/ruby\"; source = \"/opt/ruby/${ruby}\"; };\n"
	"};\n"
	"binds = (\n"
	"  { source = \"/opt/go/1.21\"; target = \"~/gos\"; optional = true; },\n"
	"  { source = \"/srv/data\"; target = \"~/data\"; readonly = true; optional = true; },\n"
	"  { source = \"/srv/tools\"; target = \"~/tools\"; }\n"
	");\n";

static const char *const defaults_user =
	"binds = (\n"
	"  { source = \"~/.gos/mine\"; target = \"~/gos\"; },\n"
	"  { source = \"/srv/node-old\"; target = \"~/node\"; },\n"
	"  { source = \"~/mydata\"; target = \"~/data\"; }\n"
	");\n"
	"variants: {\n"
	"  node = \"20\";\n"
	"  ruby = \"3.2\";\n"
	"  py = { target = \"~/py\"; source = \"~/.pys/${py}\"; default = \"3.12\"; };\n"
	"};\n";

struct want_bind {
	const char *target, *source;
	bool readonly, optional;
	const char *variant;
	enum vsym_origin origin;
	unsigned line;
};

static void expect_binds(const struct vsym_bind_list *list, const struct want_bind *want, size_t n)
{
	assert_int_equal(list->n, n);
	for (size_t i = 0; i < n; i++) {
		const struct vsym_bind *b = &list->binds[i];

		assert_string_equal(b->target, want[i].target);
		assert_string_equal(b->source, want[i].source);
		assert_int_equal(b->readonly, want[i].readonly);
		assert_int_equal(b->optional, want[i].optional);
		if (want[i].variant == NULL)
			assert_null(b->variant);
		else
			assert_string_equal(b->variant, want[i].variant);
		assert_int_equal(b->origin, want[i].origin);
		assert_int_equal(b->line, want[i].line);
	}
}

static void test_session_defaults_system(void **state)
{
	static const struct want_bind want[] = {
		{ "/home/alice/gos", "/home/alice/.gos/go1.22.0", false, false, "go", VSYM_ORIGIN_SYSTEM, 3 },
		{ "/home/alice/data", "/srv/data", true, true, NULL, VSYM_ORIGIN_SYSTEM, 9 },
		{ "/home/alice/tools", "/srv/tools", false, false, NULL, VSYM_ORIGIN_SYSTEM, 10 },
		{ "/home/alice/node", "/opt/node/18", true, false, "node", VSYM_ORIGIN_SYSTEM, 4 },
	};
	struct test_user alice;
	struct vsym_policy p;
	struct vsym_bind_list list;
	struct vsym_error err = { .text = "" };

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user, defaults_system);
	assert_int_equal(vsym_policy_session_defaults(&p, &list, &err), 0);
	expect_binds(&list, want, 4);
	assert_int_equal(list.dropped, 0);
	vsym_bind_list_free(&list);
	assert_null(list.binds);
	vsym_policy_free(&p);
}

/* System binds, system defaults, user binds, user values: each later one
 * takes the target over, in the place where the target first appeared. */
static void test_session_defaults_order(void **state)
{
	static const struct want_bind want[] = {
		{ "/home/alice/gos", "/home/alice/.gos/mine", false, false, NULL, VSYM_ORIGIN_USER, 2 },
		{ "/home/alice/data", "/home/alice/mydata", false, false, NULL, VSYM_ORIGIN_USER, 4 },
		{ "/home/alice/tools", "/srv/tools", false, false, NULL, VSYM_ORIGIN_SYSTEM, 10 },
		{ "/home/alice/node", "/opt/node/20", true, false, "node", VSYM_ORIGIN_USER, 7 },
		{ "/home/alice/ruby", "/opt/ruby/3.2", false, false, "ruby", VSYM_ORIGIN_USER, 8 },
		{ "/home/alice/py", "/home/alice/.pys/3.12", false, false, "py", VSYM_ORIGIN_USER, 9 },
	};
	struct test_user alice;
	struct vsym_policy p;
	struct vsym_bind_list list;
	struct vsym_error err = { .text = "" };

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user, defaults_system);
	load_user(&p, &alice.user, defaults_user);
	assert_int_equal(vsym_policy_session_defaults(&p, &list, &err), 0);
	expect_binds(&list, want, 6);
	assert_int_equal(list.dropped, 0);
	vsym_bind_list_free(&list);
	vsym_policy_free(&p);
}

/* A system variant default beats a system bind on its target; a user pick
 * beats the system default. */
static void test_session_defaults_variant_over_bind(void **state)
{
	static const struct want_bind want[] = {
		{ "/home/alice/gos", "/home/alice/.gos/go1.21.5", false, false, "go", VSYM_ORIGIN_USER, 1 },
		{ "/home/alice/data", "/srv/data", true, true, NULL, VSYM_ORIGIN_SYSTEM, 9 },
		{ "/home/alice/tools", "/srv/tools", false, false, NULL, VSYM_ORIGIN_SYSTEM, 10 },
		{ "/home/alice/node", "/opt/node/18", true, false, "node", VSYM_ORIGIN_SYSTEM, 4 },
	};
	struct test_user alice;
	struct vsym_policy p;
	struct vsym_bind_list list;
	struct vsym_error err = { .text = "" };

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user, defaults_system);
	load_user(&p, &alice.user, "variants: { go = \"1.21.5\"; };\n");
	assert_int_equal(vsym_policy_session_defaults(&p, &list, &err), 0);
	expect_binds(&list, want, 4);
	vsym_bind_list_free(&list);
	vsym_policy_free(&p);
}

static void expect_truncation(const char *conf, size_t n, size_t dropped, const char *last_target)
{
	struct test_user alice;
	struct vsym_policy p;
	struct vsym_bind_list list;
	struct vsym_error err = { .text = "" };

	test_user_alice(&alice);
	load_system(&p, &alice.user, conf);
	assert_int_equal(vsym_policy_session_defaults(&p, &list, &err), 0);
	assert_int_equal(list.n, n);
	assert_int_equal(list.dropped, dropped);
	if (last_target != NULL)
		assert_string_equal(list.binds[n - 1].target, last_target);
	vsym_bind_list_free(&list);
	vsym_policy_free(&p);
}

#define FOUR_BINDS                                                          \
	"binds = ( { source = \"/s/1\"; target = \"/t/1\"; },\n"            \
	"  { source = \"/s/2\"; target = \"/t/2\"; },\n"                    \
	"  { source = \"/s/3\"; target = \"/t/3\"; },\n"                    \
	"  { source = \"/s/4\"; target = \"/t/4\"; } );\n"

static void test_session_defaults_max_binds(void **state)
{
	(void)state;
	expect_truncation(FOUR_BINDS, 4, 0, "/t/4");
	expect_truncation(FOUR_BINDS "max_binds = 4;\n", 4, 0, "/t/4");
	expect_truncation(FOUR_BINDS "max_binds = 3;\n", 3, 1, "/t/3");
	expect_truncation(FOUR_BINDS "max_binds = 1;\n", 1, 3, "/t/1");
	expect_truncation(FOUR_BINDS "max_binds = 0;\n", 0, 4, NULL);
	/* Binds that replace one another count once. */
	expect_truncation("max_binds = 2;\n"
			  "binds = ( { source = \"/s/1\"; target = \"/t/1\"; },\n"
			  "  { source = \"/s/2\"; target = \"/t/1\"; },\n"
			  "  { source = \"/s/3\"; target = \"/t/3\"; } );\n", 2, 0, "/t/3");
}

static void test_session_defaults_user_binds_count(void **state)
{
	struct test_user alice;
	struct vsym_policy p;
	struct vsym_bind_list list;
	struct vsym_error err = { .text = "" };

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user, "max_binds = 2;\nbinds = ( { source = \"/s/1\"; target = \"/t/1\"; } );\n");
	load_user(&p, &alice.user,
		  "binds = ( { source = \"/s/2\"; target = \"~/t/2\"; }, { source = \"/s/3\"; target = \"~/t/3\"; } );\n");
	assert_int_equal(vsym_policy_session_defaults(&p, &list, &err), 0);
	assert_int_equal(list.n, 2);
	assert_int_equal(list.dropped, 1);
	assert_string_equal(list.binds[0].target, "/t/1");
	assert_string_equal(list.binds[1].target, "/home/alice/t/2");
	vsym_bind_list_free(&list);
	vsym_policy_free(&p);
}

static void test_session_defaults_empty(void **state)
{
	struct test_user alice;
	struct vsym_policy p;
	struct vsym_bind_list list;
	struct vsym_error err = { .text = "" };

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user, "version = 1;\n");
	load_user(&p, &alice.user, "");
	assert_int_equal(vsym_policy_session_defaults(&p, &list, &err), 0);
	assert_int_equal(list.n, 0);
	assert_int_equal(list.dropped, 0);
	vsym_bind_list_free(&list);
	vsym_policy_free(&p);
}

static bool can_apply_text(const struct vsym_user *user, const char *text)
{
	struct vsym_policy p;
	bool can;

	load_system(&p, user, text);
	can = vsym_policy_can_apply(&p, user);
	vsym_policy_free(&p);
	return can;
}

/* Without an allow rule nothing can be bound, whatever else the file
 * says: the module must then leave the login alone. */
static void test_can_apply_needs_a_rule(void **state)
{
	struct test_user alice;
	struct vsym_policy p;

	(void)state;
	test_user_alice(&alice);
	assert_false(can_apply_text(&alice.user, "version = 1;\n"));
	assert_false(can_apply_text(&alice.user,
		"version = 1;\n"
		"variants: { go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; default = \"1.22\"; }; };\n"
		"binds = ( { source = \"/opt/go/1.22\"; target = \"~/gos\"; } );\n"));
	/* The user's file adds binds and variants, never a rule. */
	load_system(&p, &alice.user, "version = 1;\n");
	load_user(&p, &alice.user,
		  "variants: { mine = { target = \"~/x\"; source = \"~/.x/${mine}\"; default = \"1\"; }; };\n"
		  "binds = ( { source = \"~/a\"; target = \"~/b\"; } );\n");
	assert_true(p.nbinds > 0 && p.nvariants > 0);
	assert_false(vsym_policy_can_apply(&p, &alice.user));
	vsym_policy_free(&p);
}

/* The rule of the configuration, whatever its target names. */
static void test_can_apply_any_rule(void **state)
{
	struct test_user alice, bob;

	(void)state;
	test_user_alice(&alice);
	test_user_alice(&bob);
	strcpy(bob.name, "bob");
	strcpy(bob.home, "/srv/bob");
	assert_true(can_apply_text(&alice.user,
		"version = 1;\nallow = ( { target = \"~/gos\"; source = \"~/.gos/*\"; } );\n"));
	/* A system target, and a pattern written without ~, count for
	 * every user: ownership on disk decides, later. */
	assert_true(can_apply_text(&bob.user,
		"version = 1;\nallow = ( { target = \"/usr/lib/jvm/vsym-jdk\"; source = \"/usr/lib/jvm/*\"; } );\n"));
	assert_true(can_apply_text(&bob.user,
		"version = 1;\nallow = ( { target = \"/home/*/gos\"; source = \"/opt/go/*\"; } );\n"));
}

/* A rule is not enough for a user the module does not act for. */
static void test_can_apply_acted_for_only(void **state)
{
	struct test_user alice;
	const char *rule = "allow = ( { target = \"~/gos\"; source = \"~/.gos/*\"; } );\n";
	char text[512];

	(void)state;
	test_user_alice(&alice);
	snprintf(text, sizeof(text), "version = 1;\nusers: { exclude = [ \"alice\" ]; };\n%s", rule);
	assert_false(can_apply_text(&alice.user, text));
	snprintf(text, sizeof(text), "version = 1;\nusers: { groups = [ \"wheel\" ]; };\n%s", rule);
	assert_false(can_apply_text(&alice.user, text));
	snprintf(text, sizeof(text), "version = 1;\nusers: { groups = [ \"staff\" ]; };\n%s", rule);
	assert_true(can_apply_text(&alice.user, text));
}

/* The policy an installed vsym ships with gives nobody anything. */
static void test_can_apply_shipped_policy(void **state)
{
	struct test_user alice;
	const char *srcdir = getenv("VSYM_SRCDIR");
	char path[4096], text[65536];
	size_t n;
	FILE *f;

	(void)state;
	test_user_alice(&alice);
	if (srcdir == NULL)
		fail_msg("VSYM_SRCDIR is not set (make check sets it)");
	snprintf(path, sizeof(path), "%s/etc/vsym.conf", srcdir);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_false(can_apply_text(&alice.user, text));
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

static void test_variant_resolve(void **state)
{
	struct test_user alice;
	struct vsym_policy p;
	char c1[] = "20.9.0", c2[] = "20.11.1", c3[] = "2.1", c4[] = "1.22", c5[] = "java-17-openjdk-amd64";
	char *values[] = { c1, c2, c3, c4, c5 };
	struct vsym_choices choices = some_choices(values, NULL, 5), two = some_choices(values, NULL, 2);
	const struct vsym_variant *v;

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user,
		    "variants: { node = { target = \"~/n\"; source = \"~/.n/${node}\";\n"
		    "  aliases = { lts = \"20\"; \"17\" = \"java-17-openjdk-amd64\"; \"2.1\" = \"20.9.0\"; gone = \"9\"; }; }; };\n");
	v = vsym_policy_variant(&p, "node");
	assert_non_null(v);
	assert_int_equal(v->naliases, 4);
	/* an exact choice, then the highest in version order, never 2 of 20.x */
	assert_string_equal(resolve(v, "20.9.0", &choices), "20.9.0");
	assert_string_equal(resolve(v, "20", &choices), "20.11.1");
	assert_string_equal(resolve(v, "2", &choices), "2.1");
	assert_string_equal(resolve(v, "1", &choices), "1.22");
	assert_null(resolve(v, "20.1", &choices));
	assert_null(resolve(v, "3", &choices));
	assert_null(resolve(v, "2", &two));
	/* aliases come first, and are resolved among the choices themselves */
	assert_string_equal(resolve(v, "lts", &choices), "20.11.1");
	assert_string_equal(resolve(v, "17", &choices), "java-17-openjdk-amd64");
	assert_string_equal(resolve(v, "2.1", &choices), "20.9.0");
	assert_null(resolve(v, "gone", &choices));
	/* exact mode (the default): 20.9.5 is no 20.9.x that exists */
	assert_int_equal(v->match, VSYM_MATCH_EXACT);
	assert_null(resolve(v, "20.9.5", &choices));
	vsym_policy_free(&p);
}

/* Debian's trees: go-1.19 holds 1.19.8, go-1.21 1.21.13, go-1.22 1.22.12
 * (version_from). */
static void test_variant_resolve_versions(void **state)
{
	struct test_user alice;
	struct vsym_policy p;
	char v1[] = "1.19", v2[] = "1.21", v3[] = "1.22", r1[] = "1.19.8", r2[] = "1.21.13", r3[] = "1.22.12";
	char *values[] = { v1, v2, v3 }, *versions[] = { r1, r2, r3 };
	struct vsym_choices c = some_choices(values, versions, 3), bare = some_choices(values, NULL, 3);
	struct vsym_variant *v;
	enum vsym_picked how;

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user,
		    "variants: { go = { target = \"~/g\"; source = \"/usr/lib/go-${go}\"; match = \"newer-patch\"; }; };\n");
	v = vsym_policy_variant(&p, "go");
	assert_int_equal(v->match, VSYM_MATCH_NEWER_PATCH);
	/* the directory's value, then the real version, exactly */
	assert_string_equal(vsym_variant_resolve(v, "1.21", &c, &how), "1.21");
	assert_int_equal(how, VSYM_PICKED_EXACT);
	assert_string_equal(vsym_variant_resolve(v, "1.21.13", &c, &how), "1.21");
	assert_int_equal(how, VSYM_PICKED_VERSION);
	assert_string_equal(vsym_variant_resolve(v, "v1.19.8", &c, &how), "1.19");
	assert_int_equal(how, VSYM_PICKED_VERSION);
	/* a prefix goes by the highest real version */
	assert_string_equal(vsym_variant_resolve(v, "1", &c, &how), "1.22");
	assert_int_equal(how, VSYM_PICKED_PREFIX);
	/* newer-patch: the same X.Y, at least X.Y.Z */
	assert_string_equal(vsym_variant_resolve(v, "1.21.5", &c, &how), "1.21");
	assert_int_equal(how, VSYM_PICKED_NEWER_PATCH);
	assert_string_equal(resolve(v, "1.22.1", &c), "1.22");
	assert_string_equal(resolve(v, "1.21.13", &c), "1.21");
	assert_null(vsym_variant_resolve(v, "1.21.14", &c, &how));
	assert_int_equal(how, VSYM_PICKED_NONE);
	assert_null(resolve(v, "1.20.3", &c));
	assert_null(resolve(v, "1.19.9", &c));
	/* never across X.Y, and X.Y.Z only: 1.2 is no minor of 1.21 */
	assert_null(resolve(v, "1.2.5", &c));
	assert_null(resolve(v, "1.21.5-rc1", &c));
	/* without real versions, 1.21 is not known to be at least 1.21.5 */
	assert_null(resolve(v, "1.21.5", &bare));
	/* exact mode: newer patches are not taken */
	v->match = VSYM_MATCH_EXACT;
	assert_null(resolve(v, "1.21.5", &c));
	assert_string_equal(resolve(v, "1.21.13", &c), "1.21");
	vsym_policy_free(&p);
}

/* newer-patch takes the highest patch of X.Y, from directory values too. */
static void test_variant_resolve_newer_patch_highest(void **state)
{
	struct test_user alice;
	struct vsym_policy p;
	char a[] = "20.9.0", b[] = "20.9.7", d[] = "20.9.3", e[] = "20.11.1";
	char *values[] = { a, b, d, e };
	struct vsym_choices c = some_choices(values, NULL, 4);
	const struct vsym_variant *v;

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user,
		    "variants: { node = { target = \"~/n\"; source = \"~/.n/${node}\"; match = \"newer-patch\"; }; };\n");
	v = vsym_policy_variant(&p, "node");
	assert_string_equal(resolve(v, "20.9.1", &c), "20.9.7");
	assert_string_equal(resolve(v, "20.9.3", &c), "20.9.3");
	assert_null(resolve(v, "20.9.8", &c));
	assert_null(resolve(v, "20.10.0", &c));
	vsym_policy_free(&p);
}

/* go.mod's "go 1.20": the lowest choice at least it, by real version. */
static void test_variant_resolve_minimum(void **state)
{
	char v1[] = "1.19", v2[] = "1.21", v3[] = "1.22", v4[] = "tip", r1[] = "1.19.8", r2[] = "1.21.13", r3[] = "1.22.12";
	char *values[] = { v1, v2, v3, v4 }, *versions[] = { r1, r2, r3, NULL };
	struct vsym_choices c = some_choices(values, versions, 4), bare = some_choices(values, NULL, 4);

	(void)state;
	assert_string_equal(vsym_variant_resolve_minimum("1.20", &c), "1.21");
	assert_string_equal(vsym_variant_resolve_minimum("1.21.5", &c), "1.21");
	assert_string_equal(vsym_variant_resolve_minimum("1.21.14", &c), "1.22");
	assert_string_equal(vsym_variant_resolve_minimum("1.19", &c), "1.19");
	assert_string_equal(vsym_variant_resolve_minimum("1.21.13", &c), "1.21"); /* at least: equal counts */
	assert_string_equal(vsym_variant_resolve_minimum("1", &c), "1.19");
	assert_null(vsym_variant_resolve_minimum("1.23", &c));
	/* by directory value when there is no real version: 1.21 < 1.21.5 */
	assert_string_equal(vsym_variant_resolve_minimum("1.21.5", &bare), "1.22");
	assert_string_equal(vsym_choices_version_of(&c, "1.21"), "1.21.13");
	assert_null(vsym_choices_version_of(&c, "tip"));
	assert_null(vsym_choices_version_of(&bare, "1.21"));
}

/* asdf's fallback list: the first value that resolves wins, by the
 * rules above; those before it are counted as skipped. */
static void test_variant_resolve_first(void **state)
{
	struct test_user alice;
	struct vsym_policy p;
	char v1[] = "1.19", v2[] = "1.21", v3[] = "1.22", r1[] = "1.19.8", r2[] = "1.21.13", r3[] = "1.22.12";
	char *values[] = { v1, v2, v3 }, *versions[] = { r1, r2, r3 };
	struct vsym_choices c = some_choices(values, versions, 3);
	char a[] = "1.20.3", b[] = "1.21", d[] = "1.21.5", e[] = "1.22", f[] = "1.30", g[] = "1.19", h[] = "1.31";
	char *fallback[] = { a, b }, *first_fits[] = { d, e }, *bad_first[] = { f, g }, *none[] = { f, h };
	char *minimums[] = { h, a };
	const struct vsym_variant *v;
	enum vsym_picked how;
	size_t skipped;

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user,
		    "variants: { go = { target = \"~/g\"; source = \"/usr/lib/go-${go}\"; match = \"newer-patch\"; }; };\n");
	v = vsym_policy_variant(&p, "go");
	assert_string_equal(vsym_variant_resolve_first(v, fallback, 2, false, &c, &skipped, &how), "1.21");
	assert_int_equal(skipped, 1);
	assert_int_equal(how, VSYM_PICKED_EXACT);
	/* the first that fits wins, even when a later one would fit exactly */
	assert_string_equal(vsym_variant_resolve_first(v, first_fits, 2, false, &c, &skipped, &how), "1.21");
	assert_int_equal(skipped, 0);
	assert_int_equal(how, VSYM_PICKED_NEWER_PATCH);
	assert_string_equal(vsym_variant_resolve_first(v, bad_first, 2, false, &c, &skipped, &how), "1.19");
	assert_int_equal(skipped, 1);
	assert_null(vsym_variant_resolve_first(v, none, 2, false, &c, &skipped, &how));
	assert_int_equal(skipped, 2);
	assert_null(vsym_variant_resolve_first(v, none, 0, false, &c, &skipped, &how));
	assert_int_equal(skipped, 0);
	/* go.mod's minimum: 1.31 is above every choice, 1.20.3 picks 1.21 */
	assert_string_equal(vsym_variant_resolve_first(v, minimums, 2, true, &c, &skipped, &how), "1.21");
	assert_int_equal(skipped, 1);
	assert_int_equal(how, VSYM_PICKED_MINIMUM);
	vsym_policy_free(&p);
}

/* Debian's java-1.17.0-openjdk-amd64 -> java-17-openjdk-amd64: one choice. */
static void test_variant_resolve_link(void **state)
{
	struct test_user alice;
	struct vsym_policy p;
	char j17[] = "java-17-openjdk-amd64", link[] = "java-1.17.0-openjdk-amd64";
	char *values[] = { j17 }, *names[] = { link }, *targets[] = { j17 };
	struct vsym_choices c = { .values = values, .n = 1, .link_names = names, .link_values = targets, .nlinks = 1 };
	const struct vsym_variant *v;
	enum vsym_picked how;

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user, "variants: { jdk = { target = \"~/j\"; source = \"~/.j/${jdk}\"; }; };\n");
	v = vsym_policy_variant(&p, "jdk");
	assert_string_equal(vsym_variant_resolve(v, "java-1.17.0-openjdk-amd64", &c, &how), "java-17-openjdk-amd64");
	assert_int_equal(how, VSYM_PICKED_EXACT);
	assert_string_equal(resolve(v, "java-17", &c), "java-17-openjdk-amd64");
	vsym_policy_free(&p);
}

/* version_from's pattern: the first group of the first match, a valid value. */
static void test_variant_version_in(void **state)
{
	struct test_user alice;
	struct vsym_policy p;
	const struct vsym_variant *v, *plain;
	char buf[32];

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user,
		    "variants: { go = { target = \"~/g\"; source = \"/usr/lib/go-${go}\";\n"
		    "  version_from = { file = \"VERSION\"; pattern = \"go([0-9][0-9.]*)\"; }; };\n"
		    "  any = { target = \"~/a\"; source = \"~/.a/${any}\"; version_from = { file = \"v\"; pattern = \"^(.*)$\"; }; };\n"
		    "  node = { target = \"~/n\"; source = \"~/.n/${node}\"; }; };\n");
	v = vsym_policy_variant(&p, "go");
	assert_true(vsym_variant_version_in(v, "go1.21.13\ntime 2024-07-30T19:01:50Z\n", buf, sizeof(buf)));
	assert_string_equal(buf, "1.21.13");
	assert_true(vsym_variant_version_in(v, "devel go1.23.0 and go1.24\n", buf, sizeof(buf)));
	assert_string_equal(buf, "1.23.0");
	assert_false(vsym_variant_version_in(v, "1.21.13\n", buf, sizeof(buf)));
	assert_false(vsym_variant_version_in(v, "go1.21.13.1.2.3.4.5.6.7.8.9.10.11.12", buf, 8));
	/* a match that is no valid value (a space, a slash) gives none */
	v = vsym_policy_variant(&p, "any");
	assert_false(vsym_variant_version_in(v, "1 2", buf, sizeof(buf)));
	assert_false(vsym_variant_version_in(v, "../..", buf, sizeof(buf)));
	assert_true(vsym_variant_version_in(v, "17.0.9", buf, sizeof(buf)));
	plain = vsym_policy_variant(&p, "node");
	assert_false(vsym_variant_version_in(plain, "go1.2", buf, sizeof(buf)));
	assert_string_equal(vsym_picked_words(VSYM_PICKED_NEWER_PATCH), "newer patch");
	vsym_policy_free(&p);
}

static const char systarget_conf[] =
	"version = 1;\n"
	"allow = (\n"
	"  { target = \"/usr/lib/go-vsym\"; source = \"/usr/lib/go-*\"; },\n"
	"  { target = \"/usr/lib/*\"; source = \"/usr/lib/**\"; },\n"
	"  { target = [ \"/opt/$USER\", \"/opt/alice\" ]; source = \"/opt/**\"; },\n"
	"  { target = \"~/gos\"; source = \"/usr/lib/go-*\"; }\n"
	");\n";

static void test_system_target_literal_only(void **state)
{
	struct test_user alice;
	struct vsym_policy p;
	struct vsym_verdict v;

	(void)state;
	test_user_alice(&alice);
	load_system(&p, &alice.user, systarget_conf);
	/* named literally: allowed, always read-only, marked as a system target */
	vsym_policy_decide(&p, "/usr/lib/go-vsym", "/usr/lib/go-1.22", &v);
	assert_true(v.allowed);
	assert_true(v.readonly);
	assert_true(v.system_target);
	assert_ptr_equal(v.rule, &p.rules[0]);
	/* a wildcard rule never names a system target */
	expect_refused(&p, "/usr/lib/jvm", "/usr/lib/go-1.22",
		       "/usr/lib/jvm is outside your home: a system target must be named literally (no *, ~ or $) by an allow rule in " SYS);
	/* nor does a "~" or "$USER" one, even when it expands to the same path */
	vsym_policy_decide(&p, "/opt/alice", "/opt/x", &v);
	assert_true(v.allowed);
	assert_ptr_equal(v.rule, &p.rules[2]);
	assert_false(p.rules[2].literal[0]);
	assert_true(p.rules[2].literal[1]);
	/* home targets are judged as before, not read-only by force */
	vsym_policy_decide(&p, "/home/alice/gos", "/usr/lib/go-1.22", &v);
	assert_true(v.allowed);
	assert_false(v.readonly);
	assert_false(v.system_target);
	vsym_policy_free(&p);
}

static void test_path_within(void **state)
{
	(void)state;
	assert_true(vsym_path_within("/home/alice", "/home/alice"));
	assert_true(vsym_path_within("/home/alice", "/home/alice/gos"));
	assert_false(vsym_path_within("/home/alice", "/home/alice2/gos"));
	assert_false(vsym_path_within("/home/alice", "/home"));
	assert_true(vsym_path_within("/", "/usr"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_star_stays_in_component),
		cmocka_unit_test(test_globstar_middle),
		cmocka_unit_test(test_globstar_final),
		cmocka_unit_test(test_globstar_many),
		cmocka_unit_test(test_slashes),
		cmocka_unit_test(test_dots_never_match),
		cmocka_unit_test(test_relative_never_match),
		cmocka_unit_test(test_pathological_patterns),
		cmocka_unit_test(test_applies_to_exclude),
		cmocka_unit_test(test_applies_to_groups),
		cmocka_unit_test(test_applies_to_unnamed_groups),
		cmocka_unit_test(test_decide_first_rule_wins),
		cmocka_unit_test(test_decide_refusals),
		cmocka_unit_test(test_variant_resolve),
		cmocka_unit_test(test_variant_resolve_versions),
		cmocka_unit_test(test_variant_resolve_newer_patch_highest),
		cmocka_unit_test(test_variant_resolve_minimum),
		cmocka_unit_test(test_variant_resolve_first),
		cmocka_unit_test(test_variant_resolve_link),
		cmocka_unit_test(test_variant_version_in),
		cmocka_unit_test(test_system_target_literal_only),
		cmocka_unit_test(test_path_within),
		cmocka_unit_test(test_variant_source),
		cmocka_unit_test(test_variant_template),
		cmocka_unit_test(test_variant_source_from_config),
		cmocka_unit_test(test_session_defaults_system),
		cmocka_unit_test(test_session_defaults_order),
		cmocka_unit_test(test_session_defaults_variant_over_bind),
		cmocka_unit_test(test_session_defaults_max_binds),
		cmocka_unit_test(test_session_defaults_user_binds_count),
		cmocka_unit_test(test_session_defaults_empty),
		cmocka_unit_test(test_can_apply_needs_a_rule),
		cmocka_unit_test(test_can_apply_any_rule),
		cmocka_unit_test(test_can_apply_acted_for_only),
		cmocka_unit_test(test_can_apply_shipped_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
