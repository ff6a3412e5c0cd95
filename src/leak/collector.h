/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leak's collector: the BPF side of outstanding allocations, loaded and
 * attached (uprobes on a process's allocator, or the kernel's kmem
 * tracepoints through their hook chain), with the mappings its ring
 * buffer reports. It prints nothing: leak/snapshot.h reads what it holds
 * into plain structs, which the CLI and `serve` render.
 */
#ifndef MEMTRACE_LEAK_COLLECTOR_H
#define MEMTRACE_LEAK_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "memtrace/leak.h"

struct leak_libs;

struct leak_config {
	bool kernel;			/* the kernel's allocations, not a
					 * process's */
	pid_t pid;			/* the process traced; kernel mode:
					 * only its allocations (0: all) */
	const char *prefix;		/* the allocator's functions: prefix
					 * + malloc... ("" for libc's) */
	bool pages, percpu;		/* kernel mode: page and per-CPU
					 * allocations too */
	bool wa_missing_free;		/* kernel mode: an address allocated
					 * again counts as freed */
	uint64_t min_size, max_size;	/* only sizes in [min, max] */
	uint64_t sample_rate;		/* about one allocation in N */
	uint64_t stack_depth;		/* frames per stack, at most
					 * LEAK_MAX_STACK_DEPTH */
	uint64_t max_allocs, max_stacks;
	uint64_t ringbuf_size;
	bool combined;			/* per-stack totals only, no blocks */
	bool heap, mmap;		/* a process: the malloc family's
					 * blocks, its mappings (--kind) */
	bool trace;			/* every allocation and free crosses
					 * the ring buffer */
	bool cumulative;		/* what each stack allocated since the
					 * start is kept (leak_totals_read) */
};

struct leak_collector;
struct bpf_object;

/*
 * Loads and attaches: kernel mode through the hook chain (tp_btf, then
 * classic tracepoints); for a process, uprobes on the files of libs
 * (leak/target.h), which must then be of cfg->pid. NULL after an error
 * naming what failed.
 */
struct leak_collector *leak_collector_open(const struct leak_config *cfg,
					   const struct leak_libs *libs);
void leak_collector_close(struct leak_collector *c);

/* The ring buffer's map: records are struct leak_event. */
int leak_collector_events_fd(const struct leak_collector *c);

/*
 * One ring-buffer record: the mappings it changes are applied, and after
 * LEAK_EV_EXEC what the images before allocated is forgotten. Returns the
 * event, or NULL when the record is too short to be one.
 */
const struct leak_event *leak_collector_event(struct leak_collector *c,
					      const void *data, size_t size);

/* Its BPF object (serve reads its programs' run time). */
struct bpf_object *leak_collector_object(const struct leak_collector *c);

#endif /* MEMTRACE_LEAK_COLLECTOR_H */
