/* SPDX-License-Identifier: GPL-2.0 */
/* leak: a stack's frames as every report shows them (text, JSON, folded,
 * pprof), and the kind of memory an allocation is. */
#ifndef MEMTRACE_LEAK_FRAMES_H
#define MEMTRACE_LEAK_FRAMES_H

#include <stdbool.h>
#include <stdint.h>
#include "leak/snapshot.h"

struct ksyms;

/*
 * g's stack into frames (the config's stack_depth of them): how many, 0
 * if it was not kept. Kernel stacks start at the allocator: the tracing
 * machinery's frames above it are left out (ks tells them by name).
 */
int leak_frames_read(struct leak_collector *c, const struct ksyms *ks,
		     bool kernel, const struct leak_group *g, uint64_t *frames);

/*
 * What kind of memory an allocation of class cls (enum leak_class) and
 * kind (enum leak_kind) is, as the profiles label it: "heap" (the malloc
 * family, C++ new) or "mmap" (mmap, mremap) in a process; "kmalloc",
 * "slab", "pages" or "percpu" in the kernel ("kernel" with -C, which
 * keeps no kind).
 */
const char *leak_memory_label(unsigned cls, unsigned kind);

#endif /* MEMTRACE_LEAK_FRAMES_H */
