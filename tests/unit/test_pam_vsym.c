/* pam_vsym.c, in-process (pam_vsym(8)): the built module is dlopen'ed
 * and driven through libpam with pam_start_confdir() and a generated
 * service file in a temporary confdir, with config=PATH naming a generated
 * root-owned vsym.conf.
 *
 *   - only pam_sm_open_session and pam_sm_close_session are exported
 *   - every credential of the caller (real, effective, saved and file-system
 *     uid and gid, supplementary groups) is the same after pam_open_session
 *     as before, also when they are unusual (as in su: real uid not 0)
 *   - PAM_IGNORE for an excluded user (root)
 *   - an unknown argument is ignored: the session still opens
 *
 * The module's path comes from $VSYM_PAM_MODULE, else from the macro
 * VSYM_PAM_MODULE set at build time. pam_open_session unshares the mount
 * namespace, so it runs in a forked child (testns_run_child), inside the
 * throwaway namespace of testns.h; /run there is a private tmpfs, so the
 * marker on /run/vsym never reaches the host. Needs root except the
 * export checks. */
#include "config.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/mount.h>
#include <time.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <security/pam_appl.h>
#include <security/pam_modules.h>

#include "policyfile.h"
#include "testfuse.h"
#include "testns.h"
#include "testutil.h"

#ifndef VSYM_PAM_MODULE
#define VSYM_PAM_MODULE ".libs/pam_vsym.so"
#endif

#define TEST_USER "nobody"   /* in every password database; not excluded */

static const char *module_path(void)
{
	const char *env = getenv("VSYM_PAM_MODULE");

	return env != NULL && env[0] != '\0' ? env : VSYM_PAM_MODULE;
}

/* ---------------------------------------------------------------- exports */

static void test_dlopen_exports_only_pam_sm(void **state)
{
	void *h;

	(void)state;
	h = dlopen(module_path(), RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		fail_msg("dlopen %s: %s", module_path(), dlerror());
	assert_non_null(dlsym(h, "pam_sm_open_session"));
	assert_non_null(dlsym(h, "pam_sm_close_session"));
	/* the core and the module's own helpers stay inside */
	assert_null(dlsym(h, "vsym_cfg_load_system"));
	assert_null(dlsym(h, "vsym_policyfile_load_system"));
	assert_null(dlsym(h, "vsym_ns_create"));
	assert_null(dlsym(h, "vsym_policy_free"));
	assert_null(dlsym(h, "parse_args"));
	/* a session module only */
	assert_null(dlsym(h, "pam_sm_authenticate"));
	assert_null(dlsym(h, "pam_sm_acct_mgmt"));
	dlclose(h);
}

/* Every defined global symbol in the module's dynamic symbol table: the
 * version script must leave exactly the two pam_sm_* functions. */
static void test_dynsym_has_only_pam_sm(void **state)
{
	const char *path = module_path();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *img, others[1024] = "";
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	int found = 0;

	(void)state;
	if (fd < 0 || fstat(fd, &st) < 0)
		fail_msg("open %s: %s", path, strerror(errno));
	img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	assert_true(img != MAP_FAILED);
	eh = (const Elf64_Ehdr *)(void *)img;
	assert_memory_equal(eh->e_ident, ELFMAG, SELFMAG);
	assert_int_equal(eh->e_ident[EI_CLASS], ELFCLASS64);
	sh = (const Elf64_Shdr *)(void *)(img + eh->e_shoff);
	for (unsigned i = 0; i < eh->e_shnum; i++) {
		const Elf64_Sym *sym;
		const char *names;
		size_t n;

		if (sh[i].sh_type != SHT_DYNSYM)
			continue;
		sym = (const Elf64_Sym *)(void *)(img + sh[i].sh_offset);
		names = img + sh[sh[i].sh_link].sh_offset;
		n = sh[i].sh_size / sizeof(*sym);
		for (size_t j = 0; j < n; j++) {
			const char *name = names + sym[j].st_name;
			int bind = ELF64_ST_BIND(sym[j].st_info);

			if (sym[j].st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK))
				continue;
			if (strcmp(name, "pam_sm_open_session") == 0 || strcmp(name, "pam_sm_close_session") == 0)
				found++;
			else if (strlen(others) + strlen(name) + 2 < sizeof(others))
				strcat(strcat(others, " "), name);
		}
	}
	munmap(img, (size_t)st.st_size);
	assert_int_equal(found, 2);
	if (others[0] != '\0')
		fail_msg("%s exports more than pam_sm_*:%s", path, others);
}

