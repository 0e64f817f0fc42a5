/* safetext.c: text from elsewhere made safe for a terminal and a log
 * line; and the listings' escapes (state.c vsym_fput_escaped), which add
 * the same to their own. */
#include "config.h"

#include "testutil.h"

#include "safetext.h"
#include "state.h"

static void expect_safe(const char *in, const char *want)
{
	char out[256], *text = NULL;
	size_t len = 0;
	FILE *stream = open_memstream(&text, &len);

	assert_non_null(stream);
	assert_string_equal(vsym_safe_text(in, out, sizeof(out)), want);
	vsym_fput_safe(in, stream);
	assert_int_equal(fclose(stream), 0);
	assert_string_equal(text, want);
	free(text);
}

static void test_printable_kept(void **state)
{
	(void)state;
	expect_safe("/home/alice/go 1.22 ~!\\\"'", "/home/alice/go 1.22 ~!\\\"'");
	expect_safe("caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\xa7", "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x90\xa7");
	expect_safe("\xc2\xa0nbsp", "\xc2\xa0nbsp"); /* U+00A0: the first after C1 */
	expect_safe("", "");
}

static void test_c0_and_del_escaped(void **state)
{
	(void)state;
	expect_safe("a\x1b[2Jb", "a\\x1b[2Jb");          /* screen clear */
	expect_safe("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"); /* OSC title, BEL */
	expect_safe("tab\tnl\ncr\rdel\x7f", "tab\\x09nl\\x0acr\\x0ddel\\x7f");
}

static void test_c1_escaped(void **state)
{
	(void)state;
	expect_safe("\xc2\x9b" "2J", "\\xc2\\x9b2J");      /* U+009B CSI */
	expect_safe("\xc2\x9d" "0;t\xc2\x9c", "\\xc2\\x9d0;t\\xc2\\x9c"); /* U+009D OSC, U+009C ST */
	expect_safe("\xc2\x80", "\\xc2\\x80");
	expect_safe("raw\x9b" "2J", "raw\\x9b2J");          /* a raw C1 byte */
}

static void test_invalid_utf8_escaped(void **state)
{
	(void)state;
	expect_safe("end\xc3", "end\\xc3");                   /* cut short */
	expect_safe("\xc3(", "\\xc3(");                        /* no continuation */
	expect_safe("\xc0\x80", "\\xc0\\x80");                 /* overlong NUL */
	expect_safe("\xe0\x80\xaf", "\\xe0\\x80\\xaf");        /* overlong '/' */
	expect_safe("\xed\xa0\x80", "\\xed\\xa0\\x80");        /* a surrogate */
	expect_safe("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
	expect_safe("\xff\xfe", "\\xff\\xfe");
}

static void test_format_controls_escaped(void **state)
{
	(void)state;
	expect_safe("a\xe2\x80\xae" "cba", "a\\xe2\\x80\\xaecba"); /* U+202E RLO */
	expect_safe("\xe2\x81\xa6x", "\\xe2\\x81\\xa6x");           /* U+2066 LRI */
	expect_safe("\xe2\x80\xa8", "\\xe2\\x80\\xa8");             /* U+2028 */
	expect_safe("\xe2\x80\x94", "\xe2\x80\x94");                 /* U+2014, a dash: kept */
}

/* Cut where it does not fit: never inside a character or an escape. */
static void test_cut_whole(void **state)
{
	char out[8];

	(void)state;
	assert_string_equal(vsym_safe_text("\x1b\x1b", out, 6), "\\x1b");
	assert_string_equal(vsym_safe_text("ab\xe6\x97\xa5", out, 5), "ab");
	assert_string_equal(vsym_safe_text("ab\xe6\x97\xa5", out, 6), "ab\xe6\x97\xa5");
	assert_string_equal(vsym_safe_text("abc", out, 1), "");
}

/* The listings: blanks and backslash as before, and now every unsafe
 * byte too, all as \ooo (what the record's reader undoes). */
static void test_listing_escapes(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *stream = open_memstream(&text, &len);

	(void)state;
	assert_non_null(stream);
	vsym_fput_escaped("a b\\\x1b]0;t\x07\xc2\x9b\xff\xc3\xa9", stream);
	assert_int_equal(fclose(stream), 0);
	assert_string_equal(text, "a\\040b\\134\\033]0;t\\007\\302\\233\\377\xc3\xa9");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_printable_kept),
		cmocka_unit_test(test_c0_and_del_escaped),
		cmocka_unit_test(test_c1_escaped),
		cmocka_unit_test(test_invalid_utf8_escaped),
		cmocka_unit_test(test_format_controls_escaped),
		cmocka_unit_test(test_cut_whole),
		cmocka_unit_test(test_listing_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
