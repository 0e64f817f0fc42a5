/* bench_session: times session setup for pam_vsym against the kernel floor,
 * pam_namespace and pam_permit (issue 5, parts 1 and 3; DESIGN section 7).
 *
 *   bench_session latency [options]   interleaved per-session timings
 *   bench_session scale [options]     many concurrent sessions: time, memory
 *   bench_session fill [options]      open sessions until one fails
 *   bench_session profile [options]   loop of sessions in one process, for
 *                                     valgrind --tool=callgrind
 *   bench_session switching [options] whole-process timings of commands
 *                                     run inside one vsym session (issue 5
 *                                     part 2): vsym-rebind, mount --bind,
 *                                     version-manager shims; see --spec
 *   bench_session syslogd SOCK FILE   minimal /dev/log collector
 *
 * Every session is opened in a fresh forked child, so each gets its own
 * mount namespace and the module's first-use costs are paid every time, as
 * in a real login. The time is taken INSIDE the child, around
 * pam_open_session() only (or around the raw syscalls for the floor), and
 * sent back over a pipe: fork, exec of nothing, pam_start (module loading)
 * and exit are not counted.
 *
 * It writes /etc/security/namespace.conf, users' homes and toggles the mode
 * of /etc/security/namespace.init, so it refuses to run unless
 * VSYM_BENCH_SANDBOX=1 (set by run.sh inside its throwaway namespace).
 *
 * Build: cc -O2 -Wall -Wextra -o bench_session bench_session.c -lpam
 */
#define _GNU_SOURCE
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

enum kind { K_FLOOR, K_VSYM, K_PAMNS, K_PAMNS_NOINIT, K_PERMIT, K_VSYM_NOUSER };

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

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_session: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- files and users ------------------------------------------------- */

static void write_file(const char *path, mode_t mode, uid_t uid, gid_t gid, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		die("cannot write %s: %s", path, strerror(errno));
	if (chmod(path, mode) < 0 || chown(path, uid, gid) < 0)
		die("cannot set owner/mode of %s: %s", path, strerror(errno));
}

static void make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		die("cannot create %s: %s", path, strerror(errno));
	if (chmod(path, mode) < 0 || chown(path, uid, gid) < 0)
		die("cannot set owner/mode of %s: %s", path, strerror(errno));
}

static const struct passwd *user_entry(const char *name)
{
	const struct passwd *pw = getpwnam(name);

	if (pw == NULL)
		die("user %s does not exist (run.sh creates it with useradd)", name);
	return pw;
}

/* Appends printf output to a growing string; the configs are small. */
static void append(char **buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	*buf = realloc(*buf, *len + (size_t)n + 1);
	if (*buf == NULL)
		die("out of memory");
	va_start(ap, fmt);
	vsnprintf(*buf + *len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*len += (size_t)n;
}

/* Bind k of a user: ~/.src/sK onto ~/b/tK. The floor uses the same pairs. */
static void bind_paths(const char *home, unsigned k, char *src, char *dst, size_t size)
{
	snprintf(src, size, "%s/.src/s%u", home, k);
	snprintf(dst, size, "%s/b/t%u", home, k);
}

static void append_binds(char **buf, size_t *len, unsigned from, unsigned to)
{
	append(buf, len, "binds = (\n");
	for (unsigned k = from; k <= to; k++)
		append(buf, len, "  { source = \"~/.src/s%u\"; target = \"~/b/t%u\"; }%s\n", k, k,
		       k < to ? "," : "");
	append(buf, len, ");\n");
}

/* Half the binds (rounded up) in the system file, the rest in ~/.vsymrc,
 * so both loaders and the reader child are part of every measurement. */
static void setup_vsym_user(const char *confdir, const char *prefix, unsigned nb)
{
	char name[64], path[4096], src[4096], dst[4096];
	unsigned nsys = nb - nb / 2;
	const struct passwd *pw;
	char *text = NULL;
	size_t len = 0;

	snprintf(name, sizeof(name), "%s%u", prefix, nb);
	pw = user_entry(name);
	snprintf(path, sizeof(path), "%s/.src", pw->pw_dir);
	make_dir(path, 0755, pw->pw_uid, pw->pw_gid);
	snprintf(path, sizeof(path), "%s/b", pw->pw_dir);
	make_dir(path, 0755, pw->pw_uid, pw->pw_gid);
	for (unsigned k = 1; k <= nb; k++) {
		bind_paths(pw->pw_dir, k, src, dst, sizeof(src));
		make_dir(src, 0755, pw->pw_uid, pw->pw_gid);
		make_dir(dst, 0755, pw->pw_uid, pw->pw_gid);
	}
	append(&text, &len, "version = 1;\nmax_binds = 200;\n"
	       "allow = ( { target = \"~/b/*\"; source = \"~/.src/*\"; } );\n");
	append_binds(&text, &len, 1, nsys);
	snprintf(path, sizeof(path), "%s/vsym%u.conf", confdir, nb);
	write_file(path, 0644, 0, 0, text);
	len = 0;
	append(&text, &len, "version = 1;\n");
	append_binds(&text, &len, nsys + 1, nb);
	snprintf(path, sizeof(path), "%s/.vsymrc", pw->pw_dir);
	write_file(path, 0644, pw->pw_uid, pw->pw_gid, text);
	free(text);
}

/* One polyinstantiated directory, `user` method. pam_namespace has no
 * config= argument (pam_namespace(8), Linux-PAM 1.5.2): it reads only
 * /etc/security/namespace.conf and namespace.d, so we write the sandbox's
 * private copy of /etc. The instance parent must be mode 000. */
static void setup_pamns(void)
{
	make_dir(POLY_DIR, 01777, 0, 0);
	make_dir(POLY_INST, 0000, 0, 0);
	write_file(NS_CONF, 0644, 0, 0, POLY_DIR "  " POLY_INST "/  user  root\n");
}

static void write_service(const char *confdir, const char *service, const char *line)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", confdir, service);
	write_file(path, 0644, 0, 0, line);
}

