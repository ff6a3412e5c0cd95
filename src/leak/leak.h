/* SPDX-License-Identifier: GPL-2.0 */
/* memtrace leak: its options, as its table fills them. */
#ifndef MEMTRACE_LEAK_LEAK_H
#define MEMTRACE_LEAK_LEAK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/options.h"

enum leak_format { LEAK_TEXT, LEAK_JSON, LEAK_FOLDED };
/* --kind's values, in its choices' order. */
enum { LEAK_KIND_HEAP, LEAK_KIND_MMAP };

struct leak_opts {
	struct common_opts common;
	pid_t pid;			/* -p */
	char **cmd;			/* -- CMD ARGS (NULL-terminated) */
	const char *obj;		/* -O */
	const char *prefix;		/* --symbol-prefix, "" by default */
	int kind;			/* --kind: LEAK_KIND_HEAP or _MMAP;
					 * -1: both */
	enum leak_format format;	/* from --json, --folded */
	bool folded;			/* --folded */
	uint64_t interval_ns;		/* 0: final report only */
	uint64_t duration_ns;
	uint64_t older_ns;		/* -o */
	uint64_t top;			/* -T */
	uint64_t min_size, max_size;	/* -z, -Z */
	uint64_t sample_rate;		/* -s */
	uint64_t stack_depth;
	uint64_t max_allocs, max_stacks;
	uint64_t ringbuf_size;
	bool show_allocs;		/* -a */
	bool trace;			/* -t */
	bool combined;			/* -C */
	const char *output;		/* --output: the reports' file */
	const char *pprof;		/* --pprof: the profile's file */
	const char *user;		/* --user: CMD runs as this user */
	/* Kernel mode: no -p, no command. */
	bool kernel;
	pid_t alloc_pid;		/* --alloc-pid */
	bool by_cache;			/* --by-cache */
	bool pages;			/* --pages */
	bool percpu;			/* --percpu */
	bool wa_missing_free;		/* --wa-missing-free */
	/* The last option given that only a process ("-O", "--symbol-prefix")
	 * or only kernel mode (--pages...) takes: what a usage error names. */
	const char *process_opt;
	const struct mt_opt *kernel_opt;
};

extern const struct mt_cli leak_cli;
int leak_main(void *opts, char **rest, int nrest);

#endif /* MEMTRACE_LEAK_LEAK_H */
