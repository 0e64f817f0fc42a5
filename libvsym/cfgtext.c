#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgtext.h"
#include "expand.h"

/* libconfig names are [A-Za-z*][-A-Za-z0-9_*]*: an encoded name starts
 * with "*q", and the two value characters a name cannot hold are escaped. */
#define ENCODED_PREFIX "*q"

static bool is_value_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '+' || c == '-';
}

/* Index just past the string literal that starts at text[i] (a '"'). */
static size_t string_end(const char *text, size_t len, size_t i)
{
	for (i++; i < len && text[i] != '"' && text[i] != '\n'; i++)
		if (text[i] == '\\' && i + 1 < len)
			i++;
	return i < len && text[i] == '"' ? i + 1 : i;
}

/* Index just past the comment that starts at text[i], or i when none does. */
static size_t comment_end(const char *text, size_t len, size_t i)
{
	const char *close;

	if (text[i] == '#' || (text[i] == '/' && i + 1 < len && text[i + 1] == '/')) {
		while (i < len && text[i] != '\n')
			i++;
		return i;
	}
	if (text[i] == '/' && i + 1 < len && text[i + 1] == '*') {
		close = memmem(text + i + 2, len - i - 2, "*/", 2);
		return close != NULL ? (size_t)(close - text) + 2 : len;
	}
	return i;
}

/* True when the string literal text[start..end) is a setting name: a
 * value-like word followed, on the same line, by '=' or ':'. */
static bool is_quoted_name(const char *text, size_t len, size_t start, size_t end)
{
	size_t k = end;

	if (end - start < 3 || end - start > 130 || text[end - 1] != '"')
		return false;
	for (size_t i = start + 1; i < end - 1; i++)
		if (!is_value_char(text[i]))
			return false;
	while (k < len && (text[k] == ' ' || text[k] == '\t'))
		k++;
	return k < len && (text[k] == '=' || text[k] == ':');
}

static size_t put_encoded(char *out, const char *word, size_t n)
{
	size_t o = strlen(ENCODED_PREFIX);

	memcpy(out, ENCODED_PREFIX, o);
	for (size_t i = 0; i < n; i++) {
		if (word[i] == '.' || word[i] == '+') {
			out[o++] = '*';
			out[o++] = word[i] == '.' ? 'd' : 'p';
		} else {
			out[o++] = word[i];
		}
	}
	return o;
}

char *vsym_cfgtext_quote_names(const char *text, size_t len)
{
	char *out = malloc(len * 2 + 3);
	size_t i = 0, o = 0;

	if (out == NULL)
		return NULL;
	while (i < len) {
		size_t end = comment_end(text, len, i);

		if (end == i && text[i] == '"') {
			end = string_end(text, len, i);
			if (is_quoted_name(text, len, i, end)) {
				o += put_encoded(out + o, text + i + 1, end - i - 2);
				i = end;
				continue;
			}
		}
		if (end == i)
			end = i + 1;
		memcpy(out + o, text + i, end - i);
		o += end - i;
		i = end;
	}
	out[o] = '\0';
	return out;
}

const char *vsym_cfgtext_name(const char *name, char *buf, size_t size)
{
	size_t o = 0;

	if (strncmp(name, ENCODED_PREFIX, strlen(ENCODED_PREFIX)) != 0 || size == 0)
		return name;
	for (const char *p = name + strlen(ENCODED_PREFIX); *p != '\0' && o + 1 < size; p++) {
		if (p[0] == '*' && (p[1] == 'd' || p[1] == 'p'))
			buf[o++] = *++p == 'd' ? '.' : '+';
		else
			buf[o++] = *p;
	}
	buf[o] = '\0';
	return buf;
}

/* The start of line number line (1-based) of text, or NULL. */
static const char *line_start(const char *text, unsigned line)
{
	for (unsigned n = 1; n < line; n++) {
		text = strchr(text, '\n');
		if (text == NULL)
			return NULL;
		text++;
	}
	return text;
}

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

/* Matches "NAME = 1.2.3" at p; fills buf with the advice. */
static bool bare_version_at(const char *p, char *buf, size_t size)
{
	const char *name = p, *value;
	size_t nlen = strspn(p, NAME_CHARS), vlen, dots = 0;

	p += nlen;
	p += strspn(p, " \t");
	if (nlen == 0 || (*p != '=' && *p != ':'))
		return false;
	p++;
	p += strspn(p, " \t");
	value = p;
	vlen = strspn(p, "0123456789.");
	for (size_t i = 0; i < vlen; i++)
		dots += value[i] == '.';
	if (vlen == 0 || dots < 2 || value[0] == '.')
		return false;
	snprintf(buf, size, "write the value in quotes: %.*s = \"%.*s\";", (int)nlen, name, (int)vlen, value);
	return true;
}

