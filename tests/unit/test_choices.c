/* choices.c: a variant's values are the directories on disk that match its
 * template, listed as the user, in version order; symlinks count only when
 * they stay in the listed directory; defaults are resolved among them.
 * Real files in a throwaway namespace, as a made-up alice (uid 1000). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "testutil.h"
#include "testns.h"

#include "cfg.h"
#include "choices.h"

struct fixture {
	struct test_user alice;
	char home[128];
	struct vsym_policy policy;
};

static void load(struct fixture *f, const char *text)
{
	test_load_policy(&f->policy, text, &f->alice.user);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	if (geteuid() != 0)
		return 0;
	if (test_alice_at_home(&f->alice, f->home, sizeof(f->home), "choices") < 0)
		return -1;
	make_dir(test_path(f->home, ".gos"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/go1.21.5"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/go1.22.0"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/go1.22.10"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/go1.22.10/bin"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/other"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".gos/go@x"), 1000, 1000, 0755);
	write_file(test_path(f->home, ".gos/go1.30"), "", 1000, 1000, 0644);
	make_link("go1.21.5", test_path(f->home, ".gos/go1.9"), 1000, 1000);
	make_link("/etc", test_path(f->home, ".gos/go1.8"), 1000, 1000);
	make_link("../../..", test_path(f->home, ".gos/go1.7"), 1000, 1000);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vsym_policy_free(&f->policy);
	free(f);
	return 0;
}

static void expect_choices(struct fixture *f, const char *name, const char *want)
{
	struct vsym_choices c;
	struct vsym_error err = { .text = "" };
	char got[512] = "";

	if (vsym_choices_list(&f->alice.user, vsym_policy_variant(&f->policy, name), &c, &err) < 0)
		fail_msg("%s", err.text);
	for (size_t i = 0; i < c.n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "", c.values[i]);
	vsym_choices_free(&c);
	assert_string_equal(got, want);
}

static void test_directories_in_version_order(void **state)
{
	struct fixture *f = *state;

	REQUIRE_ROOT();
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; }; };");
	/* no file, no invalid value, no symlink out of the directory; go1.9,
	 * a symlink to go1.21.5, is that choice (test_links_listed_once) */
	expect_choices(f, "go", "1.21.5,1.22.0,1.22.10");
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/.gos/go${go}/bin\"; }; };");
	expect_choices(f, "go", "1.22.10");
	load(f, "variants: { go = { target = \"~/.gos/other\"; source = \"~/.gos/${go}\"; }; };");
	/* the target itself is no choice */
	expect_choices(f, "go", "go1.21.5,go1.22.0,go1.22.10");
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/missing/go${go}\"; }; };");
	expect_choices(f, "go", "");
}

static void test_listed_as_the_user(void **state)
{
	struct fixture *f = *state;
	struct vsym_choices c;
	struct vsym_error err = { .text = "" };

	REQUIRE_ROOT();
	make_dir(test_path(f->home, "secret"), 0, 0, 0711);
	make_dir(test_path(f->home, "secret/go1"), 0, 0, 0755);
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/secret/go${go}\"; }; };");
	assert_int_equal(vsym_choices_list(&f->alice.user, &f->policy.variants[0], &c, &err), -1);
	assert_contains(err.text, "cannot read");
	assert_int_equal(c.n, 0);
}

static void test_defaults_resolved(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };

	REQUIRE_ROOT();
	load(f, "variants: {\n"
		"  a = { target = \"~/a\"; source = \"~/.gos/go${a}\"; default = \"1.22\"; };\n"
		"  b = { target = \"~/b\"; source = \"~/.gos/go${b}\"; default = \"old\"; aliases = { old = \"1.21\"; }; };\n"
		"  c = { target = \"~/c\"; source = \"~/.gos/go${c}\"; default = \"2\"; };\n"
		"  d = { target = \"~/d\"; source = \"~/.gos/go${d}\"; };\n"
		"  e = { target = \"~/e\"; source = \"~/.gos/go${e}\"; default = \"1.22.0\"; };\n"
		"  f = { target = \"~/f\"; source = \"~/.gos/go${f}\"; default = \"1.22.0\"; aliases = { \"1.22.0\" = \"1.21\"; }; };\n"
		"};");
	assert_int_equal(vsym_choices_resolve_policy(&f->policy, &f->alice.user, &err), 0);
	assert_string_equal(f->policy.variants[0].value, "1.22.10");
	assert_string_equal(f->policy.variants[1].value, "1.21.5");
	assert_string_equal(f->policy.variants[2].value, "2");  /* nothing fits: as written */
	assert_null(f->policy.variants[3].value);
	assert_string_equal(f->policy.variants[4].value, "1.22.0");   /* exact */
	assert_string_equal(f->policy.variants[5].value, "1.21.5");   /* an alias comes first */
}

