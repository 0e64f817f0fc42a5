#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <linux/stat.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "libmountdl.h"
#include "mountinfo.h"

#define VSYM_MOUNTINFO_OF_THREAD "/proc/thread-self/mountinfo"

static void fill(const struct vsym_libmount *lm, struct libmnt_fs *fs, struct vsym_mount_info *out)
{
	const char *target = lm->fs_get_target(fs);
	const char *options = lm->fs_get_vfs_options(fs);
	const char *fstype = lm->fs_get_fstype(fs);

	snprintf(out->target, sizeof(out->target), "%s", target ? target : "");
	snprintf(out->options, sizeof(out->options), "%s", options ? options : "");
	snprintf(out->fstype, sizeof(out->fstype), "%s", fstype ? fstype : "");
}

/* True when root (a mount's root within its file system) starts with the
 * whole components of prefix. */
static bool root_within(const char *root, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strcmp(prefix, "/") == 0)
		return true;
	return strncmp(root, prefix, n) == 0 && (root[n] == '/' || root[n] == '\0');
}

/* Where the root of the bind fs is seen now: through the mount of the same
 * file system with the shortest root that contains it (its own mount,
 * rather than another bind of it). A renamed source shows its new name
 * here, not the one recorded. */
static void find_source(const struct vsym_libmount *lm, struct libmnt_table *table,
			struct libmnt_fs *bind, struct vsym_mount_info *out)
{
	struct libmnt_iter *iter = lm->new_iter(MNT_ITER_FORWARD);
	const char *root = lm->fs_get_root(bind), *best_root = NULL, *best_target = NULL;
	struct libmnt_fs *fs;

	out->source[0] = '\0';
	if (iter == NULL || root == NULL)
		goto done;
	while (lm->table_next_fs(table, iter, &fs) == 0) {
		const char *r = lm->fs_get_root(fs);

		if (fs == bind || r == NULL || lm->fs_get_devno(fs) != lm->fs_get_devno(bind) ||
		    !root_within(root, r) || (best_root != NULL && strlen(r) >= strlen(best_root)))
			continue;
		best_root = r;
		best_target = lm->fs_get_target(fs);
	}
	if (best_target != NULL)
		snprintf(out->source, sizeof(out->source), "%s%s",
			 strcmp(best_target, "/") == 0 ? "" : best_target,
			 strcmp(best_root, "/") == 0 ? root : root + strlen(best_root));
done:
	lm->free_iter(iter);
}

/* This thread's mount table, parsed by libmount (loaded now if it was
 * not yet), with a forward iterator. The thread's, not /proc/self's: a
 * PAM application may open the session in a thread, which alone then
 * moves into the new namespace. Returns 0, or -1 with err set and
 * nothing to free. */
static int open_table(const struct vsym_libmount **lm, struct libmnt_table **table,
		      struct libmnt_iter **iter, struct vsym_error *err)
{
	*lm = vsym_libmount(err);
	if (*lm == NULL)
		return -1;
	*table = (*lm)->new_table();
	*iter = (*lm)->new_iter(MNT_ITER_FORWARD);
	if (*table == NULL || *iter == NULL || (*lm)->table_parse_file(*table, VSYM_MOUNTINFO_OF_THREAD) != 0) {
		(*lm)->free_iter(*iter);
		(*lm)->unref_table(*table);
		return vsym_error_set(err, "cannot read " VSYM_MOUNTINFO_OF_THREAD);
	}
	return 0;
}

static void close_table(const struct vsym_libmount *lm, struct libmnt_table *table, struct libmnt_iter *iter)
{
	lm->free_iter(iter);
	lm->unref_table(table);
}

int vsym_mountinfo_lookup(uint64_t id, struct vsym_mount_info *out, struct vsym_error *err)
{
	const struct vsym_libmount *lm;
	struct libmnt_table *table;
	struct libmnt_iter *iter;
	struct libmnt_fs *fs;
	int found = 0;

	if (open_table(&lm, &table, &iter, err) < 0)
		return -1;
	while (!found && lm->table_next_fs(table, iter, &fs) == 0) {
		if ((uint64_t)lm->fs_get_id(fs) == id) {
			fill(lm, fs, out);
			find_source(lm, table, fs, out);
			found = 1;
		}
	}
	close_table(lm, table, iter);
	return found;
}

