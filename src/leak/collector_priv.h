/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the collector's files share (collector.c, uprobes.c, kmem.c,
 * snapshot.c): the state behind struct leak_collector. Nothing else
 * includes it.
 */
#ifndef MEMTRACE_LEAK_COLLECTOR_PRIV_H
#define MEMTRACE_LEAK_COLLECTOR_PRIV_H

#include <stdbool.h>
#include "leak/collector.h"
#include "leak/regions.h"
#include "leak/slots.h"
#include "leak/snapshot.h"

struct bpf_program;
struct leak_bpf;
struct leak_probes;

/* The mappings' totals since the start (cfg.cumulative), kept here:
 * mappings are tracked from events, not in the kernel. */
struct leak_map_totals {
	struct leak_total *v;
	size_t n, cap;
};

struct leak_collector {
	struct leak_config cfg;
	struct leak_bpf *skel;
	struct regions regions;		/* from mmap/munmap/mremap events */
	struct leak_probes *probes;	/* a process: the uprobes' links */
	uint64_t *stack_buf;		/* a stacks map value */
	struct leak_map_totals map_totals;
	struct leak_slots slots;	/* alloc_slots, mapped (if in use) */
};

/* The skeleton opened with the configuration in its rodata and map
 * sizes; NULL with errno set. */
struct leak_bpf *leak_bpf_open(const struct leak_collector *c);
/* A program of a process's mode (uprobes, the exec raw tracepoint). */
bool leak_prog_is_process(struct bpf_program *p);

/* uprobes.c: finds the entry points in libs, loads, attaches: 0, or -1
 * after an error naming what failed. */
int leak_uprobes_attach(struct leak_collector *c, const struct leak_libs *libs);
void leak_uprobes_detach(struct leak_collector *c);

/* kmem.c: loads and attaches kernel mode through its hook chain: 0, or
 * -1 after an error. */
int leak_kmem_attach(struct leak_collector *c);

/* snapshot.c: the process exec'ed into image gen: forgets what the images
 * before it allocated, in the kernel's maps. */
void leak_forget_images(struct leak_collector *c, uint16_t gen);

/* totals.c: a mapping made (mmap) or moved (mremap), counted; the
 * mappings' totals forgotten (an exec); the memory, freed. */
void leak_totals_map(struct leak_collector *c, const struct leak_event *e);
void leak_totals_forget(struct leak_collector *c);
void leak_totals_free(struct leak_collector *c);

#endif /* MEMTRACE_LEAK_COLLECTOR_PRIV_H */