bool vsym_cfgtext_unquoted_hint(const char *text, unsigned line, char *buf, size_t size)
{
	const char *p = line_start(text, line);

	for (; p != NULL && *p != '\0' && *p != '\n'; p++)
		if ((p == text || strchr(NAME_CHARS, p[-1]) == NULL) && bare_version_at(p, buf, size))
			return true;
	return false;
}

/* Builds head + insert + tail into a new string. */
static char *splice(const char *text, size_t at, size_t cut, const char *insert)
{
	size_t len = strlen(text), ilen = strlen(insert);
	char *out = malloc(len - cut + ilen + 1);

	if (out == NULL)
		return NULL;
	memcpy(out, text, at);
	memcpy(out + at, insert, ilen);
	memcpy(out + at + ilen, text + at + cut, len - at - cut + 1);
	return out;
}

static char *quoted(const char *name, const char *value, bool setting)
{
	char *s;

	if ((setting ? asprintf(&s, " %s = \"%s\";", name, value) : asprintf(&s, "\"%s\"", value)) < 0)
		return NULL;
	return s;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The first occurrence of name in p as a whole word, or NULL. */
static const char *find_word(const char *p, const char *start, const char *name)
{
	size_t n = strlen(name);

	for (p = strstr(p, name); p != NULL; p = strstr(p + 1, name))
		if ((p == start || !is_name_char(p[-1])) && !is_name_char(p[n]))
			return p;
	return NULL;
}

/* Replaces the string literal after "name =" that starts on line. */
static char *replace_pick(const char *text, unsigned line, const char *name, const char *value,
			  struct vsym_error *err)
{
	const char *p = line_start(text, line), *q;
	char *lit, *out;
	size_t end;

	if (p == NULL || (p = find_word(p, text, name)) == NULL)
		return vsym_error_set(err, "cannot find '%s' on line %u", name, line), NULL;
	q = p + strlen(name);
	q += strspn(q, " \t\r\n");
	if (*q != '=' && *q != ':')
		return vsym_error_set(err, "cannot find the value of '%s' on line %u", name, line), NULL;
	q++;
	q += strspn(q, " \t\r\n");
	if (*q != '"')
		return vsym_error_set(err, "the value of '%s' on line %u is not a plain string", name, line), NULL;
	end = string_end(text, strlen(text), (size_t)(q - text));
	lit = quoted(name, value, false);
	out = lit != NULL ? splice(text, (size_t)(q - text), end - (size_t)(q - text), lit) : NULL;
	free(lit);
	if (out == NULL)
		vsym_error_set(err, "out of memory");
	return out;
}

/* Adds "name = value;" just inside the '{' of the variants group. */
static char *add_pick(const char *text, unsigned line, const char *name, const char *value,
		      struct vsym_error *err)
{
	const char *p = line_start(text, line), *brace;
	char *setting, *out;

	if (p == NULL || (p = find_word(p, text, "variants")) == NULL || (brace = strchr(p, '{')) == NULL)
		return vsym_error_set(err, "cannot find the '{' of the variants group of line %u", line), NULL;
	setting = quoted(name, value, true);
	out = setting != NULL ? splice(text, (size_t)(brace - text) + 1, 0, setting) : NULL;
	free(setting);
	if (out == NULL)
		vsym_error_set(err, "out of memory");
	return out;
}

static char *add_group(const char *text, const char *name, const char *value, struct vsym_error *err)
{
	size_t len = strlen(text);
	const char *sep = len > 0 && text[len - 1] != '\n' ? "\n" : "";
	char *out;

	if (asprintf(&out, "%s%svariants: { %s = \"%s\"; };\n", text, sep, name, value) < 0) {
		vsym_error_set(err, "out of memory");
		return NULL;
	}
	return out;
}

char *vsym_cfgtext_set_value(const char *text, const struct vsym_cfgtext_spot *spot,
			     const char *name, const char *value, struct vsym_error *err)
{
	if (!vsym_variant_name_valid(name) || !vsym_variant_value_valid(value)) {
		vsym_error_set(err, "'%s=%s' is not a variant value", name, value);
		return NULL;
	}
	if (spot->pick_line > 0)
		return replace_pick(text, spot->pick_line, name, value, err);
	if (spot->variants_line > 0)
		return add_pick(text, spot->variants_line, name, value, err);
	return add_group(text, name, value, err);
}
