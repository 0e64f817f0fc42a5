/* worker.c: a step run in a worker process with a deadline (DESIGN
 * invariant 8). Most need no root: the workers block in pause() or die on
 * purpose. The FUSE cases where the deadline matters for real are here (a
 * file of the caller's that cannot be closed) and in test_fileio and
 * test_pam_vsym (paths that never answer). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <syslog.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <dirent.h>
#include <fcntl.h>
#include <time.h>

#include "testutil.h"
#include "testns.h"
#include "testfuse.h"

#include "cfg.h"
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
	/* Should a failing test leave it behind, it ends by itself. */
	alarm(30);
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
	assert_int_equal(vsym_worker_run(greet, hello, &g, sizeof(g), 2000, NULL, &got, &err), 0);
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
	assert_int_equal(vsym_worker_run(half_reply, NULL, buf, sizeof(buf), 2000, NULL, &got, &err), 0);
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
	assert_int_equal(vsym_worker_run(too_long, NULL, buf, 64, 2000, NULL, &got, &err), 0);
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
	assert_int_equal(vsym_worker_run(hang, NULL, buf, sizeof(buf), 300, NULL, &got, &err), -ETIMEDOUT);
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
	assert_int_equal(vsym_worker_run(die, NULL, buf, sizeof(buf), 2000, NULL, &got, &err), -1);
	assert_int_equal(got, 0);
	assert_contains(err.text, "ended without a whole reply");
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
	assert_int_equal(vsym_worker_run(greet, text, &g, sizeof(g), 2000, NULL, &got, &err), 0);
	assert_string_equal(g.text, "ign");
	sigaction(SIGCHLD, NULL, &now);
	assert_ptr_equal(now.sa_handler, SIG_IGN);

	sigchld_seen = 0;
	sigaction(SIGCHLD, &handler, NULL);
	assert_int_equal(vsym_worker_run(hang, NULL, &g, sizeof(g), 100, NULL, &got, &err), -ETIMEDOUT);
	sigaction(SIGCHLD, NULL, &now);
	assert_ptr_equal(now.sa_handler, count_sigchld);
	assert_int_equal(sigchld_seen, 0);
	sigaction(SIGCHLD, &(struct sigaction){ .sa_handler = SIG_DFL }, NULL);
	assert_no_child_left();
}

/* The worker is no child of the caller: the application never has to
 * reap it, and never waits for one that cannot die. */
static size_t report_parent(void *ctx, void *reply, size_t size)
{
	(void)ctx;
	(void)size;
	*(pid_t *)reply = getppid();
	return sizeof(pid_t);
}

static void test_worker_is_not_our_child(void **state)
{
	struct vsym_error err;
	pid_t parent = 0;
	size_t got;

	(void)state;
	assert_int_equal(vsym_worker_run(report_parent, NULL, &parent, sizeof(parent), 2000, NULL, &got, &err), 0);
	assert_true(parent > 0);
	assert_int_not_equal(parent, getpid());
	assert_no_child_left();
}

/* What the worker holds: fds 0-2 on /dev/null, its reply pipe, nothing
 * else of the caller's (a worker stuck on a FUSE request must not keep a
 * user's connection open); default signal handlers. */
struct inventory {
	int extra_fd;        /* a descriptor of the caller's */
	int open_fds;        /* in the worker, besides the one listing them */
	bool extra_open, stdio_null, handlers_default;
};

static void ignore_signal(int sig)
{
	(void)sig;
}

