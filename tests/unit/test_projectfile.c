/* projectfile.c: the parsers of .vsym, .tool-versions, version files and go.mod (pure). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "testutil.h"
#include "testns.h"
#include "testfuse.h"
#include "testproject.h"

#include "cfg.h"
#include "project.h"
#include "projectfile.h"
#include "projectread.h"
#include "projectsearch.h"

static int parse_vsym(struct fixture *f, const char *text)
{
	return vsym_projectfile_parse_vsym(&f->policy, "/p/.vsym", text, strlen(text), &f->proj, &f->err);
}

static int parse_tv(struct fixture *f, const char *text)
{
	return vsym_projectfile_parse_tool_versions(&f->policy, "/p/.tool-versions", text, strlen(text),
						&f->proj, &f->err);
}

static int parse_vf(struct fixture *f, size_t variant, const char *text, size_t len)
{
	return vsym_projectfile_parse_version_file(&f->policy, variant, "/p/.nvmrc", text, len, &f->proj, &f->err);
}

static int parse_gomod(struct fixture *f, const char *text)
{
	vsym_project_free(&f->proj);
	return vsym_projectfile_parse_version_file(&f->policy, GO, "/p/go.mod", text, strlen(text), &f->proj, &f->err);
}

static void vsym_picks_values(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse_vsym(f, "# a project\nvariants: {\n  go = \"1.22\";\n  node = \"20\";\n};\n"), 0);
	assert_string_equal(value_of(f, GO), "1.22");
	assert_string_equal(value_of(f, NODE), "20");
	assert_string_equal(value_of(f, RUBY), "(none)");
	assert_int_equal(vsym_project_pick_of(&f->proj, GO)->line, 3);
	assert_string_equal(vsym_project_pick_of(&f->proj, GO)->file, "/p/.vsym");
}

static void vsym_refuses_other_keys(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse_vsym(f, "variants: { go = \"1.22\"; };\n"
				       "allow = ( { target = \"/etc\"; source = \"/tmp/x\"; } );\n"), -1);
	assert_contains(f->err.text, "/p/.vsym:2: ");
	assert_contains(f->err.text, "'allow' is not allowed");
	/* A refused file claims nothing, even what it named before the bad key. */
	assert_int_equal(f->proj.n, 0);
	assert_int_equal(parse_vsym(f, "binds = ();\n"), -1);
	assert_contains(f->err.text, "/p/.vsym:1: ");
	assert_int_equal(parse_vsym(f, "variants: { go = { target = \"/etc\"; source = \"/x${go}\"; }; };\n"), -1);
	assert_contains(f->err.text, "only picks values");
	/* A refused file says so (the exit status is 1), and how to mend a
	 * version written without quotes. */
	assert_contains(f->err.text, "the file is refused");
	assert_int_equal(parse_vsym(f, "variants: { go = 1.22; };\n"), -1);
	assert_contains(f->err.text, "/p/.vsym:1: the value of go is a number; write it in quotes: go = \"...\"; the file is refused");
	assert_int_equal(parse_vsym(f, "variants: {\n  go = 1.22.1;\n};\n"), -1);
	assert_contains(f->err.text, "/p/.vsym:2: ");
	assert_contains(f->err.text, "write the value in quotes: go = \"1.22.1\";");
	assert_contains(f->err.text, "the file is refused");
	assert_int_equal(parse_vsym(f, "@include \"/etc/shadow\"\n"), -1);
	assert_contains(f->err.text, "@include");
	assert_int_equal(parse_vsym(f, "variants: { go = \"1.22\" \n"), -1);
	assert_contains(f->err.text, "/p/.vsym:");
	assert_int_equal(f->proj.n, 0);
}

static void vsym_bad_values_claim_and_note(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse_vsym(f, "variants: {\n go = \"../../etc\";\n node = \"20\x1b[2J\";\n"
				       " python = \"3.12\";\n};\n"), 0);
	assert_string_equal(value_of(f, GO), "(bad)");
	assert_string_equal(value_of(f, NODE), "(bad)");
	assert_contains(notes(f), "/p/.vsym:2: not a valid value for go");
	assert_contains(notes(f), "/p/.vsym:4: no variant python here");
	assert_int_equal(f->proj.problems, 2); /* the unknown variant is no problem */
	/* The bad text itself is never quoted. */
	assert_null(strstr(notes(f), "../../etc"));
	assert_null(strchr(notes(f), '\x1b'));
}

static void tool_versions_maps_tools(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse_tv(f, "# asdf\nnodejs 20.11.1\ngolang 1.22.1 1.21.0 # comment\r\n"
				     "ruby\t3.3.0\ngo 1.19\nterraform 1.5.0\n"), 0);
	assert_string_equal(value_of(f, GO), "1.22.1");    /* its tool, first version */
	assert_string_equal(value_of(f, RUBY), "3.3.0");   /* its own name */
	assert_string_equal(value_of(f, NODE), "(none)");  /* nodejs is not node's tool */
	assert_int_equal(vsym_project_pick_of(&f->proj, GO)->line, 3);
	assert_int_equal(vsym_project_pick_of(&f->proj, GO)->nfallbacks, 1);
	assert_string_equal(vsym_project_pick_of(&f->proj, GO)->fallbacks[0], "1.21.0");
	/* a tool no variant maps is said, once per line, never a problem */
	assert_int_equal(f->proj.nnotes, 3);
	assert_int_equal(f->proj.problems, 0);
	assert_string_equal(f->proj.notes[0], "/p/.tool-versions:2: no variant here reads tool nodejs (a variant with tool = \"nodejs\" would); skipped");
	assert_contains(notes(f), "/p/.tool-versions:5: no variant here reads tool go ");
	assert_contains(notes(f), "/p/.tool-versions:6: no variant here reads tool terraform ");
}

