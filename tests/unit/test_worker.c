/* worker.c: a step run in a child with a deadline (DESIGN invariant 8).
 * None of these needs root: the children block in pause() or die on
 * purpose; the FUSE case, where the deadline matters for real, is in
 * test_fileio and test_pam_vsym. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>

#include "testutil.h"

#include "worker.h"

static int sigchld_seen;

static void count_sigchld(int sig)
{
	(void)sig;
	sigchld_seen++;
}

/* Sends back its pid and a text, to show the step ran in another process. */
struct greeting {
	pid_t pid;
	char text[32];
};

static size_t greet(void *ctx, void *reply, size_t size)
{
	struct greeting *g = reply;

	(void)size;
	g->pid = getpid();
	snprintf(g->text, sizeof(g->text), "%s", (const char *)ctx);
	return sizeof(*g);
}

static size_t hang(void *ctx, void *reply, size_t size)
{
	(void)ctx;
	(void)reply;
	(void)size;
	for (;;)
		pause();
	return 0;
}

static size_t die(void *ctx, void *reply, size_t size)
{
	(void)ctx;
	(void)reply;
	(void)size;
	raise(SIGKILL);   /* a crash, without a core file */
	return 0;
}

static size_t too_long(void *ctx, void *reply, size_t size)
{
	(void)ctx;
	memset(reply, 'x', size);
	return size + 100;
}

static size_t half_reply(void *ctx, void *reply, size_t size)
{
	(void)ctx;
	(void)size;
	memcpy(reply, "ab", 2);
	return 2;
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* No child of the test process is left, running or zombie. */
static void assert_no_child_left(void)
{
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void test_reply_comes_back(void **state)
{
	struct greeting g = { 0, "" };
	struct vsym_error err;
	char hello[] = "hello";
	size_t got = 99;

	(void)state;
	assert_int_equal(vsym_worker_run(greet, hello, &g, sizeof(g), 2000, &got, &err), 0);
	assert_int_equal(got, sizeof(g));
	assert_string_equal(g.text, "hello");
	assert_true(g.pid > 0);
	assert_int_not_equal(g.pid, getpid());
	assert_no_child_left();
}

/* A shorter reply is fine: got says how long it is. */
static void test_short_reply(void **state)
{
	char buf[16] = "";
	struct vsym_error err;
	size_t got = 0;

	(void)state;
	assert_int_equal(vsym_worker_run(half_reply, NULL, buf, sizeof(buf), 2000, &got, &err), 0);
	assert_int_equal(got, 2);
	assert_memory_equal(buf, "ab", 2);
}

/* A step that claims more than the buffer holds sends only what fits. */
static void test_reply_never_overflows(void **state)
{
	char buf[64 + 8];
	struct vsym_error err;
	size_t got = 0;

	(void)state;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(vsym_worker_run(too_long, NULL, buf, 64, 2000, &got, &err), 0);
	assert_int_equal(got, 64);
	assert_int_equal(buf[63], 'x');
	for (size_t i = 64; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
}

/* A step that never ends is killed at the deadline and reaped. */
static void test_deadline_kills(void **state)
{
	struct timespec t0;
	struct vsym_error err;
	char buf[8];
	size_t got = 99;
	long ms;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(vsym_worker_run(hang, NULL, buf, sizeof(buf), 300, &got, &err), -ETIMEDOUT);
	ms = elapsed_ms(&t0);
	assert_int_equal(got, 0);
	assert_contains(err.text, "gave up after 300 ms");
	/* Not before the deadline (a hang guard, not a speed test: the upper
	 * bound only says the wait ended). */
	assert_true(ms >= 290);
	assert_true(ms < 10000);
	assert_no_child_left();
	print_message("gave up after %ld ms\n", ms);
}

/* A step that dies without a reply is an error, not a hang. */
static void test_child_death_reported(void **state)
{
	struct vsym_error err;
	char buf[8];
	size_t got = 99;

	(void)state;
	assert_int_equal(vsym_worker_run(die, NULL, buf, sizeof(buf), 2000, &got, &err), -1);
	assert_int_equal(got, 0);
	assert_contains(err.text, "ended without a reply");
	assert_no_child_left();
}

/* The application's SIGCHLD handling is neither used nor lost: with
 * SIGCHLD ignored the kernel would reap the child before waitpid, and a
 * handler of the application would be told of a child it never made. */
static void test_sigchld_disposition_kept(void **state)
{
	struct sigaction handler = { .sa_handler = count_sigchld }, ign = { .sa_handler = SIG_IGN }, now;
	struct greeting g;
	struct vsym_error err;
	char text[] = "ign";
	size_t got;

	(void)state;
	sigaction(SIGCHLD, &ign, NULL);
	assert_int_equal(vsym_worker_run(greet, text, &g, sizeof(g), 2000, &got, &err), 0);
	assert_string_equal(g.text, "ign");
	sigaction(SIGCHLD, NULL, &now);
	assert_ptr_equal(now.sa_handler, SIG_IGN);

	sigchld_seen = 0;
	sigaction(SIGCHLD, &handler, NULL);
	assert_int_equal(vsym_worker_run(hang, NULL, &g, sizeof(g), 100, &got, &err), -ETIMEDOUT);
	sigaction(SIGCHLD, NULL, &now);
	assert_ptr_equal(now.sa_handler, count_sigchld);
	assert_int_equal(sigchld_seen, 0);
	sigaction(SIGCHLD, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
	assert_no_child_left();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reply_comes_back),
		cmocka_unit_test(test_short_reply),
		cmocka_unit_test(test_reply_never_overflows),
		cmocka_unit_test(test_deadline_kills),
		cmocka_unit_test(test_child_death_reported),
		cmocka_unit_test(test_sigchld_disposition_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