/* ---------------------------------------------------------------- fixture */

struct fixture {
	char dir[128];       /* root-owned 0755 */
	char confdir[160];   /* PAM services */
	char config[160];    /* vsym.conf */
	char source[160];    /* root-owned dir with a file */
	char target[160];    /* a system target: TEST_USER's home is elsewhere */
	uid_t uid;
};

/* A PAM service with pam_vsym as its only session module. */
static void write_service(const struct fixture *f, const char *name, const char *args)
{
	char path[256], text[1024];

	snprintf(path, sizeof(path), "%s/%s", f->confdir, name);
	snprintf(text, sizeof(text), "session required %s config=%s %s\n", module_path(), f->config, args);
	write_file(path, text, 0, 0, 0644);
}

static int setup(void **state)
{
	static struct fixture f;
	struct passwd *pw;
	char text[2048];

	if (geteuid() != 0) {
		*state = NULL;
		return 0;
	}
	if (testns_private_run() < 0) {
		print_error("cannot make the test namespace: %s\n", strerror(errno));
		return -1;
	}
	pw = getpwnam(TEST_USER);
	if (pw == NULL) {
		print_error("no user %s in the password database\n", TEST_USER);
		return -1;
	}
	memset(&f, 0, sizeof(f));
	f.uid = pw->pw_uid;
	if (test_scratch_dir(f.dir, sizeof(f.dir), "pam", 0, 0) < 0)
		return -1;
	snprintf(f.confdir, sizeof(f.confdir), "%s/pam.d", f.dir);
	snprintf(f.config, sizeof(f.config), "%s/vsym.conf", f.dir);
	snprintf(f.source, sizeof(f.source), "%s/source", f.dir);
	snprintf(f.target, sizeof(f.target), "%s/target", f.dir);
	make_dir(f.confdir, 0, 0, 0755);
	make_dir(f.source, 0, 0, 0755);
	make_dir(f.target, 0, 0, 0755);
	snprintf(text, sizeof(text), "%s/VERSION", f.source);
	write_file(text, "bound\n", 0, 0, 0644);
	snprintf(text, sizeof(text),
		 "version = 1;\n"
		 "users: { exclude = [ \"root\" ]; };\n"
		 "allow = ( { target = \"%s\"; source = \"%s\"; } );\n"
		 "binds = ( { source = \"%s\"; target = \"%s\"; } );\n",
		 f.target, f.source, f.source, f.target);
	write_file(f.config, text, 0, 0, 0644);
	write_service(&f, "vsymtest", "");
	write_service(&f, "vsymbogus", "no-such-argument=1 debug");
	*state = &f;
	return 0;
}

/* ---------------------------------------------------------------- PAM */

/* Collects PAM messages (pam_info from the module). */
static char conv_text[2048];

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)data;
	*resp = NULL;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(conv_text);

		snprintf(conv_text + len, sizeof(conv_text) - len, "%s\n", msg[i]->msg);
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_ON || msg[i]->msg_style == PAM_PROMPT_ECHO_OFF)
			return PAM_CONV_ERR;
	}
	return PAM_SUCCESS;
}


struct creds {
	uid_t ruid, euid, suid, fsuid;
	gid_t rgid, egid, sgid, fsgid;
	int ngroups;
	gid_t groups[256];
};

static int read_creds(struct creds *c)
{
	memset(c, 0, sizeof(*c));
	if (getresuid(&c->ruid, &c->euid, &c->suid) < 0 || getresgid(&c->rgid, &c->egid, &c->sgid) < 0)
		return -1;
	c->fsuid = (uid_t)setfsuid((uid_t)-1);
	c->fsgid = (gid_t)setfsgid((gid_t)-1);
	c->ngroups = getgroups(256, c->groups);
	return c->ngroups < 0 ? -1 : 0;
}

