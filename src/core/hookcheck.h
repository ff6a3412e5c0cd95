/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a command hooks, and how this kernel lets it, told before anything
 * of the command is loaded. Each command describes its hooks in
 * src/<cmd>/hooks.c: a fallback chain of methods (the one hook_attach()
 * walks) or a single fixed way, with a check that rules a method out and
 * says why. The command runs the check before it loads anything for a
 * method; `memtrace probe` runs the same checks and prints what they say.
 */
#ifndef MEMTRACE_CORE_HOOKCHECK_H
#define MEMTRACE_CORE_HOOKCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <bpf/bpf.h>
#include "core/hooks.h"
#include "core/log.h"

#define HOOK_WHY_LEN 160
#define HOOK_MAX_METHODS 4	/* in a chain */
#define HOOK_SET_MAX 3		/* hooks of a command's mode */

struct hook_desc {
	const char *what;		/* "kmem:kmalloc" */
	/* The fallback chain, most wanted first; MEMTRACE_DISABLE applies. */
	enum hook chain[HOOK_MAX_METHODS];
	int chain_len;
	/* Or, without a chain (chain_len 0), the one way there is
	 * ("uprobe"). */
	const char *fixed;
	/*
	 * Whether method h (HOOK_NR: the fixed way) can work here: 0, and
	 * why may say how ("6.1+ arguments"); or HOOK_UNAVAILABLE, and why
	 * says why not. why is always written.
	 */
	int (*check)(enum hook h, char *why, size_t len);
};

/* A command's hooks, or those of one of its modes. */
struct hook_set {
	const char *cmd;
	const char *mode;		/* "user", or NULL */
	const char *mode_help;		/* "user space: -p PID, -- CMD" */
	struct hook_desc hooks[HOOK_SET_MAX];
	int n;
};

/* What the check of one method said. */
struct hook_verdict {
	const char *method;
	bool disabled;			/* by MEMTRACE_DISABLE: not checked */
	int err;			/* the check's result */
	char why[HOOK_WHY_LEN];
};

/*
 * Checks d's methods in the order hook_attach() tries them, until one
 * passes; v[0..*nv) is what each said. disabled: from hook_disabled().
 * Returns the index in v of the method this kernel gives, or -1.
 */
int hook_desc_check(const struct hook_desc *d, unsigned disabled,
		    struct hook_verdict *v, int *nv);

/* Every fixed hook of s works here: 0, or HOOK_UNAVAILABLE with why
 * naming the first that does not. */
int hook_set_check(const struct hook_set *s, char *why, size_t len);

/* Writes why; returns HOOK_UNAVAILABLE. */
int hook_unavailable(char *why, size_t len, const char *fmt, ...) PRINTF(3, 4);
/* What a probe_*() said, for a check: 0 and why = ok; HOOK_UNAVAILABLE
 * and why = missing (-ENOENT, -EOPNOTSUPP), or "<what> refused: <error>". */
int hook_probed(int err, char *why, size_t len, const char *ok,
		const char *missing, const char *what);

/* tp_btf: the kernel has BTF for each event. */
int tp_btf_check(const char *const *events, int n, char *why, size_t len);
/* Classic tracepoints: tracefs is mounted and has each event of
 * category, or it is not mounted and tracefs_ensure() can mount it. */
int tracepoint_check(const char *category, const char *const *events, int n,
		     char *why, size_t len);

/* Loads "r0 = 0; exit" as a program of type type: its fd, or -errno. */
int probe_prog_load(enum bpf_prog_type type,
		    const struct bpf_prog_load_opts *opts);
/*
 * Kernel features, asked with a program or map of a few bytes that is
 * closed at once, once a run: 0, or -errno (-EOPNOTSUPP: this kernel has
 * no such thing; -EPERM: it refused).
 */
int probe_test_run(void);	/* BPF_PROG_TEST_RUN on raw_tp (5.10+) */
int probe_task_storage(void);	/* task storage in tracing programs (5.11+) */
int probe_atomics(void);	/* BPF compare-and-exchange (5.12+) */

#endif /* MEMTRACE_CORE_HOOKCHECK_H */
