#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "safetext.h"
#include "state.h"

#define STATE_MAX_ENTRIES 4096

void vsym_fput_escaped(const char *path, FILE *out)
{
	for (const char *p = path; *p != '\0';) {
		/* Blanks and backslash, and what is unsafe on a terminal
		 * (safetext.h): every such byte as \ooo. */
		size_t n = *p == ' ' || *p == '\\' ? 0 : vsym_safe_char_len(p);

		if (n == 0) {
			fprintf(out, "\\%03o", (unsigned char)*p);
			n = 1;
		} else {
			fwrite(p, 1, n, out);
		}
		p += n;
	}
}

/* Undoes vsym_fput_escaped in place. */
static void unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static char *dup_or_null(const char *s)
{
	return s != NULL && strcmp(s, "-") != 0 ? strdup(s) : NULL;
}

static void entry_free(struct vsym_state_entry *e)
{
	free(e->target);
	free(e->source);
	free(e->variant);
	free(e->value);
	memset(e, 0, sizeof(*e));
}

/* Reads a whole decimal number; false on anything else. */
static bool parse_u64(const char *text, uint64_t *out)
{
	char *end;

	if (text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	*out = strtoull(text, &end, 10);
	return errno == 0 && *end == '\0';
}

/* Parses one record line; strict, so damage is reported, never guessed. */
static int parse_line(char *line, struct vsym_state_entry *e)
{
	char *field[8], *save = NULL, *ino;
	int n = 0;

	memset(e, 0, sizeof(*e));
	for (char *f = strtok_r(line, "\t\n", &save); f != NULL && n < 8; f = strtok_r(NULL, "\t\n", &save))
		field[n++] = f;
	ino = n == 7 ? strchr(field[1], ':') : NULL;
	if (ino == NULL)
		return -1;
	*ino++ = '\0';
	if (!parse_u64(field[0], &e->mnt_id) || !parse_u64(field[1], &e->root_dev) ||
	    !parse_u64(ino, &e->root_ino) || (strcmp(field[4], "ro") != 0 && strcmp(field[4], "rw") != 0))
		return -1;
	for (int i = 2; i < 7; i++)
		unescape(field[i]);
	if (field[2][0] != '/' || field[3][0] != '/')
		return -1;
	e->readonly = strcmp(field[4], "ro") == 0;
	e->target = strdup(field[2]);
	e->source = strdup(field[3]);
	e->variant = dup_or_null(field[5]);
	e->value = dup_or_null(field[6]);
	return e->target && e->source ? 0 : -1;
}

int vsym_state_load(struct vsym_state *state, const char *dir, const char *file,
		    struct vsym_error *err)
{
	char path[256];
	cleanup_free char *line = NULL;
	cleanup_fd int fd = -1;
	size_t size = 0;
	FILE *f;

	memset(state, 0, sizeof(*state));
	state->dir = dir;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || (f = fdopen(fd, "r")) == NULL)
		return vsym_error_set(err, "cannot read %s: %s", path, strerror(errno));
	steal_fd(&fd); /* f owns it now */
	/* getline: an escaped entry can be four times PATH_MAX long. */
	while (getline(&line, &size, f) > 0 && state->n < STATE_MAX_ENTRIES) {
		struct vsym_state_entry e;

		if (parse_line(line, &e) < 0 || vsym_state_put(state, &e) < 0) {
			entry_free(&e);
			fclose(f);
			vsym_state_free(state);
			return vsym_error_set(err, "%s is damaged; log in anew for a fresh session", path);
		}
		entry_free(&e);
	}
	fclose(f);
	return 0;
}

static void write_entry(FILE *f, const struct vsym_state_entry *e)
{
	fprintf(f, "%" PRIu64 "\t%" PRIu64 ":%" PRIu64 "\t", e->mnt_id, e->root_dev, e->root_ino);
	vsym_fput_escaped(e->target, f);
	fputc('\t', f);
	vsym_fput_escaped(e->source, f);
	fprintf(f, "\t%s\t", e->readonly ? "ro" : "rw");
	vsym_fput_escaped(e->variant ? e->variant : "-", f);
	fputc('\t', f);
	vsym_fput_escaped(e->value ? e->value : "-", f);
	fputc('\n', f);
}

int vsym_state_save(const struct vsym_state *state, const char *file, struct vsym_error *err)
{
	char path[256], tmp[256];
	cleanup_fd int fd = -1;
	FILE *f;
	int ok;

	if (state->dir == NULL)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", state->dir, file);
	snprintf(tmp, sizeof(tmp), "%s/.%s.new", state->dir, file);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		return vsym_error_set(err, "cannot write %s: %s", tmp, strerror(errno));
	steal_fd(&fd); /* f owns it now */
	for (size_t i = 0; i < state->n; i++)
		write_entry(f, &state->entries[i]);
	ok = fflush(f) == 0 && !ferror(f);
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, path) < 0) {
		unlink(tmp);
		return vsym_error_set(err, "cannot write %s: %s", path, strerror(errno));
	}
	return 0;
}

struct vsym_state_entry *vsym_state_find(struct vsym_state *state, const char *target)
{
	for (size_t i = 0; i < state->n; i++)
		if (strcmp(state->entries[i].target, target) == 0)
			return &state->entries[i];
	return NULL;
}

int vsym_state_put(struct vsym_state *state, const struct vsym_state_entry *entry)
{
	struct vsym_state_entry copy = *entry, *slot = vsym_state_find(state, entry->target);

	copy.target = strdup(entry->target);
	copy.source = strdup(entry->source);
	copy.variant = entry->variant ? strdup(entry->variant) : NULL;
	copy.value = entry->value ? strdup(entry->value) : NULL;
	if (copy.target == NULL || copy.source == NULL) {
		entry_free(&copy);
		return -1;
	}
	if (slot == NULL) {
		struct vsym_state_entry *bigger = realloc(state->entries, (state->n + 1) * sizeof(*bigger));

		if (bigger == NULL) {
			entry_free(&copy);
			return -1;
		}
		state->entries = bigger;
		slot = &state->entries[state->n++];
	} else {
		entry_free(slot);
	}
	*slot = copy;
	return 0;
}

void vsym_state_remove(struct vsym_state *state, const char *target)
{
	struct vsym_state_entry *e = vsym_state_find(state, target);

	if (e == NULL)
		return;
	entry_free(e);
	*e = state->entries[--state->n];
}

void vsym_state_free(struct vsym_state *state)
{
	for (size_t i = 0; i < state->n; i++)
		entry_free(&state->entries[i]);
	free(state->entries);
	state->entries = NULL;
	state->n = 0;
}
