/* projectsearch.c: the search from a directory up to "/" (through a reader made up here), and as the user: never into FUSE, only what the user can reach. */
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

/* A file system made up for the search: path -> text, or an error. */
struct fake_file {
	const char *path;
	const char *text;   /* NULL: unreadable */
};

static const struct fake_file *fake_files;

static unsigned reads;

static int fake_reader(void *ctx, const char *path, char **text, size_t *len, struct vsym_error *err)
{
	(void)ctx;
	reads++;
	for (const struct fake_file *ff = fake_files; ff->path != NULL; ff++) {
		if (strcmp(ff->path, path) != 0)
			continue;
		if (ff->text == NULL)
			return vsym_error_set(err, "%s: cannot be read (Permission denied); the file is refused", path);
		*text = strdup(ff->text);
		*len = strlen(ff->text);
		return 0;
	}
	return -ENOENT;
}

static int search(struct fixture *f, const char *dir, const struct fake_file *files)
{
	vsym_project_free(&f->proj);
	fake_files = files;
	reads = 0;
	return vsym_projectsearch_run(&f->policy, dir, fake_reader, NULL, &f->proj, &f->err);
}

static void search_nearest_wins(void **state)
{
	struct fixture *f = *state;
	static const struct fake_file files[] = {
		{ "/home/alice/.tool-versions", "golang 1.19\nruby 3.1\nnodejs 18\n" },
		{ "/home/alice/proj/.go-version", "1.22\n" },
		{ "/home/alice/proj/.tool-versions", "golang 1.21\n" },
		{ "/home/alice/proj/.vsym", "variants: { go = \"1.20\"; };\n" },
		{ "/home/alice/proj/sub/.nvmrc", "v20\n" },
		{ "/.nvmrc", "16\n" },
		{ NULL, NULL }
	};

	assert_int_equal(search(f, "/home/alice/proj/sub", files), 0);
	assert_string_equal(value_of(f, GO), "1.20");       /* .vsym first in its directory */
	assert_string_equal(vsym_project_pick_of(&f->proj, GO)->file, "/home/alice/proj/.vsym");
	assert_string_equal(value_of(f, NODE), "20");       /* nearest */
	assert_string_equal(value_of(f, RUBY), "3.1");      /* from farther up */
	assert_int_equal(search(f, "/home/alice/proj/sub/../", files), 0); /* lexical, as $PWD */
	assert_string_equal(value_of(f, GO), "1.20");
	assert_string_equal(value_of(f, NODE), "16");       /* up to "/" */
	assert_int_equal(search(f, "/home//alice/./", files), 0);
	assert_string_equal(value_of(f, GO), "1.19");
	assert_int_equal(search(f, "/tmp", files), 0);
	assert_string_equal(value_of(f, GO), "(none)");
	assert_string_equal(value_of(f, NODE), "16");
}

static void search_tool_versions_before_version_file(void **state)
{
	struct fixture *f = *state;
	static const struct fake_file files[] = {
		{ "/w/.go-version", "1.22\n" },
		{ "/w/.tool-versions", "golang 1.21\n" },
		{ NULL, NULL }
	};

	assert_int_equal(search(f, "/w", files), 0);
	assert_string_equal(value_of(f, GO), "1.21");
}

/* version_file lists: in one directory in the order listed; the nearest
 * directory first. */
static void search_version_file_list(void **state)
{
	struct fixture *f = *state;
	static const char conf[] =
		"variants: { go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; version_file = [ \".go-version\", \"go.mod\" ]; }; };\n";
	static const struct fake_file files[] = {
		{ "/a/b/go.mod", "module x\ntoolchain go1.22.1\n" },
		{ "/a/b/.go-version", "1.21\n" },
		{ "/c/d/go.mod", "module y\n\ngo 1.20\n" },
		{ "/c/.go-version", "1.19\n" },
		{ NULL, NULL }
	};
	struct vsym_policy saved = f->policy;

	memset(&f->policy, 0, sizeof(f->policy));
	if (vsym_cfg_load_system(&f->policy, "/etc/vsym.conf", conf, strlen(conf), &f->alice.user, &f->err) < 0)
		fail_msg("%s", f->err.text);
	assert_int_equal(search(f, "/a/b", files), 0);
	assert_string_equal(value_of(f, 0), "1.21");
	assert_int_equal(search(f, "/c/d", files), 0);
	assert_string_equal(value_of(f, 0), "1.20");
	assert_true(vsym_project_pick_of(&f->proj, 0)->minimum);
	assert_string_equal(vsym_project_pick_of(&f->proj, 0)->file, "/c/d/go.mod");
	assert_int_equal(vsym_project_pick_of(&f->proj, 0)->line, 3);
	vsym_project_free(&f->proj);
	vsym_policy_free(&f->policy);
	f->policy = saved;
}