static void describe_creds(const struct creds *c, char *buf, size_t size)
{
	int o = snprintf(buf, size, "uid %u/%u/%u fs %u gid %u/%u/%u fs %u groups",
			 (unsigned)c->ruid, (unsigned)c->euid, (unsigned)c->suid, (unsigned)c->fsuid,
			 (unsigned)c->rgid, (unsigned)c->egid, (unsigned)c->sgid, (unsigned)c->fsgid);

	for (int i = 0; i < c->ngroups && o > 0 && (size_t)o < size; i++)
		o += snprintf(buf + o, size - (size_t)o, " %u", (unsigned)c->groups[i]);
}

struct session_case {
	const struct fixture *f;
	const char *service;
	const char *user;
	bool unusual;       /* caller with su-like credentials */
	int expect_open;    /* pam_open_session's result */
	bool expect_bind;   /* the module made its namespace and bind */
};

static bool file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* The child: opens a session through libpam and compares credentials. */
static int child_session(void *arg, char *msg, size_t size)
{
	const struct session_case *c = arg;
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	struct creds before, after;
	char b[1024], a[1024], version[256];
	char oldns[64], newns[64];
	int rc, dumpable;
	ssize_t n;

	if (c->unusual) {
		/* as in su or sudo: real uid of the caller, effective root;
		 * an effective gid and groups of its own */
		static const gid_t groups[] = { 4, 24, 27 };

		CHECK(setgroups(3, groups) == 0, "%s", strerror(errno));
		CHECK(setresgid(0, 7, 0) == 0, "%s", strerror(errno));
		CHECK(setresuid(1, 0, 0) == 0, "%s", strerror(errno));
	}
	n = readlink("/proc/self/ns/mnt", oldns, sizeof(oldns) - 1);
	CHECK(n > 0, "%s", strerror(errno));
	oldns[n] = '\0';
	CHECK(read_creds(&before) == 0, "%s", strerror(errno));
	dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	conv_text[0] = '\0';
	rc = pam_start_confdir(c->service, c->user, &pc, c->f->confdir, &pamh);
	CHECK(rc == PAM_SUCCESS, "pam_start_confdir: %s", pam_strerror(pamh, rc));
	rc = pam_open_session(pamh, 0);
	CHECK(read_creds(&after) == 0, "%s", strerror(errno));
	/* The kernel clears it when the file-system uid changes; the
	 * module puts back what the application had. */
	CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == dumpable, "the dumpable flag went from %d to %d",
	      dumpable, prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	describe_creds(&before, b, sizeof(b));
	describe_creds(&after, a, sizeof(a));
	CHECK(strcmp(a, b) == 0, "credentials changed by pam_open_session (rc %d %s):\nbefore %s\nafter  %s",
	      rc, pam_strerror(pamh, rc), b, a);
	CHECK(memcmp(&before, &after, sizeof(before)) == 0, "credentials changed:\nbefore %s\nafter  %s", b, a);
	CHECK(rc == c->expect_open, "pam_open_session returned %d (%s), expected %d; messages: %s", rc,
	      pam_strerror(pamh, rc), c->expect_open, conv_text);
	n = readlink("/proc/self/ns/mnt", newns, sizeof(newns) - 1);
	CHECK(n > 0, "%s", strerror(errno));
	newns[n] = '\0';
	snprintf(version, sizeof(version), "%s/VERSION", c->f->target);
	if (c->expect_bind) {
		CHECK(strcmp(oldns, newns) != 0, "still in the namespace %s", oldns);
		CHECK(file_exists("/run/vsym/session"), "no marker");
		CHECK(testns_mounts_on(c->f->target) == 1, "%d mounts on %s", testns_mounts_on(c->f->target),
		      c->f->target);
		CHECK(strstr(testns_options_of(c->f->target), "nosuid") != NULL &&
		      strstr(testns_options_of(c->f->target), "nodev") != NULL,
		      "bind options %s", testns_options_of(c->f->target));
		CHECK(file_exists(version), "%s not seen through the bind", version);
	} else {
		CHECK(strcmp(oldns, newns) == 0, "moved from %s to %s", oldns, newns);
		CHECK(!file_exists("/run/vsym/session"), "a marker without a session");
		CHECK(testns_mounts_on(c->f->target) == 0, "a mount on %s", c->f->target);
	}
	if (rc == PAM_SUCCESS) {
		rc = pam_close_session(pamh, 0);
		CHECK(rc == PAM_SUCCESS, "pam_close_session: %s", pam_strerror(pamh, rc));
		CHECK(read_creds(&after) == 0, "%s", strerror(errno));
		describe_creds(&after, a, sizeof(a));
		CHECK(strcmp(a, b) == 0, "credentials changed by pam_close_session:\nbefore %s\nafter  %s", b, a);
	}
	pam_end(pamh, rc);
	return 0;
}

