/* What a setuid-root program inherits from its caller, made safe before
 * it does anything else, and what it hands back to the command it runs
 * (vsym-rebind -x): fds 0-2, dumpability and the core limit, the limits
 * that could make a write fail half-way (file size, descriptors) and
 * SIGXFSZ, the caller's own groups, and the descriptors above 2. The environment is environ.h's.
 * Each function is one step, checked. */
#ifndef VSYM_SETUID_H
#define VSYM_SETUID_H

#include <signal.h>
#include <sys/resource.h>

#include "error.h"
#include "user.h"

/* Opens /dev/null on each of fds 0-2 that is closed, so that a file the
 * program opens later never becomes its stdin, stdout or stderr (and gets
 * its messages). Returns 0, or -1: then nothing can be told, as stderr may
 * be the one that is missing. */
int vsym_setuid_std_fds(void);

/* No core file and no ptrace while privileged: memory may hold what the
 * caller must not see. Only the soft core limit goes to 0; the hard one
 * stays, so that the caller's limit, kept in *caller_core, can be given
 * back (vsym_setuid_restore_core). Returns 0 or -1 with err set. */
int vsym_setuid_forbid_dumps(struct rlimit *caller_core, struct vsym_error *err);

/* Gives back the caller's core limit (just before the exec of the -x
 * command; the process stays undumpable until the exec). Returns 0 or -1
 * with err set. */
int vsym_setuid_restore_core(const struct rlimit *caller_core, struct vsym_error *err);

/* The caller's values of what vsym_setuid_secure_limits changes. */
struct vsym_caller_limits {
	struct rlimit fsize, nofile;
	struct sigaction xfsz;
};

/* The least number of descriptors the tool may open while privileged. */
#define VSYM_SETUID_MIN_NOFILE 1024

/* While privileged, no limit of the caller's may stop the tool between
 * two steps of a change (a mount attached, its record not yet written):
 * SIGXFSZ is ignored (a write over the limit fails with EFBIG instead of
 * killing), the file size limit is lifted, and the descriptor limit is
 * raised to at least VSYM_SETUID_MIN_NOFILE. The caller's values go to
 * *caller. RLIMIT_NPROC is left alone: the tool never forks (the -x
 * command is run by exec, under the caller's limit given back). A kill
 * by the caller cannot be prevented at all: the journal covers it
 * (vsym_binds_recover). Returns 0 or -1 with err set. */
int vsym_setuid_secure_limits(struct vsym_caller_limits *caller, struct vsym_error *err);

/* Gives back the caller's limits and SIGXFSZ disposition (just before the
 * exec of the -x command, while still privileged: a hard limit lowered
 * by the caller and raised by the tool needs privilege to come back).
 * Returns 0 or -1 with err set. */
int vsym_setuid_restore_limits(const struct vsym_caller_limits *caller, struct vsym_error *err);

/* Replaces user's gid and groups (the database's) with the process's own
 * real gid and supplementary groups: a caller that dropped a group must
 * not get it back through vsym (paths are resolved, files read and -x run
 * with these). Returns 0 or -1 with err set (user unchanged). */
int vsym_setuid_adopt_caller_groups(struct vsym_user *user, struct vsym_error *err);

/* Closes every descriptor above 2: a command run for the caller gets
 * none of the program's files (the session lock, a record). Returns 0 or
 * -1 with err set. */
int vsym_setuid_close_extra_fds(struct vsym_error *err);

#endif
