/* state.c: the record of a session's binds. Files in a temporary directory;
 * no root needed. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "testutil.h"

#include "state.h"

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*state = f;
	return f != NULL && test_tmp_dir(f->dir, sizeof(f->dir), "vsym-state") == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f != NULL)
		test_remove_tmp_dir(f->dir);
	free(f);
	return 0;
}

static void write_fixture_file(const struct fixture *f, const char *name, const char *text)
{
	char path[256];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	out = fopen(path, "w");
	assert_non_null(out);
	fputs(text, out);
	fclose(out);
}

static char *read_file(const struct fixture *f, const char *name)
{
	static char text[4096];
	char path[256];
	FILE *in;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	in = fopen(path, "r");
	assert_non_null(in);
	n = fread(text, 1, sizeof(text) - 1, in);
	text[n] = '\0';
	fclose(in);
	return text;
}

static int count_files(const struct fixture *f)
{
	DIR *d = opendir(f->dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static char *escaped(const char *path)
{
	static char *text;
	size_t size;
	FILE *out;

	free(text);
	text = NULL;
	out = open_memstream(&text, &size);
	assert_non_null(out);
	vsym_fput_escaped(path, out);
	fclose(out);
	return text;
}

static void test_fput_escaped_exact(void **state)
{
	(void)state;
	assert_string_equal(escaped("/home/alice/go"), "/home/alice/go");
	assert_string_equal(escaped("a b\tc\nd\\e"), "a\\040b\\011c\\012d\\134e");
	assert_string_equal(escaped("\\040"), "\\134040");
	assert_string_equal(escaped("  "), "\\040\\040");
	assert_string_equal(escaped(""), "");
	/* other bytes, UTF-8 included, pass as they are */
	assert_string_equal(escaped("caf\xc3\xa9#-"), "caf\xc3\xa9#-");
}

static char t0[] = "/home/a b/go", s0[] = "/home/a b/.v/1 0";
static char t1[] = "/home/x\ty", s1[] = "/src\nline", v1[] = "go", x1[] = "1.22";
static char t2[] = "/home/back\\slash", s2[] = "/s\\040not a space", v2[] = "py";
static char t3[] = "/t", s3[] = "/s", x3[] = "v";
static const struct vsym_state_entry samples[] = {
	{ .mnt_id = 1, .root_dev = 2049, .root_ino = 12, .target = t0, .source = s0 },
	{ .mnt_id = 22, .root_dev = 0, .root_ino = 7, .target = t1, .source = s1, .readonly = true,
	  .variant = v1, .value = x1 },
	{ .mnt_id = 18446744073709551615ULL, .root_dev = 18446744073709551615ULL,
	  .root_ino = 18446744073709551615ULL, .target = t2, .source = s2, .variant = v2 },
	{ .mnt_id = 4, .target = t3, .source = s3, .readonly = true, .value = x3 },
};
#define NSAMPLES (sizeof(samples) / sizeof(samples[0]))

