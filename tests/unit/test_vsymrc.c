/* vsymrc.c: the one spelling of ~/.vsymrc. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "testns.h"
#include "testutil.h"
#include "testhome.h"

#include "binds.h"
#include "cfg.h"
#include "cred.h"
#include "policyfile.h"
#include "state.h"
#include "vsymrc.h"

/* One spelling of the file's path, "/" as a home included: the module
 * matches messages against it to keep the file's text out of the log. */
static void test_user_file_path(void **state)
{
	struct fixture *f = *state;
	struct vsym_user u = f->alice.user;
	char buf[64], tiny[8], home[] = "/home/alice", root[] = "/";

	u.home = home;
	assert_int_equal(vsym_vsymrc_path(&u, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/home/alice/.vsymrc");
	u.home = root;
	assert_int_equal(vsym_vsymrc_path(&u, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/.vsymrc");
	u.home = home;
	assert_int_equal(vsym_vsymrc_path(&u, tiny, sizeof(tiny)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_user_file_path, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
