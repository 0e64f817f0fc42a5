/* sessionview.c: what vsym-rebind shows of a session. -l lists the vsym
 * mounts still on their targets (real binds, in the throwaway namespace
 * of testns.h); -L the variants with their bound value and the choices on
 * disk; -C the verdict on each default without mounting; -p the values
 * bound. Nothing here may change a mount: each test also counts them. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "testns.h"
#include "testutil.h"

#include "binds.h"
#include "cfg.h"
#include "sessionview.h"
#include "state.h"

struct fixture {
	struct test_user alice;
	struct vsym_policy policy;
	struct vsym_state state;  /* memory only */
	char home[128], gos[160];
	char *out;                /* what the function under test printed */
	size_t outlen;
};

static void load_policy(struct fixture *f, const char *text)
{
	test_load_policy(&f->policy, text, &f->alice.user);
}

/* go's choices are ~/.v/1.0, ~/.v/2.0 and ~/.v/10.0 (listed in version
 * order, not as the directory gives them); node has none on disk. */
static const char policy_text[] =
	"allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
	"variants: {\n"
	"  go = { target = \"~/gos\"; source = \"~/.v/${go}\"; aliases = { lts = \"1.0\"; stable = \"2.0\"; }; };\n"
	"  node = { target = \"~/nodes\"; source = \"~/.n/${node}\"; };\n"
	"};\n";

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	test_user_alice(&f->alice);
	if (geteuid() != 0) {
		/* the tests of memory-only functions run anyway */
		snprintf(f->home, sizeof(f->home), "/home/alice");
		f->alice.user.home = f->home;
		snprintf(f->gos, sizeof(f->gos), "%s/gos", f->home);
		load_policy(f, policy_text);
		return 0;
	}
	if (test_alice_at_home(&f->alice, f->home, sizeof(f->home), "home") < 0)
		return -1;
	snprintf(f->gos, sizeof(f->gos), "%s/gos", f->home);
	make_dir(f->gos, 1000, 1000, 0755);
	make_dir(test_path(f->home, "nodes"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".v"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".v/10.0"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".v/2.0"), 1000, 1000, 0755);
	make_dir(test_path(f->home, ".v/1.0"), 1000, 1000, 0755);
	load_policy(f, policy_text);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vsym_state_free(&f->state);
	vsym_policy_free(&f->policy);
	free(f->out);
	free(f);
	return 0;
}

/* A stream into f->out; close it with done() before reading f->out. */
static FILE *output(struct fixture *f)
{
	FILE *out;

	free(f->out);
	f->out = NULL;
	out = open_memstream(&f->out, &f->outlen);
	assert_non_null(out);
	return out;
}

static const char *done(struct fixture *f, FILE *out)
{
	assert_int_equal(fclose(out), 0);
	return f->out;
}

/* Counts the lines of text. */
static int lines(const char *text)
{
	int n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

/* Binds ~/.v/VERSION on target, as a variant's bind when variant is not
 * NULL; fails the test unless it is mounted and recorded. */
static void bind(struct fixture *f, const char *target, const char *version, const char *variant)
{
	struct vsym_bind b = { .variant = variant, .value = version };
	struct vsym_error detail;
	char source[256], copy[256];

	snprintf(source, sizeof(source), "%s/.v/%s", f->home, version);
	snprintf(copy, sizeof(copy), "%s", target);
	b.source = source;
	b.target = copy;
	if (vsym_binds_add(&f->policy, &f->alice.user, &f->state, &b, 0, &detail) != VSYM_BOUND)
		fail_msg("bind %s on %s: %s", source, target, detail.text);
}

/* A record of a bind the session never made (memory only). */
static void put_entry(struct fixture *f, const char *target, const char *variant, const char *value)
{
	char t[256], src[] = "/nowhere", var[64], val[64];
	struct vsym_state_entry e = { .mnt_id = 1, .target = t, .source = src };

	snprintf(t, sizeof(t), "%s", target);
	if (variant != NULL)
		e.variant = strcpy(var, variant);
	if (value != NULL)
		e.value = strcpy(val, value);
	assert_int_equal(vsym_state_put(&f->state, &e), 0);
}

/* ------------------------------------------------------------------ -l */

/* Each recorded bind on its target is one line: target, source, options
 * starting with rw or ro, tab-separated, paths escaped as in mountinfo. */
static void test_print_binds_lists_recorded(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };
	char spaced[200], want[1024];
	FILE *out;

	REQUIRE_ROOT();
	snprintf(spaced, sizeof(spaced), "%s/my gos", f->home);
	make_dir(spaced, 1000, 1000, 0755);
	bind(f, f->gos, "1.0", "go");
	bind(f, spaced, "2.0", NULL);
	out = output(f);
	assert_int_equal(vsym_sessionview_print_binds(&f->state, out, &err), 0);
	done(f, out);
	snprintf(want, sizeof(want), "%s\t%s/.v/1.0\trw,nosuid,nodev", f->gos, f->home);
	assert_contains(f->out, want);
	snprintf(want, sizeof(want), "%s/my\\040gos\t%s/.v/2.0\trw,nosuid,nodev", f->home, f->home);
	assert_contains(f->out, want);
	assert_int_equal(lines(f->out), 2);
}

