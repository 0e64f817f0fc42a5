/* operands.c: vsym-rebind's operands as binds, pure but for the pick among
 * a variant's choices (real directories in a throwaway namespace, as a
 * made-up alice, uid 1000); the problems each name the operand at fault;
 * the operands -p makes of project picks and the command line. */
#include "config.h"

#include <stdio.h>

#include "testutil.h"
#include "testns.h"

#include "cfg.h"
#include "operands.h"
#include "project.h"
#include "projectfile.h"

static const char system_conf[] =
	"variants: {\n"
	"  go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; version_file = \".go-version\"; };\n"
	"  node = { target = \"~/node\"; source = \"~/.nodes/${node}\"; readonly = true; create = true; };\n"
	"  ruby = { target = \"~/ruby\"; source = \"~/.rubies/${ruby}\"; };\n"
	"};\n";

enum { GO, NODE, RUBY };

struct fixture {
	struct test_user alice;
	char home[128];
	struct vsym_policy policy;
	struct vsym_operand_binds asked;
	struct vsym_project proj;
	struct vsym_project_operands ops;
	struct vsym_error err;
	char **argv;              /* the operands as the tool has them */
	size_t argc;
};

/* As root, alice's home is a real directory with go 1.21.5 and 1.22.10;
 * otherwise /home/alice, which the pure tests never look at. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	test_user_alice(&f->alice);
	if (geteuid() == 0) {
		if (test_alice_at_home(&f->alice, f->home, sizeof(f->home), "operands") < 0)
			return -1;
		make_dir(test_path(f->home, ".gos"), 1000, 1000, 0755);
		make_dir(test_path(f->home, ".gos/go1.21.5"), 1000, 1000, 0755);
		make_dir(test_path(f->home, ".gos/go1.22.10"), 1000, 1000, 0755);
	}
	test_load_policy(&f->policy, system_conf, &f->alice.user);
	return 0;
}

static void free_argv(struct fixture *f)
{
	for (size_t i = 0; i < f->argc; i++)
		free(f->argv[i]);
	free(f->argv);
	f->argv = NULL;
	f->argc = 0;
}

/* words (NULL-terminated) as writable strings, as argv's are. */
static char **argv_of(struct fixture *f, const char **words)
{
	free_argv(f);
	while (words[f->argc] != NULL)
		f->argc++;
	f->argv = calloc(f->argc + 1, sizeof(char *));
	assert_non_null(f->argv);
	for (size_t i = 0; i < f->argc; i++) {
		f->argv[i] = strdup(words[i]);
		assert_non_null(f->argv[i]);
	}
	return f->argv;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free_argv(f);
	vsym_operand_binds_free(&f->asked);
	vsym_project_operands_free(&f->ops);
	vsym_project_free(&f->proj);
	vsym_policy_free(&f->policy);
	free(f);
	return 0;
}

/* Turns words (NULL-terminated) into binds; returns the problem, and the
 * index of the operand at fault in *bad. */
static enum vsym_operand_problem to_binds(struct fixture *f, const char **words, bool readonly, size_t *bad)
{
	char **argv = argv_of(f, words);

	vsym_operand_binds_free(&f->asked);
	return vsym_operands_to_binds(&f->policy, &f->alice.user, "/work/dir", argv, f->argc, readonly, &f->asked,
				      bad);
}

static void test_is_assignment(void **state)
{
	char long_name[100];

	(void)state;
	assert_true(vsym_operand_is_assignment("go=1.22"));
	assert_true(vsym_operand_is_assignment("go="));
	assert_true(vsym_operand_is_assignment("_x1=a=b"));
	/* a path is never one, nor a word without a valid name */
	assert_false(vsym_operand_is_assignment("go"));
	assert_false(vsym_operand_is_assignment("=1.22"));
	assert_false(vsym_operand_is_assignment("./go=1.22"));
	assert_false(vsym_operand_is_assignment("/opt/a=b"));
	assert_false(vsym_operand_is_assignment("1go=1"));
	assert_false(vsym_operand_is_assignment("go-x=1"));
	memset(long_name, 'a', 90);
	strcpy(long_name + 90, "=1");
	assert_false(vsym_operand_is_assignment(long_name));
}

