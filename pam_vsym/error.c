#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "error.h"

int vsym_error_set(struct vsym_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

void vsym_error_clear(struct vsym_error *err)
{
	if (err != NULL)
		err->text[0] = '\0';
}
