/* tests/security/regainroot.c - a caller that could take root back after
 * a setuid program drops it.
 *
 *   regainroot securebits|plain UID GID[,GID...] PROGRAM [ARG...]
 *
 * Run as root. With "securebits" it first sets SECBIT_NO_SETUID_FIXUP:
 * the kernel then keeps a process's capabilities when its uids change
 * away from 0, and the flag survives execve. It becomes UID with the
 * given gid and groups (keeping CAP_SETUID and the rest, thanks to the
 * flag) and execs PROGRAM, a setuid-root program, which inherits the
 * flag: its own setresuid(user) then leaves it able to call setuid(0).
 * With "plain" it becomes the user the ordinary way (the control case).
 * Exits 100 + n on a setup error. */
#define _GNU_SOURCE
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <linux/securebits.h>
#include <unistd.h>

static int parse_gids(char *list, gid_t *gids, int max)
{
	int n = 0;

	for (char *tok = strtok(list, ","); tok != NULL && n < max; tok = strtok(NULL, ","))
		gids[n++] = (gid_t)strtoul(tok, NULL, 10);
	return n;
}

int main(int argc, char **argv)
{
	gid_t gids[64];
	uid_t uid;
	int n;

	if (argc < 5 || (strcmp(argv[1], "securebits") != 0 && strcmp(argv[1], "plain") != 0)) {
		fprintf(stderr, "usage: regainroot securebits|plain UID GID[,GID...] PROGRAM [ARG...]\n");
		return 100;
	}
	uid = (uid_t)strtoul(argv[2], NULL, 10);
	n = parse_gids(argv[3], gids, 64);
	if (n < 1 || uid == 0)
		return 101;
	if (strcmp(argv[1], "securebits") == 0 &&
	    prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0) < 0) {
		perror("regainroot: PR_SET_SECUREBITS");
		return 102;
	}
	if (setgroups((size_t)n, gids) < 0 || setresgid(gids[0], gids[0], gids[0]) < 0 ||
	    setresuid(uid, uid, uid) < 0) {
		perror("regainroot: becoming the user");
		return 103;
	}
	/* The proof that the setup holds: with the flag, root is still within
	 * reach here (checked without taking it: seteuid and back). */
	if (strcmp(argv[1], "securebits") == 0 && (seteuid(0) < 0 || seteuid(uid) < 0)) {
		perror("regainroot: the capabilities were not kept");
		return 104;
	}
	execv(argv[4], &argv[4]);
	perror("regainroot: exec");
	return 105;
}
