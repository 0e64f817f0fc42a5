/* bench_session latency, scale, fill and profile: sessions opened one
 * at a time, many at once, until one fails, or in a loop for a profiler. */
#include "bench.h"

static void add_variant(struct variant *v, unsigned *nv, enum kind kind, unsigned binds,
			const struct options *o, unsigned runs)
{
	struct variant *x = &v[(*nv)++];
	static const char *const names[] = { "floor", "pam_vsym", "pam_namespace", "pam_ns_noinit",
					     "pam_permit", "vsym_nouserconf", "user_db", "vsym_off",
					     "vsym_pre68" };

	memset(x, 0, sizeof(*x));
	x->kind = kind;
	x->binds = binds;
	snprintf(x->name, sizeof(x->name), "%s", names[kind]);
	/* pam_namespace and pam_permit run as the 1-bind user: their cost
	 * does not depend on vsym's binds. */
	snprintf(x->user, sizeof(x->user), "%s%u", o->prefix, binds ? binds : o->binds[0]);
	if (kind == K_VSYM || kind == K_VSYM_PRE68)
		snprintf(x->service, sizeof(x->service), "vsym%u", binds);
	else if (kind == K_VSYM_NOUSER)
		snprintf(x->service, sizeof(x->service), "vsym%u-nouserconf", binds);
	else if (kind == K_PERMIT)
		snprintf(x->service, sizeof(x->service), "permit");
	else if (kind == K_VSYM_OFF)
		snprintf(x->service, sizeof(x->service), "vsym-off");
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
	if (o->binds[0] == 1) {
		add_variant(v, &nv, K_VSYM_NOUSER, 1, o, o->runs);
		add_variant(v, &nv, K_VSYM_PRE68, 1, o, o->runs);
	}
	add_variant(v, &nv, K_PAMNS, 0, o, o->runs);
	add_variant(v, &nv, K_PAMNS_NOINIT, 0, o, o->runs);
	add_variant(v, &nv, K_PERMIT, 0, o, o->runs);
	add_variant(v, &nv, K_USER_DB, 0, o, o->runs);
	add_variant(v, &nv, K_VSYM_OFF, 0, o, o->runs);
	return nv;
}

/* Rounds interleave the variants (rotating the start) so that drift and
 * noise hit all of them alike; a warm-up round is not counted. */
int cmd_latency(const struct options *o)
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
int cmd_scale(const struct options *o)
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
int cmd_fill(const struct options *o)
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
int cmd_profile(const struct options *o)
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
