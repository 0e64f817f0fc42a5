/* hookstamp.c: the stamp every -p touches and the reference files of
 * project files dated in the future, in a real session (marker tmpfs on a
 * private /run, testns.h), each in a forked child. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/stat.h>

#include "testns.h"
#include "testutil.h"

#include "hookstamp.h"
#include "runlayout.h"
#include "session.h"

struct fixture {
	struct test_user alice;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char home[128];

	*state = f;
	if (geteuid() != 0)
		return 0; /* each test says skip or fail */
	if (test_alice_at_home(&f->alice, home, sizeof(home), "hookstamp") < 0 || testns_private_run() < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static int make_session(struct fixture *f)
{
	struct vsym_error err;

	return vsym_session_create(&f->alice.user, &err);
}

/* ------------------------------------------------------------ touch */

static int child_stamp(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_error err = { .text = "" };
	const struct timespec epoch[2] = { { 0, 0 }, { 0, 0 } };
	struct stat st;

	CHECK(vsym_hookstamp_touch(1000, &err) == 1, "stamped outside a session");
	CHECK(make_session(f) >= 0, "no session");
	CHECK(vsym_hookstamp_touch(1001, &err) == 1, "stamped another uid's session");
	CHECK(access(VSYM_RUN_PATH(VSYM_STAMP_FILE), F_OK) < 0, "a stamp for the wrong uid");
	CHECK(vsym_hookstamp_touch(1000, &err) == 0, "%s", err.text);
	CHECK(stat(VSYM_RUN_PATH(VSYM_STAMP_FILE), &st) == 0, "%s", strerror(errno));
	CHECK(st.st_uid == 0, "the stamp is not root's");
	/* an old stamp is made new */
	CHECK(utimensat(AT_FDCWD, VSYM_RUN_PATH(VSYM_STAMP_FILE), epoch, 0) == 0, "%s", strerror(errno));
	CHECK(vsym_hookstamp_touch(1000, &err) == 0, "%s", err.text);
	CHECK(stat(VSYM_RUN_PATH(VSYM_STAMP_FILE), &st) == 0 && st.st_mtime > 1000000000, "mtime %ld",
	      (long)st.st_mtime);
	/* never through a symbolic link */
	CHECK(unlink(VSYM_RUN_PATH(VSYM_STAMP_FILE)) == 0, "%s", strerror(errno));
	CHECK(symlink(VSYM_RUN_PATH("stamp-elsewhere"), VSYM_RUN_PATH(VSYM_STAMP_FILE)) == 0, "%s", strerror(errno));
	CHECK(vsym_hookstamp_touch(1000, &err) == -1, "the stamp followed a link");
	CHECK(strstr(err.text, "cannot touch " VSYM_RUN_PATH(VSYM_STAMP_FILE)) != NULL, "%s", err.text);
	return 0;
}

static void test_touch(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_stamp, *state);
}

/* ------------------------------------------------------------ ref_name */

/* The names the hook computes: '%' and '/' escaped, nothing else; no
 * name longer than NAME_MAX. */
static void test_ref_name(void **state)
{
	char name[NAME_MAX + 1], path[PATH_MAX];

	(void)state;
	assert_int_equal(vsym_hookstamp_ref_name("/home/a/p/.tool-versions", name, sizeof(name)), 0);
	assert_string_equal(name, "%2Fhome%2Fa%2Fp%2F.tool-versions");
	assert_int_equal(vsym_hookstamp_ref_name("/a%2Fb/x y", name, sizeof(name)), 0);
	assert_string_equal(name, "%2Fa%252Fb%2Fx y");
	/* "/a%2Fb" and "/a/b" must not share a name */
	assert_int_equal(vsym_hookstamp_ref_name("/a/b", name, sizeof(name)), 0);
	assert_string_equal(name, "%2Fa%2Fb");
	/* 84 components of "/ab": 84 * 5 = 420 > NAME_MAX */
	path[0] = '\0';
	for (int i = 0; i < 84; i++)
		strcat(path, "/ab");
	assert_int_equal(vsym_hookstamp_ref_name(path, name, sizeof(name)), -1);
	assert_int_equal(vsym_hookstamp_ref_name("", name, sizeof(name)), -1);
	assert_int_equal(vsym_hookstamp_ref_name("/abc", name, 4), -1);
}

/* ------------------------------------------------------------ mark_future */

static int mtime_of(const char *name, struct timespec *t)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", VSYM_RUN_PATH(VSYM_HOOKSTAMP_REFS), name);
	if (stat(path, &st) < 0)
		return -1;
	*t = st.st_mtim;
	return 0;
}

