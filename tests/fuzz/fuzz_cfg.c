/* libFuzzer target for the configuration loader and the policy judged from
 * it. Input: a system file, then optionally "\n%%\n" and a user file. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "policy.h"

#define SEPARATOR "\n%%\n"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 leaks a string token when a syntax error follows it (the
 * buffer from its scanner's strbuf_append, or an empty "" from yylex); not
 * ours to fix. Whatever else leaks, settings from a forgotten
 * config_destroy() included, is still reported. */
const char *__lsan_default_suppressions(void)
{
	return "leak:strbuf_append\nleak:libconfig_yylex\n";
}

static char name[] = "alice", home[] = "/home/alice", shell[] = "/bin/sh";
static char group0[] = "alice", group1[] = "staff";
static gid_t gids[] = { 1000, 50 };
static char *group_names[] = { group0, group1 };
static const struct vsym_user alice = {
	.name = name, .home = home, .shell = shell, .uid = 1000, .gid = 1000,
	.gids = gids, .ngids = 2, .group_names = group_names,
};

/* Paths a policy is likely to name, and some it must never allow. */
static const char *const targets[] = {
	"/home/alice/gos", "/home/alice/opt/node", "/home/alice/x/y", "/etc",
	"/home/alice/../bob", "/", "/opt/go/1.22",
};
static const char *const sources[] = {
	"/home/alice/.gos/go1.22.0", "/opt/go/1.22", "/home/alice/.versions/a/b",
	"/etc/shadow", "/home/alice/.gos/../../bob", "/",
};

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "invariant broken: %s\n", what);
		abort();
	}
}

static void decide_all(const struct vsym_policy *p)
{
	struct vsym_verdict v;

	for (size_t t = 0; t < sizeof(targets) / sizeof(targets[0]); t++)
		for (size_t s = 0; s < sizeof(sources) / sizeof(sources[0]); s++) {
			vsym_policy_decide(p, targets[t], sources[s], &v);
			check(v.reason[0] != '\0', "a verdict gives its reason");
			check(!v.allowed || v.rule != NULL, "an allowed bind names its rule");
			/* A ".." path never matches, whatever the rules say. */
			check(!v.allowed || (strstr(targets[t], "..") == NULL && strstr(sources[s], "..") == NULL),
			      "a path with '..' is never allowed");
		}
}

/* The session defaults hold one bind per target, at most max_binds, each
 * judged like any other bind. */
static void defaults_all(const struct vsym_policy *p)
{
	struct vsym_bind_list list;
	struct vsym_verdict v;
	struct vsym_error err;

	if (vsym_policy_session_defaults(p, &list, &err) < 0)
		return;
	check(list.n <= p->max_binds, "no more than max_binds binds");
	for (size_t i = 0; i < list.n; i++) {
		for (size_t j = i + 1; j < list.n; j++)
			check(strcmp(list.binds[i].target, list.binds[j].target) != 0, "one bind per target");
		vsym_policy_decide(p, list.binds[i].target, list.binds[i].source, &v);
	}
	vsym_bind_list_free(&list);
}

static void variants_all(const struct vsym_policy *p)
{
	for (size_t i = 0; i < p->nvariants; i++) {
		char *s = vsym_variant_source(&p->variants[i], "1.0");

		check(s != NULL, "a variant source is made");
		check(vsym_policy_variant(p, p->variants[i].name) != NULL, "a variant is found by name");
		free(s);
	}
}

/* What a refused user file must leave exactly as it was. */
struct shape {
	size_t nbinds, nvariants;
	bool user_loaded;
	const char *user_label;
};

static struct shape shape_of(const struct vsym_policy *p)
{
	return (struct shape){ p->nbinds, p->nvariants, p->user_loaded, p->label[VSYM_ORIGIN_USER] };
}

static void load_user_part(struct vsym_policy *p, const char *text, size_t len)
{
	struct vsym_error err = { .text = "" };
	struct shape before = shape_of(p), after;

	if (vsym_cfg_load_user(p, "/home/alice/.vsymrc", text, len, &alice, &err) == 0)
		return;
	after = shape_of(p);
	check(err.text[0] != '\0', "a refusal says why");
	check(before.nbinds == after.nbinds && before.nvariants == after.nvariants &&
	      before.user_loaded == after.user_loaded && before.user_label == after.user_label,
	      "a refused user file changes nothing");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	const char *sep = memmem(text, size, SEPARATOR, strlen(SEPARATOR));
	size_t system_len = sep ? (size_t)(sep - text) : size;
	struct vsym_policy policy;
	struct vsym_error err = { .text = "" };

	memset(&policy, 0, sizeof(policy));
	if (vsym_cfg_load_system(&policy, "/etc/vsym.conf", text, system_len, &alice, &err) == 0) {
		if (sep != NULL)
			load_user_part(&policy, sep + strlen(SEPARATOR),
				       size - system_len - strlen(SEPARATOR));
		(void)vsym_policy_applies_to(&policy, &alice);
		decide_all(&policy);
		defaults_all(&policy);
		variants_all(&policy);
	} else {
		check(err.text[0] != '\0', "a refusal says why");
	}
	vsym_policy_free(&policy);
	return 0;
}