static size_t take_inventory(void *ctx, void *reply, size_t size)
{
	struct inventory *inv = reply;
	struct sigaction term, usr1;
	struct stat st;
	struct dirent *e;
	DIR *d;

	(void)size;
	inv->extra_fd = *(int *)ctx;
	inv->extra_open = fcntl(inv->extra_fd, F_GETFD) >= 0;
	inv->stdio_null = true;
	for (int fd = 0; fd < 3; fd++)
		if (fstat(fd, &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
			inv->stdio_null = false;
	inv->open_fds = 0;
	d = opendir("/proc/self/fd");
	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			inv->open_fds++;
	if (d != NULL)
		closedir(d);
	inv->open_fds--; /* the directory's own */
	sigaction(SIGTERM, NULL, &term);
	sigaction(SIGUSR1, NULL, &usr1);
	inv->handlers_default = term.sa_handler == SIG_DFL && usr1.sa_handler == SIG_DFL;
	return sizeof(*inv);
}

static void test_worker_holds_nothing_of_ours(void **state)
{
	struct inventory inv;
	struct vsym_error err;
	int extra[2];
	size_t got;

	(void)state;
	assert_int_equal(pipe(extra), 0);
	signal(SIGTERM, ignore_signal);
	signal(SIGUSR1, SIG_IGN);
	memset(&inv, 0, sizeof(inv));
	assert_int_equal(vsym_worker_run(take_inventory, &extra[1], &inv, sizeof(inv), 2000, NULL, &got, &err), 0);
	signal(SIGTERM, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	close(extra[0]);
	close(extra[1]);
	assert_int_equal(inv.extra_fd, extra[1]);
	assert_false(inv.extra_open);
	assert_true(inv.stdio_null);
	assert_int_equal(inv.open_fds, 4); /* 0-2 and the reply pipe */
	assert_true(inv.handlers_default);
}

/* An application's signal handler (SA_RESTART, as signal() installs it)
 * firing again and again during the wait does not stretch the deadline. */
static volatile sig_atomic_t ticks;

static void tick(int sig)
{
	(void)sig;
	/* Were the wait to block for good, end the test instead of hanging. */
	if (++ticks > 400)
		_exit(99);
}

static void test_signals_do_not_stretch_the_deadline(void **state)
{
	struct sigaction sa = { .sa_handler = tick, .sa_flags = SA_RESTART };
	struct itimerval every_20ms = { { 0, 20000 }, { 0, 20000 } }, off = { { 0, 0 }, { 0, 0 } };
	struct vsym_error err;
	char buf[8];
	size_t got;
	int rc;

	(void)state;
	ticks = 0;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &every_20ms, NULL);
	rc = vsym_worker_run(hang, NULL, buf, sizeof(buf), 500, NULL, &got, &err);
	setitimer(ITIMER_REAL, &off, NULL);
	signal(SIGALRM, SIG_DFL);
	assert_int_equal(rc, -ETIMEDOUT);
	assert_true(ticks > 5);
}

/* A worker past its deadline is killed, though nobody waits for it. */
static size_t hang_and_tell(void *ctx, void *reply, size_t size)
{
	*(volatile pid_t *)ctx = getpid();
	return hang(NULL, reply, size);
}

static bool process_gone(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	bool zombie;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return true;
	/* "pid (comm) S ...": a zombie whose reaper is slow is gone too */
	zombie = fgets(line, sizeof(line), f) != NULL && strstr(line, ") Z ") != NULL;
	fclose(f);
	return zombie;
}

static void test_late_worker_is_killed(void **state)
{
	pid_t *shared = mmap(NULL, sizeof(pid_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	struct vsym_error err;
	char buf[8];
	size_t got;
	int i;

	(void)state;
	assert_true(shared != MAP_FAILED);
	*shared = 0;
	assert_int_equal(vsym_worker_run(hang_and_tell, shared, buf, sizeof(buf), 200, NULL, &got, &err), -ETIMEDOUT);
	assert_true(*shared > 0);
	for (i = 0; i < 500 && !process_gone(*shared); i++)
		usleep(10000);
	if (!process_gone(*shared))
		fail_msg("the worker %d still runs 5 s after its deadline", (int)*shared);
	munmap(shared, sizeof(pid_t));
}

/* A caller whose fds 0-2 are closed: the reply pipe lands on them, and
 * the worker moves it out of the way of /dev/null. */
static int child_without_stdio(void *arg, char *msg, size_t size)
{
	struct greeting g = { 0, "" };
	struct vsym_error err;
	char text[] = "no stdio";
	size_t got;
	int rc;

	(void)arg;
	close(0);
	close(1);
	close(2);
	rc = vsym_worker_run(greet, text, &g, sizeof(g), 2000, NULL, &got, &err);
	CHECK(rc == 0, "rc %d: %s", rc, err.text);
	CHECK(strcmp(g.text, "no stdio") == 0, "reply '%s'", g.text);
	return 0;
}

static void test_caller_without_stdio(void **state)
{
	(void)state;
	RUN_CHILD(child_without_stdio, NULL);
}

/* A caller holding a file on a FUSE mount whose daemon never answers a
 * FLUSH (in su or sudo, the user picks the application's descriptors):
 * whoever closes a copy of it waits for ever. Nothing in starting the
 * worker closes the caller's copy, so the caller goes on at the deadline;
 * the worker, stuck on closing its own copy, is left behind. */
static void test_caller_fuse_file_does_not_hold_us(void **state)
{
	struct greeting g = { 0, "" };
	struct vsym_error err;
	struct testfuse fuse;
	char dir[160], path[200], text[] = "x";
	const char *scratch;
	size_t got;
	int fd, rc;

	(void)state;
	REQUIRE_ROOT();
	scratch = testns_scratch();
	assert_non_null(scratch);
	snprintf(dir, sizeof(dir), "%s/noflush", scratch);
	assert_int_equal(mkdir(dir, 0755), 0);
	if (testfuse_start(&fuse, dir, 0, TESTFUSE_NO_FLUSH) < 0)
		fail_msg("mount fuse: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/f", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	/* A hang here ends the test (SIGALRM) instead of CI. */
	signal(SIGALRM, SIG_DFL);
	alarm(20);
	rc = vsym_worker_run(greet, text, &g, sizeof(g), 1000, NULL, &got, &err);
	alarm(0);
	assert_int_equal(rc, -ETIMEDOUT);
	assert_contains(err.text, "gave up after 1000 ms");
	testfuse_stop(&fuse);
	close(fd);
}

/* The worker runs on the caller's own stack, never on a small block of
 * heap: a step that recurses deep (libconfig on a deeply nested user file)
 * must not write over the heap (as a 64 KiB launcher stack once let it).
 * The guard buffers, allocated before the worker starts, are checked in
 * the worker's own memory after the parse. */
#define GUARDS 400
static unsigned char *guards[GUARDS];

static size_t parse_deep(void *ctx, void *reply, size_t size)
{
	struct test_user alice;
	struct vsym_policy policy;
	struct vsym_error err;
	const char *text = ctx;
	int damaged = 0;

	(void)size;
	test_user_alice(&alice);
	memset(&policy, 0, sizeof(policy));
	vsym_cfg_load_user(&policy, "/home/alice/.vsymrc", text, strlen(text), &alice.user, &err);
	vsym_policy_free(&policy);
	for (int i = 0; i < GUARDS; i++)
		for (int k = 0; k < 1024; k++)
			if (guards[i][k] != 0xA5) {
				damaged++;
				break;
			}
	*(int *)reply = damaged;
	return sizeof(int);
}

static void test_deep_step_keeps_the_heap(void **state)
{
	const int depth = 5000;
	char *text = malloc(2 * (size_t)depth + 32);
	struct vsym_error err;
	int damaged = -1;
	size_t got, n = 0;

	(void)state;
	assert_non_null(text);
	n += (size_t)sprintf(text, "binds = ");
	memset(text + n, '(', (size_t)depth);
	memset(text + n + depth, ')', (size_t)depth);
	strcpy(text + n + 2 * (size_t)depth, ";\n");
	for (int i = 0; i < GUARDS; i++) {
		guards[i] = malloc(1024);
		assert_non_null(guards[i]);
		memset(guards[i], 0xA5, 1024);
	}
	assert_int_equal(vsym_worker_run(parse_deep, text, &damaged, sizeof(damaged), 10000, NULL, &got, &err), 0);
	assert_int_equal(damaged, 0);
	for (int i = 0; i < GUARDS; i++)
		free(guards[i]);
	free(text);
}

/* Log lines go to the caller as they come, in order, even those of a
 * worker that never replies. */
static char logged[512];

static void collect_line(void *ctx, int priority, const char *text)
{
	size_t n = strlen(logged);

	(void)ctx;
	snprintf(logged + n, sizeof(logged) - n, "%d:%s|", priority, text);
}

static size_t log_and_reply(void *ctx, void *reply, size_t size)
{
	(void)ctx;
	(void)size;
	vsym_worker_log(LOG_INFO, "one %d", 1);
	vsym_worker_log(LOG_ERR, "two");
	memcpy(reply, "ok", 3);
	return 3;
}

static size_t log_and_hang(void *ctx, void *reply, size_t size)
{
	vsym_worker_log(LOG_NOTICE, "before the hang");
	return hang(ctx, reply, size);
}

static void test_log_lines_reach_the_caller(void **state)
{
	struct vsym_worker_log log = { collect_line, NULL };
	struct vsym_error err;
	char buf[8] = "";
	size_t got;

	(void)state;
	logged[0] = '\0';
	assert_int_equal(vsym_worker_run(log_and_reply, NULL, buf, sizeof(buf), 2000, &log, &got, &err), 0);
	assert_string_equal(buf, "ok");
	assert_string_equal(logged, "6:one 1|3:two|");
	logged[0] = '\0';
	assert_int_equal(vsym_worker_run(log_and_hang, NULL, buf, sizeof(buf), 300, &log, &got, &err), -ETIMEDOUT);
	assert_string_equal(logged, "5:before the hang|");
}

/* A multithreaded caller (a display manager's PAM worker): another thread
 * busy in malloc and syslog while workers start. glibc's fork keeps malloc
 * usable in the child, and the worker never touches syslog's lock. */
static volatile int busy_stop;

static void *busy(void *arg)
{
	(void)arg;
	openlog("vsym-test", LOG_NDELAY, LOG_USER);
	while (!busy_stop) {
		free(malloc(100 + (size_t)(rand() % 4000)));
		syslog(LOG_DEBUG, "vsym test_worker: busy thread");
	}
	return NULL;
}

static void test_multithreaded_caller(void **state)
{
	struct greeting g;
	struct vsym_error err;
	char text[] = "mt";
	pthread_t t;
	size_t got;
	int failed = 0;

	(void)state;
	busy_stop = 0;
	assert_int_equal(pthread_create(&t, NULL, busy, NULL), 0);
	for (int i = 0; i < 100; i++)
		if (vsym_worker_run(greet, text, &g, sizeof(g), 2000, NULL, &got, &err) != 0)
			failed++;
	busy_stop = 1;
	pthread_join(t, NULL);
	closelog();
	assert_int_equal(failed, 0);
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
		cmocka_unit_test(test_worker_is_not_our_child),
		cmocka_unit_test(test_worker_holds_nothing_of_ours),
		cmocka_unit_test(test_signals_do_not_stretch_the_deadline),
		cmocka_unit_test(test_late_worker_is_killed),
		cmocka_unit_test(test_caller_without_stdio),
		cmocka_unit_test(test_caller_fuse_file_does_not_hold_us),
		cmocka_unit_test(test_deep_step_keeps_the_heap),
		cmocka_unit_test(test_log_lines_reach_the_caller),
		cmocka_unit_test(test_multithreaded_caller),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
