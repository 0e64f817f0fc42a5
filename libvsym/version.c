/* Version order: how vsym compares, sorts and matches the values of a
 * variant (pure: no I/O). */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Compares the digit runs at *a and *b by number and steps past them. */
static int compare_numbers(const char **a, const char **b)
{
	size_t na, nb;
	int c;

	while (**a == '0' && is_digit((*a)[1]))
		(*a)++;
	while (**b == '0' && is_digit((*b)[1]))
		(*b)++;
	for (na = 0; is_digit((*a)[na]); na++)
		;
	for (nb = 0; is_digit((*b)[nb]); nb++)
		;
	if (na != nb)
		return na < nb ? -1 : 1;
	c = strncmp(*a, *b, na);
	*a += na;
	*b += nb;
	return c;
}

int vsym_version_compare(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		int c;

		if (is_digit(*a) && is_digit(*b)) {
			c = compare_numbers(&a, &b);
			if (c != 0)
				return c;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return (*a != '\0') - (*b != '\0');
}

static int version_cmp_ptrs(const void *a, const void *b)
{
	return vsym_version_compare(*(char *const *)a, *(char *const *)b);
}

void vsym_version_sort(char **values, size_t n)
{
	if (n > 1)
		qsort(values, n, sizeof(*values), version_cmp_ptrs);
}

bool vsym_version_prefix(const char *prefix, const char *value)
{
	size_t n = strlen(prefix);

	return n > 0 && strncmp(prefix, value, n) == 0 &&
	       (value[n] == '\0' || value[n] == '.' || value[n] == '-');
}

const char *vsym_version_unprefixed(const char *value)
{
	return value[0] == 'v' && is_digit(value[1]) ? value + 1 : value;
}

/* Length of the X.Y of a value X.Y.Z (digits only), or 0 when it is not one. */
size_t vsym_version_major_minor_len(const char *v)
{
	size_t n = 0, dots = 0, xy = 0;

	for (; v[n] != '\0'; n++) {
		if (v[n] == '.' && n > 0 && is_digit(v[n - 1]) && is_digit(v[n + 1])) {
			if (++dots == 2)
				xy = n;
		} else if (!is_digit(v[n])) {
			return 0;
		}
	}
	return dots == 2 ? xy : 0;
}