static void test_credentials_unchanged(void **state)
{
	struct session_case c = { .service = "vsymtest", .user = TEST_USER,
				  .expect_open = PAM_SUCCESS, .expect_bind = true };

	REQUIRE_ROOT();
	c.f = *state;
	RUN_CHILD(child_session, &c);
}

static void test_credentials_unchanged_su_like(void **state)
{
	struct session_case c = { .service = "vsymtest", .user = TEST_USER, .unusual = true,
				  .expect_open = PAM_SUCCESS, .expect_bind = true };

	REQUIRE_ROOT();
	c.f = *state;
	RUN_CHILD(child_session, &c);
}

static void test_unknown_argument_ignored(void **state)
{
	struct session_case c = { .service = "vsymbogus", .user = TEST_USER,
				  .expect_open = PAM_SUCCESS, .expect_bind = true };

	REQUIRE_ROOT();
	c.f = *state;
	RUN_CHILD(child_session, &c);
}

/* Through libpam: with pam_vsym the only module, PAM_IGNORE leaves the
 * stack without a decision, which libpam turns into a failure. */
static void test_excluded_user_not_touched(void **state)
{
	struct session_case c = { .service = "vsymtest", .user = "root",
				  .expect_open = PAM_PERM_DENIED, .expect_bind = false };

	REQUIRE_ROOT();
	c.f = *state;
	RUN_CHILD(child_session, &c);
}

/* The module's own answer, called through its pam_sm_open_session with a
 * handle from pam_start_confdir. */
struct direct_case {
	const struct fixture *f;
	const char *user;
	int expect;
};

static int child_direct(void *arg, char *msg, size_t size)
{
	const struct direct_case *c = arg;
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	int (*open_session)(pam_handle_t *, int, int, const char **);
	char config[200];
	const char *argv[2] = { config, "debug" };
	struct creds before, after;
	char b[1024], a[1024];
	void *h;
	int rc;

	snprintf(config, sizeof(config), "config=%s", c->f->config);
	h = dlopen(module_path(), RTLD_NOW | RTLD_LOCAL);
	CHECK(h != NULL, "dlopen: %s", dlerror());
	*(void **)(&open_session) = dlsym(h, "pam_sm_open_session");
	CHECK(open_session != NULL, "no pam_sm_open_session");
	rc = pam_start_confdir("vsymtest", c->user, &pc, c->f->confdir, &pamh);
	CHECK(rc == PAM_SUCCESS, "pam_start_confdir: %s", pam_strerror(pamh, rc));
	CHECK(read_creds(&before) == 0, "%s", strerror(errno));
	rc = open_session(pamh, 0, 2, argv);
	CHECK(read_creds(&after) == 0, "%s", strerror(errno));
	describe_creds(&before, b, sizeof(b));
	describe_creds(&after, a, sizeof(a));
	CHECK(strcmp(a, b) == 0, "credentials changed:\nbefore %s\nafter  %s", b, a);
	CHECK(rc == c->expect, "pam_sm_open_session for %s returned %d (%s), expected %d (%s)", c->user, rc,
	      pam_strerror(pamh, rc), c->expect, pam_strerror(pamh, c->expect));
	pam_end(pamh, PAM_SUCCESS);
	dlclose(h);
	return 0;
}

