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
	err->cause[0] = '\0';
	return -1;
}

void vsym_error_cause(struct vsym_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->cause, sizeof(err->cause), fmt, ap);
	va_end(ap);
}

void vsym_error_clear(struct vsym_error *err)
{
	if (err != NULL) {
		err->text[0] = '\0';
		err->cause[0] = '\0';
	}
}