/* A record whose mount is gone (unmounted behind vsym's back, or an id now
 * naming a mount elsewhere) is not listed. */
static void test_print_binds_skips_gone(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };
	FILE *out;

	REQUIRE_ROOT();
	bind(f, f->gos, "1.0", "go");
	bind(f, test_path(f->home, "nodes"), "2.0", NULL);
	assert_int_equal(umount2(test_path(f->home, "nodes"), MNT_DETACH), 0);
	/* the id of a real mount elsewhere: this namespace's root */
	put_entry(f, test_path(f->home, "elsewhere"), NULL, NULL);
	f->state.entries[f->state.n - 1].mnt_id = f->state.entries[0].mnt_id;
	out = output(f);
	assert_int_equal(vsym_sessionview_print_binds(&f->state, out, &err), 0);
	done(f, out);
	assert_contains(f->out, f->gos);
	if (strstr(f->out, "nodes") != NULL || strstr(f->out, "elsewhere") != NULL)
		fail_msg("a gone bind was listed: %s", f->out);
}

/* The source is where the bound directory is now: renamed since, -l shows
 * the new name, not the one recorded. Read-only shows as ro. */
static void test_print_binds_source_now(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };
	char want[512];
	FILE *out;

	REQUIRE_ROOT();
	bind(f, f->gos, "1.0", "go");
	assert_int_equal(mount(NULL, f->gos, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL), 0);
	assert_int_equal(rename(test_path(f->home, ".v/1.0"), test_path(f->home, ".v/1.0-old")), 0);
	out = output(f);
	assert_int_equal(vsym_sessionview_print_binds(&f->state, out, &err), 0);
	done(f, out);
	snprintf(want, sizeof(want), "%s\t%s/.v/1.0-old\tro,", f->gos, f->home);
	assert_contains(f->out, want);
}

/* ------------------------------------------------------------------ -L */

/* One line per variant: name, bound value or "-", target, the choices in
 * version order. A target bound by another variant's bind shows "-". */
static void test_print_variants(void **state)
{
	struct fixture *f = *state;
	char want[1024];
	FILE *out;

	REQUIRE_ROOT();
	bind(f, f->gos, "2.0", "go");
	put_entry(f, test_path(f->home, "nodes"), "go", "1.0");
	out = output(f);
	vsym_sessionview_print_variants(&f->policy, &f->alice.user, &f->state, out);
	done(f, out);
	snprintf(want, sizeof(want), "go\t2.0\t%s\t1.0,2.0,10.0\nnode\t-\t%s/nodes\t\n", f->gos, f->home);
	assert_string_equal(f->out, want);
	assert_int_equal(testns_mounts_on(f->gos), 1);
}

/* Choices are listed as the user: a directory alice cannot read shows
 * none, even to root. */
static void test_print_variants_as_user(void **state)
{
	struct fixture *f = *state;
	char want[1024];
	FILE *out;

	REQUIRE_ROOT();
	make_dir(test_path(f->home, ".v"), 0, 0, 0700);
	out = output(f);
	vsym_sessionview_print_variants(&f->policy, &f->alice.user, &f->state, out);
	done(f, out);
	snprintf(want, sizeof(want), "go\t-\t%s\t\n", f->gos);
	assert_contains(f->out, want);
}

/* -L NAME: the choices, then the aliases (for completion); when the
 * choices cannot be listed the aliases still are, and the error says. */
static void test_print_values(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };
	FILE *out;

	REQUIRE_ROOT();
	out = output(f);
	assert_int_equal(vsym_sessionview_print_values(vsym_policy_variant(&f->policy, "go"), &f->alice.user, out, &err), 0);
	assert_string_equal(done(f, out), "1.0\n2.0\n10.0\nlts\nstable\n");

	make_dir(test_path(f->home, ".v"), 0, 0, 0700);
	out = output(f);
	assert_int_equal(vsym_sessionview_print_values(vsym_policy_variant(&f->policy, "go"), &f->alice.user, out, &err), -1);
	assert_string_equal(done(f, out), "lts\nstable\n");
	assert_true(err.text[0] != '\0');
}