static void assert_same_string(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_same_entry(const struct vsym_state_entry *a, const struct vsym_state_entry *b)
{
	assert_non_null(a);
	assert_non_null(b);
	assert_true(a->mnt_id == b->mnt_id);
	assert_true(a->root_dev == b->root_dev);
	assert_true(a->root_ino == b->root_ino);
	assert_string_equal(a->target, b->target);
	assert_string_equal(a->source, b->source);
	assert_int_equal(a->readonly, b->readonly);
	assert_same_string(a->variant, b->variant);
	assert_same_string(a->value, b->value);
}

static void test_round_trip(void **state)
{
	struct fixture *f = *state;
	struct vsym_state saved = { NULL, 0, f->dir }, loaded;
	struct vsym_error err;

	for (size_t i = 0; i < NSAMPLES; i++)
		assert_int_equal(vsym_state_put(&saved, &samples[i]), 0);
	assert_int_equal(vsym_state_save(&saved, VSYM_STATE_FILE, &err), 0);
	/* replaced atomically: no temporary file left */
	assert_int_equal(count_files(f), 1);
	assert_int_equal(vsym_state_load(&loaded, f->dir, VSYM_STATE_FILE, &err), 0);
	assert_ptr_equal(loaded.dir, f->dir);
	assert_int_equal(loaded.n, NSAMPLES);
	for (size_t i = 0; i < NSAMPLES; i++)
		assert_same_entry(vsym_state_find(&loaded, samples[i].target), &samples[i]);
	vsym_state_free(&loaded);
	vsym_state_free(&saved);
}

/* One line per bind, tab-separated, escaped; "-" for what is not set. */
static void test_file_format(void **state)
{
	struct fixture *f = *state;
	struct vsym_state s = { NULL, 0, f->dir };
	struct vsym_error err;

	assert_int_equal(vsym_state_put(&s, &samples[0]), 0);
	assert_int_equal(vsym_state_put(&s, &samples[1]), 0);
	assert_int_equal(vsym_state_save(&s, VSYM_JOURNAL_FILE, &err), 0);
	assert_string_equal(read_file(f, VSYM_JOURNAL_FILE),
			    "1\t2049:12\t/home/a\\040b/go\t/home/a\\040b/.v/1\\0400\trw\t-\t-\n"
			    "22\t0:7\t/home/x\\011y\t/src\\012line\tro\tgo\t1.22\n");
	vsym_state_free(&s);
}

static void test_put_replaces_by_target(void **state)
{
	struct vsym_state s = { NULL, 0, NULL };
	char target[] = "/home/alice/go", source[] = "/one", variant[] = "go";
	struct vsym_state_entry e = { .mnt_id = 5, .target = target, .source = source, .variant = variant };
	struct vsym_state_entry *found;

	(void)state;
	assert_int_equal(vsym_state_put(&s, &e), 0);
	assert_int_equal(vsym_state_put(&s, &samples[3]), 0);
	e.mnt_id = 6;
	strcpy(source, "/two");
	e.variant = NULL;
	assert_int_equal(vsym_state_put(&s, &e), 0);
	assert_int_equal(s.n, 2);
	found = vsym_state_find(&s, target);
	assert_non_null(found);
	assert_true(found->mnt_id == 6);
	assert_string_equal(found->source, "/two");
	assert_null(found->variant);
	/* the strings are copies */
	strcpy(source, "/xxx");
	strcpy(target, "/zzzzzzzzzzzzz");
	assert_string_equal(found->source, "/two");
	assert_string_equal(found->target, "/home/alice/go");
	assert_ptr_not_equal(found->target, target);
	vsym_state_free(&s);
	assert_int_equal(s.n, 0);
	assert_null(s.entries);
}

static void test_find_and_remove(void **state)
{
	struct vsym_state s = { NULL, 0, NULL };

	(void)state;
	assert_null(vsym_state_find(&s, "/t"));
	vsym_state_remove(&s, "/t"); /* nothing to remove */
	for (size_t i = 0; i < NSAMPLES; i++)
		assert_int_equal(vsym_state_put(&s, &samples[i]), 0);
	assert_null(vsym_state_find(&s, "/home/a b"));   /* exact match only */
	assert_null(vsym_state_find(&s, "/home/a b/go/"));
	vsym_state_remove(&s, samples[1].target);
	assert_int_equal(s.n, NSAMPLES - 1);
	assert_null(vsym_state_find(&s, samples[1].target));
	for (size_t i = 0; i < NSAMPLES; i++)
		if (i != 1)
			assert_same_entry(vsym_state_find(&s, samples[i].target), &samples[i]);
	vsym_state_remove(&s, "/not/there");
	assert_int_equal(s.n, NSAMPLES - 1);
	for (size_t i = 0; i < NSAMPLES; i++)
		vsym_state_remove(&s, samples[i].target);
	assert_int_equal(s.n, 0);
	vsym_state_free(&s);
}

static void test_missing_file_is_empty(void **state)
{
	struct fixture *f = *state;
	struct vsym_state s;
	struct vsym_error err;

	assert_int_equal(vsym_state_load(&s, f->dir, VSYM_STATE_FILE, &err), 0);
	assert_int_equal(s.n, 0);
	assert_ptr_equal(s.dir, f->dir);
	vsym_state_free(&s);
}

static void test_damaged_file(void **state)
{
	struct fixture *f = *state;
	static const char *const damaged[] = {
		"1\t1:2\t/t\t/s\n",                               /* too few fields */
		"1\t1:2\t/t\t/s\trw\t-\t-\n\n",                   /* an empty line */
		"1\t1:2\t/t\t/s\trw\t-\t-\n2 1:2 /u /v rw - -\n",  /* spaces, not tabs */
		"1\t1-2\t/t\t/s\trw\t-\t-\n",                     /* no DEV:INO */
		"x1\t1:2\t/t\t/s\trw\t-\t-\n",                    /* id not a number */
		"1\t1:2x\t/t\t/s\trw\t-\t-\n",                    /* trailing junk */
		"1\t1:2\t/t\t/s\trx\t-\t-\n",                     /* neither ro nor rw */
		"1\t1:2\tt\t/s\trw\t-\t-\n",                      /* relative target */
		"1\t1:2\t/t\t/s\trw\t-\t-\textra\n",             /* an extra field */
	};
	struct vsym_state s;
	struct vsym_error err;

	for (size_t i = 0; i < sizeof(damaged) / sizeof(damaged[0]); i++) {
		write_fixture_file(f, VSYM_STATE_FILE, damaged[i]);
		err.text[0] = '\0';
		assert_int_equal(vsym_state_load(&s, f->dir, VSYM_STATE_FILE, &err), -1);
		assert_contains(err.text, "is damaged");
		assert_contains(err.text, VSYM_STATE_FILE);
		assert_int_equal(s.n, 0);
		assert_null(s.entries);
	}
	/* the control: the good line alone loads */
	write_fixture_file(f, VSYM_STATE_FILE, "1\t1:2\t/t\t/s\trw\t-\t-\n");
	assert_int_equal(vsym_state_load(&s, f->dir, VSYM_STATE_FILE, &err), 0);
	assert_int_equal(s.n, 1);
	vsym_state_free(&s);
}

/* The record is never read through a symlink. */
static void test_symlinked_file_refused(void **state)
{
	struct fixture *f = *state;
	struct vsym_state s;
	struct vsym_error err;
	char path[256];

	write_fixture_file(f, "elsewhere", "1\t1:2\t/t\t/s\trw\t-\t-\n");
	snprintf(path, sizeof(path), "%s/%s", f->dir, VSYM_STATE_FILE);
	assert_int_equal(symlink("elsewhere", path), 0);
	assert_int_equal(vsym_state_load(&s, f->dir, VSYM_STATE_FILE, &err), -1);
	assert_contains(err.text, "cannot read");
	assert_int_equal(s.n, 0);
}

static void test_save_without_dir_writes_nothing(void **state)
{
	struct fixture *f = *state;
	struct vsym_state s = { NULL, 0, NULL };
	struct vsym_error err;
	char cwd[4096];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(vsym_state_put(&s, &samples[0]), 0);
	assert_int_equal(vsym_state_save(&s, VSYM_STATE_FILE, &err), 0);
	assert_int_equal(count_files(f), 0);
	assert_int_equal(chdir(cwd), 0);
	vsym_state_free(&s);
}

/* A save replaces the whole record, and a stale temporary file (from a
 * crash) does not stop it. */
static void test_save_replaces(void **state)
{
	struct fixture *f = *state;
	struct vsym_state s = { NULL, 0, f->dir }, loaded;
	struct vsym_error err;
	char stale[64], path[256];

	snprintf(stale, sizeof(stale), ".%s.new", VSYM_STATE_FILE);
	write_fixture_file(f, stale, "junk");
	snprintf(path, sizeof(path), "%s/%s", f->dir, stale);
	assert_int_equal(vsym_state_put(&s, &samples[0]), 0);
	assert_int_equal(vsym_state_put(&s, &samples[1]), 0);
	assert_int_equal(vsym_state_save(&s, VSYM_STATE_FILE, &err), 0);
	vsym_state_remove(&s, samples[0].target);
	assert_int_equal(vsym_state_save(&s, VSYM_STATE_FILE, &err), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(vsym_state_load(&loaded, f->dir, VSYM_STATE_FILE, &err), 0);
	assert_int_equal(loaded.n, 1);
	assert_same_entry(&loaded.entries[0], &samples[1]);
	vsym_state_free(&loaded);
	vsym_state_free(&s);
}

static void test_save_into_missing_dir_fails(void **state)
{
	struct fixture *f = *state;
	char dir[128];
	struct vsym_state s = { NULL, 0, dir };
	struct vsym_error err;

	snprintf(dir, sizeof(dir), "%s/none", f->dir);
	assert_int_equal(vsym_state_put(&s, &samples[0]), 0);
	assert_int_equal(vsym_state_save(&s, VSYM_STATE_FILE, &err), -1);
	assert_contains(err.text, "cannot write");
	vsym_state_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fput_escaped_exact),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_format, setup, teardown),
		cmocka_unit_test(test_put_replaces_by_target),
		cmocka_unit_test(test_find_and_remove),
		cmocka_unit_test_setup_teardown(test_missing_file_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinked_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_without_dir_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_save_into_missing_dir_fails, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