static void test_describe(void **state)
{
	struct fixture *f = *state;
	char v1[] = "1.21", v2[] = "1.22";
	char *values[] = { v1, v2 };
	char r1[] = "1.21.13";
	char *versions[] = { r1, NULL };
	struct vsym_choices c = { .values = values, .n = 2 };
	char buf[128];

	REQUIRE_ROOT();
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; aliases = { lts = \"1.22\"; }; }; };");
	vsym_choices_describe(&f->policy.variants[0], &c, buf, sizeof(buf));
	assert_string_equal(buf, "1.21, 1.22, lts (1.22)");
	c.versions = versions;
	vsym_choices_describe(&f->policy.variants[0], &c, buf, sizeof(buf));
	assert_string_equal(buf, "1.21 [1.21.13], 1.22, lts (1.22)");
	c.versions = NULL;
	c.n = 0;
	f->policy.variants[0].naliases = 0;
	vsym_choices_describe(&f->policy.variants[0], &c, buf, sizeof(buf));
	f->policy.variants[0].naliases = 1;
	assert_string_equal(buf, "none");
}

static void load_user(struct fixture *f, const char *text)
{
	struct vsym_error err;

	if (vsym_cfg_load_user(&f->policy, "/home/alice/.vsymrc", text, strlen(text), &f->alice.user, &err) < 0)
		fail_msg("%s", err.text);
}

static const char fallback_policy[] =
	"variants: {\n"
	"  go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; default = \"1.22\"; aliases = { gone = \"1.99\"; }; };\n"
	"  b = { target = \"~/b\"; source = \"~/.gos/go${b}\"; default = \"1.77\"; };\n"
	"  c = { target = \"~/c\"; source = \"~/.gos/go${c}\"; default = \"1.22\"; };\n"
	"};";

/* A pick of ~/.vsymrc that fits no choice: recorded, and replaced by the
 * system default when that fits; left as written when it does not; a
 * pick that fits (a version prefix) is neither. */
static void test_fall_back(void **state)
{
	struct fixture *f = *state;
	struct vsym_fallbacks fb;
	struct vsym_error err = { .text = "" };
	char text[512];

	REQUIRE_ROOT();
	load(f, fallback_policy);
	load_user(f, "variants: { go = \"1.30\";\n b = \"1.40\";\n c = \"1.21\"; };\n");
	assert_int_equal(vsym_choices_fall_back(&f->policy, &f->alice.user, &fb, &err), 0);
	assert_int_equal(fb.n, 2);
	assert_string_equal(fb.items[0].variant, "go");
	assert_string_equal(fb.items[0].asked, "1.30");
	assert_int_equal(fb.items[0].line, 1);
	assert_true(fb.items[0].used);
	assert_string_equal(fb.items[0].system_default, "1.22");
	/* the alias to no choice is nothing to pick: not offered */
	assert_string_equal(fb.items[0].there, "1.21.5, 1.22.0, 1.22.10");
	assert_string_equal(f->policy.variants[0].value, "1.22");
	assert_int_equal(f->policy.variants[0].value_origin, VSYM_ORIGIN_SYSTEM);
	assert_int_equal(f->policy.variants[0].value_line, 2);
	assert_string_equal(fb.items[1].variant, "b");
	assert_false(fb.items[1].used);
	assert_string_equal(fb.items[1].system_default, "1.77");
	assert_int_equal(fb.items[1].line, 2);
	assert_string_equal(f->policy.variants[1].value, "1.40");
	assert_string_equal(f->policy.variants[2].value, "1.21");
	assert_int_equal(vsym_fallback_describe(&fb.items[0], "/home/alice/.vsymrc", text, sizeof(text)), 0);
	assert_string_equal(text, "/home/alice/.vsymrc:1: go = \"1.30\" is none of the values of go "
				  "(there are: 1.21.5, 1.22.0, 1.22.10); the system default go = \"1.22\" is used instead");
	assert_int_equal(vsym_fallback_describe(&fb.items[1], "/home/alice/.vsymrc", text, sizeof(text)), 0);
	assert_string_equal(text, "/home/alice/.vsymrc:2: b = \"1.40\" is none of the values of b (there are: 1.21.5, "
				  "1.22.0, 1.22.10), and neither is the system default b = \"1.77\": b is not bound");
	vsym_fallbacks_free(&fb);
	/* the system default resolves afterwards as any default does */
	assert_int_equal(vsym_choices_resolve_policy(&f->policy, &f->alice.user, &err), 0);
	assert_string_equal(f->policy.variants[0].value, "1.22.10");
}

