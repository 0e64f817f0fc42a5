/* One error idiom for the core: functions return 0 on success and -1 (or a
 * negative errno where documented) on failure, with a message in a
 * caller-provided struct vsym_error that names the file, line or path and
 * says what to do. */
#ifndef VSYM_ERROR_H
#define VSYM_ERROR_H

#include <stddef.h>

#define VSYM_ERROR_MAX 512
#define VSYM_CAUSE_MAX 256

struct vsym_error {
	char text[VSYM_ERROR_MAX];
	/* The same in words that quote nothing a user wrote or named (no
	 * path), for logs; "" where the function gives none. */
	char cause[VSYM_CAUSE_MAX];
};

/* Formats the message into err (err may be NULL) and clears the cause.
 * Always returns -1 so a caller can write "return vsym_error_set(err, ...);". */
int vsym_error_set(struct vsym_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Formats the cause into err (err may be NULL), after the message. */
void vsym_error_cause(struct vsym_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clears a message so a stale one is never reported. */
void vsym_error_clear(struct vsym_error *err);

#endif
