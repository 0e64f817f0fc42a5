#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "setuid.h"

int vsym_setuid_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* The lowest free descriptor: fd itself. */
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
	}
	return 0;
}

int vsym_setuid_forbid_dumps(struct rlimit *caller_core, struct vsym_error *err)
{
	struct rlimit none;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 || getrlimit(RLIMIT_CORE, caller_core) < 0)
		return vsym_error_set(err, "cannot disable core dumps: %s", strerror(errno));
	none = (struct rlimit){ 0, caller_core->rlim_max };
	if (setrlimit(RLIMIT_CORE, &none) < 0)
		return vsym_error_set(err, "cannot disable core dumps: %s", strerror(errno));
	return 0;
}

int vsym_setuid_restore_core(const struct rlimit *caller_core, struct vsym_error *err)
{
	if (setrlimit(RLIMIT_CORE, caller_core) < 0)
		return vsym_error_set(err, "cannot restore your core limit: %s", strerror(errno));
	return 0;
}

/* Raises the soft limit to at least floor, the hard one with it when
 * needed; keeps the caller's values in *caller. Without CAP_SYS_RESOURCE
 * (a container may withhold it from root) a hard limit cannot be raised:
 * the soft one then goes up to it, and SIGXFSZ ignored still turns a
 * write over the limit into an EFBIG failure that the journal covers. */
static int raise_limit(int resource, const char *name, rlim_t floor, struct rlimit *caller,
		       struct vsym_error *err)
{
	struct rlimit raised;

	if (getrlimit(resource, caller) < 0)
		return vsym_error_set(err, "cannot read your %s limit: %s", name, strerror(errno));
	raised = *caller;
	if (raised.rlim_cur != RLIM_INFINITY && raised.rlim_cur < floor)
		raised.rlim_cur = floor;
	if (raised.rlim_max != RLIM_INFINITY && raised.rlim_max < raised.rlim_cur)
		raised.rlim_max = raised.rlim_cur;
	if (setrlimit(resource, &raised) == 0)
		return 0;
	raised = (struct rlimit){ caller->rlim_max, caller->rlim_max };
	if (errno != EPERM || setrlimit(resource, &raised) < 0)
		return vsym_error_set(err, "cannot raise your %s limit: %s", name, strerror(errno));
	return 0;
}

int vsym_setuid_secure_limits(struct vsym_caller_limits *caller, struct vsym_error *err)
{
	struct sigaction ignore = { .sa_handler = SIG_IGN };

	sigemptyset(&ignore.sa_mask);
	if (sigaction(SIGXFSZ, &ignore, &caller->xfsz) < 0)
		return vsym_error_set(err, "cannot ignore SIGXFSZ: %s", strerror(errno));
	if (raise_limit(RLIMIT_FSIZE, "file size", RLIM_INFINITY, &caller->fsize, err) < 0)
		return -1;
	return raise_limit(RLIMIT_NOFILE, "open files", VSYM_SETUID_MIN_NOFILE, &caller->nofile, err);
}

int vsym_setuid_restore_limits(const struct vsym_caller_limits *caller, struct vsym_error *err)
{
	if (setrlimit(RLIMIT_FSIZE, &caller->fsize) < 0 || setrlimit(RLIMIT_NOFILE, &caller->nofile) < 0)
		return vsym_error_set(err, "cannot restore your limits: %s", strerror(errno));
	if (sigaction(SIGXFSZ, &caller->xfsz, NULL) < 0)
		return vsym_error_set(err, "cannot restore SIGXFSZ: %s", strerror(errno));
	return 0;
}

int vsym_setuid_adopt_caller_groups(struct vsym_user *user, struct vsym_error *err)
{
	int n = getgroups(0, NULL);
	gid_t *gids = n >= 0 ? calloc((size_t)n + 1, sizeof(gid_t)) : NULL;

	if (gids == NULL || (n = getgroups(n, gids)) < 0) {
		vsym_error_set(err, "cannot read your groups: %s", strerror(errno));
		free(gids);
		return -1;
	}
	free(user->gids);
	user->gids = gids;
	user->ngids = (size_t)n;
	user->gid = getgid();
	return 0;
}

int vsym_setuid_close_extra_fds(struct vsym_error *err)
{
	if (syscall(SYS_close_range, 3U, ~0U, 0U) < 0)
		return vsym_error_set(err, "cannot close the descriptors above 2: %s", strerror(errno));
	return 0;
}
