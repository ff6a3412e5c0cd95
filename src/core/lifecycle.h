/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One command, start to end: host checks, the command's own preparation,
 * attaching through its hook chain, the loop over its ring buffer, the
 * final report and the teardown. A command fills a struct mt_run with
 * what is its own; everything else is done here, the same for all.
 */
#ifndef MEMTRACE_CORE_LIFECYCLE_H
#define MEMTRACE_CORE_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/hooks.h"

struct ring_buffer;

struct mt_run {
	void *ctx;			/* the command's state, for every call */
	bool ringbuf;			/* it streams: the host needs a BPF
					 * ring buffer (5.8+) */
	pid_t pid;			/* -p: a live process, checked after
					 * the host (mt_check_target()); 0:
					 * none */
	/* After the host checks, before attaching (targets, symbols):
	 * 0, or the exit status after an error. May be NULL. */
	int (*prepare)(void *ctx);
	/* The hook chain: try(ctx, h) loads and attaches with method h. */
	const char *hook_what;		/* "sched_process_exec/exit" */
	const enum hook *chain;
	int chain_len;
	int (*try_attach)(void *ctx, enum hook h);
	/* After attaching: the ring buffer map's fd to poll (or -1), and 0,
	 * or the exit status after an error. May be NULL. */
	int (*start)(void *ctx, int *events_fd);
	int (*on_event)(void *ctx, void *data, size_t size);
	/* Instead of the loop, for a command that does its work at once
	 * and reports (filecache): the exit status to end with once the
	 * report is written, 0 or 1 (some of the work failed). */
	int (*run_once)(void *ctx);
	/* The loop (see core/loop.h). */
	uint64_t interval_ns, duration_ns;
	int (*on_tick)(void *ctx);
	bool (*should_stop)(void *ctx);
	/* After the loop, before the final report: may run the loop again
	 * (leak waits for its command); returns the loop's end. May be
	 * NULL. */
	int (*after_loop)(void *ctx, struct ring_buffer *rb, int end);
	void (*final_report)(void *ctx);
	/* What the command allocated and loaded. May be NULL. */
	void (*teardown)(void *ctx);
};

/* A live target for -p, or an error naming why not (what: "process",
 * "thread"; user_space: a kernel thread will not do). */
bool mt_check_target(pid_t pid, const char *what, bool user_space);

/* Runs the command; returns its exit status (0, 1). */
int mt_run(const struct mt_run *run);

#endif /* MEMTRACE_CORE_LIFECYCLE_H */
