/* The fixture of the tests of project files (test_project, test_projectfile,
 * test_projectread, test_projectsearch): struct fixture, setup and teardown
 * load system_conf's variants go, node and ruby for the made-up alice;
 * value_of and notes show what a parse or search found. setup_files and
 * teardown_files add a scratch directory of real files, named with at(). */
#ifndef VSYM_TESTPROJECT_H
#define VSYM_TESTPROJECT_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

#include "cfg.h"
#include "project.h"

static const char system_conf[] =
	"variants: {\n"
	"  go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; tool = \"golang\"; version_file = \".go-version\"; };\n"
	"  node = { target = \"~/node\"; source = \"~/.nodes/${node}\"; version_file = \".nvmrc\"; };\n"
	"  ruby = { target = \"~/ruby\"; source = \"~/.rubies/${ruby}\"; };\n"
	"};\n";

enum { GO, NODE, RUBY };

struct fixture {
	struct test_user alice;
	struct vsym_policy policy;
	struct vsym_project proj;
	struct vsym_error err;
};

static inline int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	test_user_alice(&f->alice);
	test_load_policy(&f->policy, system_conf, &f->alice.user);
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	struct fixture *f = *state;

	vsym_project_free(&f->proj);
	vsym_policy_free(&f->policy);
	free(f);
	return 0;
}

static inline const char *value_of(const struct fixture *f, size_t variant)
{
	const struct vsym_project_pick *p = vsym_project_pick_of(&f->proj, variant);

	return p == NULL ? "(none)" : p->value == NULL ? "(bad)" : p->value;
}

static inline const char *notes(const struct fixture *f)
{
	static char buf[4096];

	buf[0] = '\0';
	for (size_t i = 0; i < f->proj.nnotes; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s\n", f->proj.notes[i]);
	return buf;
}

/* Real files: a scratch directory of this process's own. */
static char scratch[64];

static inline const char *at(const char *name)
{
	static char buf[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", scratch, name);
	return buf[i];
}

static inline void write_bytes(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		fail_msg("write %s: %s", path, strerror(errno));
	close(fd);
}

static inline int setup_files(void **state)
{
	if (test_tmp_dir(scratch, sizeof(scratch), "test_project") < 0)
		return -1;
	return setup(state);
}

static inline int teardown_files(void **state)
{
	test_remove_tmp_dir(scratch);
	return teardown(state);
}

#endif
