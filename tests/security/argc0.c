/* tests/security/argc0.c - execs PROGRAM with an empty argv (argc == 0)
 * and an empty environment; exits with PROGRAM's status (the test reads it
 * from the shell). Linux >= 5.18 turns an empty argv into { "" }. */
#include <unistd.h>

int main(int argc, char **argv)
{
	char *none[] = { NULL };

	if (argc != 2)
		return 2;
	execve(argv[1], none, none);
	return 127;
}