/* An alias that stands for no choice says so, and who can mend it. */
static void test_alias_to_no_choice(void **state)
{
	struct fixture *f = *state;
	char *refusal, *pick;

	REQUIRE_ROOT();
	load(f, fallback_policy);
	pick = vsym_choices_pick(&f->alice.user, &f->policy.variants[0], "gone", &refusal, NULL);
	assert_non_null(refusal);
	assert_string_equal(refusal, "go=gone: the alias gone stands for 1.99, which is none of the choices of go "
				     "(there are: 1.21.5, 1.22.0, 1.22.10); pick one of those, or have 1.99 installed "
				     "or the alias (the system file, line 2) corrected");
	free(refusal);
	free(pick);
	pick = vsym_choices_pick(&f->alice.user, &f->policy.variants[0], "1.99", &refusal, NULL);
	assert_string_equal(refusal, "go has no value 1.99; there are: 1.21.5, 1.22.0, 1.22.10");
	free(refusal);
	free(pick);
}

/* Debian's java-1.17.0-openjdk-amd64 -> java-17-openjdk-amd64: a symlink
 * to a sibling choice is that choice, listed once; one out of the
 * directory is none at all. */
static void test_links_listed_once(void **state)
{
	struct fixture *f = *state;
	struct vsym_choices c;
	struct vsym_error err = { .text = "" };

	REQUIRE_ROOT();
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; }; };");
	assert_int_equal(vsym_choices_list(&f->alice.user, &f->policy.variants[0], &c, &err), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.nlinks, 1);
	assert_string_equal(c.link_names[0], "1.9");
	assert_string_equal(c.link_values[0], "1.21.5");
	/* still a value that resolves: to the tree it links to */
	assert_string_equal(vsym_variant_resolve(&f->policy.variants[0], "1.9", &c, NULL), "1.21.5");
	vsym_choices_free(&c);
}

static void write_text(const char *path, const char *text, uid_t owner, mode_t mode)
{
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fchown(fd, owner, owner) < 0 ||
	    fchmod(fd, mode) < 0)
		fail_msg("write %s: %s", path, strerror(errno));
	close(fd);
}

/* version_from: each tree's file, read as the user through the walk: a
 * regular file only (no symlink as its last component, no FIFO, which
 * must not hang), readable by the user; else the choice has no version. */
