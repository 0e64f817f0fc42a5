/* bench_session's shared parts: users and PAM services, one session
 * opened in a fresh child and timed there, and the statistics. */
#include "bench.h"
#include "../lib/no_statmount.h"

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_session: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

int64_t now_ns(void)
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

const struct passwd *user_entry(const char *name)
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

void write_service(const char *confdir, const char *service, const char *line)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", confdir, service);
	write_file(path, 0644, 0, 0, line);
}

void setup_services(const struct options *o)
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
	/* As the package ships it: a system file that allows nothing, so
	 * the module leaves every login alone (PAM_IGNORE, after pam_permit
	 * so that the stack succeeds). */
	snprintf(line, sizeof(line), "%s/vsym-off.conf", o->confdir);
	write_file(line, 0644, 0, 0, "version = 1;\n");
	snprintf(line, sizeof(line), "session required pam_permit.so\nsession optional %s config=%s/vsym-off.conf\n",
		 o->module, o->confdir);
	write_service(o->confdir, "vsym-off", line);
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
void warm_nss(const struct options *o)
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
int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
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

unsigned count_mounts(const char *file)
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
 * libvsym/mount.c makes, minus the resolution and checks. */
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

/* What pam_vsym asks NSS at each open: the user's entry and groups (the
 * kernel checks paths as the user with all of them). Not vsym's own cost,
 * but one no module that acts as the user can skip. */
static void user_db_lookup(const struct variant *v, struct reply *r)
{
	gid_t groups[256];
	int n = 256;
	const struct passwd *pw;
	int64_t t0;

	t0 = now_ns();
	pw = getpwnam(v->user);
	r->rc = pw != NULL && getgrouplist(v->user, pw->pw_gid, groups, &n) >= 0 ? PAM_SUCCESS : PAM_USER_UNKNOWN;
	r->ns = now_ns() - t0;
	if (r->rc != PAM_SUCCESS)
		snprintf(r->msg, sizeof(r->msg), "user_db: no entry or groups for %s", v->user);
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

void run_session(const struct variant *v, const char *confdir, struct reply *r,
			pam_handle_t **h)
{
	memset(r, 0, sizeof(*r));
	*h = NULL;
	if (v->kind == K_VSYM_PRE68 && no_statmount() < 0) {
		r->rc = PAM_SYSTEM_ERR;
		snprintf(r->msg, sizeof(r->msg), "seccomp (no statmount): %s", strerror(errno));
		return;
	}
	if (v->kind == K_FLOOR)
		floor_session(v, r);
	else if (v->kind == K_USER_DB)
		user_db_lookup(v, r);
	else
		pam_session(v, confdir, r, h);
}

bool write_all(int fd, const void *buf, size_t n)
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

bool read_all(int fd, void *buf, size_t n)
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
void set_ns_init(bool enabled)
{
	const char *from = enabled ? NS_INIT ".off" : NS_INIT, *to = enabled ? NS_INIT : NS_INIT ".off";

	if (access(from, F_OK) == 0 && rename(from, to) < 0)
		die("cannot rename %s to %s: %s", from, to, strerror(errno));
}

/* One timed session in a fresh child. */
void measure_one(struct variant *v, const char *confdir, bool count)
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

double quantile(double *s, unsigned n, double q)
{
	if (n == 0)
		return 0.0;
	qsort(s, n, sizeof(*s), cmp_double);
	return s[(unsigned)(q * (n - 1) + 0.5)];
}

/* Appends; the header goes into an empty file (run.sh truncates it). */
FILE *open_csv(const char *path)
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

void report_latency(struct variant *v, unsigned nv, const struct options *o, unsigned host)
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
	/* What is left of the module once the user database, which any
	 * module acting as the user must ask, is taken out too. */
	for (unsigned i = 0; i < o->nbinds && find(v, nv, K_USER_DB, 0) != NULL; i++) {
		const struct variant *vs = find(v, nv, K_VSYM, o->binds[i]), *fl = find(v, nv, K_FLOOR, o->binds[i]);
		double own = median_of(vs) - median_of(find(v, nv, K_PERMIT, 0)) - median_of(find(v, nv, K_USER_DB, 0));
		double r = median_of(fl) > 0 ? own / median_of(fl) : 0.0;

		printf("  %-26s %3u binds: %6.2fx\n", "(pam_vsym-pam_permit-user_db)/floor", o->binds[i], r);
		fprintf(csv, "ratio,%s,%u,(pam_vsym-pam_permit-user_db)/floor,%u,,,,,%.3f,x\n", o->label, host,
			o->binds[i], r);
	}
	if (find(v, nv, K_VSYM_OFF, 0) != NULL)
		print_ratio(csv, o, host, "vsym_off/pam_permit", 0, find(v, nv, K_VSYM_OFF, 0),
			    find(v, nv, K_PERMIT, 0));
	/* The pre-6.8 path (mount table, no statmount) against statmount's. */
	if (find(v, nv, K_VSYM_PRE68, 1) != NULL)
		print_ratio(csv, o, host, "vsym_pre68/pam_vsym", 1, find(v, nv, K_VSYM_PRE68, 1),
			    find(v, nv, K_VSYM, 1));
	if (find(v, nv, K_VSYM_NOUSER, 1) != NULL)
		print_ratio(csv, o, host, "vsym_nouserconf/floor", 1, find(v, nv, K_VSYM_NOUSER, 1),
			    find(v, nv, K_FLOOR, 1));
	printf("  (a reading only; no threshold is checked. The module should\n"
	       "   cost little above the floor: see PROFILE=1 in run.sh for where the time goes)\n");
	fclose(csv);
}

/* ---- commands -------------------------------------------------------- */

void require_sandbox(void)
{
	const char *s = getenv("VSYM_BENCH_SANDBOX");

	if (s == NULL || strcmp(s, "1") != 0)
		die("this changes /etc and homes; run it through tests/bench/run.sh "
		    "(which sets VSYM_BENCH_SANDBOX=1 inside a throwaway namespace)");
	if (geteuid() != 0)
		die("must run as root");
}
