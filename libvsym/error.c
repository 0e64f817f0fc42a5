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
	err->line = 0;
	return -1;
}

int vsym_error_at(struct vsym_error *err, const char *label, unsigned line, const char *fmt, ...)
{
	char msg[VSYM_ERROR_MAX];
	va_list ap;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vsym_error_set(err, "%s:%u: %s", label, line, msg);
	err->line = line;
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
		err->line = 0;
	}
}