static void setup_services(const struct options *o)
{
	char line[8192];

	for (unsigned i = 0; i < o->nbinds; i++) {
		char service[32];

		setup_vsym_user(o->confdir, o->prefix, o->binds[i]);
		snprintf(service, sizeof(service), "vsym%u", o->binds[i]);
		snprintf(line, sizeof(line), "session required %s config=%s/vsym%u.conf\n", o->module,
			 o->confdir, o->binds[i]);
		write_service(o->confdir, service, line);
		/* The same without ~/.vsymrc: shows what its reader costs. */
		snprintf(service, sizeof(service), "vsym%u-nouserconf", o->binds[i]);
		snprintf(line, sizeof(line), "session required %s config=%s/vsym%u.conf nouserconf\n",
			 o->module, o->confdir, o->binds[i]);
		write_service(o->confdir, service, line);
	}
	setup_pamns();
	write_service(o->confdir, "pamns", "session required pam_namespace.so\n");
	write_service(o->confdir, "permit", "session required pam_permit.so\n");
	/* Without it libpam logs "no default config other" at every start. */
	write_service(o->confdir, "other", "session required pam_deny.so\n");
}

/* A login program has looked the user up before it opens the session, so
 * its NSS modules (libnss_systemd on Debian) are loaded by then. Doing the
 * same here, once, before the forks keeps dlopen() of NSS modules out of
 * every variant's time. */
static void warm_nss(const struct options *o)
{
	char user[64];
	gid_t groups[64];
	int n = 64;
	const struct passwd *pw;

	snprintf(user, sizeof(user), "%s%u", o->prefix, o->binds[0]);
	pw = user_entry(user);
	getgrouplist(user, pw->pw_gid, groups, &n);
	getgrgid(pw->pw_gid);
}

/* ---- the sessions ---------------------------------------------------- */

/* Keeps the module's messages (errors reach the user this way) so a failed
 * session can be reported; answers nothing, as a non-interactive client. */
static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	char *out = data;
	struct pam_response *r = calloc((size_t)n, sizeof(*r));

	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < n; i++) {
		size_t used = strlen(out);

		snprintf(out + used, MSG_MAX - used, "%s%s", used ? " | " : "", msg[i]->msg);
	}
	*resp = r;
	return PAM_SUCCESS;
}

static unsigned count_mounts(const char *file)
{
	FILE *f = fopen(file, "r");
	unsigned n = 0;
	int c;

	if (f == NULL)
		return 0;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int sys_open_tree(int dfd, const char *path, unsigned flags)
{
	return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr)
{
	return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof(*attr));
}

static int sys_move_mount(int fdfd, const char *from, int tdfd, const char *to, unsigned flags)
{
	return (int)syscall(SYS_move_mount, fdfd, from, tdfd, to, flags);
}

/* The same recursive, nosuid,nodev, detached-then-moved bind that
 * pam_vsym/mount.c makes, minus the resolution and checks. */
static int raw_bind(const char *src, const char *dst)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
		.propagation = MS_PRIVATE,
	};
	int tree = sys_open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	int rc;

	if (tree < 0)
		return -1;
	rc = sys_mount_setattr(tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr);
	if (rc == 0)
		rc = sys_move_mount(tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH);
	close(tree);
	return rc;
}

