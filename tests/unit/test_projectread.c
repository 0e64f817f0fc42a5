/* projectread.c: reading real files: no symlink, no FIFO hang, a size cap. */
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

#include "cfg.h"
#include "project.h"
#include "projectfile.h"
#include "projectread.h"
#include "projectsearch.h"

static const char system_conf[] =
	"variants: {\n"
	"  go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; tool = \"golang\"; version_file = \".go-version\"; };\n"
	"  node = { target = \"~/node\"; source = \"~/.nodes/${node}\"; version_file = \".nvmrc\"; };\n"
	"  ruby = { target = \"~/ruby\"; source = \"~/.rubies/${ruby}\"; };\n"
	"};\n";

enum { GO, NODE, RUBY };

struct fixture {
	struct test_user alice;
	struct vsym_policy policy;
	struct vsym_project proj;
	struct vsym_error err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_user_alice(&f->alice);
	test_load_policy(&f->policy, system_conf, &f->alice.user);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vsym_project_free(&f->proj);
	vsym_policy_free(&f->policy);
	free(f);
	return 0;
}

/* Real files: a scratch directory of this process's own. */
static char scratch[64];

static const char *at(const char *name)
{
	static char buf[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", scratch, name);
	return buf[i];
}

static void write_bytes(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		fail_msg("write %s: %s", path, strerror(errno));
	close(fd);
}

static int setup_files(void **state)
{
	strcpy(scratch, "/tmp/test_project.XXXXXX");
	if (mkdtemp(scratch) == NULL || chmod(scratch, 0755) < 0)
		return -1;
	return setup(state);
}

static int teardown_files(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	if (system(cmd) != 0)
		return -1;
	return teardown(state);
}

static void read_file_limits(void **state)
{
	struct fixture *f = *state;
	char *text = NULL, *big;
	size_t len = 0;
	time_t start = time(NULL);

	(void)f;
	write_bytes(at("ok"), "1.22\n", 5);
	assert_int_equal(vsym_projectread_file(NULL, at("ok"), &text, &len, &f->err), 0);
	assert_string_equal(text, "1.22\n");
	free(text);
	assert_int_equal(vsym_projectread_file(NULL, at("missing"), &text, &len, &f->err), -ENOENT);
	assert_int_equal(symlink("/etc/shadow", at("link")), 0);
	assert_int_equal(vsym_projectread_file(NULL, at("link"), &text, &len, &f->err), -1);
	assert_contains(f->err.text, "symbolic link");
	assert_int_equal(mkfifo(at("fifo"), 0644), 0);
	assert_int_equal(vsym_projectread_file(NULL, at("fifo"), &text, &len, &f->err), -1);
	assert_contains(f->err.text, "not a regular file");
	assert_true(time(NULL) - start < 5); /* no hang on the FIFO */
	big = calloc(1, VSYM_PROJECT_MAX_SIZE + 2);
	memset(big, '1', VSYM_PROJECT_MAX_SIZE + 1);
	write_bytes(at("big"), big, VSYM_PROJECT_MAX_SIZE + 1);
	free(big);
	assert_int_equal(vsym_projectread_file(NULL, at("big"), &text, &len, &f->err), -1);
	assert_contains(f->err.text, "larger than");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(read_file_limits, setup_files, teardown_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
