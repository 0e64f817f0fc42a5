/* bench_session switching: whole-process timings of the commands of a
 * spec file, run inside one vsym session. */
#include "bench.h"

/* ---- switching: whole-process timings inside one vsym session --------- */

/* The parent opens ONE vsym session for the user, as a
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

/* The median of the variant called name (sw_parse made sure there is one). */
static double sw_median(struct sw_spec *s, const char *name)
{
	const struct sw_variant *v = sw_find(s, name);

	if (v == NULL)
		die("no variant %s in the spec", name);
	return v->med;
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
		double a = sw_median(s, r->a), b = sw_median(s, r->b);

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

int cmd_switching(const struct options *o)
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