/* Another tool's version file that no variant reads: one note each, no
 * problem (exit status 0). */
static void search_notes_unread_files(void **state)
{
	struct fixture *f = *state;
	static const struct fake_file files[] = {
		{ "/a/go.mod", "module x\ngo 1.21\n" },
		{ "/a/.python-version", "3.12\n" },
		{ "/a/.go-version", "1.22\n" },
		{ NULL, NULL }
	};

	assert_int_equal(search(f, "/a", files), 0);
	assert_string_equal(value_of(f, GO), "1.22");
	assert_contains(notes(f), "/a/go.mod: found, but no variant reads it (add it to a variant's version_file in vsym.conf); ignored");
	assert_contains(notes(f), "/a/.python-version: found, but no variant reads it");
	assert_int_equal(f->proj.nnotes, 2);
	assert_int_equal(f->proj.problems, 0);
}

static void search_stops_when_all_claimed(void **state)
{
	struct fixture *f = *state;
	static const struct fake_file files[] = {
		{ "/a/b/.vsym", "variants: { go = \"1\"; node = \"2\"; ruby = \"3\"; };\n" },
		{ NULL, NULL }
	};

	assert_int_equal(search(f, "/a/b", files), 0);
	assert_int_equal(f->proj.n, 3);
	assert_int_equal(reads, 1);
}

static void search_bad_nearest_value_leaves_variant(void **state)
{
	struct fixture *f = *state;
	static const struct fake_file files[] = {
		{ "/a/.tool-versions", "golang 1.19\n" },
		{ "/a/b/.go-version", "../../etc\n" },
		{ "/a/b/.vsym", "allow = ();\n" },
		{ "/a/b/.nvmrc", NULL },
		{ "/.tool-versions", "nodejs 18\nnode 18\n" },
		{ NULL, NULL }
	};

	assert_int_equal(search(f, "/a/b", files), 0);
	assert_string_equal(value_of(f, GO), "(bad)");      /* not the farther 1.19 */
	assert_string_equal(value_of(f, NODE), "18");       /* the unreadable .nvmrc is noted */
	assert_contains(notes(f), "/a/b/.go-version:1: not a valid value for go");
	assert_contains(notes(f), "/a/b/.vsym:1: ");
	assert_contains(notes(f), "/a/b/.nvmrc: cannot be read");
	assert_contains(notes(f), "/.tool-versions:1: no variant here reads tool nodejs");
	/* each reported once; the unmapped tool is no problem */
	assert_int_equal(f->proj.nnotes, 4);
	assert_int_equal(f->proj.problems, 3);
	assert_int_equal(search(f, "/a/\x1b]2;x\a/b", (const struct fake_file[]){
		{ "/a/\x1b]2;x\a/b/.vsym", "allow = ();\n" },
		{ "/a/\x1b]2;x\a/.go-version", "1.22\n" }, { NULL, NULL } }), 0);
	/* a path's escapes are shown visibly, never sent */
	assert_contains(notes(f), "/a/\\x1b]2;x\\x07/b/.vsym:1: ");
	assert_string_equal(vsym_project_pick_of(&f->proj, GO)->file, "/a/\\x1b]2;x\\x07/.go-version");
	/* C1 controls (U+009B CSI, U+009D OSC) and invalid UTF-8 too */
	assert_int_equal(search(f, "/c/\xc2\x9b" "2J\xc2\x9d" "0;t\xff", (const struct fake_file[]){
		{ "/c/\xc2\x9b" "2J\xc2\x9d" "0;t\xff/.vsym", "allow = ();\n" }, { NULL, NULL } }), 0);
	assert_contains(notes(f), "/c/\\xc2\\x9b2J\\xc2\\x9d0;t\\xff/.vsym:1: ");
	assert_int_equal(search(f, "relative/dir", files), -1);
	assert_contains(f->err.text, "not an absolute directory");
}

