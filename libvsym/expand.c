#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expand.h"

#define VSYM_VALUE_MAX 128
#define VSYM_NAME_MAX 64

struct out_buf {
	char text[PATH_MAX];
	size_t len;
	bool overflow;
};

static void out_add(struct out_buf *out, const char *s, size_t n)
{
	if (out->len + n >= sizeof(out->text)) {
		out->overflow = true;
		return;
	}
	memcpy(out->text + out->len, s, n);
	out->len += n;
	out->text[out->len] = '\0';
}

/* Reads a variable reference at *p ("$NAME" or "${NAME}", p past the "$")
 * into name; advances *p. Returns 0, or -1 when the reference is malformed. */
static int read_var_name(const char **p, char *name, size_t size)
{
	const char *s = *p;
	bool braced = *s == '{';
	size_t n = 0;

	if (braced)
		s++;
	while ((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
	       (s[n] >= '0' && s[n] <= '9') || s[n] == '_')
		n++;
	if (n == 0 || n >= size || (braced && s[n] != '}'))
		return -1;
	memcpy(name, s, n);
	name[n] = '\0';
	*p = s + n + (braced ? 1 : 0);
	return 0;
}

/* A variant's value, or its ${NAME} kept for later when no value is given. */
static void add_variant(struct out_buf *out, const char *name, const char *value)
{
	char ref[PATH_MAX + 4];  /* a name is shorter than its path word */

	if (value != NULL) {
		out_add(out, value, strlen(value));
		return;
	}
	vsym_variant_ref(name, ref, sizeof(ref));
	out_add(out, ref, strlen(ref));
}

void vsym_variant_ref(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "${%s}", name);
}

static int expand_var(struct out_buf *out, const char **p, const char *start,
		      const struct vsym_expand_ctx *ctx, struct vsym_error *err)
{
	char name[VSYM_NAME_MAX + 1];

	if (**p == '$') {
		out_add(out, "$", 1);
		(*p)++;
		return 0;
	}
	if (read_var_name(p, name, sizeof(name)) < 0)
		return vsym_error_set(err, "'%s': malformed variable reference; write $USER, $HOME, ${NAME} or $$ for a '$'", start);
	if (strcmp(name, "USER") == 0)
		out_add(out, ctx->user, strlen(ctx->user));
	else if (strcmp(name, "HOME") == 0)
		out_add(out, ctx->home, strlen(ctx->home));
	else if (ctx->var_name != NULL && strcmp(name, ctx->var_name) == 0)
		add_variant(out, name, ctx->var_value);
	else
		return vsym_error_set(err, "'%s': unknown variable '%s'; only $USER, $HOME%s%s%s are known here",
				      start, name, ctx->var_name ? " and ${" : "",
				      ctx->var_name ? ctx->var_name : "", ctx->var_name ? "}" : "");
	return 0;
}

static int expand_tilde(struct out_buf *out, const char **p, const char *start,
			const struct vsym_expand_ctx *ctx, struct vsym_error *err)
{
	if ((*p)[1] != '\0' && (*p)[1] != '/')
		return vsym_error_set(err, "'%s': '~user' is not supported; write ~/ for your own home or an absolute path", start);
	out_add(out, ctx->home, strlen(ctx->home));
	(*p)++;
	return 0;
}

char *vsym_expand(const char *word, const struct vsym_expand_ctx *ctx,
		  struct vsym_error *err)
{
	struct out_buf out = { .len = 0, .overflow = false };
	const char *p = word;
	char *result;

	out.text[0] = '\0';
	if (*p == '~' && expand_tilde(&out, &p, word, ctx, err) < 0)
		return NULL;
	while (*p != '\0') {
		const char *dollar = strchr(p, '$');
		size_t n = dollar ? (size_t)(dollar - p) : strlen(p);

		out_add(&out, p, n);
		p += n;
		if (*p == '$') {
			p++;
			if (expand_var(&out, &p, word, ctx, err) < 0)
				return NULL;
		}
	}
	if (out.overflow) {
		vsym_error_set(err, "'%.64s...': path longer than %d bytes", word, PATH_MAX - 1);
		return NULL;
	}
	if (out.text[0] != '/') {
		vsym_error_set(err, "'%s' is not an absolute path; start it with /, ~/ or $HOME", word);
		return NULL;
	}
	result = strdup(out.text);
	if (result == NULL)
		vsym_error_set(err, "out of memory");
	return result;
}

bool vsym_is_dot_component(const char *c, size_t n)
{
	return (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.');
}

bool vsym_has_control_char(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

int vsym_path_normalize(char *path, struct vsym_error *err)
{
	char *r = path, *w = path;

	if (path[0] != '/')
		return vsym_error_set(err, "'%s' is not an absolute path", path);
	while (*r != '\0') {
		size_t n;

		while (*r == '/')
			r++;
		n = strcspn(r, "/");
		if (n == 0)
			break;
		if (vsym_is_dot_component(r, n))
			return vsym_error_set(err, "'%s' has a '.' or '..' component; write the path without it", path);
		*w++ = '/';
		memmove(w, r, n);
		w += n;
		r += n;
	}
	if (w == path)
		*w++ = '/';
	*w = '\0';
	return 0;
}

bool vsym_variant_value_valid(const char *value)
{
	size_t n = strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-");

	return n > 0 && value[n] == '\0' && n <= VSYM_VALUE_MAX && !vsym_is_dot_component(value, n);
}

bool vsym_variant_name_valid(const char *name)
{
	size_t n = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

	return n > 0 && name[n] == '\0' && n <= VSYM_NAME_MAX &&
	       !(name[0] >= '0' && name[0] <= '9');
}
