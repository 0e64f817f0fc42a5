/* A throwaway mount namespace for the unit tests that mount: the test
 * process leaves the host's namespace once, makes every mount private and
 * works on a tmpfs, so nothing it does is seen outside and everything ends
 * with the process, even when a test fails. Needs root. */
#ifndef VSYM_TESTNS_H
#define VSYM_TESTNS_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* True when path lies at or below dir. */
static inline int testns_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* A directory the scratch tmpfs may cover in the test's namespace: one
 * that holds neither the build (the cwd of make check, where the module
 * under test lives) nor anything else the test reads. Not /tmp: a CI
 * clone may live there. */
static inline const char *testns_cover_point(void)
{
	static const char *const candidates[] = { "/media", "/mnt", "/srv", "/opt" };
	char cwd[4096];
	struct stat st;

	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	for (size_t i = 0; i < sizeof(candidates) / sizeof(candidates[0]); i++)
		if (stat(candidates[i], &st) == 0 && S_ISDIR(st.st_mode) && !testns_under(cwd, candidates[i]))
			return candidates[i];
	return NULL;
}

/* Returns the tmpfs scratch directory, creating the namespace on first use;
 * NULL when that failed (the caller fails the test). */
static inline const char *testns_scratch(void)
{
	static char dir[64];
	const char *cover;

	if (dir[0] != '\0')
		return dir;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return NULL;
	/* The covered directory of the host is only a mount point here: the
	 * tmpfs on it is private to this namespace. */
	cover = testns_cover_point();
	if (cover == NULL || mount("vsym-test", cover, "tmpfs", 0, "mode=0755") < 0)
		return NULL;
	snprintf(dir, sizeof(dir), "%s/vsym-test", cover);
	if (mkdir(dir, 0755) < 0 || mount("vsym-test", dir, "tmpfs", 0, "mode=0755") < 0) {
		dir[0] = '\0';
		return NULL;
	}
	return dir;
}

/* Counts the mounts whose mount point is path in this namespace. */
static inline int testns_mounts_on(const char *path)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096], point[4096];
	int n = 0;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 && strcmp(point, path) == 0)
			n++;
	fclose(f);
	return n;
}

/* Returns the per-mount options of the top mount on path ("" if none). */
static inline const char *testns_options_of(const char *path)
{
	static char options[512];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096], point[4096], opts[512];

	options[0] = '\0';
	if (f == NULL)
		return options;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%*s %*s %*s %*s %4095s %511s", point, opts) == 2 && strcmp(point, path) == 0)
			snprintf(options, sizeof(options), "%s", opts);
	fclose(f);
	return options;
}

/* Returns the whole /proc/self/mountinfo line of the top mount on path
 * ("" if none), to look at its propagation tags (shared:N, master:N). */
static inline const char *testns_line_of(const char *path)
{
	static char found[4096];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096], point[4096];

	found[0] = '\0';
	if (f == NULL)
		return found;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1 && strcmp(point, path) == 0)
			snprintf(found, sizeof(found), "%s", line);
	fclose(f);
	return found;
}

/* Puts a private tmpfs on /run in the test namespace (after
 * testns_scratch()), so that what a test makes there, such as /run/vsym,
 * never reaches the host's /run. Returns 0 or -1. */
static inline int testns_private_run(void)
{
	static int done;

	if (done)
		return 0;
	if (testns_scratch() == NULL || mount("vsym-test", "/run", "tmpfs", 0, "mode=0755") < 0)
		return -1;
	done = 1;
	return 0;
}

/* A directory of its own for one test, below the scratch tmpfs of the test
 * namespace (testns_scratch, made on first use: needs root): SCRATCH/NAME<n>,
 * n counting the calls of this test program, owned by uid:gid, mode 0755.
 * Writes its path into dir. Returns 0, or -1 when the namespace cannot be
 * made (the setup fails). */
static inline int test_scratch_dir(char *dir, size_t size, const char *name, uid_t uid, gid_t gid)
{
	static int n;
	const char *scratch = testns_scratch();

	if (scratch == NULL)
		return -1;
	snprintf(dir, size, "%s/%s%d", scratch, name, ++n);
	make_dir(dir, uid, gid, 0755);
	return 0;
}

/* alice (test_user_alice) with a home of her own for this test: a
 * test_scratch_dir NAME<n> owned by her, its path written into home, the
 * caller's buffer that alice's home then points at. Returns 0 or -1. */
static inline int test_alice_at_home(struct test_user *t, char *home, size_t size, const char *name)
{
	test_user_alice(t);
	if (test_scratch_dir(home, size, name, 1000, 1000) < 0)
		return -1;
	t->user.home = home;
	return 0;
}

/* Runs fn in a forked child, for what must not happen in the test process
 * itself (unshare, setuid, a marker): the child never returns into cmocka,
 * so fn reports with its return value (0 for success, 1..127 for failure)
 * and a message it writes into msg. Returns the child's exit status, or
 * 128 + the signal that killed it, or -1 when it could not be started. */
typedef int (*testns_child_fn)(void *arg, char *msg, size_t size);

static inline int testns_run_child(testns_child_fn fn, void *arg, char *msg, size_t size)
{
	char *shared = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = 0;
	pid_t pid;

	msg[0] = '\0';
	if (shared == MAP_FAILED)
		return -1;
	shared[0] = '\0';
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		_exit(fn(arg, shared, size) & 0x7f);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	snprintf(msg, size, "%s", shared);
	munmap(shared, size);
	if (pid < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Steps run in a child (testns_run_child) report with CHECK: the condition
 * and its line go to the parent, which fails the test with RUN_CHILD. The
 * child's function has parameters named msg and size. */
#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			int o_ = snprintf(msg, size, "line %d: %s: ", __LINE__, #cond); \
			if (o_ > 0 && (size_t)o_ < size)                      \
				snprintf(msg + o_, size - (size_t)o_, __VA_ARGS__); \
			return 1;                                             \
		}                                                             \
	} while (0)

#define RUN_CHILD(fn, arg)                                                    \
	do {                                                                  \
		char msg_[2048];                                              \
		int rc_ = testns_run_child((fn), (arg), msg_, sizeof(msg_));  \
		if (rc_ != 0)                                                 \
			fail_msg("child %s: status %d: %s", #fn, rc_, msg_);  \
	} while (0)

/* A limit of s seconds on a wait, times VSYM_TEST_TIME_FACTOR (a positive
 * integer, default 1; tests/kernel.sh sets it under emulation): limits
 * guard against a hang, they never judge speed. */
static inline unsigned test_seconds(unsigned s)
{
	const char *f = getenv("VSYM_TEST_TIME_FACTOR");
	unsigned long n = f != NULL ? strtoul(f, NULL, 10) : 1;

	return (unsigned)(s * (n > 0 && n < 1000 ? n : 1));
}

#endif
