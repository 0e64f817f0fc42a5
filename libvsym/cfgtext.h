/* The configuration as text: what libconfig (1.5, Debian 12) cannot do for
 * us. Quoted setting names ("17" = "java-17-openjdk-amd64", for aliases
 * that are version numbers), a hint for a value written without quotes,
 * and editing one value of ~/.vsymrc in place, keeping every other line
 * and comment (vsym-rebind -s). Pure: text in, text out. */
#ifndef VSYM_CFGTEXT_H
#define VSYM_CFGTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Returns a new NUL-terminated copy of text in which each quoted setting
 * name ("NAME" followed by = or :) whose NAME is a valid variant value is
 * replaced by an encoded bare name on the same line, so libconfig reads it
 * and line numbers stay. NULL when out of memory. */
char *vsym_cfgtext_quote_names(const char *text, size_t len);

/* Decodes a setting name that vsym_cfgtext_quote_names encoded, into buf.
 * Returns buf, or name itself when it was not encoded. */
const char *vsym_cfgtext_name(const char *name, char *buf, size_t size);

/* For a syntax error on line of text: when that line gives a setting a
 * bare version number (go = 1.22.1;), writes into buf the advice to quote
 * it and returns true. */
bool vsym_cfgtext_unquoted_hint(const char *text, unsigned line, char *buf, size_t size);

/* Where vsym_cfgtext_set_value finds what to change (from the parsed
 * file): the line of the setting name that picks the value, or 0 when the
 * file picks none; the line of the "variants" group, or 0 when there is
 * none. */
struct vsym_cfgtext_spot {
	unsigned pick_line;
	unsigned variants_line;
};

/* Returns a new copy of text (NUL-terminated) in which name's value is
 * value: the string on pick_line replaced, else a pick added inside the
 * variants group, else a variants group added at the end. Every other
 * byte is kept. NULL with err set when the text is not laid out as
 * expected (the user is told to edit it by hand). */
char *vsym_cfgtext_set_value(const char *text, const struct vsym_cfgtext_spot *spot,
			     const char *name, const char *value, struct vsym_error *err);

#endif
