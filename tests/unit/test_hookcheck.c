// SPDX-License-Identifier: GPL-2.0
// Tests for src/core/hookcheck.c: walking a hook's chain with its checks,
// as the commands and `memtrace probe` do, without a kernel.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "core/hookcheck.h"
#include "tap.h"

/* A fake check: answers from a script indexed by method, counts calls. */
static int answers[HOOK_NR + 1];
static int calls[HOOK_NR + 1];

static int fake_check(enum hook h, char *why, size_t len)
{
	calls[h]++;
	if (answers[h])
		return hook_unavailable(why, len, "%s is out", hook_name(h));
	snprintf(why, len, "%s works", h == HOOK_NR ? "fixed" : hook_name(h));
	return 0;
}

static void reset(void)
{
	memset(answers, 0, sizeof(answers));
	memset(calls, 0, sizeof(calls));
}

static const struct hook_desc chain3 = {
	.what = "vfs_getattr_nosec",
	.chain = { HOOK_FENTRY, HOOK_KPROBE, HOOK_TEST_RUN },
	.chain_len = 3,
	.check = fake_check,
};

static void test_chain(void)
{
	struct hook_verdict v[HOOK_MAX_METHODS];
	int nv, chosen;

	reset();
	chosen = hook_desc_check(&chain3, 0, v, &nv);
	ok(chosen == 0 && nv == 1 && !strcmp(v[0].method, "fentry") &&
	   !strcmp(v[0].why, "fentry works") && !calls[HOOK_KPROBE],
	   "the first method that passes is chosen; later ones are not asked");

	reset();
	answers[HOOK_FENTRY] = answers[HOOK_KPROBE] = 1;
	chosen = hook_desc_check(&chain3, 0, v, &nv);
	ok(chosen == 2 && nv == 3 && v[0].err == HOOK_UNAVAILABLE &&
	   !strcmp(v[0].why, "fentry is out") && !strcmp(v[1].why, "kprobe is out") &&
	   !strcmp(v[2].method, "test_run"),
	   "each method ruled out keeps its reason, in the chain's order");

	reset();
	chosen = hook_desc_check(&chain3, 1u << HOOK_FENTRY, v, &nv);
	ok(chosen == 1 && nv == 2 && v[0].disabled && !calls[HOOK_FENTRY] &&
	   !v[1].disabled, "a disabled method is marked and never checked");

	reset();
	answers[HOOK_FENTRY] = answers[HOOK_KPROBE] = answers[HOOK_TEST_RUN] = 1;
	chosen = hook_desc_check(&chain3, 0, v, &nv);
	ok(chosen == -1 && nv == 3, "none passes: -1, every verdict kept");
}

static const struct hook_set user = {
	.cmd = "leak",
	.mode = "user",
	.hooks = {
		{ .what = "allocator functions", .fixed = "uprobe",
		  .check = fake_check },
		{ .what = "kmem", .chain = { HOOK_TP_BTF }, .chain_len = 1,
		  .check = fake_check },
	},
	.n = 2,
};

static void test_fixed(void)
{
	struct hook_verdict v[HOOK_MAX_METHODS];
	char why[HOOK_WHY_LEN];
	int nv, chosen;

	reset();
	chosen = hook_desc_check(&user.hooks[0], ~0u, v, &nv);
	ok(chosen == 0 && nv == 1 && !strcmp(v[0].method, "uprobe") &&
	   !v[0].disabled && calls[HOOK_NR] == 1,
	   "a fixed hook has one method, which MEMTRACE_DISABLE does not touch");

	reset();
	ok(!hook_set_check(&user, why, sizeof(why)) && !calls[HOOK_TP_BTF],
	   "hook_set_check: every fixed hook passes (chains are not its job)");
	answers[HOOK_NR] = 1;
	ok(hook_set_check(&user, why, sizeof(why)) == HOOK_UNAVAILABLE &&
	   !strcmp(why, "allocator functions: ? is out"),
	   "hook_set_check: the first fixed hook out, named with its reason");
}

static void test_probed(void)
{
	char why[HOOK_WHY_LEN];

	ok(!hook_probed(0, why, sizeof(why), "yes", "none", "fentry") &&
	   !strcmp(why, "yes"), "hook_probed(0): the ok text");
	ok(hook_probed(-EOPNOTSUPP, why, sizeof(why), "yes", "none", "fentry") ==
	   HOOK_UNAVAILABLE && !strcmp(why, "none"),
	   "hook_probed(-EOPNOTSUPP): the missing text");
	ok(hook_probed(-EPERM, why, sizeof(why), "yes", "none", "fentry") ==
	   HOOK_UNAVAILABLE && !strcmp(why, "fentry refused: Operation not permitted"),
	   "hook_probed(-EPERM): what was refused, and the error");
}

int main(void)
{
	test_chain();
	test_fixed();
	test_probed();
	return tap_done();
}
