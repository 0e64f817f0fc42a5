/* cfg.c: what a system file refuses, with a message naming the file,
 * the line and what to write instead; @include is refused without
 * opening the file it names. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include "testutil.h"
#include "testcfg.h"

#include "cfg.h"

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
	test_remove_tmp_dir(fx->dir);
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
	if (test_tmp_dir(fx->dir, sizeof(fx->dir), "vsym-test-cfg") < 0)
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types_top),
		cmocka_unit_test(test_max_binds_range),
		cmocka_unit_test(test_wrong_types_users),
		cmocka_unit_test(test_wrong_types_rule),
		cmocka_unit_test(test_wrong_types_bind),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test_setup_teardown(test_include_refused, include_setup, include_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
