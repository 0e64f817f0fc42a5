/* tests/security/randkill.c - kills a program at random points.
 *
 *   randkill COUNT MAX_USEC SEED PROGRAM WORD_A WORD_B
 *
 * COUNT times: starts PROGRAM with WORD_A (even rounds) or WORD_B (odd
 * rounds) as its only argument, waits a random 0..MAX_USEC microseconds
 * and sends SIGKILL. Prints "killed N exited M" (runs that finished before
 * the kill). Runs as the unprivileged user: a setuid program keeps the
 * caller's real uid, so the caller may signal it. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int count, max, killed = 0, exited = 0;

	if (argc != 7)
		return 2;
	count = atoi(argv[1]);
	max = atoi(argv[2]);
	srand((unsigned)atoi(argv[3]));
	for (int i = 0; i < count; i++) {
		char *args[] = { argv[4], i % 2 ? argv[6] : argv[5], NULL };
		struct timespec ts;
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return 3;
		if (pid == 0) {
			int null = open("/dev/null", 1);

			dup2(null, 1);
			dup2(null, 2);
			execv(args[0], args);
			_exit(127);
		}
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(rand() % (max + 1)) * 1000L;
		nanosleep(&ts, NULL);
		kill(pid, SIGKILL);
		if (waitpid(pid, &status, 0) < 0)
			return 3;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			killed++;
		else
			exited++;
	}
	printf("killed %d exited %d\n", killed, exited);
	return 0;
}
