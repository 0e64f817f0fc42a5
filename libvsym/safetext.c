#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "safetext.h"

static bool is_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/* The length of the valid UTF-8 sequence at p (2-4), or 0: overlong
 * forms, surrogates and code points above U+10FFFF are invalid. */
static size_t utf8_len(const unsigned char *p)
{
	size_t n = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3
		 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;

	for (size_t i = 1; i < n; i++)
		if (!is_continuation(p[i]))
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] > 0x9f) ||
	    (p[0] == 0xf0 && p[1] < 0x90) || (p[0] == 0xf4 && p[1] > 0x8f))
		return 0;
	return n;
}

/* C1 controls (U+0080-U+009F), line and paragraph separators, and the
 * bidirectional embeddings, overrides and isolates: valid UTF-8 that a
 * terminal or a reader would still take for something else. */
static bool is_format_control(const unsigned char *p)
{
	if (p[0] == 0xc2)
		return p[1] <= 0x9f;
	if (p[0] == 0xe2 && p[1] == 0x80)
		return p[2] >= 0xa8 && p[2] <= 0xae;
	return p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9;
}

size_t vsym_safe_char_len(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n;

	if (p[0] >= 0x20 && p[0] < 0x7f)
		return 1;
	if (p[0] < 0x80)
		return 0;   /* C0, DEL, or the end */
	n = utf8_len(p);
	return n > 0 && !is_format_control(p) ? n : 0;
}

/* Writes \xNN for byte c at out; the caller checked the room. */
static size_t put_escape(char *out, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";

	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

char *vsym_safe_text(const char *text, char *out, size_t size)
{
	size_t o = 0;

	for (const char *p = text; *p != '\0';) {
		size_t n = vsym_safe_char_len(p);

		if (o + (n > 0 ? n : 4) >= size)
			break;
		if (n > 0) {
			memcpy(out + o, p, n);
			o += n;
			p += n;
		} else {
			o += put_escape(out + o, (unsigned char)*p++);
		}
	}
	out[o] = '\0';
	return out;
}

void vsym_fput_safe(const char *text, FILE *stream)
{
	for (const char *p = text; *p != '\0';) {
		size_t n = vsym_safe_char_len(p);

		if (n == 0) {
			fprintf(stream, "\\x%02x", (unsigned char)*p);
			n = 1;
		} else {
			fwrite(p, 1, n, stream);
		}
		p += n;
	}
}