/* The kernel's own cost: what any namespace-per-session scheme must pay. */
static void floor_session(const struct variant *v, struct reply *r)
{
	const struct passwd *pw = user_entry(v->user);
	char src[4096], dst[4096];
	int64_t t0;

	t0 = now_ns();
	r->rc = PAM_SUCCESS;
	if (unshare(CLONE_NEWNS) < 0 ||
	    syscall(SYS_mount, NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		r->rc = PAM_SESSION_ERR;
	for (unsigned k = 1; k <= v->binds && r->rc == PAM_SUCCESS; k++) {
		bind_paths(pw->pw_dir, k, src, dst, sizeof(src));
		if (raw_bind(src, dst) < 0)
			r->rc = PAM_SESSION_ERR;
	}
	r->ns = now_ns() - t0;
	if (r->rc != PAM_SUCCESS)
		snprintf(r->msg, sizeof(r->msg), "floor: %s", strerror(errno));
}

/* pam_start (which loads the modules) is outside the timed region. */
static void pam_session(const struct variant *v, const char *confdir, struct reply *r,
			pam_handle_t **out)
{
	struct pam_conv c = { .conv = conv, .appdata_ptr = r->msg };
	pam_handle_t *h = NULL;
	int64_t t0;

	r->rc = pam_start_confdir(v->service, v->user, &c, confdir, &h);
	if (r->rc != PAM_SUCCESS) {
		snprintf(r->msg, sizeof(r->msg), "pam_start_confdir: %s", pam_strerror(h, r->rc));
		return;
	}
	t0 = now_ns();
	r->rc = pam_open_session(h, 0);
	r->ns = now_ns() - t0;
	if (r->rc != PAM_SUCCESS && r->msg[0] == '\0')
		snprintf(r->msg, sizeof(r->msg), "pam_open_session: %s", pam_strerror(h, r->rc));
	*out = h;
}

static void run_session(const struct variant *v, const char *confdir, struct reply *r,
			pam_handle_t **h)
{
	memset(r, 0, sizeof(*r));
	*h = NULL;
	if (v->kind == K_FLOOR)
		floor_session(v, r);
	else
		pam_session(v, confdir, r, h);
}

static bool write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static bool read_all(int fd, void *buf, size_t n)
{
	char *p = buf;

	while (n > 0) {
		ssize_t r = read(fd, p, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		p += r;
		n -= (size_t)r;
	}
	return true;
}

/* pam_namespace runs /etc/security/namespace.init (a shell script) on
 * every open; the _noinit variant shows the module without it. The script
 * must be moved away, not made non-executable: pam_namespace refuses the
 * session when it exists but cannot be run. */
static void set_ns_init(bool enabled)
{
	const char *from = enabled ? NS_INIT ".off" : NS_INIT, *to = enabled ? NS_INIT : NS_INIT ".off";

	if (access(from, F_OK) == 0 && rename(from, to) < 0)
		die("cannot rename %s to %s: %s", from, to, strerror(errno));
}

/* One timed session in a fresh child. */
static void measure_one(struct variant *v, const char *confdir, bool count)
{
	struct reply r;
	int fds[2], status;
	pid_t pid;

	if (v->kind == K_PAMNS || v->kind == K_PAMNS_NOINIT)
		set_ns_init(v->kind == K_PAMNS);
	if (pipe(fds) < 0 || (pid = fork()) < 0)
		die("pipe/fork: %s", strerror(errno));
	if (pid == 0) {
		pam_handle_t *h;

		close(fds[0]);
		run_session(v, confdir, &r, &h);
		if (count)
			r.mounts = count_mounts("/proc/self/mountinfo");
		_exit(write_all(fds[1], &r, sizeof(r)) ? 0 : 1);
	}
	close(fds[1]);
	if (!read_all(fds[0], &r, sizeof(r))) {
		r.rc = PAM_SYSTEM_ERR;
		snprintf(r.msg, sizeof(r.msg), "child died without a reply");
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r.rc != PAM_SUCCESS) {
		v->failures++;
		snprintf(v->last_error, sizeof(v->last_error), "%s", r.msg);
		return;
	}
	if (count)
		v->mounts = r.mounts;
	v->us[v->n++] = (double)r.ns / 1000.0;
}

/* ---- statistics and output -------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double quantile(double *s, unsigned n, double q)
{
	if (n == 0)
		return 0.0;
	qsort(s, n, sizeof(*s), cmp_double);
	return s[(unsigned)(q * (n - 1) + 0.5)];
}

/* Appends; the header goes into an empty file (run.sh truncates it). */
static FILE *open_csv(const char *path)
{
	FILE *f = fopen(path, "a");

	if (f == NULL)
		die("cannot open %s: %s", path, strerror(errno));
	if (ftell(f) == 0)
		fputs("section,label,host_mounts,name,binds,n,median_us,p10_us,p90_us,value,unit\n", f);
	return f;
}

static const struct variant *find(const struct variant *v, unsigned nv, enum kind kind, unsigned binds)
{
	for (unsigned i = 0; i < nv; i++)
		if (v[i].kind == kind && (v[i].binds == binds || binds == 0))
			return &v[i];
	return NULL;
}

static double median_of(const struct variant *v)
{
	return v != NULL ? v->med : 0.0;
}

static void print_ratio(FILE *csv, const struct options *o, unsigned host, const char *name,
			unsigned binds, const struct variant *a, const struct variant *b)
{
	double r = median_of(b) > 0 ? median_of(a) / median_of(b) : 0.0;

	printf("  %-26s %3u binds: %6.2fx\n", name, binds, r);
	fprintf(csv, "ratio,%s,%u,%s,%u,,,,,%.3f,x\n", o->label, host, name, binds, r);
}

static void report_latency(struct variant *v, unsigned nv, const struct options *o, unsigned host)
{
	FILE *csv = open_csv(o->csv);

	printf("\n== session open latency, label %s, %u mounts in the parent namespace, %u rounds ==\n",
	       o->label, host, o->runs);
	printf("  %-14s %5s %7s %10s %10s %10s %5s\n", "variant", "binds", "mounts", "median_us",
	       "p10_us", "p90_us", "fail");
	for (unsigned i = 0; i < nv; i++) {
		double med = quantile(v[i].us, v[i].n, 0.5), p10 = quantile(v[i].us, v[i].n, 0.1),
		       p90 = quantile(v[i].us, v[i].n, 0.9);

		v[i].med = med;
		printf("  %-14s %5u %7u %10.1f %10.1f %10.1f %5u\n", v[i].name, v[i].binds, v[i].mounts,
		       med, p10, p90, v[i].failures);
		if (v[i].failures)
			printf("      last error: %s\n", v[i].last_error);
		fprintf(csv, "latency,%s,%u,%s,%u,%u,%.1f,%.1f,%.1f,%u,mounts\n", o->label, host, v[i].name,
			v[i].binds, v[i].n, med, p10, p90, v[i].mounts);
	}
	printf("  ratios of medians (same run):\n");
	for (unsigned i = 0; i < o->nbinds; i++) {
		const struct variant *vs = find(v, nv, K_VSYM, o->binds[i]);

		print_ratio(csv, o, host, "pam_vsym/floor", o->binds[i], vs, find(v, nv, K_FLOOR, o->binds[i]));
		print_ratio(csv, o, host, "pam_vsym/pam_namespace", o->binds[i], vs, find(v, nv, K_PAMNS, 0));
		print_ratio(csv, o, host, "pam_vsym/pam_namespace_noinit", o->binds[i], vs,
			    find(v, nv, K_PAMNS_NOINIT, 0));
	}
	/* libpam's own dispatch (and its audit message) is in every PAM
	 * variant but not in the floor: pam_permit measures it. */
	for (unsigned i = 0; i < o->nbinds; i++) {
		const struct variant *vs = find(v, nv, K_VSYM, o->binds[i]), *fl = find(v, nv, K_FLOOR, o->binds[i]);
		double own = median_of(vs) - median_of(find(v, nv, K_PERMIT, 0));
		double r = median_of(fl) > 0 ? own / median_of(fl) : 0.0;

		printf("  %-26s %3u binds: %6.2fx\n", "(pam_vsym-pam_permit)/floor", o->binds[i], r);
		fprintf(csv, "ratio,%s,%u,(pam_vsym-pam_permit)/floor,%u,,,,,%.3f,x\n", o->label, host,
			o->binds[i], r);
	}
	if (find(v, nv, K_VSYM_NOUSER, 1) != NULL)
		print_ratio(csv, o, host, "vsym_nouserconf/floor", 1, find(v, nv, K_VSYM_NOUSER, 1),
			    find(v, nv, K_FLOOR, 1));
	printf("  (a reading only; no threshold is checked. DESIGN section 7: the module should\n"
	       "   cost little above the floor: see PROFILE=1 in run.sh for where the time goes)\n");
	fclose(csv);
}

/* ---- commands -------------------------------------------------------- */

static void require_sandbox(void)
{
	const char *s = getenv("VSYM_BENCH_SANDBOX");

	if (s == NULL || strcmp(s, "1") != 0)
		die("this changes /etc and homes; run it through tests/bench/run.sh "
		    "(which sets VSYM_BENCH_SANDBOX=1 inside a throwaway namespace)");
	if (geteuid() != 0)
		die("must run as root");
}

static void add_variant(struct variant *v, unsigned *nv, enum kind kind, unsigned binds,
			const struct options *o, unsigned runs)
{
	struct variant *x = &v[(*nv)++];
	static const char *const names[] = { "floor", "pam_vsym", "pam_namespace", "pam_ns_noinit",
					     "pam_permit", "vsym_nouserconf" };

	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->binds = binds;
	snprintf(x->name, sizeof(x->name), "%s", names[kind]);
	/* pam_namespace and pam_permit run as the 1-bind user: their cost
	 * does not depend on vsym's binds. */
	snprintf(x->user, sizeof(x->user), "%s%u", o->prefix, binds ? binds : o->binds[0]);
	if (kind == K_VSYM)
		snprintf(x->service, sizeof(x->service), "vsym%u", binds);
	else if (kind == K_VSYM_NOUSER)
		snprintf(x->service, sizeof(x->service), "vsym%u-nouserconf", binds);
	else if (kind == K_PERMIT)
		snprintf(x->service, sizeof(x->service), "permit");
	else
		snprintf(x->service, sizeof(x->service), "pamns");
	x->us = calloc(runs, sizeof(double));
	if (x->us == NULL)
		die("out of memory");
}

static unsigned build_variants(struct variant *v, const struct options *o)
{
	unsigned nv = 0;

	for (unsigned i = 0; i < o->nbinds; i++) {
		add_variant(v, &nv, K_FLOOR, o->binds[i], o, o->runs);
		add_variant(v, &nv, K_VSYM, o->binds[i], o, o->runs);
	}
	/* With one bind, all of it in the system file, ~/.vsymrc adds no
	 * mount: the difference is the cost of reading it. */
	if (o->binds[0] == 1)
		add_variant(v, &nv, K_VSYM_NOUSER, 1, o, o->runs);
	add_variant(v, &nv, K_PAMNS, 0, o, o->runs);
	add_variant(v, &nv, K_PAMNS_NOINIT, 0, o, o->runs);
	add_variant(v, &nv, K_PERMIT, 0, o, o->runs);
	return nv;
}

/* Rounds interleave the variants (rotating the start) so that drift and
 * noise hit all of them alike; a warm-up round is not counted. */
static int cmd_latency(const struct options *o)
{
	struct variant v[MAX_VARIANTS];
	unsigned nv, host = count_mounts("/proc/self/mountinfo");
	int failed = 0;

	require_sandbox();
	setup_services(o);
	warm_nss(o);
	nv = build_variants(v, o);
	for (unsigned i = 0; i < nv; i++) {
		measure_one(&v[i], o->confdir, true);
		v[i].n = 0;
	}
	for (unsigned r = 0; r < o->runs; r++)
		for (unsigned j = 0; j < nv; j++)
			measure_one(&v[(r + j) % nv], o->confdir, false);
	set_ns_init(true);
	report_latency(v, nv, o, host);
	for (unsigned i = 0; i < nv; i++) {
		failed |= v[i].failures != 0;
		free(v[i].us);
	}
	return failed ? 1 : 0;
}

/* /proc/meminfo field in kB. */
static long meminfo(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	size_t len = strlen(field);
	long kb = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, len) == 0 && line[len] == ':')
			kb = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return kb;
}

/* A session that stays open until the parent closes the hold pipe. */
static _Noreturn void hold_session(const struct variant *v, const char *confdir, int report, int hold)
{
	pam_handle_t *h;
	struct reply r;
	char c;

	run_session(v, confdir, &r, &h);
	if (!write_all(report, &r, sizeof(r)))
		_exit(1);
	close(report);
	while (read(hold, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

struct batch {
	pid_t *pids;
	unsigned n, ok;
	int hold_w;
	char first_error[MSG_MAX + 64];
	unsigned mounts;   /* in the first session's namespace */
};

/* Starts n sessions at once and waits until every one has reported. */
static void open_batch(const struct variant *v, const char *confdir, unsigned n, struct batch *b)
{
	int rep[2], hold[2];

	memset(b, 0, sizeof(*b));
	b->pids = calloc(n, sizeof(pid_t));
	if (b->pids == NULL || pipe(rep) < 0 || pipe(hold) < 0)
		die("out of memory or pipes");
	for (b->n = 0; b->n < n; b->n++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork after %u sessions: %s", b->n, strerror(errno));
		if (pid == 0) {
			close(rep[0]);
			close(hold[1]);
			hold_session(v, confdir, rep[1], hold[0]);
		}
		b->pids[b->n] = pid;
	}
	close(rep[1]);
	close(hold[0]);
	b->hold_w = hold[1];
	for (unsigned i = 0; i < n; i++) {
		struct reply r;

		if (!read_all(rep[0], &r, sizeof(r)))
			break;
		if (r.rc == PAM_SUCCESS)
			b->ok++;
		else if (b->first_error[0] == '\0')
			snprintf(b->first_error, sizeof(b->first_error), "rc %d%s: %s", r.rc,
				 r.rc == PAM_SESSION_ERR ? " (PAM_SESSION_ERR)" : "", r.msg);
	}
	close(rep[0]);
}

/* Later batches' children inherited this batch's hold pipe, so closing
 * it is not enough to end the sessions: they are killed. */
static void close_batch(struct batch *b)
{
	close(b->hold_w);
	for (unsigned i = 0; i < b->n; i++)
		kill(b->pids[i], SIGKILL);
	for (unsigned i = 0; i < b->n; i++)
		while (waitpid(b->pids[i], NULL, 0) < 0 && errno == EINTR)
			;
	free(b->pids);
}

static void settle(void)
{
	/* Namespaces are freed after an RCU grace period; give it time so
	 * that the next "before" reading does not include the last batch. */
	usleep(300000);
}

static void scale_one(FILE *csv, const struct options *o, const struct variant *v, unsigned n,
		      unsigned host)
{
	long slab0, stack0, slab1, stack1;
	struct batch b;
	char path[64];
	int64_t t0, t1;

	settle();
	slab0 = meminfo("Slab");
	stack0 = meminfo("KernelStack");
	t0 = now_ns();
	open_batch(v, o->confdir, n, &b);
	t1 = now_ns();
	slab1 = meminfo("Slab");
	stack1 = meminfo("KernelStack");
	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)b.pids[0]);
	b.mounts = count_mounts(path);
	printf("  %-12s %5u sessions: %5u ok, open all %9.1f ms, Slab %+8ld kB (%6.1f kB/session), "
	       "KernelStack %+6ld kB, %u mounts/session-ns\n",
	       v->name, n, b.ok, (double)(t1 - t0) / 1e6, slab1 - slab0,
	       (double)(slab1 - slab0) / n, stack1 - stack0, b.mounts);
	if (b.ok != n)
		printf("      first error: %s\n", b.first_error);
	fprintf(csv, "scale,%s,%u,%s_open_all,%u,%u,,,,%.1f,ms\n", o->label, host, v->name, v->binds, n,
		(double)(t1 - t0) / 1e6);
	fprintf(csv, "scale,%s,%u,%s_slab_delta,%u,%u,,,,%ld,kB\n", o->label, host, v->name, v->binds, n,
		slab1 - slab0);
	fprintf(csv, "scale,%s,%u,%s_kernelstack_delta,%u,%u,,,,%ld,kB\n", o->label, host, v->name,
		v->binds, n, stack1 - stack0);
	fprintf(csv, "scale,%s,%u,%s_mounts_per_session,%u,%u,,,,%u,mounts\n", o->label, host, v->name,
		v->binds, n, b.mounts);
	close_batch(&b);
}

/* pam_permit holds the same processes without a namespace: the difference
 * is what the namespaces cost. */
static int cmd_scale(const struct options *o)
{
	struct variant v[2];
	unsigned nv = 0, host = count_mounts("/proc/self/mountinfo");
	FILE *csv;

	require_sandbox();
	setup_services(o);
	warm_nss(o);
	add_variant(v, &nv, K_VSYM, o->binds[0], o, 1);
	add_variant(v, &nv, K_PERMIT, 0, o, 1);
	csv = open_csv(o->csv);
	printf("\n== concurrent sessions (held open), %u mounts in the parent namespace ==\n", host);
	for (unsigned i = 0; i < o->ncounts; i++)
		for (unsigned j = 0; j < nv; j++)
			scale_one(csv, o, &v[j], o->counts[i], host);
	fclose(csv);
	free(v[0].us);
	free(v[1].us);
	return 0;
}

static bool same_mnt_ns(pid_t pid)
{
	char path[64];
	struct stat a, b;

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)pid);
	return stat(path, &a) == 0 && stat("/proc/self/ns/mnt", &b) == 0 && a.st_ino == b.st_ino;
}

