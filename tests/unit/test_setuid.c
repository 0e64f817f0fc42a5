/* setuid.c: what vsym-rebind inherits from its caller, made safe. Each
 * step changes the whole process (its fds, dumpability, core limit,
 * groups), so each runs in a forked child that reports the first check
 * that failed by its line; the test process stays as it was. */
#include "config.h"

#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "testutil.h"

#include "setuid.h"

/* In the child: ends it with the line of a failed check. */
#define CHECK(cond)                 \
	do {                        \
		if (!(cond))        \
			return __LINE__; \
	} while (0)

/* Runs fn in a child; fails the test with the line fn returned. */
static void in_child(int (*fn)(void), const char *name)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(fn());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("%s: the check at line %d failed (status %#x)", name, WEXITSTATUS(status), status);
}

static bool is_dev_null(int fd, int accmode)
{
	struct stat st;
	int fl = fcntl(fd, F_GETFL);

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3) && fl >= 0 &&
	       (fl & O_ACCMODE) == accmode;
}

/* 0 and 2 closed, 1 a pipe: /dev/null comes on 0 (for reading) and 2 (for
 * writing); the pipe stays. */
static int child_std_fds_reopened(void)
{
	int p[2];
	struct stat st;

	CHECK(pipe(p) == 0 && dup2(p[1], 1) == 1);
	close(p[0]);
	close(p[1]);
	close(0);
	close(2);
	CHECK(vsym_setuid_std_fds() == 0);
	CHECK(is_dev_null(0, O_RDONLY));
	CHECK(is_dev_null(2, O_WRONLY));
	CHECK(fstat(1, &st) == 0 && S_ISFIFO(st.st_mode));
	return 0;
}

/* With 0-2 open, nothing is opened: the next free fd is the same. */
static int child_std_fds_left_alone(void)
{
	int before = dup(0), after;

	CHECK(before > 2);
	close(before);
	CHECK(vsym_setuid_std_fds() == 0);
	after = dup(0);
	CHECK(after == before);
	return 0;
}

static void test_std_fds(void **state)
{
	(void)state;
	in_child(child_std_fds_reopened, "reopened");
	in_child(child_std_fds_left_alone, "left alone");
}

/* Undumpable, soft core limit 0 with the hard one kept; the caller's limit
 * comes back whole. */
static int child_dumps(void)
{
	struct rlimit caller = { 0 }, now, kept;
	struct vsym_error err;

	CHECK(getrlimit(RLIMIT_CORE, &now) == 0);
	if (now.rlim_max != 0) {
		/* a soft limit of its own, so that giving it back shows */
		now.rlim_cur = now.rlim_max == RLIM_INFINITY ? 4096 * 1024 : now.rlim_max;
		CHECK(setrlimit(RLIMIT_CORE, &now) == 0);
	}
	CHECK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
	CHECK(vsym_setuid_forbid_dumps(&caller, &err) == 0);
	CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
	CHECK(getrlimit(RLIMIT_CORE, &kept) == 0);
	CHECK(kept.rlim_cur == 0);
	CHECK(kept.rlim_max == now.rlim_max);
	CHECK(caller.rlim_cur == now.rlim_cur && caller.rlim_max == now.rlim_max);
	CHECK(vsym_setuid_restore_core(&caller, &err) == 0);
	CHECK(getrlimit(RLIMIT_CORE, &kept) == 0);
	CHECK(kept.rlim_cur == now.rlim_cur && kept.rlim_max == now.rlim_max);
	/* still undumpable: only the exec ends that */
	CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
	return 0;
}

static void test_dumps_forbidden_and_limit_given_back(void **state)
{
	(void)state;
	in_child(child_dumps, "dumps");
}

static bool xfsz_is(void (*handler)(int))
{
	struct sigaction now;

	return sigaction(SIGXFSZ, NULL, &now) == 0 && now.sa_handler == handler;
}

/* A caller with a soft file size limit of 1 kB, 8 descriptors and SIGXFSZ
 * at its default (kill): while secured, 8 kB are written and 20 files
 * opened; then the caller's limits and SIGXFSZ come back. (Hard limits
 * stay: raising them needs CAP_SYS_RESOURCE, which a container may lack;
 * child_efbig covers a low hard limit.) */
