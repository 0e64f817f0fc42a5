/* Text that did not come from vsym itself (a path, a file's text, a name
 * from a database) made safe for a terminal and a log line: no byte of it
 * may move the cursor, change a window title, ring a bell or start an
 * escape sequence (doc/security.md invariant 6). Printable ASCII and valid
 * UTF-8 of printable characters are kept; C0 controls, DEL, C1 controls
 * (U+0080-U+009F), the bidirectional overrides and line separators
 * (U+202A-U+202E, U+2066-U+2069, U+2028, U+2029) and every byte of
 * invalid UTF-8 are shown as \xNN, visibly. */
#ifndef VSYM_SAFETEXT_H
#define VSYM_SAFETEXT_H

#include <stddef.h>
#include <stdio.h>

/* The length of the character text starts with when it is safe to show
 * as it is (1 for printable ASCII, 2-4 for a printable UTF-8 sequence);
 * 0 when its first byte must be escaped, or at the end of text. */
size_t vsym_safe_char_len(const char *text);

/* Writes text made safe into out (size bytes, at least 1), cut where it
 * does not fit, never in the middle of a character or an escape. Returns
 * out. */
char *vsym_safe_text(const char *text, char *out, size_t size);

/* The same, written to stream. */
void vsym_fput_safe(const char *text, FILE *stream);

#endif