/* Opens sessions one by one, all held, until one fails or fill_max. */
static int cmd_fill(const struct options *o)
{
	struct variant v[1];
	unsigned nv = 0, opened = 0, host = count_mounts("/proc/self/mountinfo");
	static struct batch all[4096];
	unsigned nb = 0;
	int rc = 1;

	require_sandbox();
	setup_services(o);
	warm_nss(o);
	add_variant(v, &nv, K_VSYM, o->fill_binds, o, 1);
	printf("\n== fill: %s, %u binds/session, %u mounts in the parent namespace ==\n", v[0].user,
	       o->fill_binds, host);
	while (opened < o->fill_max && nb < 4096) {
		struct batch *b = &all[nb++];

		open_batch(&v[0], o->confdir, 1, b);
		if (b->ok != 1) {
			printf("  session %u FAILED: %s\n", opened + 1,
			       b->first_error[0] ? b->first_error : "(no message)");
			/* The child reported and now waits on the hold pipe: if the
			 * module had crashed it, it would be gone. */
			printf("  the failing session's process is still alive after the failure: %s\n",
			       kill(b->pids[0], 0) == 0 ? "yes" : "no");
			printf("  and back in the namespace it came from (nothing left behind): %s\n",
			       same_mnt_ns(b->pids[0]) ? "yes" : "no");
			rc = 0;
			break;
		}
		if (opened == 0) {
			char path[64];

			snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)b->pids[0]);
			printf("  mounts in one session's namespace: %u\n", count_mounts(path));
		}
		opened++;
	}
	printf("  sessions opened and held: %u (limit of the loop: %u)\n", opened, o->fill_max);
	for (unsigned i = 0; i < nb; i++)
		close_batch(&all[i]);
	free(v[0].us);
	return rc;
}

