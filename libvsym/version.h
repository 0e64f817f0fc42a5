/* Version order (version.c): pure functions over value strings. */
#ifndef VSYM_VERSION_H
#define VSYM_VERSION_H

#include <stdbool.h>
#include <stddef.h>

/* Compares two values in version order: runs of digits by number, other
 * characters by byte, and the end of a value first (20.11.1 > 20.9.0,
 * 1.22 < 1.22.1). Returns <0, 0 or >0. */
int vsym_version_compare(const char *a, const char *b);

/* Sorts values in version order, lowest first. */
void vsym_version_sort(char **values, size_t n);

/* True when prefix is a version prefix of value: value starts with it and
 * goes on with '.', '-' or ends ("20" of "20.11.1", not "2" of "20.1"). */
bool vsym_version_prefix(const char *prefix, const char *value);

/* value without a leading "v" before a digit ("v1.19.8" -> "1.19.8"),
 * the way goenv and Git tags write versions; value itself otherwise. */
const char *vsym_version_unprefixed(const char *value);

/* Length of the X.Y of a value X.Y.Z (digits only), or 0 when it is not
 * one: "1.21" of "1.21.5" (match = "newer-patch"). */
size_t vsym_version_major_minor_len(const char *v);

#endif
