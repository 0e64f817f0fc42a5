/* tests/security/killafter.c - kills a program right after it attaches a
 * mount.
 *
 *   killafter PROGRAM [ARG...]
 *
 * Runs PROGRAM (and what it execs, e.g. setpriv then vsym-rebind) under
 * ptrace and sends it SIGKILL the moment its first move_mount(2) returns
 * 0. For vsym-rebind that is right after a new bind is attached and
 * before its record is saved: the window a kill -9 or a SIGXFSZ could hit
 * (issue 19). Prints "killed after move_mount", or "exited N" /
 * "signalled N" when PROGRAM ended without one, and exits 0 only in the
 * first case.
 *
 * Must run as root: a setuid program traced by a tracer without
 * CAP_SYS_PTRACE runs without its privileges. Children of PROGRAM are not
 * followed. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int wait_for(pid_t pid, int *status)
{
	while (waitpid(pid, status, __WALL) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Whether the syscall stop just reported ends a move_mount that returned
 * 0; *nr keeps the number of the call entered last. */
static int attached(pid_t pid, long *nr)
{
	struct __ptrace_syscall_info info;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof(info), &info) <= 0)
		return 0;
	if (info.op == PTRACE_SYSCALL_INFO_ENTRY)
		*nr = (long)info.entry.nr;
	return info.op == PTRACE_SYSCALL_INFO_EXIT && *nr == SYS_move_mount && info.exit.rval == 0;
}

int main(int argc, char **argv)
{
	long nr = -1;
	int status;
	pid_t pid;

	if (argc < 2) {
		fputs("usage: killafter PROGRAM [ARG...]\n", stderr);
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 3;
	if (pid == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0 || raise(SIGSTOP) < 0)
			_exit(126);
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (wait_for(pid, &status) < 0 || !WIFSTOPPED(status) ||
	    ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   (void *)(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL)) < 0 ||
	    ptrace(PTRACE_SYSCALL, pid, NULL, NULL) < 0) {
		perror("killafter: ptrace");
		return 3;
	}
	for (;;) {
		int deliver = 0;

		if (wait_for(pid, &status) < 0)
			return 3;
		if (WIFEXITED(status)) {
			printf("exited %d\n", WEXITSTATUS(status));
			return 1;
		}
		if (WIFSIGNALED(status)) {
			printf("signalled %d\n", WTERMSIG(status));
			return 1;
		}
		if (WSTOPSIG(status) == (SIGTRAP | 0x80)) {
			if (attached(pid, &nr)) {
				kill(pid, SIGKILL);
				wait_for(pid, &status);
				printf("killed after move_mount\n");
				return 0;
			}
		} else if (status >> 8 != (SIGTRAP | (PTRACE_EVENT_EXEC << 8))) {
			deliver = WSTOPSIG(status);
		}
		ptrace(PTRACE_SYSCALL, pid, NULL, (void *)(long)deliver);
	}
}
