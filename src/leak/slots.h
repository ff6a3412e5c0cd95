/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leak: a process's outstanding blocks in the BPF side's table of slots
 * (alloc_slots: include/memtrace/leak.h), sized before load and read
 * through a mapping of the map.
 */
#ifndef MEMTRACE_LEAK_SLOTS_H
#define MEMTRACE_LEAK_SLOTS_H

#include <stddef.h>
#include <stdint.h>
#include "memtrace/leak.h"

struct leak_bpf;

struct leak_slots {
	struct leak_slot *v;	/* NULL: the blocks are in allocs */
	size_t n;
};

/* Before load: room for max_allocs blocks in the table (twice as many
 * slots, a power of two, so that chains stay short), or, with 0, the
 * blocks kept in the allocs hash map. */
void leak_slots_size(struct leak_bpf *skel, uint64_t max_allocs);

/* After load: maps the table if the programs use it. 0 or -errno. */
int leak_slots_map(struct leak_slots *s, struct leak_bpf *skel);
void leak_slots_unmap(struct leak_slots *s);

/* Calls fn for each block in the table (a consistent copy of it). */
typedef void (*leak_slot_fn)(void *ctx, uint64_t addr,
			     const struct leak_alloc *a);
void leak_slots_each(const struct leak_slots *s, leak_slot_fn fn, void *ctx);

/* Frees the slots of blocks made in images before gen (gen wraps at 16
 * bits); the BPF side never touches those. */
void leak_slots_forget(struct leak_slots *s, uint16_t gen);

#endif /* MEMTRACE_LEAK_SLOTS_H */
