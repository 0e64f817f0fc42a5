# shellcheck shell=bash
# tests/lib/sandbox.sh - throwaway root sandbox for vsym integration tests.
#
# CONTRACT (tests are written against exactly this; keep it stable)
# =================================================================
# A test is a bash script tests/integration/NAME.test that starts with
#
#     . "$(dirname "$0")/../lib/sandbox.sh"; sandbox_enter "$@"
#
# It is run as root by automake's test driver (from the build dir) with
#   VSYM_BUILDDIR  absolute build dir, configured and built
#   VSYM_SRCDIR    absolute source dir
# Exit status: 0 pass, 77 skip, 99 hard error, anything else fail.
# Not root: exit 1 with a message when $CI is set, else exit 77 (skip).
#
# sandbox_enter "$@"
#   Outside: snapshots the host (mount table as sorted "mountpoint root
#   fstype source options superoptions" lines, the test users in the
#   password/group databases, /etc/{passwd,group,shadow,gshadow}, the
#   /var/log login files), re-runs the same script inside
#     unshare --mount --propagation private --pid --fork --kill-child
#             --mount-proc --net
#   (under setpriv --pdeathsig KILL, so the sandbox dies with the wrapper),
#   waits, and fails the test (exit 1, printing a diff) if the snapshot
#   changed or if any process of the sandbox's PID namespace survived.
#   The inner script is PID 1 of its PID namespace: when it ends, or is
#   killed (even by kill -9), the kernel kills every process started in
#   the sandbox (sshd included) and the mount namespace goes with them.
#   Before sandbox_enter a test may define sandbox_host_check(): it runs
#   in the outer wrapper after the sandbox ended; non-zero fails the test.
#   Inside: returns to the test with this set up:
#     - / recursively private; lo up in a private network namespace
#       (any port is free, nothing is reachable from outside);
#     - $SANDBOX: scratch dir on a tmpfs mounted over /media (or /srv,
#       /mnt) inside the namespace only;
#     - /etc is a writable copy (bind of $SANDBOX/etc);
#     - tmpfs on /home, /run (/run/sshd, /run/utmp recreated), /tmp,
#       /var/tmp, /var/log (wtmp, btmp, lastlog, faillog recreated);
#       VSYM_BUILDDIR / VSYM_SRCDIR / the test's dir stay visible even if
#       they live below one of these;
#       each is stacked on whatever the host has mounted there (a systemd
#       host has tmpfs on /run and /tmp): look at the top mount only
#       (sandbox_top_mount), never at every mount on the path;
#     - HOME=$SANDBOX/root for root (nothing is written to the real /root);
#     - users alice (2001), bob (2002), carol (2003): shell /bin/bash,
#       home /home/NAME 0755 owned by them, password field '*' (no
#       password login, but key login through sshd+PAM works);
#       group vsymusers (2100) = alice,bob (not carol);
#     - at the end, the sandbox's mounts are made shared among
#       themselves (new peer groups, none with the host), like / on a
#       systemd host, so a session namespace that fails to make itself
#       slave would visibly leak into the sandbox's namespace;
#       SANDBOX_PROPAGATION=private skips this;
#     - if $VSYM_BUILDDIR/Makefile exists: the install dirs are read from
#       it (parsed, make is not run) and the prefix is covered by a tmpfs
#       (or, if it does not exist on the host, created inside an overlay
#       of its nearest existing parent: nothing is created on the host);
#       refuses (99) a prefix of /, /usr, /etc or /bin.
#   Killed from outside with TERM/INT/HUP, the wrapper sends TERM to the
#   sandbox's PID 1 (bash runs the EXIT trap once the current foreground
#   command ends) and SIGKILLs it 5 s later.
#
# Variables set inside:
#   SANDBOX                scratch dir (tmpfs)
#   SANDBOX_HOST_MNTNS SANDBOX_HOST_PIDNS  the host's namespaces (readlink
#                          of /proc/self/ns/{mnt,pid} outside)
#   SANDBOX_USERS          "alice bob carol"
#   SANDBOX_PREFIX SANDBOX_BINDIR SANDBOX_SECUREDIR SANDBOX_SYSCONFDIR
#                          install dirs from the build's Makefile (if any)
#   SANDBOX_PAM_MODULE     $SANDBOX_SECUREDIR/pam_vsym.so (absolute: use it
#                          in PAM lines, the prefix is not PAM's default dir)
#   SANDBOX_REBIND         $SANDBOX_BINDIR/vsym-rebind
#   SANDBOX_SSH_PORT SANDBOX_SSH_DIR SANDBOX_SSHD_PID  after sshd_start
#   SANDBOX_SYSLOG SANDBOX_SYSLOG_PID  after sandbox_syslog_start (the
#                          capture file, the listener's PID)
# Env knobs: SANDBOX_DEBUG=1 (set -x inside), SANDBOX_TIMEOUT (seconds per
#   client command, default 60), VSYM_TEST_TIME_FACTOR (a positive integer,
#   default 1: every limit a test or this file puts on time is multiplied
#   by it; tests/kernel.sh sets 10 under emulation), VSYM_TEST_SLOW_LOGIN
#   (seconds: tests/integration/common.sh's vsym_enable_in puts a
#   pam_exec sleep of that long before pam_vsym in each session stack, so
#   that tests prove they wait for a session to say it is open rather than
#   for time).
#
# Time: tests wait for conditions, never for time. A wait polls its
# condition and gives up only after a limit far above what it needs:
#   sandbox_seconds N               N * VSYM_TEST_TIME_FACTOR
#   sandbox_wait_until DESC N CMD...
#                                   runs CMD every 0.1 s until it succeeds
#                                   (0), or after sandbox_seconds N returns
#                                   1 saying it gave up waiting for DESC
#   sandbox_wait_file_sh FILE N     a sh snippet for a session's command:
#                                   waits until FILE exists (at most
#                                   sandbox_seconds N), e.g. to hold a
#                                   session open until the test says go
#
# Functions (inside):
#   sandbox_install                 make -C $VSYM_BUILDDIR install into the
#                                   covered prefix; an install dir outside
#                                   every covered dir (e.g. --with-securedir=
#                                   /lib/x86_64-linux-gnu/security) gets an
#                                   overlay first (host files stay visible,
#                                   new files land in the sandbox); 99 with
#                                   the log's tail on error (full log:
#                                   $SANDBOX/install.log)
#   sandbox_pam_service NAME LINES  write /etc/pam.d/NAME (0644)
#   sandbox_vsym_conf TEXT          write $SANDBOX_SYSCONFDIR/vsym.conf
#                                   root:root 0644
#   as_user USER CMD...             run CMD as USER (setpriv: uid, gid,
#                                   groups, clean env, cwd = home); no PAM
#   write_user_file USER PATH CONTENT [MODE]
#                                   write CONTENT exactly (no newline
#                                   added) as USER (creates parent dirs as
#                                   USER); MODE default 0644
#   sandbox_syslog_start            private /dev for the sandbox, with a
#                                   syslog listener on /dev/log: a tmpfs on
#                                   /dev in this namespace only, with the
#                                   host's device nodes, symlinks and dirs
#                                   copied (cp -a, mknod) and its submounts
#                                   (/dev/pts, /dev/shm, /dev/mqueue, ...)
#                                   bound recursively, so ptys, sshd and
#                                   login work as before; then socat
#                                   receives every datagram sent to /dev/log
#                                   (syslog(3), pam_syslog, logger) into
#                                   $SANDBOX_SYSLOG ($SANDBOX/syslog). Start
#                                   it before the clients: a process that
#                                   already logged keeps its old socket.
#                                   The host's /dev is not touched. Needs
#                                   socat (skips/fails like a missing tool).
#   syslog_text                     what the listener captured so far, one
#                                   message a line ("<PRI>Mmm dd hh:mm:ss
#                                   IDENT[PID]: TEXT"); first waits (up to
#                                   3 s, scaled) until a marker it logs itself has
#                                   arrived, so every message sent before
#                                   the call is in (the marker is not shown)
#   syslog_mark                     remembers how much was captured; then
#   syslog_since_mark               prints only what came after syslog_mark
#   sshd_start                      real sshd on 127.0.0.1:$SANDBOX_SSH_PORT,
#                                   UsePAM yes, key login for the test users
#                                   (keys root-owned in $SANDBOX_SSH_DIR)
#   ssh_as USER CMD...              ssh USER@127.0.0.1 CMD (BatchMode, test
#                                   key); stdout/stderr/status of the remote
#                                   command; stdin is passed through: give
#                                   </dev/null when backgrounding
#   login_pty USER CMD              login -f USER on a pty (script(1)), types
#                                   CMD into the login shell; prints CMD's
#                                   output (CR stripped), returns its status
#                                   (the whole transcript of the last call,
#                                   PAM messages and all, is left in
#                                   $SANDBOX/login.last)
#   pamtester_session SERVICE USER  pamtester SERVICE USER open_session
#                                   close_session
#   sandbox_mountinfo_of PID        PID's mount table, one line per mount:
#                                   "MOUNTPOINT ROOT FSTYPE SOURCE MNTOPTS
#                                   SUPEROPTS" (escapes as in mountinfo)
#   sandbox_top_mount PATH [PID]    the mountinfo line (as in /proc) of the
#                                   top mount on exactly PATH in PID's
#                                   namespace (default: this process);
#                                   empty if PATH is not a mount point.
#                                   Mounts it is stacked on, such as a
#                                   systemd host's own tmpfs on /run or
#                                   /tmp or a /home partition, do not show
#                                   (findmnt and a plain grep list them all)
#   sandbox_top_fstype PATH [PID]   file system type of that top mount
#   check DESC CMD...               pass if CMD exits 0 (its output is shown
#                                   on failure)
#   check_fails DESC CMD...         pass if CMD exits non-zero
#   check_eq DESC EXPECTED ACTUAL   pass if equal
#   check_contains DESC HAYSTACK NEEDLE   pass if NEEDLE is a substring
#   sandbox_log MSG...              "# MSG" on stdout
#   sandbox_skip REASON             exit 77 (exit 1 when $CI is set)
#   sandbox_fatal REASON            exit 99 (hard error)
# At exit the test prints "N passed, N failed" alone on a line; any failed
# check makes the exit status 1; a test that ran no check exits 99. As in
# any bash script the status of the last command counts otherwise: end a
# test with checks (or an explicit exit). On failure the tails of the
# sshd and install logs are printed (the sandbox is gone afterwards).
# Everything the sandbox started is killed at exit (kill -1 from PID 1,
# which reaches only the sandbox's PID namespace).
# =================================================================

[ -n "${_SANDBOX_SH_LOADED:-}" ] && return 0
_SANDBOX_SH_LOADED=1

SANDBOX_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
SANDBOX_USERS="alice bob carol"
_SANDBOX_PASSED=0
_SANDBOX_FAILED=0
_SANDBOX_CHECKS=0
_SANDBOX_DAEMONS=()

# shellcheck source-path=SCRIPTDIR
# The functions, one file a job (each sourced once, defining functions only):
. "$SANDBOX_LIB_DIR/sandbox-report.sh"
. "$SANDBOX_LIB_DIR/sandbox-time.sh"
. "$SANDBOX_LIB_DIR/sandbox-mounts.sh"
. "$SANDBOX_LIB_DIR/sandbox-outer.sh"
. "$SANDBOX_LIB_DIR/sandbox-setup.sh"
. "$SANDBOX_LIB_DIR/sandbox-users.sh"
. "$SANDBOX_LIB_DIR/sandbox-install.sh"
. "$SANDBOX_LIB_DIR/sandbox-sshd.sh"
. "$SANDBOX_LIB_DIR/sandbox-login.sh"
. "$SANDBOX_LIB_DIR/sandbox-syslog.sh"