/* ------------------------------------------------------------------ -C */

/* Each default is judged, nothing is mounted; the refused are counted and
 * marked, an optional missing source is skipped, not refused. */
static void test_check_defaults(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };
	size_t dropped = 99;
	char want[1024];
	FILE *out;
	int refused;

	REQUIRE_ROOT();
	make_dir(test_path(f->home, "etc"), 1000, 1000, 0755);
	load_policy(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; readonly = true; } );\n"
		       "variants: { go = { target = \"~/gos\"; source = \"~/.v/${go}\"; default = \"2.0\"; }; };\n"
		       "binds = ( { target = \"~/etc\"; source = \"/etc\"; },\n"
		       "          { target = \"~/nodes\"; source = \"~/.v/9.9\"; optional = true; } );\n");
	out = output(f);
	refused = vsym_sessionview_check_defaults(&f->policy, &f->alice.user, &f->state, out, &dropped, &err);
	done(f, out);
	assert_int_equal(refused, 1);
	assert_int_equal(dropped, 0);
	assert_int_equal(lines(f->out), 3);
	/* the rule forces ro: said in the options column, not twice */
	snprintf(want, sizeof(want), "%s\t%s/.v/2.0\tro\tallowed by /etc/vsym.conf:1\n", f->gos, f->home);
	assert_contains(f->out, want);
	snprintf(want, sizeof(want), "%s/etc\t/etc\trw\trefused: source /etc is not allowed for target %s/etc", f->home, f->home);
	assert_contains(f->out, want);
	snprintf(want, sizeof(want), "%s/nodes\t%s/.v/9.9\trw,optional\tskipped: the source is missing (optional)\n",
		 f->home, f->home);
	assert_contains(f->out, want);
	assert_int_equal(testns_mounts_on(f->gos), 0);
	assert_int_equal(testns_mounts_on(test_path(f->home, "nodes")), 0);
	assert_int_equal(testns_mounts_on(test_path(f->home, "etc")), 0);
	assert_int_equal(f->state.n, 0);
}

/* -C judges what the files name on their own: a system default that fits
 * no choice (also where ~/.vsymrc picks another value, which fits), an
 * alias standing for no choice and a version_from that finds no version,
 * each a line with file and line. */
static void test_check_variants(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };
	static const char user_text[] = "variants: { go = \"2.0\"; };\n";
	char want[1024];
	FILE *out;

	REQUIRE_ROOT();
	load_policy(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
		       "variants: {\n"
		       "  go = { target = \"~/gos\"; source = \"~/.v/${go}\"; default = \"9.9\";\n"
		       "         aliases = { lts = \"1.0\"; gone = \"7.0\"; }; };\n"
		       "  node = { target = \"~/nodes\"; source = \"~/.n/${node}\"; };\n"
		       "};\n");
	if (vsym_cfg_load_user(&f->policy, "/home/alice/.vsymrc", user_text, strlen(user_text), &f->alice.user, &err) < 0)
		fail_msg("%s", err.text);
	out = output(f);
	assert_int_equal(vsym_sessionview_check_variants(&f->policy, &f->alice.user, out), 2);
	done(f, out);
	assert_int_equal(lines(f->out), 2);
	snprintf(want, sizeof(want), "/etc/vsym.conf:3: the default go = \"9.9\" is none of the choices of go "
		 "(there are: 1.0, 2.0, 10.0, lts (1.0))\n");
	assert_contains(f->out, want);
	snprintf(want, sizeof(want), "/etc/vsym.conf:3: the alias gone of go stands for 7.0, which is none of its choices "
		 "(there are: 1.0, 2.0, 10.0, lts (1.0))\n");
	assert_contains(f->out, want);

	/* a version_from that finds a version in no tree; then in one */
	load_policy(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
		       "variants: { go = { target = \"~/gos\"; source = \"~/.v/${go}\";\n"
		       "  version_from = { file = \"VERSION\"; pattern = \"go([0-9.]+)\"; }; }; };\n");
	out = output(f);
	assert_int_equal(vsym_sessionview_check_variants(&f->policy, &f->alice.user, out), 1);
	done(f, out);
	assert_string_equal(f->out, "/etc/vsym.conf:2: version_from of go (pattern \"go([0-9.]+)\" in each tree's VERSION) "
				    "finds a version in none of its 3 choices; each keeps only its directory name\n");
	write_file(test_path(f->home, ".v/2.0/VERSION"), "go2.0.5\n", 1000, 1000, 0644);
	out = output(f);
	assert_int_equal(vsym_sessionview_check_variants(&f->policy, &f->alice.user, out), 0);
	done(f, out);
	assert_string_equal(f->out, "");

	/* all well: nothing said */
	load_policy(f, policy_text);
	out = output(f);
	assert_int_equal(vsym_sessionview_check_variants(&f->policy, &f->alice.user, out), 0);
	done(f, out);
	assert_string_equal(f->out, "");
}

