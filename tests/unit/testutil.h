/* Shared bits of the unit tests (cmocka). */
#ifndef VSYM_TESTUTIL_H
#define VSYM_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* A test that needs root skips outside CI with a reason, and fails in CI,
 * where everything runs as root and a skip would hide a broken test. */
#define REQUIRE_ROOT()                                                        \
	do {                                                                  \
		if (geteuid() != 0) {                                         \
			if (getenv("CI") != NULL)                             \
				fail_msg("this test needs root and CI runs as root"); \
			print_message("skipped: needs root\n");               \
			skip();                                               \
		}                                                             \
	} while (0)

/* Asserts that haystack contains needle, printing both when it does not. */
#define assert_contains(haystack, needle)                                     \
	do {                                                                  \
		const char *h_ = (haystack), *n_ = (needle);                  \
		if (h_ == NULL || strstr(h_, n_) == NULL)                     \
			fail_msg("'%s' does not contain '%s'", h_ ? h_ : "(null)", n_); \
	} while (0)

#endif
