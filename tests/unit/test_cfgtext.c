/* cfgtext.c: the configuration as text, before libconfig sees it. Quoted
 * setting names encoded (and decoded back), everything else left byte for
 * byte and line for line; the hint for a bare version number; the -s
 * edit's refusals. The edits that parse are checked with libconfig in
 * test_cfg; here the text functions alone. */
#include "config.h"

#include <stdio.h>

#include "testutil.h"

#include "cfgtext.h"

/* vsym_cfgtext_quote_names of a C string; fails the test on NULL. */
static char *quote(const char *text)
{
	char *out = vsym_cfgtext_quote_names(text, strlen(text));

	if (out == NULL)
		fail_msg("out of memory");
	return out;
}

static void expect_quoted(const char *text, const char *want)
{
	char *out = quote(text);

	assert_string_equal(out, want);
	free(out);
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* A quoted name before = or : becomes a bare libconfig name; the value
 * after it, a string, stays quoted. */
static void test_quoted_name_encoded(void **state)
{
	(void)state;
	expect_quoted("\"17\" = \"java-17\";", "*q17 = \"java-17\";");
	expect_quoted("\"17\": \"java-17\";", "*q17: \"java-17\";");
	expect_quoted("\"lts\"\t= \"x\";", "*qlts\t= \"x\";");
	/* . and + are no libconfig name characters: escaped */
	expect_quoted("\"1.22+x\" = \"go\";", "*q1*d22*px = \"go\";");
}

/* Strings that are no setting names are left as written. */
static void test_other_strings_kept(void **state)
{
	static const char *const kept[] = {
		"go = \"1.22\";",                /* a value */
		"\"17\"\n= \"x\";",              /* = on the next line */
		"\"a/b\" = \"x\";",              /* not a value word */
		"\"\" = \"x\";",                 /* empty */
		"x = \"\\\"17\\\" = \";",        /* inside another string */
		"# \"17\" = \"x\";",             /* in a # comment */
		"// \"17\" = \"x\";",            /* in a // comment */
		"/* \"17\" = \"x\"; */",         /* in a block comment */
		"/* unterminated \"17\" = ",     /* a comment that never ends */
		"\"17 = \"x\";",                 /* a string that is no name */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		expect_quoted(kept[i], kept[i]);
}

/* A name of more than 128 characters is never encoded (it is no valid
 * value either), and one of 128 is. */
static void test_name_length_bound(void **state)
{
	char text[200], *out;

	(void)state;
	snprintf(text, sizeof(text), "\"%0128d\" = \"x\";", 0);
	out = quote(text);
	assert_true(strncmp(out, "*q", 2) == 0);
	free(out);
	snprintf(text, sizeof(text), "\"%0129d\" = \"x\";", 0);
	expect_quoted(text, text);
}

/* Line numbers stay: libconfig's error lines still point into the file
 * the user wrote. A block comment spanning lines is copied whole. */
static void test_lines_kept(void **state)
{
	static const char text[] = "/* a\n\"1\" = \"x\"; */\n"
				   "variants: {\n"
				   "  \"8\" = \"a\"; \"11\" = \"b\";\n"
				   "  go = \"1.22\"; # \"9\" = \"c\";\n"
				   "};\n";
	char *out = quote(text);

	(void)state;
	assert_int_equal(count_lines(out), count_lines(text));
	assert_string_equal(out, "/* a\n\"1\" = \"x\"; */\n"
				 "variants: {\n"
				 "  *q8 = \"a\"; *q11 = \"b\";\n"
				 "  go = \"1.22\"; # \"9\" = \"c\";\n"
				 "};\n");
	free(out);
}

/* len bounds the text read: a name cut off at len is not a name, and
 * nothing past len is copied. */
static void test_length_respected(void **state)
{
	static const char text[] = "\"17\" = \"x\"; \"18\" = \"y\";";
	char *out = vsym_cfgtext_quote_names(text, 4);

	(void)state;
	assert_non_null(out);
	assert_string_equal(out, "\"17\"");
	free(out);
	out = vsym_cfgtext_quote_names(text, 12);
	assert_string_equal(out, "*q17 = \"x\"; ");
	free(out);
}

static void expect_name(const char *encoded, const char *want)
{
	char buf[64];

	assert_string_equal(vsym_cfgtext_name(encoded, buf, sizeof(buf)), want);
}

/* What quote_names encodes, vsym_cfgtext_name decodes back. */
static void test_name_round_trip(void **state)
{
	static const char *const names[] = { "17", "1.22", "lts", "2.0+git", "a_b-c", "1..2" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char text[64], bare[64], buf[64];
		char *out;

		snprintf(text, sizeof(text), "\"%s\" = \"v\";", names[i]);
		out = quote(text);
		assert_int_equal(sscanf(out, "%63s", bare), 1);
		assert_string_equal(vsym_cfgtext_name(bare, buf, sizeof(buf)), names[i]);
		free(out);
	}
}

/* A plain name is returned as it is; a small buffer truncates safely. */
static void test_name_decode_edges(void **state)
{
	char small[4];
	const char *plain = "go";

	(void)state;
	assert_ptr_equal(vsym_cfgtext_name(plain, small, sizeof(small)), plain);
	expect_name("*x17", "*x17");
	expect_name("*q", "");
	expect_name("*q1*d2*p3", "1.2+3");
	expect_name("*q1*x", "1*x"); /* an escape vsym never writes is kept */
	assert_string_equal(vsym_cfgtext_name("*q1*d22*d3", small, sizeof(small)), "1.2");
}

static void expect_hint(const char *text, unsigned line, const char *want)
{
	char buf[128] = "";

	if (!vsym_cfgtext_unquoted_hint(text, line, buf, sizeof(buf)))
		fail_msg("no hint for line %u of '%s'", line, text);
	assert_string_equal(buf, want);
}

static void expect_no_hint(const char *text, unsigned line)
{
	char buf[128] = "untouched";

	if (vsym_cfgtext_unquoted_hint(text, line, buf, sizeof(buf)))
		fail_msg("a hint for line %u of '%s': %s", line, text, buf);
	assert_string_equal(buf, "untouched");
}

/* The hint names the setting and the value exactly as written, and only
 * for the line asked about. */
static void test_unquoted_hint(void **state)
{
	static const char file[] = "variants: {\n  go = 1.22.1;\n  node: 20.11.1;\n};\n";

	(void)state;
	expect_hint(file, 2, "write the value in quotes: go = \"1.22.1\";");
	expect_hint(file, 3, "write the value in quotes: node = \"20.11.1\";");
	expect_hint("variants: { go=1.2.3; };", 1, "write the value in quotes: go = \"1.2.3\";");
	expect_no_hint(file, 1);
	expect_no_hint(file, 4);
	expect_no_hint(file, 99);     /* past the end */
	expect_no_hint("go = 1.22;", 1);  /* a number libconfig reads itself */
	expect_no_hint("go = .1.2;", 1);
	expect_no_hint("go = \"1.2.3\";", 1);
	expect_no_hint("= 1.2.3;", 1);    /* no name */
}

/* -s refuses what is no variant value before looking at the text, and
 * says so, naming both. */
static void test_set_value_refusals(void **state)
{
	struct vsym_cfgtext_spot none = { 0, 0 }, pick = { 1, 0 }, group = { 0, 1 };
	struct vsym_error err = { .text = "" };

	(void)state;
	assert_null(vsym_cfgtext_set_value("", &none, "go", "a b", &err));
	assert_string_equal(err.text, "'go=a b' is not a variant value");
	assert_null(vsym_cfgtext_set_value("", &none, "9go", "1", &err));
	assert_contains(err.text, "'9go=1' is not a variant value");
	/* a pick line that does not hold the name, or no string after it */
	assert_null(vsym_cfgtext_set_value("node = \"1\";\n", &pick, "go", "1", &err));
	assert_string_equal(err.text, "cannot find 'go' on line 1");
	assert_null(vsym_cfgtext_set_value("gopher = \"1\"; go;\n", &pick, "go", "1", &err));
	assert_string_equal(err.text, "cannot find the value of 'go' on line 1");
	assert_null(vsym_cfgtext_set_value("go = 1;\n", &pick, "go", "1", &err));
	assert_string_equal(err.text, "the value of 'go' on line 1 is not a plain string");
	assert_null(vsym_cfgtext_set_value("# variants\n", &group, "go", "1", &err));
	assert_string_equal(err.text, "cannot find the '{' of the variants group of line 1");
}

/* The edits themselves: only the string changes; a name that is part of
 * a longer word is not taken for it. */
static void test_set_value_edits(void **state)
{
	struct vsym_cfgtext_spot pick2 = { 2, 1 }, group1 = { 0, 1 }, none = { 0, 0 };
	struct vsym_error err = { .text = "" };
	char *out;

	(void)state;
	out = vsym_cfgtext_set_value("variants: {\n  gopher = \"x\"; go = \"1\"; // c\n};", &pick2, "go", "2.0", &err);
	assert_non_null(out);
	assert_string_equal(out, "variants: {\n  gopher = \"x\"; go = \"2.0\"; // c\n};");
	free(out);
	out = vsym_cfgtext_set_value("variants: {};", &group1, "go", "lts", &err);
	assert_string_equal(out, "variants: { go = \"lts\";};");
	free(out);
	out = vsym_cfgtext_set_value("x = 1;", &none, "go", "1", &err);
	assert_string_equal(out, "x = 1;\nvariants: { go = \"1\"; };\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quoted_name_encoded),
		cmocka_unit_test(test_other_strings_kept),
		cmocka_unit_test(test_name_length_bound),
		cmocka_unit_test(test_lines_kept),
		cmocka_unit_test(test_length_respected),
		cmocka_unit_test(test_name_round_trip),
		cmocka_unit_test(test_name_decode_edges),
		cmocka_unit_test(test_unquoted_hint),
		cmocka_unit_test(test_set_value_refusals),
		cmocka_unit_test(test_set_value_edits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
