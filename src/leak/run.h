/* SPDX-License-Identifier: GPL-2.0 */
/* leak: the options and state its files share (src/leak*.c). */
#ifndef MEMTRACE_LEAK_RUN_H
#define MEMTRACE_LEAK_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/args.h"
#include "util/output.h"
#include "leak/child.h"
#include "leak/target.h"
#include "leak/regions.h"

struct leak_bpf;
struct usyms;
struct ksyms;

enum leak_format { LEAK_TEXT, LEAK_JSON, LEAK_FOLDED };

struct leak_opts {
	struct common_opts common;
	pid_t pid;			/* -p */
	char **cmd;			/* -- CMD ARGS (NULL-terminated) */
	const char *obj;		/* -O */
	const char *prefix;		/* --symbol-prefix, "" by default */
	enum leak_format format;
	uint64_t interval_ns;		/* 0: final report only */
	uint64_t duration_ns;
	uint64_t older_ns;		/* -o */
	uint64_t top;			/* -T */
	uint64_t min_size, max_size;	/* -z, -Z */
	uint64_t sample_rate;		/* -s */
	uint64_t stack_depth;
	uint64_t max_allocs, max_stacks;
	bool show_allocs;		/* -a */
	bool trace;			/* -t */
	bool combined;			/* -C */
	const char *output;		/* --output: the reports' file */
	const char *user;		/* --user: CMD runs as this user */
	/* Kernel mode: no -p, no command. */
	bool kernel;
	pid_t alloc_pid;		/* --alloc-pid */
	bool by_cache;			/* --by-cache */
	bool pages;			/* --pages */
	bool percpu;			/* --percpu */
	bool wa_missing_free;		/* --wa-missing-free */
};

struct leak_run {
	const struct leak_opts *o;
	struct leak_bpf *skel;
	struct regions regions;		/* from mmap/munmap/mremap events */
	struct usyms *usyms;
	struct ksyms *ksyms;		/* kernel mode */
	struct json json;
	uint64_t *frames;		/* one stack: o->stack_depth entries */
	pid_t pid;			/* the traced process */
	bool child;			/* started by memtrace (-- CMD) */
	bool gone;			/* the traced process has exited */
	uint64_t next_maps_ns;		/* -p: when to read its maps again */
	int child_status;
	struct run_as user;		/* --user */
};

/* The report every interval and at the end: outstanding allocations by
 * stack, then the losses. final: the process may have exited, and every
 * allocation still there is a leak whatever its age. */
int leak_report(struct leak_run *r, bool final);
/* The process exec'ed into image gen: forgets what the images before
 * it allocated, in the kernel's maps. */
void leak_forget_images(struct leak_run *r, uint16_t gen);
/* -t: one line per allocation and free. */
void leak_trace_event(struct leak_run *r, const void *event);

#endif /* MEMTRACE_LEAK_RUN_H */