static void tool_versions_skips_non_versions(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse_tv(f, "golang system ref:deadbeef 1.21\nruby path:/opt/ruby\n"), 0);
	assert_string_equal(value_of(f, GO), "1.21");
	assert_string_equal(value_of(f, RUBY), "(none)");
	assert_contains(notes(f), "/p/.tool-versions:1: 'system' for golang skipped");
	assert_contains(notes(f), "/p/.tool-versions:1: a ref: version for golang skipped");
	assert_contains(notes(f), "/p/.tool-versions:2: a path: version for ruby skipped");
	assert_null(strstr(notes(f), "/opt/ruby"));
	assert_int_equal(f->proj.problems, 0);
	vsym_project_free(&f->proj);
	{
		/* thousands of lines worth a note: 16, then one saying so */
		char *many = calloc(1, 4000 * 15 + 1);

		for (int i = 0; i < 4000; i++)
			strcat(many, "golang system\n");
		assert_int_equal(parse_tv(f, many), 0);
		free(many);
	}
	assert_int_equal(f->proj.nnotes, 17);
	assert_string_equal(f->proj.notes[16], "more notes about project files left out");
}

static void tool_versions_bad_value(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse_tv(f, "golang ../..\nruby 3.\x07\n"), 0);
	assert_string_equal(value_of(f, GO), "(bad)");
	assert_string_equal(value_of(f, RUBY), "(bad)");
	assert_contains(notes(f), "/p/.tool-versions:1: not a valid value for go");
	assert_contains(notes(f), "/p/.tool-versions:2: not a valid value for ruby");
}

static void version_file_value(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse_vf(f, NODE, "\n# pinned\n  v20.11.1  \n21\n", 26), 0);
	assert_string_equal(value_of(f, NODE), "20.11.1");
	assert_int_equal(vsym_project_pick_of(&f->proj, NODE)->line, 3);
	assert_int_equal(parse_vf(f, RUBY, "vanilla\n", 8), 0);
	assert_string_equal(value_of(f, RUBY), "vanilla"); /* a v not before a digit stays */
	assert_int_equal(parse_vf(f, GO, "lts/iron\n", 9), 0);
	assert_string_equal(value_of(f, GO), "(bad)");
	assert_contains(notes(f), "/p/.nvmrc:1: not a valid value for go");
	assert_int_equal(parse_vf(f, GO, "1.2\0x", 5), -1);
	assert_contains(f->err.text, "NUL byte");
}

/* go.mod is known by its name: toolchain goX.Y.Z is a value, else the go
 * line a minimum. */
static void version_file_gomod(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(parse_gomod(f, "module example.com/x\n\ngo 1.21.5\n\nrequire golang.org/x/mod v0.14.0\n"), 0);
	assert_string_equal(value_of(f, GO), "1.21.5");
	assert_true(vsym_project_pick_of(&f->proj, GO)->minimum);
	assert_int_equal(vsym_project_pick_of(&f->proj, GO)->line, 3);
	assert_int_equal(parse_gomod(f, "module x\ngo 1.21 // the language\ntoolchain go1.22.1 // the build\n"), 0);
	assert_string_equal(value_of(f, GO), "1.22.1");
	assert_false(vsym_project_pick_of(&f->proj, GO)->minimum);
	assert_int_equal(vsym_project_pick_of(&f->proj, GO)->line, 3);
	assert_int_equal(parse_gomod(f, "toolchain default\ngo 1.20\n"), 0);
	assert_string_equal(value_of(f, GO), "1.20");
	assert_true(vsym_project_pick_of(&f->proj, GO)->minimum);
	assert_int_equal(parse_gomod(f, "module x\n// go 1.19\n"), 0);
	assert_string_equal(value_of(f, GO), "(none)");
	assert_int_equal(parse_gomod(f, "go ../..\n"), 0);
	assert_string_equal(value_of(f, GO), "(bad)");
	assert_contains(notes(f), "/p/go.mod:1: not a valid value for go");
	/* another file of that name elsewhere is no go.mod */
	vsym_project_free(&f->proj);
	assert_int_equal(vsym_projectfile_parse_version_file(&f->policy, GO, "/p/xgo.mod", "go 1.2\n", 7, &f->proj, &f->err), 0);
	assert_string_equal(value_of(f, GO), "go");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(vsym_picks_values, setup, teardown),
		cmocka_unit_test_setup_teardown(vsym_refuses_other_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(vsym_bad_values_claim_and_note, setup, teardown),
		cmocka_unit_test_setup_teardown(tool_versions_maps_tools, setup, teardown),
		cmocka_unit_test_setup_teardown(tool_versions_skips_non_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(tool_versions_bad_value, setup, teardown),
		cmocka_unit_test_setup_teardown(version_file_value, setup, teardown),
		cmocka_unit_test_setup_teardown(version_file_gomod, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