static void test_path_spelling(void **state)
{
	char *p;

	(void)state;
	p = vsym_operand_path("/work/dir", "src/../x");
	assert_string_equal(p, "/work/dir/src/../x"); /* spelled only: resolved later, as the user */
	free(p);
	p = vsym_operand_path("/work/dir", "/opt/x");
	assert_string_equal(p, "/opt/x");
	free(p);
}

/* NAME=VALUE takes the variant's template, target and options; SRC DST the
 * two paths; in the order given, -o ro on every one. */
static void test_binds_in_order(void **state)
{
	struct fixture *f = *state;
	const char *words[] = { "go=1.22", "src", "/dst", "node=20", NULL };
	size_t bad = 99;

	assert_int_equal(to_binds(f, words, false, &bad), VSYM_OPERAND_OK);
	assert_int_equal(f->asked.list.n, 3);
	assert_string_equal(f->asked.list.binds[0].target, test_path(f->home, "gos"));
	assert_string_equal(f->asked.list.binds[0].variant, "go");
	assert_false(f->asked.list.binds[0].readonly);
	assert_string_equal(f->asked.list.binds[1].source, "/work/dir/src");
	assert_string_equal(f->asked.list.binds[1].target, "/dst");
	assert_null(f->asked.list.binds[1].variant);
	assert_false(f->asked.list.binds[1].readonly);
	assert_string_equal(f->asked.list.binds[2].target, test_path(f->home, "node"));
	assert_true(f->asked.list.binds[2].readonly);   /* the variant's readonly */
	assert_true(f->asked.list.binds[2].create);
	assert_null(f->asked.refusals[1]);
	/* the value picked is owned with the binds, bind->value names it */
	assert_ptr_equal(f->asked.list.binds[0].value, f->asked.values[0]);
	assert_null(f->asked.values[1]);
	assert_int_equal(to_binds(f, words, true, &bad), VSYM_OPERAND_OK);
	for (size_t i = 0; i < f->asked.list.n; i++)
		assert_true(f->asked.list.binds[i].readonly);
}

/* The value is picked among the choices on disk, as at login: a version
 * prefix means its highest version; a value nothing fits is kept, with a
 * refusal that says what there is. */
static void test_value_picked_among_choices(void **state)
{
	struct fixture *f = *state;
	const char *words[] = { "go=1.22", "go=9", NULL };
	size_t bad;

	REQUIRE_ROOT();
	assert_int_equal(to_binds(f, words, false, &bad), VSYM_OPERAND_OK);
	assert_int_equal(f->asked.list.n, 2);
	assert_string_equal(f->asked.list.binds[0].value, "1.22.10");
	assert_string_equal(f->asked.list.binds[0].source, test_path(f->home, ".gos/go1.22.10"));
	assert_null(f->asked.refusals[0]);
	assert_string_equal(f->asked.list.binds[1].value, "9");
	assert_non_null(f->asked.refusals[1]);
	assert_contains(f->asked.refusals[1], "1.22.10");
}

static void expect_problem(struct fixture *f, const char **words, enum vsym_operand_problem want, size_t want_bad)
{
	size_t bad = 99;

	assert_int_equal(to_binds(f, words, false, &bad), want);
	assert_int_equal(bad, want_bad);
}

