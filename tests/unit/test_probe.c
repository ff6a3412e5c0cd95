// SPDX-License-Identifier: GPL-2.0
// Tests for src/core/hooks.c: hook names, MEMTRACE_DISABLE lists and the fallback chain.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/log.h"
#include "core/hooks.h"
#include "capture.h"
#include "tap.h"

static void test_hook_name(void)
{
	static const char *const want[HOOK_NR] = {
		[HOOK_TP_BTF] = "tp_btf",
		[HOOK_TRACEPOINT] = "tracepoint",
		[HOOK_RAW_TP] = "raw_tp",
		[HOOK_FENTRY] = "fentry",
		[HOOK_KPROBE] = "kprobe",
		[HOOK_TEST_RUN] = "test_run",
		[HOOK_TASK_STORAGE] = "task_storage",
		[HOOK_HASH] = "hash",
		[HOOK_UPROBE_MULTI] = "uprobe_multi",
		[HOOK_UPROBE] = "uprobe",
	};

	for (int h = 0; h < HOOK_NR; h++)
		ok(hook_name(h) && !strcmp(hook_name(h), want[h]),
		   "hook_name(%d) = \"%s\"", h, want[h]);
	ok(!strcmp(hook_name(HOOK_NR), "?"), "hook_name(HOOK_NR) = \"?\"");
}

/* hook_parse_list(s) succeeds with mask want. */
static void check_list(const char *s, unsigned want)
{
	unsigned mask = 0xdead;
	char bad[32] = "";
	int err = hook_parse_list(s, &mask, bad, sizeof(bad));

	if (!ok(!err && mask == want, "hook_parse_list(\"%s\") = %#x", s, want))
		printf("#   returned %d, mask %#x, bad \"%s\"\n", err, mask, bad);
}

/* hook_parse_list(s) fails with -EINVAL and names want_bad. */
static void check_list_bad(const char *s, const char *want_bad)
{
	unsigned mask;
	char bad[32] = "";
	int err = hook_parse_list(s, &mask, bad, sizeof(bad));

	if (!ok(err == -EINVAL && !strcmp(bad, want_bad),
		"hook_parse_list(\"%s\"): -EINVAL, bad \"%s\"", s, want_bad))
		printf("#   returned %d, bad \"%s\"\n", err, bad);
}

static void test_parse_list(void)
{
	char bad[4];
	unsigned mask;
	int err;

	check_list("", 0);
	check_list("tp_btf", 1u << HOOK_TP_BTF);
	check_list("tp_btf,kprobe", 1u << HOOK_TP_BTF | 1u << HOOK_KPROBE);
	check_list("fentry,", 1u << HOOK_FENTRY);
	check_list(",raw_tp", 1u << HOOK_RAW_TP);
	check_list("tracepoint,,tracepoint", 1u << HOOK_TRACEPOINT);
	check_list("tp_btf,tracepoint,raw_tp,fentry,kprobe,test_run,task_storage,hash,"
		   "uprobe_multi,uprobe",
		   (1u << HOOK_NR) - 1);

	check_list_bad("tp_btf,bogus", "bogus");
	check_list_bad("bogus,tp_btf", "bogus");
	check_list_bad("tp", "tp");
	check_list_bad("tp_btfx", "tp_btfx");
	check_list_bad("kprobe,fentry,raw", "raw");
	check_list_bad("tp_btf ", "tp_btf ");

	err = hook_parse_list("verylongname", &mask, bad, sizeof(bad));
	ok(err == -EINVAL && !strcmp(bad, "ver"),
	   "hook_parse_list cuts the bad name to fit badlen");
}

/* A fake loader: records what it was asked, answers from a script. */
struct fake {
	int results[HOOK_NR];	/* answer to the i-th call */
	enum hook calls[HOOK_NR];
	int ncalls;
};

static int fake_try(void *ctx, enum hook h)
{
	struct fake *f = ctx;

	if (f->ncalls >= HOOK_NR)
		return -E2BIG;
	f->calls[f->ncalls] = h;
	return f->results[f->ncalls++];
}

static const enum hook chain[] = { HOOK_TP_BTF, HOOK_RAW_TP, HOOK_KPROBE };

/* hook_attach("sched_process_exec", chain...) with stderr in msg, under
 * MEMTRACE_DISABLE=disable (NULL: unset). */
static int attach(struct fake *f, int n, const char *disable, char *msg,
		  size_t len)
{
	struct capture cap;
	int ret;

	if (disable)
		setenv("MEMTRACE_DISABLE", disable, 1);
	capture_start(&cap);
	ret = hook_attach("sched_process_exec", chain, n, fake_try, f);
	capture_end(&cap, msg, len);
	unsetenv("MEMTRACE_DISABLE");
	return ret;
}

