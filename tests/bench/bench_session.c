/* bench_session: times session setup for pam_vsym against the kernel floor,
 * pam_namespace and pam_permit, and what switching a version costs.
 *
 *   bench_session latency [options]   interleaved per-session timings
 *   bench_session scale [options]     many concurrent sessions: time, memory
 *   bench_session fill [options]      open sessions until one fails
 *   bench_session profile [options]   loop of sessions in one process, for
 *                                     valgrind --tool=callgrind
 *   bench_session switching [options] whole-process timings of commands
 *                                     run inside one vsym session:
 *                                     vsym-rebind, mount --bind,
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
 * Built by make check and make bench (tests/bench/bench_session), from:
 *   bench.h             what the files share: types, options, helpers
 *   bench_common.c      users, PAM services, one timed session, statistics
 *   bench_latency.c     latency, scale, fill, profile
 *   bench_switching.c   switching: its spec file and the timed commands
 *   bench_syslogd.c     the /dev/log collector
 *   bench_session.c     arguments and main
 */
#include "bench.h"

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
