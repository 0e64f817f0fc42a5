/* The /run layout of a vsym session: the one place that names it. Each
 * session namespace has its own root-owned tmpfs on VSYM_RUN_DIR (the
 * marker tmpfs, see vsym_marker_create); a user can neither write there
 * nor mount over it, so everything below is root's word. */
#ifndef VSYM_RUNLAYOUT_H
#define VSYM_RUNLAYOUT_H

/* Where a vsym session's marker tmpfs is mounted, in the session only. */
#define VSYM_RUN_DIR "/run/vsym"

/* The marker: uid and the namespace it was made for (vsym_marker_check). */
#define VSYM_MARKER_FILE "session"

/* The record of the session's vsym mounts (state.h). */
#define VSYM_STATE_FILE "binds"

/* The journal around each change of a running session (binds.c). */
#define VSYM_JOURNAL_FILE "pending"

/* One vsym-rebind at a time changes the session: flock on this file. */
#define VSYM_LOCK_FILE "lock"

/* Touched by vsym-rebind -p: the shell hook asks again only when a
 * project file is newer (hookstamp.h, with the reference files of
 * VSYM_HOOKSTAMP_REFS for files dated in the future). */
#define VSYM_STAMP_FILE "stamp"

#define VSYM_RUN_PATH(file) VSYM_RUN_DIR "/" file

#endif