static void test_excluded_user_ignored(void **state)
{
	struct direct_case c = { .user = "root", .expect = PAM_IGNORE };

	REQUIRE_ROOT();
	c.f = *state;
	RUN_CHILD(child_direct, &c);
}

static void test_included_user_success(void **state)
{
	struct direct_case c = { .user = TEST_USER, .expect = PAM_SUCCESS };

	REQUIRE_ROOT();
	c.f = *state;
	RUN_CHILD(child_direct, &c);
}

static void test_unknown_user(void **state)
{
	struct direct_case c = { .user = "no-such-user-vsym", .expect = PAM_USER_UNKNOWN };

	REQUIRE_ROOT();
	c.f = *state;
	RUN_CHILD(child_direct, &c);
}

/* A bind source on a file system the user serves that never answers: any
 * lookup inside it would block for ever, whatever the flags. The module
 * never looks into FUSE (invariant 8 of doc/security.md): that bind is refused at
 * once, naming FUSE, and the other bind is made; with on_error = "deny"
 * the session is refused, leaving nothing. With a daemon that reads the
 * request, a process that sent one could not even be killed. */
struct hung_case {
	const struct fixture *f;
	const char *on_error;
	enum testfuse_kind kind;
	int expect_open;
};

/* Writes a policy that binds the source under the FUSE mount onto a
 * second target, and the fixture's source onto its target; and a PAM
 * service using it. */
static void write_hung_service(const struct hung_case *c, const char *fuse_dir, const char *target2,
			       char *service, size_t size)
{
	char config[200], path[300], text[2048];

	snprintf(config, sizeof(config), "%s/vsym-hung-%s-%d.conf", c->f->dir, c->on_error, c->kind);
	snprintf(text, sizeof(text),
		 "version = 1;\n"
		 "on_error = \"%s\";\n"
		 "users: { exclude = [ \"root\" ]; };\n"
		 "allow = ( { target = \"%s\"; source = \"%s/**\"; },\n"
		 "          { target = \"%s\"; source = \"%s\"; } );\n"
		 "binds = ( { source = \"%s/go\"; target = \"%s\"; },\n"
		 "          { source = \"%s\"; target = \"%s\"; } );\n",
		 c->on_error, target2, fuse_dir, c->f->target, c->f->source,
		 fuse_dir, target2, c->f->source, c->f->target);
	write_file(config, text, 0, 0, 0644);
	snprintf(service, size, "vsymhung-%s-%d", c->on_error, c->kind);
	snprintf(text, sizeof(text), "session required %s config=%s\n", module_path(), config);
	snprintf(path, sizeof(path), "%s/%s", c->f->confdir, service);
	write_file(path, text, 0, 0, 0644);
}