static int child_limits(void)
{
	struct rlimit fsize, nofile, now;
	struct vsym_caller_limits caller;
	struct vsym_error err;
	char block[8192] = { 0 };
	int fd, fds[20];

	CHECK(signal(SIGXFSZ, SIG_DFL) != SIG_ERR);
	CHECK(getrlimit(RLIMIT_FSIZE, &fsize) == 0 && getrlimit(RLIMIT_NOFILE, &nofile) == 0);
	CHECK(nofile.rlim_max >= 64);
	fsize.rlim_cur = 1024;
	nofile.rlim_cur = 8;
	CHECK(setrlimit(RLIMIT_FSIZE, &fsize) == 0 && setrlimit(RLIMIT_NOFILE, &nofile) == 0);
	CHECK(vsym_setuid_secure_limits(&caller, &err) == 0);
	CHECK(xfsz_is(SIG_IGN));
	CHECK(getrlimit(RLIMIT_FSIZE, &now) == 0 && now.rlim_cur == fsize.rlim_max);
	fd = open("/dev/shm", O_TMPFILE | O_RDWR, 0600);
	CHECK(fd >= 0 && write(fd, block, sizeof(block)) == (ssize_t)sizeof(block));
	close(fd);
	for (int i = 0; i < 20; i++)
		CHECK((fds[i] = open("/dev/null", O_RDONLY)) >= 0);
	for (int i = 0; i < 20; i++)
		close(fds[i]);
	CHECK(vsym_setuid_restore_limits(&caller, &err) == 0);
	CHECK(xfsz_is(SIG_DFL));
	CHECK(getrlimit(RLIMIT_FSIZE, &now) == 0 && now.rlim_cur == 1024 && now.rlim_max == fsize.rlim_max);
	CHECK(getrlimit(RLIMIT_NOFILE, &now) == 0 && now.rlim_cur == 8 && now.rlim_max == nofile.rlim_max);
	return 0;
}

/* Ignored SIGXFSZ: a write over the caller's limit fails with EFBIG and
 * the process lives on (what a failed raise would still leave). */
static int child_efbig(void)
{
	struct rlimit fsize = { 1024, 1024 };
	struct vsym_caller_limits caller;
	struct vsym_error err;
	char block[8192] = { 0 };
	int fd;

	CHECK(vsym_setuid_secure_limits(&caller, &err) == 0);
	CHECK(setrlimit(RLIMIT_FSIZE, &fsize) == 0);
	fd = open("/dev/shm", O_TMPFILE | O_RDWR, 0600);
	CHECK(fd >= 0 && write(fd, block, sizeof(block)) == 1024);
	CHECK(write(fd, block, sizeof(block)) < 0 && errno == EFBIG);
	close(fd);
	return 0;
}

static void test_limits_secured_and_given_back(void **state)
{
	(void)state;
	in_child(child_limits, "limits");
	in_child(child_efbig, "EFBIG");
}

/* A caller that dropped groups: the database says gid 1000 and groups
 * 1000, 50; the process has gid 4444 and groups 4242, 4343 only. */
static int child_groups(void)
{
	const gid_t own[] = { 4242, 4343 };
	struct test_user alice;
	struct vsym_error err;

	test_user_alice(&alice);
	alice.user.gids = calloc(2, sizeof(gid_t));
	CHECK(alice.user.gids != NULL);
	memcpy(alice.user.gids, alice.gids, 2 * sizeof(gid_t));
	CHECK(setgroups(2, own) == 0 && setgid(4444) == 0);
	CHECK(vsym_setuid_adopt_caller_groups(&alice.user, &err) == 0);
	CHECK(alice.user.gid == 4444);
	CHECK(alice.user.ngids == 2);
	CHECK(alice.user.gids[0] == 4242 && alice.user.gids[1] == 4343);
	free(alice.user.gids);
	return 0;
}

static void test_caller_groups_adopted(void **state)
{
	(void)state;
	REQUIRE_ROOT();
	in_child(child_groups, "groups");
}

/* fds 3, 77 and 300 open (not close-on-exec): all closed; 0-2 stay. */
static int child_extra_fds(void)
{
	struct vsym_error err;

	CHECK(dup2(1, 3) == 3 && dup2(1, 77) == 77 && dup2(1, 300) == 300);
	CHECK(vsym_setuid_close_extra_fds(&err) == 0);
	CHECK(fcntl(3, F_GETFD) < 0 && errno == EBADF);
	CHECK(fcntl(77, F_GETFD) < 0 && errno == EBADF);
	CHECK(fcntl(300, F_GETFD) < 0 && errno == EBADF);
	CHECK(fcntl(0, F_GETFD) >= 0 && fcntl(1, F_GETFD) >= 0 && fcntl(2, F_GETFD) >= 0);
	return 0;
}

static void test_extra_fds_closed(void **state)
{
	(void)state;
	in_child(child_extra_fds, "extra fds");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_std_fds),
		cmocka_unit_test(test_dumps_forbidden_and_limit_given_back),
		cmocka_unit_test(test_caller_groups_adopted),
		cmocka_unit_test(test_limits_secured_and_given_back),
		cmocka_unit_test(test_extra_fds_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