static void test_real_versions(void **state)
{
	struct fixture *f = *state;
	struct vsym_choices c;
	struct vsym_error err = { .text = "" };
	static const char *const trees[] = { "go-1.19", "go-1.21", "go-1.22", "go-1.23", "go-1.24", "go-1.25" };

	REQUIRE_ROOT();
	make_dir(test_path(f->home, "lib"), 0, 0, 0755);
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "lib/%s", trees[i]);
		make_dir(test_path(f->home, rel), 0, 0, 0755);
	}
	write_text(test_path(f->home, "lib/go-1.19/VERSION"), "go1.19.8", 0, 0644);
	write_text(test_path(f->home, "lib/go-1.21/VERSION"), "go1.21.13\ntime 2024-07-30\n", 0, 0644);
	write_text(test_path(f->home, "lib/go-1.22/VERSION"), "go1.22.12", 0, 0600);  /* alice cannot read it */
	make_link("../go-1.21/VERSION", test_path(f->home, "lib/go-1.23/VERSION"), 0, 0);
	if (mkfifo(test_path(f->home, "lib/go-1.24/VERSION"), 0644) < 0)
		fail_msg("mkfifo: %s", strerror(errno));
	write_text(test_path(f->home, "lib/go-1.25/VERSION"), "devel", 0, 0644);  /* no match */
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/lib/go-${go}\";\n"
		"  version_from = { file = \"VERSION\"; pattern = \"go([0-9][0-9.]*)\"; }; }; };");
	assert_int_equal(vsym_choices_list(&f->alice.user, &f->policy.variants[0], &c, &err), 0);
	assert_int_equal(c.n, 6);
	assert_non_null(c.versions);
	assert_string_equal(c.values[0], "1.19");
	assert_string_equal(c.versions[0], "1.19.8");
	assert_string_equal(c.versions[1], "1.21.13");
	assert_null(c.versions[2]);
	assert_null(c.versions[3]);
	assert_null(c.versions[4]);
	assert_null(c.versions[5]);
	vsym_choices_free(&c);
}

/* A project's values: fallbacks in turn, go.mod's minimum, and what is
 * said about them. */
static void test_pick_among(void **state)
{
	struct fixture *f = *state;
	char a[] = "1.20.3", b[] = "1.22", m[] = "1.22.1", x[] = "3", e[] = "v1.21.5";
	char *fallback[] = { a, b }, *minimum[] = { m }, *none[] = { x, a }, *exact[] = { e };
	const struct vsym_variant *v;
	char *pick, *why, *refusal;

	REQUIRE_ROOT();
	load(f, "variants: { go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; }; };");
	v = &f->policy.variants[0];
	pick = vsym_choices_pick_among(&f->alice.user, v, fallback, 2, false, &why);
	assert_string_equal(pick, "1.22.10");
	assert_string_equal(why, "1.20.3 skipped (no choice fits); 1.22 picked 1.22.10: version prefix");
	free(pick);
	free(why);
	pick = vsym_choices_pick_among(&f->alice.user, v, minimum, 1, true, &why);
	assert_string_equal(pick, "1.22.10");
	assert_string_equal(why, "1.22.1 picked 1.22.10: the lowest at least the minimum");
	free(pick);
	free(why);
	pick = vsym_choices_pick_among(&f->alice.user, v, none, 2, false, &why);
	assert_string_equal(pick, "3");
	assert_null(why);
	free(pick);
	pick = vsym_choices_pick_among(&f->alice.user, v, exact, 1, false, &why);
	assert_string_equal(pick, "1.21.5");
	assert_null(why);
	free(pick);
	/* a value asked on the command line: -n says how it was picked */
	pick = vsym_choices_pick(&f->alice.user, v, "v1.22", &refusal, &why);
	assert_string_equal(pick, "1.22.10");
	assert_null(refusal);
	assert_string_equal(why, "v1.22 picked 1.22.10: version prefix");
	free(pick);
	free(why);
	pick = vsym_choices_pick(&f->alice.user, v, "v1.30", &refusal, &why);
	assert_string_equal(pick, "1.30");
	assert_string_equal(refusal, "go has no value v1.30; there are: 1.21.5, 1.22.0, 1.22.10");
	assert_null(why);
	free(pick);
	free(refusal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_directories_in_version_order),
		cmocka_unit_test(test_listed_as_the_user),
		cmocka_unit_test(test_defaults_resolved),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_fall_back),
		cmocka_unit_test(test_alias_to_no_choice),
		cmocka_unit_test(test_links_listed_once),
		cmocka_unit_test(test_real_versions),
		cmocka_unit_test(test_pick_among),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
