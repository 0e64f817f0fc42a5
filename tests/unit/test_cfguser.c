/* cfg.c: ~/.vsymrc, loaded on top of the system file, all or nothing,
 * holding only binds and variant picks; and the edit of a pick that -s
 * makes in it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "testutil.h"
#include "testcfg.h"

#include "cfg.h"

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
		cmocka_unit_test(test_user_file_may_not_set),
		cmocka_unit_test(test_user_file_errors),
		cmocka_unit_test(test_set_value),
		cmocka_unit_test(test_user_file_loads),
		cmocka_unit_test(test_user_file_all_or_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
