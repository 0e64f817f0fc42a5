#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "testutil.h"

#include "cfg.h"

#define SYS "/etc/vsym.conf"

static int load_system_len(struct vsym_policy *p, const char *text, size_t len, struct vsym_error *err)
{
	struct test_user alice;

	test_user_alice(&alice);
	memset(p, 0, sizeof(*p));
	return vsym_cfg_load_system(p, SYS, text, len, &alice.user, err);
}

static void expect_system(struct vsym_policy *p, const char *text)
{
	struct vsym_error err = { .text = "" };

	if (load_system_len(p, text, strlen(text), &err) < 0)
		fail_msg("refused: %s\n--- text:\n%s", err.text, text);
}

/* The line in err is the one its message names after "label:", 0 when
 * the message names none: the module logs err->line without parsing. */
static void expect_line(const struct vsym_error *err, const char *label, const char *msg)
{
	size_t n = strlen(label);
	unsigned want = 0;

	if (strncmp(msg, label, n) == 0 && msg[n] == ':')
		want = (unsigned)strtoul(msg + n + 1, NULL, 10);
	if (err->line != want)
		fail_msg("line %u, wanted %u, for \"%s\"", err->line, want, msg);
}

static void expect_system_error_len(const char *text, size_t len, const char *msg)
{
	struct vsym_policy p;
	struct vsym_error err = { .text = "" };

	if (load_system_len(&p, text, len, &err) == 0)
		fail_msg("accepted, wanted \"%s\"\n--- text:\n%s", msg, text);
	if (strcmp(err.text, msg) != 0)
		fail_msg("got    \"%s\"\nwanted \"%s\"\n--- text:\n%s", err.text, msg, text);
	expect_line(&err, SYS, msg);
	vsym_policy_free(&p);
}

static void expect_system_error(const char *text, const char *msg)
{
	expect_system_error_len(text, strlen(text), msg);
}

struct error_case {
	const char *text;
	const char *msg;
};

#define run_system_errors(cases) \
	for (size_t i_ = 0; i_ < sizeof(cases) / sizeof(cases[0]); i_++) \
		expect_system_error(cases[i_].text, cases[i_].msg)

#define NOT_ABS(w) "'" w "' is not an absolute path; start it with /, ~/ or $HOME"

#define TILDE_USER(w) "'" w "': '~user' is not supported; write ~/ for your own home or an absolute path"

#define DOTS(w) "'" w "' has a '.' or '..' component; write the path without it"

#define GLOBSTAR(w) "'" w "': '**' must be a whole path component, as in /opt/**/bin"

#define ONE_PATH(w) "'" w "': a bind names one path; patterns belong in allow rules"

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
