#include "config.h"

#include <unistd.h>

#include "environ.h"

extern char **environ;
static char *empty_environ[] = { NULL };

/* Not clearenv(): the caller's vector is kept as it is, neither freed nor
 * copied, so the -x command gets back exactly what the caller passed. */
char **vsym_environ_set_aside(void)
{
	char **saved = environ;

	environ = empty_environ;
	return saved;
}

void vsym_environ_restore(char **saved)
{
	environ = saved;
}