static int count_refs(void)
{
	DIR *d = opendir(VSYM_RUN_PATH(VSYM_HOOKSTAMP_REFS));
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* A file outside /run/vsym with a time of 1 (the private /run of testns.h). */
static int write_victim(void)
{
	const struct timespec one[2] = { { 1, 0 }, { 1, 0 } };
	FILE *fp = fopen("/run/victim", "w");

	if (fp == NULL || fclose(fp) != 0)
		return -1;
	return utimensat(AT_FDCWD, "/run/victim", one, 0);
}

static int child_future(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_error err = { .text = "" };
	struct timespec now, t;
	struct stat st;
	struct vsym_projectsearch_watched files[3];
	char past[] = "/p/past", future[] = "/p/future", other[] = "/q/future";

	CHECK(make_session(f) >= 0, "no session");
	CHECK(vsym_hookstamp_touch(1000, &err) == 0, "%s", err.text);
	clock_gettime(CLOCK_REALTIME, &now);
	files[0] = (struct vsym_projectsearch_watched){ past, { now.tv_sec - 3600, 5 } };
	files[1] = (struct vsym_projectsearch_watched){ future, { now.tv_sec + 86400 * 365, 123456789 } };
	files[2] = (struct vsym_projectsearch_watched){ other, { now.tv_sec + 7200, 0 } };
	CHECK(vsym_hookstamp_mark_future(1001, files, 3, &err) == 1, "marked another uid's session");
	CHECK(vsym_hookstamp_mark_future(1000, files, 3, &err) == 0, "%s", err.text);
	CHECK(count_refs() == 2, "%d references, not 2 (the future files only)", count_refs());
	CHECK(mtime_of("%2Fp%2Fpast", &t) < 0, "a reference for a file dated in the past");
	CHECK(mtime_of("%2Fp%2Ffuture", &t) == 0, "no reference for /p/future");
	CHECK(t.tv_sec == files[1].mtime.tv_sec && t.tv_nsec == files[1].mtime.tv_nsec,
	      "the reference's time %ld.%09ld is not the file's", (long)t.tv_sec, t.tv_nsec);
	/* the next switch replaces them all */
	CHECK(vsym_hookstamp_mark_future(1000, files + 2, 1, &err) == 0, "%s", err.text);
	CHECK(count_refs() == 1 && mtime_of("%2Fq%2Ffuture", &t) == 0, "old references kept");
	/* a symbolic link where a reference goes is removed, never followed */
	CHECK(write_victim() == 0, "%s", strerror(errno));
	CHECK(symlink("/run/victim", VSYM_RUN_PATH(VSYM_HOOKSTAMP_REFS) "/%2Fp%2Ffuture") == 0, "%s",
	      strerror(errno));
	CHECK(vsym_hookstamp_mark_future(1000, files, 2, &err) == 0, "%s", err.text);
	CHECK(mtime_of("%2Fp%2Ffuture", &t) == 0 && t.tv_sec == files[1].mtime.tv_sec, "no reference");
	CHECK(stat("/run/victim", &st) == 0 && st.st_mtime == 1, "the link was followed");
	return 0;
}

static void test_mark_future(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_future, *state);
}

/* At most VSYM_HOOKSTAMP_MAX_REFS references, however many files. */
static int child_bounded(void *arg, char *msg, size_t size)
{
	struct fixture *f = arg;
	struct vsym_error err = { .text = "" };
	size_t n = VSYM_HOOKSTAMP_MAX_REFS + 10;
	struct vsym_projectsearch_watched *files = calloc(n, sizeof(*files));
	struct timespec now;

	CHECK(files != NULL, "out of memory");
	CHECK(make_session(f) >= 0, "no session");
	CHECK(vsym_hookstamp_touch(1000, &err) == 0, "%s", err.text);
	clock_gettime(CLOCK_REALTIME, &now);
	for (size_t i = 0; i < n; i++) {
		CHECK(asprintf(&files[i].path, "/p/%zu", i) > 0, "out of memory");
		files[i].mtime = (struct timespec){ now.tv_sec + 3600, 0 };
	}
	CHECK(vsym_hookstamp_mark_future(1000, files, n, &err) == 0, "%s", err.text);
	CHECK(count_refs() == VSYM_HOOKSTAMP_MAX_REFS, "%d references", count_refs());
	vsym_projectsearch_watched_free(files, n);
	return 0;
}

static void test_bounded(void **state)
{
	REQUIRE_ROOT();
	RUN_CHILD(child_bounded, *state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_name),
		cmocka_unit_test_setup_teardown(test_touch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mark_future, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
