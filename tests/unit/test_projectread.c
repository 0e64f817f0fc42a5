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
#include "testproject.h"

#include "cfg.h"
#include "project.h"
#include "projectfile.h"
#include "projectread.h"
#include "projectsearch.h"

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