/* The search as the user: the caller itself when not root,
 * else the made-up alice (uid 1000), who can read these 0644 files and
 * not a 0600 one of root's. */
static void find_as_user(void **state)
{
	struct fixture *f = *state;
	struct test_user me;
	const struct vsym_user *user = &f->alice.user;
	char dir[128];

	if (geteuid() != 0) {
		test_user_alice(&me);
		me.user.uid = getuid();
		me.user.gid = getgid();
		me.user.ngids = 0;
		user = &me.user;
	}
	snprintf(dir, sizeof(dir), "%s/proj", scratch);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_bytes(at(".tool-versions"), "golang 1.19\nruby 3.3\n", 21);
	write_bytes(at("proj/.nvmrc"), "v20.11.1\n", 9);
	write_bytes(at("proj/.vsym"), "variants: { go = \"1.22\"; };\n", 28);
	assert_int_equal(symlink("/etc/shadow", at("proj/.go-version")), 0);
	if (geteuid() == 0) {
		write_bytes(at("proj/.tool-versions"), "ruby 2.7\n", 9);
		assert_int_equal(chmod(at("proj/.tool-versions"), 0600), 0);
	}
	assert_int_equal(vsym_projectsearch_as_user(&f->policy, user, dir, &f->proj, &f->err), 0);
	assert_string_equal(value_of(f, GO), "1.22");
	assert_string_equal(value_of(f, NODE), "20.11.1");
	assert_string_equal(value_of(f, RUBY), "3.3");
	assert_string_equal(vsym_project_pick_of(&f->proj, RUBY)->file, at(".tool-versions"));
	if (geteuid() == 0) {
		assert_contains(notes(f), "/proj/.tool-versions: cannot be read (Permission denied)");
		assert_int_equal(f->proj.problems, 1);
	}
	vsym_project_free(&f->proj);
	assert_int_equal(vsym_projectsearch_as_user(&f->policy, user, at(".nvmrc"), &f->proj, &f->err),
			 -ENOTDIR);
	assert_contains(f->err.text, "/.nvmrc is not a directory you can enter");
	assert_int_equal(f->proj.n, 0);
}

/* What the shell hook watches, as the user: each project file name from
 * the directory up, spelled as the hook spells it, with its time; a
 * symbolic link, a directory by such a name, or a missing file is not
 * there (vsym would read none of them). */