/* For callgrind: sessions in one process, returning to the original
 * namespace after each so they do not nest. Use with
 * valgrind --tool=callgrind --toggle-collect=pam_open_session. */
static int cmd_profile(const struct options *o)
{
	struct variant v[1];
	unsigned nv = 0;
	int home = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);

	require_sandbox();
	setup_services(o);
	warm_nss(o);
	add_variant(v, &nv, K_VSYM, o->binds[0], o, 1);
	for (unsigned i = 0; i < o->runs; i++) {
		pam_handle_t *h;
		struct reply r;

		run_session(&v[0], o->confdir, &r, &h);
		if (r.rc != PAM_SUCCESS)
			die("session failed: %s", r.msg);
		pam_end(h, PAM_SUCCESS);
		if (setns(home, CLONE_NEWNS) < 0)
			die("setns: %s", strerror(errno));
	}
	printf("profile: %u sessions of %s opened\n", o->runs, v[0].user);
	free(v[0].us);
	return 0;
}

/* ---- switching: whole-process timings inside one vsym session --------- */

/* Issue 5 part 2. The parent opens ONE vsym session for the user, as a
 * login program does (pam_vsym unshares the parent itself), and stays root
 * inside it; every timed command is a fresh child: fork, dup2 of 0-2,
 * setgroups/setresgid/setresuid to the variant's credentials (the user's,
 * or root's: the same calls either way), execve, and the parent's waitpid.
 * The time is the parent's, from before fork() to after waitpid(): the
 * whole process, the same way for every variant. Variants are interleaved
 * round by round (rotating the start); one with fewer runs is spread
 * evenly over the rounds. A warm-up round (every alternative once) is not
 * counted.
 *
 * The spec file, one item per line ('#' comments):
 *   env NAME=VALUE           the environment of every command, in order
 *   variant NAME RUNS AS EXPECT PATH [ARG...] [; AFTER [ARG...]]
 *       RUNS a number, or - for --runs; AS user or root; PATH absolute (no
 *       PATH search). Lines with the same NAME are alternatives, run in
 *       turn. EXPECT (or -): a path that must exist after the command, else
 *       the run counts as stale (the bind was not replaced). AFTER: an
 *       untimed command run after each timed one (e.g. umount).
 *   ratio LABEL A B          median(A) / median(B)
 *   diff LABEL A B           median(A) - median(B), in us
 *   show AS PATH [ARG...]    run once after the rounds, output shown
 */

#define SW_MAX_VARIANTS 16
#define SW_MAX_ALTS 4
#define SW_MAX_ARGS 16
#define SW_MAX_ENV 16
#define SW_MAX_RESULTS 16
#define SW_MAX_SHOW 4

struct argvec {
	char *argv[SW_MAX_ARGS + 1];
	unsigned argc;
};

