#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "testutil.h"
#include "testcfg.h"

#include "cfg.h"

#define GLOBSTAR(w) "'" w "': '**' must be a whole path component, as in /opt/**/bin"

static void test_expansion(void **state)
{
	struct vsym_policy p;

	(void)state;
	expect_system(&p, "allow = ( { target = \"/srv/$USER/**\"; source = \"${HOME}/x/*\"; } );\n"
			  "binds = ( { source = \"/a/$$b//\"; target = \"~\"; } );\n"
			  "variants: { v = { target = \"/t/$USER\"; source = \"/s/${v}/$USER\"; }; };\n");
	assert_string_equal(p.rules[0].targets[0], "/srv/alice/**");
	assert_string_equal(p.rules[0].sources[0], "/home/alice/x/*");
	assert_string_equal(p.binds[0].source, "/a/$b");
	assert_string_equal(p.binds[0].target, "/home/alice");
	assert_string_equal(p.variants[0].target, "/t/alice");
	assert_string_equal(p.variants[0].source, "/s/${v}/alice");
	assert_null(p.variants[0].value);
	vsym_policy_free(&p);
}

static void test_path_errors(void **state)
{
	static const struct error_case cases[] = {
		{ "allow = ( { target = \"gos\"; source = \"/b\"; } );\n", SYS ":1: " NOT_ABS("gos") },
		{ "allow = ( { target = \"/a\";\n  source = [ \"/b\", \"\" ]; } );\n", SYS ":2: " NOT_ABS("") },
		{ "binds = ( { target = \"/a\"; source = \"opt/go\"; } );\n", SYS ":1: " NOT_ABS("opt/go") },
		{ "binds = ( { target = \"$USER/a\"; source = \"/b\"; } );\n", SYS ":1: " NOT_ABS("$USER/a") },
		{ "variants: { go = { target = \"gos\"; source = \"/g/${go}\"; }; };\n", SYS ":1: " NOT_ABS("gos") },
		{ "variants: { go = { target = \"/g\"; source = \"go${go}\"; }; };\n", SYS ":1: " NOT_ABS("go${go}") },
		{ "allow = ( { target = \"~bob/gos\"; source = \"/b\"; } );\n", SYS ":1: " TILDE_USER("~bob/gos") },
		{ "binds = ( { target = \"/a\"; source = \"~root\"; } );\n", SYS ":1: " TILDE_USER("~root") },
		{ "allow = ( { target = \"/srv/$PATH\"; source = \"/b\"; } );\n",
		  SYS ":1: '/srv/$PATH': unknown variable 'PATH'; only $USER, $HOME are known here" },
		{ "binds = ( { target = \"/a\"; source = \"/b/${go}\"; } );\n",
		  SYS ":1: '/b/${go}': unknown variable 'go'; only $USER, $HOME are known here" },
		{ "variants: { go = { target = \"/g\"; source = \"/g/${node}\"; }; };\n",
		  SYS ":1: '/g/${node}': unknown variable 'node'; only $USER, $HOME and ${go} are known here" },
		{ "variants: { go = { target = \"/g/${go}\"; source = \"/g/${go}\"; }; };\n",
		  SYS ":1: '/g/${go}': unknown variable 'go'; only $USER, $HOME are known here" },
		{ "allow = ( { target = \"~/../bob\"; source = \"/b\"; } );\n", SYS ":1: " DOTS("/home/alice/../bob") },
		{ "allow = ( { target = \"/a\"; source = \"/b/./**\"; } );\n", SYS ":1: " DOTS("/b/./**") },
		{ "binds = ( { target = \"/a/..\"; source = \"/b\"; } );\n", SYS ":1: " DOTS("/a/..") },
		{ "variants: { go = { target = \"/g\"; source = \"/g/../${go}\"; }; };\n", SYS ":1: " DOTS("/g/../${go}") },
	};

	(void)state;
	run_system_errors(cases);
}

static void test_pattern_errors(void **state)
{
	static const struct error_case cases[] = {
		{ "allow = ( { target = \"/opt/**x\"; source = \"/b\"; } );\n", SYS ":1: " GLOBSTAR("/opt/**x") },
		{ "allow = ( { target = \"/a\"; source = \"/opt/x**/y\"; } );\n", SYS ":1: " GLOBSTAR("/opt/x**/y") },
		{ "allow = ( { target = \"~/***\"; source = \"/b\"; } );\n", SYS ":1: " GLOBSTAR("/home/alice/***") },
		{ "allow = ( { target = \"/a\"; source = [ \"/b/**\", \"/c/**d/**\" ]; } );\n",
		  SYS ":1: " GLOBSTAR("/c/**d/**") },
		{ "binds = ( { target = \"~/gos*\"; source = \"/b\"; } );\n", SYS ":1: " ONE_PATH("~/gos*") },
		{ "binds = ( { target = \"/a\"; source = \"/opt/go/**\"; } );\n", SYS ":1: " ONE_PATH("/opt/go/**") },
		{ "variants: { go = { target = \"~/g*\"; source = \"/g/${go}\"; }; };\n", SYS ":1: " ONE_PATH("~/g*") },
		{ "variants: { go = { target = \"/g\"; source = \"/g/*${go}\"; }; };\n", SYS ":1: " ONE_PATH("/g/*${go}") },
		{ "variants: {\n  go = { target = \"/g\"; source = \"~/.gos/go\"; };\n};\n",
		  SYS ":2: source of variant 'go' must use ${go}, as in \"~/.gos/${go}\"" },
		{ "variants: { go = { target = \"/g\"; source = \"/g/${go\"; }; };\n",
		  SYS ":1: '/g/${go': malformed variable reference; write $USER, $HOME, ${NAME} or $$ for a '$'" },
		/* a newline in a logged path could forge a log line */
		{ "binds = ( { target = \"/a\\nsshd[1]: Accepted\"; source = \"/b\"; } );\n",
		  SYS ":1: a path holds a control character; write it without one" },
		{ "allow = ( { target = \"/a\"; source = \"/b\\tc\"; } );\n",
		  SYS ":1: a path holds a control character; write it without one" },
	};
	struct vsym_policy p;

	(void)state;
	run_system_errors(cases);
	expect_system(&p, "allow = ( { target = \"/**\"; source = [ \"/a/**/b\", \"/**/*x*\" ]; } );\n");
	vsym_policy_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expansion),
		cmocka_unit_test(test_path_errors),
		cmocka_unit_test(test_pattern_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
