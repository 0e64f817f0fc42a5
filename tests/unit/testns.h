/* A throwaway mount namespace for the unit tests that mount: the test
 * process leaves the host's namespace once, makes every mount private and
 * works on a tmpfs, so nothing it does is seen outside and everything ends
 * with the process, even when a test fails. Needs root. */
#ifndef VSYM_TESTNS_H
#define VSYM_TESTNS_H

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* Returns the tmpfs scratch directory, creating the namespace on first use;
 * NULL when that failed (the caller fails the test). */
static inline const char *testns_scratch(void)
{
	static char dir[64];

	if (dir[0] != '\0')
		return dir;
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return NULL;
	/* /tmp of the host is only a mount point here: the tmpfs on it is
	 * private to this namespace. */
	if (mount("vsym-test", "/tmp", "tmpfs", 0, "mode=0755") < 0)
		return NULL;
	snprintf(dir, sizeof(dir), "/tmp/vsym-test");
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

#endif