static void test_problems_name_the_operand(void **state)
{
	struct fixture *f = *state;
	const char *no_variant[] = { "src", "/dst", "python=3", NULL };
	const char *no_value[] = { "go=1.22", "go=", NULL };
	const char *bad_value[] = { "go=../../etc", NULL };
	const char *control[] = { "go=1\x1b[2J", NULL };
	const char *spaced[] = { "go", "1.22", NULL };
	const char *no_target[] = { "src", NULL };
	const char *assignment_target[] = { "src", "go=1.22", NULL };
	const char *dotted[] = { "./go", "1.22", NULL };

	expect_problem(f, no_variant, VSYM_OPERAND_NO_VARIANT, 2);
	expect_problem(f, no_value, VSYM_OPERAND_NO_VALUE, 1);
	expect_problem(f, bad_value, VSYM_OPERAND_BAD_VALUE, 0);
	expect_problem(f, control, VSYM_OPERAND_BAD_VALUE, 0);
	expect_problem(f, spaced, VSYM_OPERAND_SPACED, 0);
	expect_problem(f, no_target, VSYM_OPERAND_NO_TARGET, 0);
	expect_problem(f, assignment_target, VSYM_OPERAND_NO_TARGET, 0);
	/* with a slash it is a path: no variant is meant */
	expect_problem(f, dotted, VSYM_OPERAND_OK, 0);
	assert_string_equal(f->asked.list.binds[0].source, "/work/dir/./go");
}

/* .vsym at /p names go (1.22) and node with a bad value. */
static void parse_project(struct fixture *f)
{
	const char *text = "variants: {\n  go = \"1.22\";\n  node = \"../x\";\n};\n";

	if (vsym_projectfile_parse_vsym(&f->policy, "/p/.vsym", text, strlen(text), &f->proj, &f->err) < 0)
		fail_msg("%s", f->err.text);
}

/* The project's values come first, with where they were found; an operand
 * for a variant a project file names is dropped, even when the file gave
 * it a bad value (left as it is); the others follow, NAME= as a bind to
 * remove. */
static void test_project_operands(void **state)
{
	struct fixture *f = *state;
	const char *words[] = { "go=1.21", "node=20", "ruby=", "python=3", NULL };
	size_t bad = 99;

	parse_project(f);
	assert_int_equal(vsym_project_operands(&f->policy, &f->proj, argv_of(f, words), 4, &f->ops, &bad), VSYM_OPERAND_OK);
	assert_int_equal(f->ops.n, 2);
	assert_string_equal(f->ops.words[0], "go=1.22");
	assert_string_equal(f->ops.origins[0], "/p/.vsym:2");
	/* an unknown NAME=VALUE goes on: it is refused as a bind, by name */
	assert_string_equal(f->ops.words[1], "python=3");
	assert_null(f->ops.origins[1]);
	assert_int_equal(f->ops.nclear, 1);
	assert_ptr_equal(f->ops.clear[0], &f->policy.variants[RUBY]);
	assert_int_equal(bad, 99);
}

static void test_project_operands_without_project(void **state)
{
	struct fixture *f = *state;
	const char *words[] = { "ruby=3.3", "go=", NULL };
	size_t bad;

	assert_int_equal(vsym_project_operands(&f->policy, &f->proj, argv_of(f, words), 2, &f->ops, &bad), VSYM_OPERAND_OK);
	assert_int_equal(f->ops.n, 1);
	assert_string_equal(f->ops.words[0], "ruby=3.3");
	assert_ptr_not_equal(f->ops.words[0], f->argv[0]); /* a copy, owned */
	assert_int_equal(f->ops.nclear, 1);
	assert_ptr_equal(f->ops.clear[0], &f->policy.variants[GO]);
}

static void test_project_operands_unknown_clear(void **state)
{
	struct fixture *f = *state;
	const char *words[] = { "ruby=", "python=", NULL };
	size_t bad = 99;

	parse_project(f);
	assert_int_equal(vsym_project_operands(&f->policy, &f->proj, argv_of(f, words), 2, &f->ops, &bad),
			 VSYM_OPERAND_NO_VARIANT);
	assert_int_equal(bad, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_assignment),
		cmocka_unit_test(test_path_spelling),
		cmocka_unit_test_setup_teardown(test_binds_in_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_value_picked_among_choices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_problems_name_the_operand, setup, teardown),
		cmocka_unit_test_setup_teardown(test_project_operands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_project_operands_without_project, setup, teardown),
		cmocka_unit_test_setup_teardown(test_project_operands_unknown_clear, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