static void test_attach(void)
{
	struct fake f;
	char msg[512], want[512];
	int ret;

	log_set_cmd("test");
	log_set_verbose(0);
	unsetenv("MEMTRACE_DISABLE");

	f = (struct fake){ .results = { 0 } };
	ret = attach(&f, 3, NULL, msg, sizeof(msg));
	ok(ret == HOOK_TP_BTF && f.ncalls == 1 && f.calls[0] == HOOK_TP_BTF &&
	   !msg[0], "first method works: it is used, nothing else is tried");

	f = (struct fake){ .results = { HOOK_UNAVAILABLE, 0 } };
	ret = attach(&f, 3, NULL, msg, sizeof(msg));
	ok(ret == HOOK_RAW_TP && f.ncalls == 2 && f.calls[0] == HOOK_TP_BTF &&
	   f.calls[1] == HOOK_RAW_TP && !msg[0],
	   "first unavailable: the second is used, quietly");

	f = (struct fake){ .results = { -EPERM, 0 } };
	ret = attach(&f, 3, NULL, msg, sizeof(msg));
	ok(ret == HOOK_RAW_TP && f.ncalls == 2 && f.calls[1] == HOOK_RAW_TP &&
	   !msg[0], "first fails with -EPERM: the second is used, quietly");

	f = (struct fake){ .results = { -EPERM, 0 } };
	log_set_verbose(1);
	ret = attach(&f, 3, NULL, msg, sizeof(msg));
	log_set_verbose(0);
	ok(ret == HOOK_RAW_TP &&
	   strstr(msg, "sched_process_exec: tp_btf failed: Operation not permitted"),
	   "with -v, the failure of the first method is shown");

	f = (struct fake){ .results = { HOOK_UNAVAILABLE, -EPERM, -ENOENT } };
	ret = attach(&f, 3, NULL, msg, sizeof(msg));
	snprintf(want, sizeof(want),
		 "memtrace test: cannot attach to sched_process_exec: %s (-v shows why)\n",
		 strerror(ENOENT));
	ok(ret == -1 && f.ncalls == 3, "all fail: -1 after trying each once");
	if (!ok(!strcmp(msg, want), "all fail: one error naming what, with the last errno"))
		printf("#   got \"%s\"\n", msg);

	f = (struct fake){ .results = { HOOK_UNAVAILABLE, HOOK_UNAVAILABLE,
					HOOK_UNAVAILABLE } };
	ret = attach(&f, 3, NULL, msg, sizeof(msg));
	ok(ret == -1 && f.ncalls == 3 && strstr(msg, "sched_process_exec") &&
	   strstr(msg, "no hook method available"),
	   "all unavailable: -1, error names what and says none is available");

	f = (struct fake){ .results = { 0 } };
	ret = attach(&f, 0, NULL, msg, sizeof(msg));
	ok(ret == -1 && f.ncalls == 0 && strstr(msg, "sched_process_exec"),
	   "empty chain: -1 and an error");

	f = (struct fake){ .results = { 0 } };
	ret = attach(&f, 3, "tp_btf", msg, sizeof(msg));
	ok(ret == HOOK_RAW_TP && f.ncalls == 1 && f.calls[0] == HOOK_RAW_TP &&
	   !msg[0], "MEMTRACE_DISABLE=tp_btf: tp_btf skipped without a try");

	f = (struct fake){ .results = { -EINVAL, 0 } };
	ret = attach(&f, 3, "kprobe,tp_btf", msg, sizeof(msg));
	ok(ret == -1 && f.ncalls == 1 && f.calls[0] == HOOK_RAW_TP &&
	   strstr(msg, "cannot attach to sched_process_exec"),
	   "MEMTRACE_DISABLE=kprobe,tp_btf: only raw_tp tried, and it fails");

	f = (struct fake){ .results = { 0 } };
	ret = attach(&f, 3, "tp_btf,raw_tp,kprobe", msg, sizeof(msg));
	ok(ret == -1 && f.ncalls == 0 &&
	   strstr(msg, "disabled by MEMTRACE_DISABLE"),
	   "every method disabled: -1, and the error says MEMTRACE_DISABLE did it");

	f = (struct fake){ .results = { 0 } };
	ret = attach(&f, 3, "bogus", msg, sizeof(msg));
	ok(ret == -1 && f.ncalls == 0, "MEMTRACE_DISABLE=bogus: -1, try never called");
	if (!ok(strstr(msg, "MEMTRACE_DISABLE") && strstr(msg, "'bogus'"),
		"MEMTRACE_DISABLE=bogus: the error names 'bogus'"))
		printf("#   got \"%s\"\n", msg);

	f = (struct fake){ .results = { 0 } };
	ret = attach(&f, 3, "", msg, sizeof(msg));
	ok(ret == HOOK_TP_BTF && f.ncalls == 1 && !msg[0],
	   "MEMTRACE_DISABLE empty: nothing disabled");
}

int main(void)
{
	test_hook_name();
	test_parse_list();
	test_attach();
	return tap_done();
}