struct sw_alt {
	struct argvec cmd, after;
	char *expect;
};

struct sw_variant {
	char name[32];
	bool root;
	unsigned runs, nalt, next;
	struct sw_alt alt[SW_MAX_ALTS];
	double *us;
	unsigned n, failures, stale, after_failures;
	int last_status;
	double med;
};

struct sw_result {
	char label[64], a[32], b[32];
	bool diff;
};

struct sw_spec {
	struct sw_variant v[SW_MAX_VARIANTS];
	unsigned nv;
	char *env[SW_MAX_ENV + 1];
	unsigned nenv;
	struct sw_result r[SW_MAX_RESULTS];
	unsigned nr;
	struct argvec show[SW_MAX_SHOW];
	bool show_root[SW_MAX_SHOW];
	unsigned nshow;
};

struct cred {
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	int ngroups;
};

static struct sw_variant *sw_find(struct sw_spec *s, const char *name)
{
	for (unsigned i = 0; i < s->nv; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

/* Words up to ";" (or the end) into a; returns what follows the ";". */
static char *take_words(char *rest, struct argvec *a, const char *file, unsigned line)
{
	char *w, *save = NULL;

	a->argc = 0;
	for (w = strtok_r(rest, " \t", &save); w != NULL; w = strtok_r(NULL, " \t", &save)) {
		if (strcmp(w, ";") == 0)
			return save;
		if (a->argc == SW_MAX_ARGS)
			die("%s:%u: too many words", file, line);
		a->argv[a->argc++] = w;
	}
	a->argv[a->argc] = NULL;
	return NULL;
}

static bool parse_as(const char *w, const char *file, unsigned line)
{
	if (w == NULL || (strcmp(w, "user") != 0 && strcmp(w, "root") != 0))
		die("%s:%u: AS must be user or root", file, line);
	return strcmp(w, "root") == 0;
}

static void sw_parse(const char *file, unsigned default_runs, struct sw_spec *s)
{
	FILE *f = fopen(file, "r");
	char buf[4096];
	unsigned line = 0;

	if (f == NULL)
		die("cannot open %s: %s", file, strerror(errno));
	memset(s, 0, sizeof(*s));
	while (fgets(buf, sizeof(buf), f) != NULL) {
		char *text = strdup(buf), *save = NULL, *kw, *rest;

		line++;
		if (text == NULL)
			die("out of memory");
		text[strcspn(text, "\n")] = '\0';
		kw = strtok_r(text, " \t", &save);
		if (kw == NULL || kw[0] == '#')
			continue;
		if (strcmp(kw, "env") == 0) {
			char *e = strtok_r(NULL, " \t", &save);

			if (e == NULL || strchr(e, '=') == NULL || s->nenv == SW_MAX_ENV)
				die("%s:%u: env NAME=VALUE", file, line);
			s->env[s->nenv++] = e;
		} else if (strcmp(kw, "variant") == 0) {
			char *name = strtok_r(NULL, " \t", &save), *runs = strtok_r(NULL, " \t", &save);
			bool root = parse_as(strtok_r(NULL, " \t", &save), file, line);
			char *expect = strtok_r(NULL, " \t", &save);
			struct sw_variant *v;
			struct sw_alt *a;

			if (name == NULL || runs == NULL || expect == NULL || strlen(name) >= sizeof(v->name))
				die("%s:%u: variant NAME RUNS AS EXPECT PATH [ARG...]", file, line);
			v = sw_find(s, name);
			if (v == NULL) {
				if (s->nv == SW_MAX_VARIANTS)
					die("%s:%u: too many variants", file, line);
				v = &s->v[s->nv++];
				snprintf(v->name, sizeof(v->name), "%s", name);
				v->root = root;
				v->runs = strcmp(runs, "-") == 0 ? default_runs : (unsigned)strtoul(runs, NULL, 10);
				if (v->runs == 0)
					die("%s:%u: RUNS must be positive", file, line);
			}
			if (v->nalt == SW_MAX_ALTS || v->root != root)
				die("%s:%u: too many alternatives, or AS differs between them", file, line);
			a = &v->alt[v->nalt++];
			a->expect = strcmp(expect, "-") == 0 ? NULL : expect;
			rest = take_words(save, &a->cmd, file, line);
			if (rest != NULL)
				take_words(rest, &a->after, file, line);
			if (a->cmd.argc == 0 || a->cmd.argv[0][0] != '/' ||
			    (a->after.argc > 0 && a->after.argv[0][0] != '/'))
				die("%s:%u: commands need an absolute path", file, line);
		} else if (strcmp(kw, "ratio") == 0 || strcmp(kw, "diff") == 0) {
			char *label = strtok_r(NULL, " \t", &save), *a = strtok_r(NULL, " \t", &save),
			     *b = strtok_r(NULL, " \t", &save);
			struct sw_result *r = &s->r[s->nr];

			if (label == NULL || a == NULL || b == NULL || s->nr == SW_MAX_RESULTS ||
			    strlen(label) >= sizeof(r->label) || strlen(a) >= sizeof(r->a) ||
			    strlen(b) >= sizeof(r->b))
				die("%s:%u: %s LABEL A B", file, line, kw);
			s->nr++;
			snprintf(r->label, sizeof(r->label), "%s", label);
			snprintf(r->a, sizeof(r->a), "%s", a);
			snprintf(r->b, sizeof(r->b), "%s", b);
			r->diff = kw[0] == 'd';
		} else if (strcmp(kw, "show") == 0) {
			if (s->nshow == SW_MAX_SHOW)
				die("%s:%u: too many show lines", file, line);
			s->show_root[s->nshow] = parse_as(strtok_r(NULL, " \t", &save), file, line);
			take_words(save, &s->show[s->nshow], file, line);
			if (s->show[s->nshow].argc == 0 || s->show[s->nshow].argv[0][0] != '/')
				die("%s:%u: show AS PATH [ARG...]", file, line);
			s->nshow++;
		} else {
			die("%s:%u: unknown keyword %s", file, line, kw);
		}
	}
	fclose(f);
	for (unsigned i = 0; i < s->nr; i++)
		if (sw_find(s, s->r[i].a) == NULL || sw_find(s, s->r[i].b) == NULL)
			die("%s: %s names an unknown variant", file, s->r[i].label);
	if (s->nv == 0)
		die("%s: no variants", file);
}

static void get_cred(const char *name, uid_t uid, gid_t gid, struct cred *c)
{
	c->uid = uid;
	c->gid = gid;
	c->ngroups = 64;
	if (getgrouplist(name, gid, c->groups, &c->ngroups) < 0)
		die("%s is in more than 64 groups", name);
}

/* One process: the time from before fork() to after waitpid(). */
static int spawn_wait(const struct argvec *a, const struct cred *c, char **envp, int in, int out,
		      int err, int64_t *ns)
{
	int64_t t0 = now_ns();
	pid_t pid = fork();
	int status;

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (dup2(in, 0) < 0 || (out != 1 && dup2(out, 1) < 0) || (err != 2 && dup2(err, 2) < 0))
			_exit(125);
		if (setgroups((size_t)c->ngroups, c->groups) < 0 || setresgid(c->gid, c->gid, c->gid) < 0 ||
		    setresuid(c->uid, c->uid, c->uid) < 0)
			_exit(125);
		execve(a->argv[0], a->argv, envp);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	*ns = now_ns() - t0;
	return status;
}

struct sw_ctx {
	struct cred user, root;
	char **envp;
	int null, err;
};

/* One run of the variant's next alternative, counted when timed. */
static void sw_run(struct sw_variant *v, const struct sw_ctx *x, bool timed)
{
	const struct sw_alt *a = &v->alt[v->next++ % v->nalt];
	const struct cred *c = v->root ? &x->root : &x->user;
	int64_t ns, ignored;
	int status = spawn_wait(&a->cmd, c, x->envp, x->null, x->null, x->err, &ns);

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		v->failures += timed;
		v->last_status = status;
	} else if (timed) {
		v->us[v->n++] = (double)ns / 1000.0;
	}
	if (a->expect != NULL && access(a->expect, F_OK) != 0)
		v->stale += timed;
	if (a->after.argc > 0) {
		status = spawn_wait(&a->after, c, x->envp, x->null, x->null, x->err, &ignored);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			v->after_failures++;
	}
}

/* Spread a variant's runs evenly over the rounds. */
static bool sw_due(const struct sw_variant *v, unsigned r, unsigned rounds)
{
	return (uint64_t)(r + 1) * v->runs / rounds > (uint64_t)r * v->runs / rounds;
}

static void sw_status(int status, char *out, size_t size)
{
	if (WIFEXITED(status))
		snprintf(out, size, "exit %d", WEXITSTATUS(status));
	else
		snprintf(out, size, "signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static int sw_report(struct sw_spec *s, const struct options *o, unsigned host)
{
	FILE *csv = open_csv(o->csv);
	int failed = 0;

	printf("  %-18s %-4s %4s %5s %11s %11s %11s %5s %5s\n", "variant", "as", "alts", "n", "median_us",
	       "p10_us", "p90_us", "fail", "stale");
	for (unsigned i = 0; i < s->nv; i++) {
		struct sw_variant *v = &s->v[i];
		double med = quantile(v->us, v->n, 0.5), p10 = quantile(v->us, v->n, 0.1),
		       p90 = quantile(v->us, v->n, 0.9);

		v->med = med;
		printf("  %-18s %-4s %4u %5u %11.1f %11.1f %11.1f %5u %5u\n", v->name, v->root ? "root" : "user",
		       v->nalt, v->n, med, p10, p90, v->failures, v->stale);
		if (v->failures || v->after_failures) {
			char st[32];

			sw_status(v->last_status, st, sizeof(st));
			printf("      FAILED: %u timed runs (last: %s), %u untimed after-commands; stderr in %s\n",
			       v->failures, st, v->after_failures, o->errlog);
			failed = 1;
		}
		if (v->stale)
			failed = 1;
		fprintf(csv, "switching,%s,%u,%s,,%u,%.1f,%.1f,%.1f,%u,failures\n", o->label, host, v->name, v->n,
			med, p10, p90, v->failures + v->stale);
	}
	printf("  ratios and differences of medians (same run):\n");
	for (unsigned i = 0; i < s->nr; i++) {
		const struct sw_result *r = &s->r[i];
		double a = sw_find(s, r->a)->med, b = sw_find(s, r->b)->med;

		if (r->diff) {
			printf("  %-34s %10.1f us\n", r->label, a - b);
			fprintf(csv, "switching,%s,%u,%s,,,,,,%.1f,us\n", o->label, host, r->label, a - b);
		} else {
			printf("  %-34s %10.2fx\n", r->label, b > 0 ? a / b : 0.0);
			fprintf(csv, "switching,%s,%u,%s,,,,,,%.3f,x\n", o->label, host, r->label, b > 0 ? a / b : 0.0);
		}
	}
	printf("  (a reading only; no threshold is checked)\n");
	fclose(csv);
	return failed;
}

static int cmd_switching(const struct options *o)
{
	static struct sw_spec s;
	char line[4096], msg[MSG_MAX] = "", home[4096];
	struct pam_conv c = { .conv = conv, .appdata_ptr = msg };
	const struct passwd *pw;
	struct sw_ctx x;
	pam_handle_t *h = NULL;
	unsigned host, rounds = 0, before, after;
	int rc, failed;

	require_sandbox();
	if (o->spec == NULL || o->user == NULL)
		die("switching needs --spec FILE and --user NAME");
	sw_parse(o->spec, o->runs, &s);
	/* No config=: the system file, the one vsym-rebind reads. */
	snprintf(line, sizeof(line), "session required %s\n", o->module);
	write_service(o->confdir, "switching", line);
	write_service(o->confdir, "other", "session required pam_deny.so\n");
	pw = user_entry(o->user);
	snprintf(home, sizeof(home), "%s", pw->pw_dir);
	get_cred(o->user, pw->pw_uid, pw->pw_gid, &x.user);
	get_cred("root", 0, 0, &x.root);
	s.env[s.nenv] = NULL;
	x.envp = s.env;
	x.null = open("/dev/null", O_RDWR | O_CLOEXEC);
	x.err = open(o->errlog, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (x.null < 0 || x.err < 0)
		die("cannot open /dev/null or %s: %s", o->errlog, strerror(errno));
	host = count_mounts("/proc/self/mountinfo");

	rc = pam_start_confdir("switching", o->user, &c, o->confdir, &h);
	if (rc == PAM_SUCCESS)
		rc = pam_open_session(h, 0);
	if (rc != PAM_SUCCESS)
		die("cannot open the vsym session of %s: %s%s%s", o->user, pam_strerror(h, rc),
		    msg[0] ? ": " : "", msg);
	if (chdir(home) < 0)
		die("chdir %s: %s", home, strerror(errno));

	for (unsigned i = 0; i < s.nv; i++) {
		s.v[i].us = calloc(s.v[i].runs, sizeof(double));
		if (s.v[i].us == NULL)
			die("out of memory");
		if (s.v[i].runs > rounds)
			rounds = s.v[i].runs;
		for (unsigned k = 0; k < s.v[i].nalt; k++)   /* warm-up */
			sw_run(&s.v[i], &x, false);
		s.v[i].next = 0;
	}
	before = count_mounts("/proc/self/mountinfo");
	printf("\n== switching: whole process (fork+execve+waitpid), in one vsym session of %s; "
	       "%u mounts in the namespace it was opened from, %u in the session ==\n",
	       o->user, host, before);
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned j = 0; j < s.nv; j++) {
			struct sw_variant *v = &s.v[(r + j) % s.nv];

			if (sw_due(v, r, rounds))
				sw_run(v, &x, true);
		}
	after = count_mounts("/proc/self/mountinfo");
	failed = sw_report(&s, o, host);
	printf("  mounts in the session before the timed rounds: %u, after: %u%s\n", before, after,
	       before == after ? " (every replace left one mount)" : " (CHANGED)");
	failed |= before != after;
	for (unsigned i = 0; i < s.nshow; i++) {
		int64_t ns;
		int st;

		printf("  $ %s", s.show[i].argv[0]);
		for (unsigned k = 1; k < s.show[i].argc; k++)
			printf(" %s", s.show[i].argv[k]);
		printf("   (as %s)\n", s.show_root[i] ? "root" : o->user);
		st = spawn_wait(&s.show[i], s.show_root[i] ? &x.root : &x.user, x.envp, x.null, 1, 2, &ns);
		failed |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	}
	pam_close_session(h, 0);
	pam_end(h, PAM_SUCCESS);
	for (unsigned i = 0; i < s.nv; i++)
		free(s.v[i].us);
	return failed;
}

/* The smallest /dev/log: one datagram, one line, so the module's syslog
 * lines can be checked (the sandbox has no syslog daemon). */
static _Noreturn void cmd_syslogd(const char *sock, const char *file)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	char buf[4096];
	FILE *out = fopen(file, "a");
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	if (out == NULL || fd < 0 || strlen(sock) >= sizeof(a.sun_path))
		die("syslogd: cannot start");
	strcpy(a.sun_path, sock);
	unlink(sock);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || chmod(sock, 0666) < 0)
		die("syslogd: bind %s: %s", sock, strerror(errno));
	setvbuf(out, NULL, _IOLBF, 0);
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf) - 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("syslogd: recv: %s", strerror(errno));
		buf[n] = '\0';
		fprintf(out, "%s\n", buf);
	}
}

