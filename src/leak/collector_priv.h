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

struct bpf_program;
struct leak_bpf;
struct leak_probes;

struct leak_collector {
	struct leak_config cfg;
	struct leak_bpf *skel;
	struct regions regions;		/* from mmap/munmap/mremap events */
	struct leak_probes *probes;	/* a process: the uprobes' links */
	uint64_t *stack_buf;		/* a stacks map value */
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

#endif /* MEMTRACE_LEAK_COLLECTOR_PRIV_H */
