/* Loading configuration text for the tests of cfg.c (test_cfg,
 * test_cfgerrors, test_cfguser, test_cfgread, test_cfgvariant): the system
 * file as SYS and ~/.vsymrc as USR, for the made-up alice; expect_* fail
 * the test with the text when a load goes otherwise than wanted, and a
 * refusal must name the line its message names. The messages several
 * files expect are spelled once here. */
#ifndef VSYM_TESTCFG_H
#define VSYM_TESTCFG_H

#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "cfg.h"
#include "policy.h"

#define SYS "/etc/vsym.conf"

#define USR "/home/alice/.vsymrc"

/* The system part most user-file tests are loaded on top of. */
static const char *const base_system =
	"version = 1;\n"
	"allow = ( { target = \"~/gos\"; source = \"~/.gos/*\"; } );\n"
	"variants: {\n"
	"  go = { target = \"~/gos\"; source = \"~/.gos/go${go}\"; default = \"1.22.0\"; tool = \"golang\"; };\n"
	"};\n"
	"binds = ( { source = \"/srv/data\"; target = \"~/data\"; } );\n";

static inline int load_system_len(struct vsym_policy *p, const char *text, size_t len, struct vsym_error *err)
{
	struct test_user alice;

	test_user_alice(&alice);
	memset(p, 0, sizeof(*p));
	return vsym_cfg_load_system(p, SYS, text, len, &alice.user, err);
}

static inline int load_user_len(struct vsym_policy *p, const char *text, size_t len, struct vsym_error *err)
{
	struct test_user alice;

	test_user_alice(&alice);
	return vsym_cfg_load_user(p, USR, text, len, &alice.user, err);
}

static inline void expect_system(struct vsym_policy *p, const char *text)
{
	struct vsym_error err = { .text = "" };

	if (load_system_len(p, text, strlen(text), &err) < 0)
		fail_msg("refused: %s\n--- text:\n%s", err.text, text);
}

static inline void expect_user(struct vsym_policy *p, const char *text)
{
	struct vsym_error err = { .text = "" };

	if (load_user_len(p, text, strlen(text), &err) < 0)
		fail_msg("refused: %s\n--- text:\n%s", err.text, text);
}

/* The line in err is the one its message names after "label:", 0 when
 * the message names none: the module logs err->line without parsing. */
static inline void expect_line(const struct vsym_error *err, const char *label, const char *msg)
{
	size_t n = strlen(label);
	unsigned want = 0;

	if (strncmp(msg, label, n) == 0 && msg[n] == ':')
		want = (unsigned)strtoul(msg + n + 1, NULL, 10);
	if (err->line != want)
		fail_msg("line %u, wanted %u, for \"%s\"", err->line, want, msg);
}

static inline void expect_system_error_len(const char *text, size_t len, const char *msg)
{
	struct vsym_policy p;
	struct vsym_error err = { .text = "" };

	if (load_system_len(&p, text, len, &err) == 0)
		fail_msg("accepted, wanted \"%s\"\n--- text:\n%s", msg, text);
	if (strcmp(err.text, msg) != 0)
		fail_msg("got    \"%s\"\nwanted \"%s\"\n--- text:\n%s", err.text, msg, text);
	expect_line(&err, SYS, msg);
	vsym_policy_free(&p);
}

static inline void expect_system_error(const char *text, const char *msg)
{
	expect_system_error_len(text, strlen(text), msg);
}

/* The user file is loaded on base_system; a refusal must leave it alone. */
static inline void expect_user_error_len(const char *text, size_t len, const char *msg)
{
	struct vsym_policy p;
	struct vsym_error err = { .text = "" };

	expect_system(&p, base_system);
	if (load_user_len(&p, text, len, &err) == 0)
		fail_msg("accepted, wanted \"%s\"\n--- text:\n%s", msg, text);
	if (strcmp(err.text, msg) != 0)
		fail_msg("got    \"%s\"\nwanted \"%s\"\n--- text:\n%s", err.text, msg, text);
	expect_line(&err, USR, msg);
	assert_false(p.user_loaded);
	vsym_policy_free(&p);
}

static inline void expect_user_error(const char *text, const char *msg)
{
	expect_user_error_len(text, strlen(text), msg);
}

struct error_case {
	const char *text;
	const char *msg;
};

#define run_system_errors(cases) \
	for (size_t i_ = 0; i_ < sizeof(cases) / sizeof(cases[0]); i_++) \
		expect_system_error(cases[i_].text, cases[i_].msg)

#define run_user_errors(cases) \
	for (size_t i_ = 0; i_ < sizeof(cases) / sizeof(cases[0]); i_++) \
		expect_user_error(cases[i_].text, cases[i_].msg)

#define NOT_ABS(w) "'" w "' is not an absolute path; start it with /, ~/ or $HOME"

#define TILDE_USER(w) "'" w "': '~user' is not supported; write ~/ for your own home or an absolute path"

#define DOTS(w) "'" w "' has a '.' or '..' component; write the path without it"

#define ONE_PATH(w) "'" w "': a bind names one path; patterns belong in allow rules"

#endif