/* ---- arguments ------------------------------------------------------- */

static unsigned parse_list(const char *s, unsigned *out, unsigned max)
{
	unsigned n = 0;
	char *end;

	while (*s != '\0' && n < max) {
		out[n++] = (unsigned)strtoul(s, &end, 10);
		if (end == s)
			die("bad number list: %s", s);
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

static void usage(void)
{
	fputs("usage: bench_session latency|scale|fill|profile --module SO --confdir DIR [--prefix U]\n"
	      "         [--binds 1,10,100] [--runs N] [--csv FILE] [--label L] [--counts 1,100,1000]\n"
	      "         [--fill-max N] [--fill-binds N]\n"
	      "       bench_session switching --module SO --confdir DIR --spec FILE --user NAME\n"
	      "         [--runs N] [--csv FILE] [--label L] [--errlog FILE]\n"
	      "       bench_session syslogd SOCKET FILE\n", stderr);
	exit(2);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "module", 1, NULL, 'm' }, { "confdir", 1, NULL, 'c' }, { "prefix", 1, NULL, 'u' },
		{ "binds", 1, NULL, 'b' }, { "runs", 1, NULL, 'r' }, { "csv", 1, NULL, 'o' },
		{ "label", 1, NULL, 'l' }, { "counts", 1, NULL, 'n' }, { "fill-max", 1, NULL, 'F' },
		{ "fill-binds", 1, NULL, 'B' }, { "spec", 1, NULL, 's' }, { "user", 1, NULL, 'U' },
		{ "errlog", 1, NULL, 'e' }, { NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){ .prefix = "benchu", .csv = "results.csv", .label = "base", .runs = 200,
			       .binds = { 1, 10, 100 }, .nbinds = 3, .counts = { 1, 100, 1000 },
			       .ncounts = 3, .fill_max = 2000, .fill_binds = 1, .errlog = "/dev/null" };
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'm': o->module = optarg; break;
		case 'c': o->confdir = optarg; break;
		case 'u': o->prefix = optarg; break;
		case 'b': o->nbinds = parse_list(optarg, o->binds, 3); break;
		case 'r': o->runs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'o': o->csv = optarg; break;
		case 'l': o->label = optarg; break;
		case 'n': o->ncounts = parse_list(optarg, o->counts, MAX_COUNTS); break;
		case 'F': o->fill_max = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'B': o->fill_binds = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': o->spec = optarg; break;
		case 'U': o->user = optarg; break;
		case 'e': o->errlog = optarg; break;
		default: usage();
		}
	}
	if (o->module == NULL || o->confdir == NULL || o->nbinds == 0 || o->runs == 0)
		usage();
}

int main(int argc, char **argv)
{
	struct options o;
	const char *cmd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	if (strcmp(cmd, "syslogd") == 0) {
		if (argc != 4)
			usage();
		cmd_syslogd(argv[2], argv[3]);
	}
	parse_options(argc - 1, argv + 1, &o);
	/* Output order matters when run.sh tees it; children inherit buffers. */
	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(cmd, "latency") == 0)
		return cmd_latency(&o);
	if (strcmp(cmd, "scale") == 0)
		return cmd_scale(&o);
	if (strcmp(cmd, "fill") == 0)
		return cmd_fill(&o);
	if (strcmp(cmd, "profile") == 0)
		return cmd_profile(&o);
	if (strcmp(cmd, "switching") == 0)
		return cmd_switching(&o);
	usage();
	return 2;
}
