/* project.c: what project files say, and the names a search tries. */
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

/* The names the shell hook looks for, in the search's order: .vsym,
 * .tool-versions, then each variant's version file once. */
static void file_names_in_search_order(void **state)
{
	struct fixture *f = *state;
	static const char shared[] =
		"variants: {\n"
		"  go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; version_file = \".go-version\"; };\n"
		"  ruby = { target = \"~/ruby\"; source = \"~/.rubies/${ruby}\"; };\n"
		"  gotip = { target = \"~/gotip\"; source = \"~/.tips/${gotip}\"; version_file = \".go-version\"; };\n"
		"  node = { target = \"~/node\"; source = \"~/.nodes/${node}\"; version_file = \".nvmrc\"; };\n"
		"};\n";
	const char **names;
	size_t n = 0;

	names = vsym_project_file_names(&f->policy, &n);
	assert_non_null(names);
	assert_int_equal(n, 4);
	assert_string_equal(names[0], ".vsym");
	assert_string_equal(names[1], ".tool-versions");
	assert_string_equal(names[2], ".go-version");
	assert_string_equal(names[3], ".nvmrc");
	free(names);
	vsym_policy_free(&f->policy);
	if (vsym_cfg_load_system(&f->policy, "/etc/vsym.conf", shared, strlen(shared), &f->alice.user, &f->err) < 0)
		fail_msg("%s", f->err.text);
	names = vsym_project_file_names(&f->policy, &n);
	assert_non_null(names);
	assert_int_equal(n, 4); /* .go-version once, for two variants */
	assert_string_equal(names[2], ".go-version");
	assert_string_equal(names[3], ".nvmrc");
	free(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(file_names_in_search_order, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
