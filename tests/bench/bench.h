/* bench.h: what the files of bench_session share (see bench_session.c). */
#ifndef VSYM_BENCH_H
#define VSYM_BENCH_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <grp.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/mount.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#define MAX_VARIANTS 16
#define MAX_COUNTS 8
#define MSG_MAX 512
#define NS_INIT "/etc/security/namespace.init"
#define NS_CONF "/etc/security/namespace.conf"
#define POLY_DIR "/home/bench-poly"
#define POLY_INST "/home/bench-poly-inst"

/* K_USER_DB: the password and group lookup that pam_vsym makes for the
 * user at each open (getpwnam and getgrouplist through NSS), timed alone. */
/* K_VSYM_OFF: pam_permit then pam_vsym with a system file that allows
 * nothing (as the package ships it). */
/* K_VSYM_PRE68: pam_vsym as on a kernel before 6.8 (Debian 12's 6.1): the
 * session's child makes statmount(2) fail with ENOSYS before pam_start
 * (tests/lib/no_statmount.h), so mount types come from the mount table. */
enum kind { K_FLOOR, K_VSYM, K_PAMNS, K_PAMNS_NOINIT, K_PERMIT, K_VSYM_NOUSER, K_USER_DB, K_VSYM_OFF,
	    K_VSYM_PRE68 };

struct variant {
	char name[32];
	enum kind kind;
	unsigned binds;     /* for floor and vsym: binds per session */
	char user[64];      /* whose session */
	char service[32];   /* service file name in the confdir */
	double *us;         /* one sample per round */
	unsigned n, failures, mounts;
	double med;         /* filled in by report_latency */
	char last_error[MSG_MAX];
};

/* What a child reports: the time, the PAM result and any message. */
struct reply {
	int64_t ns;
	int rc;
	unsigned mounts;   /* lines of the child's mountinfo after the open */
	char msg[MSG_MAX];
};

struct options {
	const char *module;      /* installed pam_vsym.so */
	const char *prefix;      /* user name prefix: PREFIX1, PREFIX10, ... */
	const char *csv;
	const char *label;
	const char *confdir;
	unsigned runs;
	unsigned binds[4];
	unsigned nbinds;
	unsigned counts[MAX_COUNTS];
	unsigned ncounts;
	unsigned fill_max;
	unsigned fill_binds;
	const char *spec;        /* switching: the commands to time */
	const char *user;        /* switching: whose session */
	const char *errlog;      /* switching: the children's stderr */
};

/* bench_common.c */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
int64_t now_ns(void);
const struct passwd *user_entry(const char *name);
void write_service(const char *confdir, const char *service, const char *line);
void setup_services(const struct options *o);
void warm_nss(const struct options *o);
int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data);
unsigned count_mounts(const char *file);
void run_session(const struct variant *v, const char *confdir, struct reply *r, pam_handle_t **h);
bool write_all(int fd, const void *buf, size_t n);
bool read_all(int fd, void *buf, size_t n);
void set_ns_init(bool enabled);
void measure_one(struct variant *v, const char *confdir, bool count);
double quantile(double *s, unsigned n, double q);
FILE *open_csv(const char *path);
void report_latency(struct variant *v, unsigned nv, const struct options *o, unsigned host);
void require_sandbox(void);

/* bench_latency.c */
int cmd_latency(const struct options *o);
int cmd_scale(const struct options *o);
int cmd_fill(const struct options *o);
int cmd_profile(const struct options *o);

/* bench_switching.c */
int cmd_switching(const struct options *o);

/* bench_syslogd.c */
_Noreturn void cmd_syslogd(const char *sock, const char *file);

#endif