static int child_hung_source(void *arg, char *msg, size_t size)
{
	const struct hung_case *c = arg;
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	char fuse_dir[200], target2[200], service[64], oldns[64] = "", newns[64] = "";
	struct creds before, after;
	struct timespec t0, t1;
	struct testfuse fuse;
	int rc;
	long ms;

	/* Were the module to wait for ever, SIGALRM ends this child and the
	 * test fails instead of hanging. */
	signal(SIGALRM, SIG_DFL);
	alarm(test_seconds(20));
	snprintf(fuse_dir, sizeof(fuse_dir), "%s/fuse-%s-%d", c->f->dir, c->on_error, c->kind);
	snprintf(target2, sizeof(target2), "%s/target2-%s-%d", c->f->dir, c->on_error, c->kind);
	make_dir(fuse_dir, 0, 0, 0755);
	make_dir(target2, c->f->uid, c->f->uid, 0755);
	CHECK(testfuse_start(&fuse, fuse_dir, c->f->uid, c->kind) == 0, "mount fuse on %s: %s", fuse_dir,
	      strerror(errno));
	write_hung_service(c, fuse_dir, target2, service, sizeof(service));

	CHECK(readlink("/proc/self/ns/mnt", oldns, sizeof(oldns) - 1) > 0, "%s", strerror(errno));
	CHECK(read_creds(&before) == 0, "%s", strerror(errno));
	conv_text[0] = '\0';
	rc = pam_start_confdir(service, TEST_USER, &pc, c->f->confdir, &pamh);
	CHECK(rc == PAM_SUCCESS, "pam_start_confdir: %s", pam_strerror(pamh, rc));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = pam_open_session(pamh, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	CHECK(read_creds(&after) == 0, "%s", strerror(errno));
	CHECK(memcmp(&before, &after, sizeof(before)) == 0, "credentials changed");
	CHECK(rc == c->expect_open, "pam_open_session returned %d (%s) after %ld ms, expected %d; messages: %s",
	      rc, pam_strerror(pamh, rc), ms, c->expect_open, conv_text);
	CHECK(strstr(conv_text, "is a FUSE mount") != NULL, "the user was not told: %s", conv_text);
	CHECK(testns_mounts_on(target2) == 0, "a mount on %s", target2);
	CHECK(readlink("/proc/self/ns/mnt", newns, sizeof(newns) - 1) > 0, "%s", strerror(errno));
	if (rc == PAM_SUCCESS) {
		/* A vsym session with the other bind made and recorded. */
		CHECK(strcmp(oldns, newns) != 0, "still in the namespace %s", oldns);
		CHECK(file_exists("/run/vsym/session"), "no marker");
		CHECK(testns_mounts_on(c->f->target) == 1, "the other bind was not made on %s", c->f->target);
	} else {
		CHECK(strcmp(oldns, newns) == 0, "moved from %s to %s", oldns, newns);
		CHECK(!file_exists("/run/vsym/session"), "a marker after a refused session");
		CHECK(testns_mounts_on(c->f->target) == 0, "a bind left on %s", c->f->target);
	}
	pam_end(pamh, rc);
	print_message("on_error = %s, %s daemon: pam_open_session returned after %ld ms\n", c->on_error,
		      c->kind == TESTFUSE_READ ? "a reading" : "no", ms);
	/* Nothing of the module waits on the connection: it goes at once. */
	testfuse_stop(&fuse);
	return 0;
}

static void test_hung_source_refused(void **state)
{
	struct hung_case c = { .on_error = "warn", .kind = TESTFUSE_UNSERVED, .expect_open = PAM_SUCCESS };

	REQUIRE_ROOT();
	c.f = *state;
	RUN_CHILD(child_hung_source, &c);
}

static void test_hung_source_denied(void **state)
{
	struct hung_case c = { .on_error = "deny", .kind = TESTFUSE_UNSERVED, .expect_open = PAM_SESSION_ERR };

	REQUIRE_ROOT();
	c.f = *state;
	RUN_CHILD(child_hung_source, &c);
}

static void test_reading_daemon_refused(void **state)
{
	struct hung_case c = { .on_error = "warn", .kind = TESTFUSE_READ, .expect_open = PAM_SUCCESS };

	REQUIRE_ROOT();
	c.f = *state;
	RUN_CHILD(child_hung_source, &c);
}

static void test_reading_daemon_denied(void **state)
{
	struct hung_case c = { .on_error = "deny", .kind = TESTFUSE_READ, .expect_open = PAM_SESSION_ERR };

	REQUIRE_ROOT();
	c.f = *state;
	RUN_CHILD(child_hung_source, &c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dlopen_exports_only_pam_sm),
		cmocka_unit_test(test_dynsym_has_only_pam_sm),
		cmocka_unit_test_setup(test_credentials_unchanged, setup),
		cmocka_unit_test_setup(test_credentials_unchanged_su_like, setup),
		cmocka_unit_test_setup(test_unknown_argument_ignored, setup),
		cmocka_unit_test_setup(test_excluded_user_not_touched, setup),
		cmocka_unit_test_setup(test_excluded_user_ignored, setup),
		cmocka_unit_test_setup(test_included_user_success, setup),
		cmocka_unit_test_setup(test_unknown_user, setup),
		cmocka_unit_test_setup(test_hung_source_refused, setup),
		cmocka_unit_test_setup(test_hung_source_denied, setup),
		cmocka_unit_test_setup(test_reading_daemon_refused, setup),
		cmocka_unit_test_setup(test_reading_daemon_denied, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
