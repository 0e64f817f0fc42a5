/* The setuid tool's environment, set aside for its own work: libc,
 * libmount and the resolution of paths see none of the caller's variables
 * (LD_*, LIBMOUNT_*, locale, PATH, HOME); only the -x command gets the
 * caller's vector back, as it was. */
#ifndef VSYM_ENVIRON_H
#define VSYM_ENVIRON_H

/* Empties the process environment (environ points to an empty vector from
 * then on) and returns the caller's vector, untouched, for
 * vsym_environ_restore. Never fails. */
char **vsym_environ_set_aside(void);

/* Makes saved, as vsym_environ_set_aside returned it, the process
 * environment again (just before the exec of the -x command). */
void vsym_environ_restore(char **saved);

#endif
