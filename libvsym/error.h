/* One error idiom for the core: functions return 0 on success and -1 on
 * failure, with a message in a caller-provided struct vsym_error that names
 * the file, line or path and says what to do.
 *
 * Tri-state returns follow one convention, stated in each header:
 *   0        done;
 *   1        a second outcome that is no failure ("nothing there"), which
 *            err may explain;
 *   -1       failed, err says why;
 *   -errno   a failure the caller must tell apart (-ENOENT: the file does
 *            not exist, -EIO: could not undo), err set.
 * Never -EPERM: on Linux it is -1, so "refused" and "failed" would be one
 * value. Where a caller must tell a refusal from a failure (exit status 1
 * or 3), the function returns a named result, an enum such as
 * enum vsym_outcome or enum vsym_enter_result.
 * A function that succeeds leaves nothing in err for the caller to show:
 * warnings travel by return value or out-parameter, never through err. */
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
	/* The line of the file text names, when the message is about one
	 * line of a configuration file (vsym_error_at); 0 otherwise. */
	unsigned line;
};

/* Formats the message into err (err may be NULL) and clears the cause
 * and the line.
 * Always returns -1 so a caller can write "return vsym_error_set(err, ...);". */
int vsym_error_set(struct vsym_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like vsym_error_set, for a problem at line of the file label: the
 * message starts "label:line: ", and err->line is line. Returns -1. */
int vsym_error_at(struct vsym_error *err, const char *label, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Formats the cause into err (err may be NULL), after the message. */
void vsym_error_cause(struct vsym_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clears a message so a stale one is never reported. */
void vsym_error_clear(struct vsym_error *err);

#endif