/* Binds beyond max_binds are not judged but counted in *dropped. */
static void test_check_defaults_dropped(void **state)
{
	struct fixture *f = *state;
	struct vsym_error err = { .text = "" };
	size_t dropped = 0;
	FILE *out;

	REQUIRE_ROOT();
	load_policy(f, "allow = ( { target = \"~/*\"; source = \"~/.v/*\"; } );\n"
		       "binds = ( { target = \"~/gos\"; source = \"~/.v/1.0\"; },\n"
		       "          { target = \"~/nodes\"; source = \"~/.v/2.0\"; },\n"
		       "          { target = \"~/more\"; source = \"~/.v/10.0\"; optional = true; } );\n"
		       "max_binds = 1;\n");
	out = output(f);
	assert_int_equal(vsym_sessionview_check_defaults(&f->policy, &f->alice.user, &f->state, out, &dropped, &err), 0);
	done(f, out);
	assert_int_equal(dropped, 2);
	assert_int_equal(lines(f->out), 1);
	assert_contains(f->out, f->gos);
	assert_int_equal(testns_mounts_on(f->gos), 0);
}

/* ------------------------------------------------ values bound (-p, --shell) */

/* Only a variant's own bind with a plain-word value is named; with
 * unbound, a target with no record at all gives "NAME=". */
static void test_bound_values(void **state)
{
	struct fixture *f = *state;
	char *values;

	values = vsym_sessionview_bound_values(&f->policy, &f->state, true);
	assert_string_equal(values, "go= node=");
	free(values);
	put_entry(f, f->gos, "go", "1.22.12");
	values = vsym_sessionview_bound_values(&f->policy, &f->state, false);
	assert_string_equal(values, "go=1.22.12");
	free(values);
	values = vsym_sessionview_bound_values(&f->policy, &f->state, true);
	assert_string_equal(values, "go=1.22.12 node=");
	free(values);
	/* node's target holds another variant's bind: named by neither */
	put_entry(f, test_path(f->home, "nodes"), "go", "1.0");
	values = vsym_sessionview_bound_values(&f->policy, &f->state, true);
	assert_string_equal(values, "go=1.22.12");
	free(values);
	/* a value that is no plain word (a record from elsewhere) is never
	 * handed to a shell */
	put_entry(f, f->gos, "go", "1;rm");
	values = vsym_sessionview_bound_values(&f->policy, &f->state, false);
	assert_string_equal(values, "");
	free(values);
}

/* bound_on asks only whether the target has a record; has_bound whether
 * it holds the very bind asked for (-p then leaves it as it is). */
static void test_bound_on_and_has_bound(void **state)
{
	struct fixture *f = *state;
	char source[256], other[256];
	struct vsym_bind b = { .target = f->gos, .source = source, .variant = "go", .value = "1.0" };

	snprintf(source, sizeof(source), "%s/.v/1.0", f->home);
	snprintf(other, sizeof(other), "%s/.v/2.0", f->home);
	assert_false(vsym_sessionview_bound_on(&f->state, f->gos));
	assert_false(vsym_sessionview_has_bound(&f->state, &b));
	put_entry(f, f->gos, "go", "1.0");
	free(f->state.entries[0].source);
	f->state.entries[0].source = strdup(source);
	assert_true(vsym_sessionview_bound_on(&f->state, f->gos));
	assert_false(vsym_sessionview_bound_on(&f->state, test_path(f->home, "nodes")));
	assert_true(vsym_sessionview_has_bound(&f->state, &b));
	/* anything else asked differs: not bound as asked */
	b.readonly = true;
	assert_false(vsym_sessionview_has_bound(&f->state, &b));
	b.readonly = false;
	b.value = "2.0";
	assert_false(vsym_sessionview_has_bound(&f->state, &b));
	b.value = "1.0";
	b.variant = "node";
	assert_false(vsym_sessionview_has_bound(&f->state, &b));
	b.variant = NULL; /* a plain bind is never "already made" */
	assert_false(vsym_sessionview_has_bound(&f->state, &b));
	b.variant = "go";
	b.source = other;
	assert_false(vsym_sessionview_has_bound(&f->state, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_print_binds_lists_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_binds_skips_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_binds_source_now, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_variants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_variants_as_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_defaults_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_variants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bound_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bound_on_and_has_bound, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