static void watched_files(void **state)
{
	struct fixture *f = *state;
	struct vsym_projectsearch_watched *files;
	const struct timespec when[2] = { { 2051222400, 5 }, { 2051222400, 5 } };
	char dir[128], want[300];
	size_t n;

	snprintf(dir, sizeof(dir), "%s/w/x", scratch);
	assert_int_equal(mkdir(at("w"), 0755), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_bytes(at("w/.tool-versions"), "golang 1.19\n", 12);
	write_bytes(at("w/x/.vsym"), "variants: { go = \"1.22\"; };\n", 28);
	assert_int_equal(utimensat(AT_FDCWD, at("w/x/.vsym"), when, 0), 0);
	assert_int_equal(symlink("/etc/passwd", at("w/x/.go-version")), 0);
	assert_int_equal(mkdir(at("w/x/.nvmrc"), 0755), 0);
	assert_int_equal(vsym_projectsearch_watched_as_user(&f->policy, &f->alice.user, dir, &files, &n, &f->err), 0);
	assert_true(n >= 2);
	snprintf(want, sizeof(want), "%s/w/x/.vsym", scratch);
	assert_string_equal(files[0].path, want);
	assert_true(files[0].mtime.tv_sec == 2051222400 && files[0].mtime.tv_nsec == 5);
	snprintf(want, sizeof(want), "%s/w/.tool-versions", scratch);
	assert_string_equal(files[1].path, want);
	for (size_t i = 0; i < n; i++) {
		assert_null(strstr(files[i].path, "/w/x/.go-version"));
		assert_null(strstr(files[i].path, "/w/x/.nvmrc"));
	}
	vsym_projectsearch_watched_free(files, n);
	assert_int_equal(vsym_projectsearch_watched_as_user(&f->policy, &f->alice.user, "relative", &files, &n, &f->err), -1);
	assert_contains(f->err.text, "not an absolute directory");
}

/* The search knows a name is missing from one lookup in the directory it
 * walked, but anything there by that name is walked in full: a dangling
 * link is still refused as a link, a file in a directory above is still
 * found, and a directory named like a project file is not read. */
static void find_as_user_walks_what_is_there(void **state)
{
	struct fixture *f = *state;
	char dir[128];

	snprintf(dir, sizeof(dir), "%s/a/b/c", scratch);
	assert_int_equal(mkdir(at("a"), 0755), 0);
	assert_int_equal(mkdir(at("a/b"), 0755), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(symlink("nowhere", at("a/b/c/.nvmrc")), 0);
	assert_int_equal(mkdir(at("a/b/c/.vsym"), 0755), 0);
	write_bytes(at("a/.tool-versions"), "golang 1.19\n", 12);
	assert_int_equal(vsym_projectsearch_as_user(&f->policy, &f->alice.user, dir, &f->proj, &f->err), 0);
	assert_contains(notes(f), "/a/b/c/.nvmrc: a symbolic link");
	assert_contains(notes(f), "/a/b/c/.vsym: not a regular file");
	assert_null(vsym_project_pick_of(&f->proj, NODE));
	assert_string_equal(value_of(f, GO), "1.19");
}

/* A project below a FUSE mount the user serves that never answers (the
 * daemon reads each request and answers none): the search never looks a
 * name up inside it, so it ends at once; a project file that is itself
 * such a mount is refused by name, and the other files are still read. */
static void fuse_never_looked_into(void **state)
{
	struct fixture *f = *state;
	char deep[PATH_MAX], path[PATH_MAX];
	struct testfuse fuse, fuse2;
	const char *sc;

	REQUIRE_ROOT();
	sc = testns_scratch();
	assert_non_null(sc);
	snprintf(scratch, sizeof(scratch), "%s/pf", sc);
	assert_int_equal(mkdir(scratch, 0755), 0);
	assert_int_equal(mkdir(at("hung"), 0755), 0);
	assert_int_equal(mkdir(at("p"), 0755), 0);
	assert_int_equal(mkdir(at("p/.vsym"), 0755), 0);
	write_bytes(at("p/.tool-versions"), "golang 1.19\n", 12);
	if (testfuse_start(&fuse, at("hung"), 0, TESTFUSE_READ) < 0 ||
	    testfuse_start(&fuse2, at("p/.vsym"), 0, TESTFUSE_READ) < 0)
		fail_msg("mount fuse: %s", strerror(errno));
	signal(SIGALRM, SIG_DFL);
	alarm(test_seconds(10));
	snprintf(deep, sizeof(deep), "%s/deep/project", at("hung"));
	assert_int_equal(vsym_projectsearch_as_user(&f->policy, &f->alice.user, deep, &f->proj, &f->err), -ENOTDIR);
	assert_contains(f->err.text, "is a FUSE mount (fuse)");
	snprintf(path, sizeof(path), "%s", at("p"));
	assert_int_equal(vsym_projectsearch_as_user(&f->policy, &f->alice.user, path, &f->proj, &f->err), 0);
	alarm(test_seconds(0));
	assert_contains(notes(f), ".vsym: ");
	assert_contains(notes(f), "is a FUSE mount (fuse)");
	assert_string_equal(value_of(f, GO), "1.19");
	vsym_project_free(&f->proj);
	testfuse_stop(&fuse2);
	testfuse_stop(&fuse);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(search_nearest_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(search_tool_versions_before_version_file, setup, teardown),
		cmocka_unit_test_setup_teardown(search_version_file_list, setup, teardown),
		cmocka_unit_test_setup_teardown(search_notes_unread_files, setup, teardown),
		cmocka_unit_test_setup_teardown(search_stops_when_all_claimed, setup, teardown),
		cmocka_unit_test_setup_teardown(search_bad_nearest_value_leaves_variant, setup, teardown),
		cmocka_unit_test_setup_teardown(find_as_user, setup_files, teardown_files),
		cmocka_unit_test_setup_teardown(watched_files, setup_files, teardown_files),
		cmocka_unit_test_setup_teardown(find_as_user_walks_what_is_there, setup_files, teardown_files),
		cmocka_unit_test_setup_teardown(fuse_never_looked_into, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