int vsym_mountinfo_present(const uint64_t *ids, size_t n, bool *present, struct vsym_error *err)
{
	const struct vsym_libmount *lm;
	struct libmnt_table *table;
	struct libmnt_iter *iter;
	struct libmnt_fs *fs;

	for (size_t i = 0; i < n; i++)
		present[i] = false;
	if (open_table(&lm, &table, &iter, err) < 0)
		return -1;
	while (lm->table_next_fs(table, iter, &fs) == 0)
		for (size_t i = 0; i < n; i++)
			if ((uint64_t)lm->fs_get_id(fs) == ids[i])
				present[i] = true;
	close_table(lm, table, iter);
	return 0;
}

/* Debian 12's kernel headers predate these (Linux 6.8). */
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif
#ifndef SYS_statmount
#define SYS_statmount 457
#endif
#define VSYM_STATMOUNT_FS_TYPE 0x00000020U

/* struct statmount up to its first string offsets; the kernel writes no
 * more than the size it is given, and the strings after it. */
struct vsym_statmount {
	uint32_t size;
	uint32_t mnt_opts;
	uint64_t mask;
	uint32_t sb_dev_major;
	uint32_t sb_dev_minor;
	uint64_t sb_magic;
	uint32_t sb_flags;
	uint32_t fs_type;       /* offset of the type's name in str */
	uint64_t fields[9];     /* mnt_id ... propagate_from, mnt_root, mnt_point */
	uint64_t spare[50];
	char str[256];
};
_Static_assert(offsetof(struct vsym_statmount, str) == 512, "struct statmount's strings start at 512");

struct vsym_mnt_id_req {
	uint32_t size;
	uint32_t spare;
	uint64_t mnt_id;
	uint64_t param;
};

/* The mount's id and its file system's device, without a call into its
 * file system: asking for nothing but the id, with AT_STATX_DONT_SYNC, is
 * answered from what the kernel holds (a FUSE daemon is not asked). */
static int mount_id_of(int fd, unsigned int want, uint64_t *id, dev_t *dev)
{
	struct statx stx;

	if (syscall(SYS_statx, fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, want, &stx) < 0 ||
	    !(stx.stx_mask & want))
		return -1;
	*id = stx.stx_mnt_id;
	*dev = makedev(stx.stx_dev_major, stx.stx_dev_minor);
	return 0;
}

/* Returns 0, -ENOSYS where the kernel has no statmount, or -1. */
static int fs_type_by_statmount(int fd, char *type, size_t size, struct vsym_error *err)
{
	struct vsym_mnt_id_req req = { .size = 24 };
	struct vsym_statmount sm;
	dev_t dev;

	if (mount_id_of(fd, STATX_MNT_ID_UNIQUE, &req.mnt_id, &dev) < 0)
		return -ENOSYS;
	req.param = VSYM_STATMOUNT_FS_TYPE;
	if (syscall(SYS_statmount, &req, &sm, sizeof(sm), 0) < 0) {
		if (errno == ENOSYS)
			return -ENOSYS;
		return vsym_error_set(err, "cannot learn the type of a mount: %s", strerror(errno));
	}
	if (!(sm.mask & VSYM_STATMOUNT_FS_TYPE) || sm.fs_type >= sizeof(sm.str))
		return vsym_error_set(err, "the kernel did not say the type of a mount");
	snprintf(type, size, "%.*s", (int)(sizeof(sm.str) - sm.fs_type), sm.str + sm.fs_type);
	return 0;
}

/* One line of /proc/self/mountinfo: "ID PARENT MAJ:MIN ROOT MOUNTPOINT
 * OPTIONS [TAG...] - TYPE SOURCE SUPEROPTIONS". The kernel escapes blanks
 * in every field (a FUSE subtype is the user's text), so " - " is the
 * separator and the type ends at the next blank. Returns false for a line
 * of another shape. */
static bool parse_mountinfo_line(const char *line, struct vsym_mount_type_seen *out)
{
	const char *sep = strstr(line, " - ");
	unsigned int major, minor;
	char *end;
	size_t n;

	errno = 0;
	out->id = strtoull(line, &end, 10);
	if (end == line || *end != ' ' || errno != 0 || sep == NULL ||
	    sscanf(end, " %*u %u:%u ", &major, &minor) != 2)
		return false;
	out->dev = makedev(major, minor);
	n = strcspn(sep + 3, " \n");
	if (n == 0 || n >= sizeof(out->type))
		return false;
	memcpy(out->type, sep + 3, n);
	out->type[n] = '\0';
	return true;
}

/* The calling thread's mount namespace (0, 0 when it cannot be read,
 * which no open table matches). */
static void this_namespace(dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (stat("/proc/thread-self/ns/mnt", &st) < 0)
		st.st_dev = 0, st.st_ino = 0;
	*dev = st.st_dev;
	*ino = st.st_ino;
}

