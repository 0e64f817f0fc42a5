/* The set-aside of the setuid tool's environment (environ.c), white-box:
 * glibc's secure mode already strips LD_* from a setuid process, so from
 * outside the set-aside is invisible; here it is seen directly. */
#include "config.h"

#include <stdio.h>

#include "testutil.h"

#include "environ.h"

extern char **environ;

/* What a hostile caller sets, and a variable of no consequence. */
static char caller_env[][32] = {
	"HOME=/etc", "PATH=/nonexistent", "LIBMOUNT_DEBUG=all", "LD_PRELOAD=/tmp/evil.so",
	"LC_ALL=xx_XX.UTF-8", "KEEP=a b\tc",
};
#define N_CALLER_ENV (sizeof(caller_env) / sizeof(caller_env[0]))

static size_t count(char *const *v)
{
	size_t n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

/* Makes the caller's environment a vector of its own, as the kernel hands
 * one to a new process (not one that setenv allocated), and returns a
 * copy of its pointers. */
static char **caller_environment(void)
{
	static char *vector[N_CALLER_ENV + 1];
	char **copy = calloc(N_CALLER_ENV + 1, sizeof(char *));

	assert_non_null(copy);
	for (size_t i = 0; i < N_CALLER_ENV; i++)
		vector[i] = copy[i] = caller_env[i];
	vector[N_CALLER_ENV] = NULL;
	environ = vector;
	assert_string_equal(getenv("HOME"), "/etc");
	return copy;
}

static void test_set_aside_empties_the_environment(void **state)
{
	char **before = caller_environment(), **saved;

	(void)state;
	saved = vsym_environ_set_aside();
	assert_non_null(environ);
	assert_null(environ[0]);
	assert_null(getenv("HOME"));
	assert_null(getenv("PATH"));
	assert_null(getenv("LIBMOUNT_DEBUG"));
	assert_null(getenv("LD_PRELOAD"));
	assert_null(getenv("LC_ALL"));
	assert_null(getenv("KEEP"));
	/* The caller's vector itself, untouched: same pointers, same strings. */
	assert_ptr_equal(saved[0], before[0]);
	assert_int_equal(count(saved), count(before));
	for (size_t i = 0; before[i] != NULL; i++) {
		assert_ptr_equal(saved[i], before[i]);
		assert_string_equal(saved[i], caller_env[i]);
	}
	vsym_environ_restore(saved);
	free(before);
}

/* The tool's own work may set a variable (libc does for some calls):
 * that never reaches the vector given back to the -x command. */
static void test_own_work_does_not_reach_the_saved_vector(void **state)
{
	char **before = caller_environment(), **saved;

	(void)state;
	saved = vsym_environ_set_aside();
	assert_int_equal(setenv("TOOL_OWN", "1", 1), 0);
	assert_int_equal(setenv("HOME", "/root", 1), 0);
	assert_int_equal(count(saved), count(before));
	for (size_t i = 0; before[i] != NULL; i++)
		assert_string_equal(saved[i], caller_env[i]);
	free(before);
	vsym_environ_restore(saved);
	assert_ptr_equal(environ, saved);
	assert_string_equal(getenv("HOME"), "/etc");
	assert_string_equal(getenv("KEEP"), "a b\tc");
	assert_null(getenv("TOOL_OWN"));
}

/* An empty caller's environment (env -i) stays empty, and so is given back. */
static void test_empty_caller_environment(void **state)
{
	static char *none[] = { NULL };
	char **saved;

	(void)state;
	environ = none;
	saved = vsym_environ_set_aside();
	assert_non_null(environ);
	assert_null(environ[0]);
	vsym_environ_restore(saved);
	assert_ptr_equal(environ, saved);
	assert_null(environ[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_aside_empties_the_environment),
		cmocka_unit_test(test_own_work_does_not_reach_the_saved_vector),
		cmocka_unit_test(test_empty_caller_environment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