/* True when the thread is in the namespace the table was opened in. */
static bool types_here(const struct vsym_mount_types *t)
{
	dev_t dev;
	ino_t ino;

	this_namespace(&dev, &ino);
	return ino != 0 && dev == t->ns_dev && ino == t->ns_ino;
}

/* Opens the table afresh, forgetting what was read of an older one. A
 * page at a time: the kernel generates only the lines a read asks for,
 * and a walk mostly crosses mounts near the top of the table (/, /home),
 * made before the host's many later ones; a larger buffer had it generate
 * about 600 lines of a 1000-mount table for each of a login's reads.
 * Reading on is cheap (since Linux 5.8 the file keeps a cursor in the
 * list of mounts, so a read does not search for its place). */
static int types_open(struct vsym_mount_types *t, struct vsym_error *err)
{
	if (t->file != NULL)
		fclose(t->file);
	t->n = 0;
	/* thread-self: /proc/self is the main thread's, whose namespace a
	 * PAM application's other threads need not share */
	t->file = fopen(VSYM_MOUNTINFO_OF_THREAD, "re");
	if (t->file == NULL)
		return vsym_error_set(err, "cannot read %s: %s", VSYM_MOUNTINFO_OF_THREAD, strerror(errno));
	setvbuf(t->file, NULL, _IOFBF, 4096);
	t->reads++;
	this_namespace(&t->ns_dev, &t->ns_ino);
	return 0;
}

/* True when a mount or unmount happened in the table's namespace since it
 * was opened: the kernel then flags the file (POLLPRI, POLLERR). A failed
 * poll, or a descriptor that is no longer open (POLLNVAL), counts as a
 * change. */
static bool types_stale(const struct vsym_mount_types *t)
{
	struct pollfd p = { .fd = fileno(t->file), .events = POLLPRI };

	return poll(&p, 1, 0) < 0 || (p.revents & (POLLPRI | POLLERR | POLLNVAL)) != 0;
}

/* A line is the mount's when it has its id, or its file system's device
 * (the file system is what has the type; a copy of the mount in another
 * namespace, or another bind of it, has another id). */
static bool is_mount(const struct vsym_mount_type_seen *line, const struct vsym_mount_type_seen *mount)
{
	return line->id == mount->id || line->dev == mount->dev;
}

static const char *types_seen(const struct vsym_mount_types *t, const struct vsym_mount_type_seen *mount)
{
	for (size_t i = 0; i < t->n; i++)
		if (is_mount(&t->seen[i], mount))
			return t->seen[i].type;
	return NULL;
}

static int types_remember(struct vsym_mount_types *t, const struct vsym_mount_type_seen *m,
			  struct vsym_error *err)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct vsym_mount_type_seen *p = realloc(t->seen, cap * sizeof(*p));

		if (p == NULL)
			return vsym_error_set(err, "out of memory");
		t->seen = p;
		t->cap = cap;
	}
	t->seen[t->n++] = *m;
	return 0;
}

/* The mount's type from what was read of the table, reading on as far as
 * its line when read_on. Returns 0 with *found set (NULL: not in the
 * table), or -1 with err set (out of memory). */
static int types_find(struct vsym_mount_types *t, const struct vsym_mount_type_seen *mount, bool read_on,
		      const char **found, struct vsym_error *err)
{
	struct vsym_mount_type_seen m;
	cleanup_free char *line = NULL;
	size_t cap = 0;

	*found = types_seen(t, mount);
	while (*found == NULL && read_on && getline(&line, &cap, t->file) > 0) {
		if (!parse_mountinfo_line(line, &m))
			continue;
		if (types_remember(t, &m, err) < 0)
			return -1;
		if (is_mount(&m, mount))
			*found = t->seen[t->n - 1].type;
	}
	return 0;
}

/* The type of the mount fd is on, from the table as far as types has read
 * it (see vsym_mount_fs_type_cached). Returns 0 or -1 with err set. */
static int types_lookup(int fd, struct vsym_mount_types *t, char *type, size_t size,
			struct vsym_error *err)
{
	struct vsym_mount_type_seen mount;
	const char *found = NULL;

	/* First the id and device, while fd holds the mount; then the
	 * staleness check, so that a change before them is seen. */
	if (mount_id_of(fd, STATX_MNT_ID, &mount.id, &mount.dev) < 0)
		return vsym_error_set(err, "cannot read the id of a mount: %s", strerror(errno));
	/* The kept table is read on only in its own namespace: from another
	 * (a login's new one) only the lines read already serve, found by
	 * device, so that a mount whose device the table does not list (a
	 * btrfs subvolume's own, an overlay file's) costs no more than this
	 * namespace's own table up to its line. */
	if (t->file != NULL && !types_stale(t) && types_find(t, &mount, types_here(t), &found, err) < 0)
		return -1;
	if (found == NULL && (types_open(t, err) < 0 || types_find(t, &mount, true, &found, err) < 0))
		return -1;
	if (found == NULL)
		return vsym_error_set(err, "mount %llu is not in %s", (unsigned long long)mount.id, VSYM_MOUNTINFO_OF_THREAD);
	snprintf(type, size, "%s", found);
	return 0;
}

void vsym_mount_types_done(struct vsym_mount_types *t)
{
	if (t->file != NULL)
		fclose(t->file);
	free(t->seen);
	*t = (struct vsym_mount_types)VSYM_MOUNT_TYPES_INIT;
}

int vsym_mount_fs_type_from_table(int fd, char *type, size_t size, struct vsym_error *err)
{
	struct vsym_mount_types t = VSYM_MOUNT_TYPES_INIT;
	int rc = types_lookup(fd, &t, type, size, err);

	vsym_mount_types_done(&t);
	return rc;
}

int vsym_mount_fs_type(int fd, char *type, size_t size, struct vsym_error *err)
{
	int rc = fs_type_by_statmount(fd, type, size, err);

	return rc == -ENOSYS ? vsym_mount_fs_type_from_table(fd, type, size, err) : rc;
}

int vsym_mount_fs_type_cached(int fd, struct vsym_mount_types *types, char *type, size_t size,
			      struct vsym_error *err)
{
	int rc = fs_type_by_statmount(fd, type, size, err);

	return rc == -ENOSYS ? types_lookup(fd, types, type, size, err) : rc;
}

bool vsym_fs_type_is_fuse(const char *type)
{
	return strcmp(type, "fuse") == 0 || strcmp(type, "fuseblk") == 0 || strncmp(type, "fuse.", 5) == 0;
}

struct vsym_mount_table {
	const struct vsym_libmount *lm;
	struct libmnt_table *table;
};

struct vsym_mount_table *vsym_mountinfo_read(struct vsym_error *err)
{
	struct vsym_mount_table *t = calloc(1, sizeof(*t));
	struct libmnt_iter *iter;

	if (t == NULL) {
		vsym_error_set(err, "out of memory");
		return NULL;
	}
	if (open_table(&t->lm, &t->table, &iter, err) < 0) {
		free(t);
		return NULL;
	}
	t->lm->free_iter(iter);
	return t;
}

void vsym_mountinfo_free(struct vsym_mount_table *t)
{
	if (t == NULL)
		return;
	t->lm->unref_table(t->table);
	free(t);
}

static struct libmnt_fs *find_id(const struct vsym_mount_table *t, uint64_t id)
{
	struct libmnt_iter *iter = t->lm->new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs, *found = NULL;

	while (iter != NULL && found == NULL && t->lm->table_next_fs(t->table, iter, &fs) == 0)
		if ((uint64_t)t->lm->fs_get_id(fs) == id)
			found = fs;
	t->lm->free_iter(iter);
	return found;
}

static bool same_str(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The mounts of t at the place of like, with its root: how many, and the
 * last one's id. */
static int count_like(const struct vsym_mount_table *t, struct libmnt_fs *like, uint64_t *id)
{
	const struct vsym_libmount *lm = t->lm;
	struct libmnt_iter *iter = lm->new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	int n = 0;

	while (iter != NULL && lm->table_next_fs(t->table, iter, &fs) == 0) {
		if (lm->fs_get_devno(fs) == lm->fs_get_devno(like) &&
		    same_str(lm->fs_get_target(fs), lm->fs_get_target(like)) &&
		    same_str(lm->fs_get_root(fs), lm->fs_get_root(like))) {
			*id = (uint64_t)lm->fs_get_id(fs);
			n++;
		}
	}
	lm->free_iter(iter);
	return iter == NULL ? -1 : n;
}

int vsym_mountinfo_copy_id(const struct vsym_mount_table *before, uint64_t id,
			   const struct vsym_mount_table *now, uint64_t *new_id)
{
	struct libmnt_fs *fs = find_id(before, id);
	uint64_t ignored;

	if (fs == NULL)
		return 0;
	if (count_like(before, fs, &ignored) != 1 || count_like(now, fs, new_id) != 1)
		return -EEXIST;
	return 1;
}
