/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What leak's collector holds, read at one moment into plain structs:
 * the outstanding allocations (and mappings), grouped by stack, and the
 * losses. Needs no CLI: the reports and `serve` read the same.
 */
#ifndef MEMTRACE_LEAK_SNAPSHOT_H
#define MEMTRACE_LEAK_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "memtrace/leak.h"

struct leak_collector;

/*
 * What an allocation is: a block of the malloc family or C++ new (what
 * valgrind, heaptrack and malloc_stats count), a mapping the process made
 * with mmap or mremap, or (kernel mode) one of the kernel's.
 */
enum leak_class { LEAK_CLASS_HEAP, LEAK_CLASS_MMAP, LEAK_CLASS_KERNEL };

/* "heap", "mmap", "kernel". */
const char *leak_class_name(enum leak_class cls);

/* A stack: LEAK_STACK_KEY set, it was kept (leak_stack_read() reads it);
 * else why not (LEAK_STACK_MISSING, _FULL, _COLLIDED). */
static inline bool leak_stack_kept(uint64_t stack)
{
	return stack & LEAK_STACK_KEY;
}

/* One outstanding allocation or mapping. */
struct leak_item {
	uint64_t addr, size, ts_ns;	/* ts_ns: CLOCK_MONOTONIC */
	uint64_t count;			/* allocations: 1; a mapping's later
					 * pieces 0; combined, the stack's */
	uint64_t cache;			/* kernel: its slab cache's key */
	uint64_t stack;			/* see leak_stack_kept() */
	uint16_t kind;			/* enum leak_kind (0 for a mapping) */
	uint16_t flags;			/* LEAK_KMALLOC_* */
	uint8_t cls;			/* enum leak_class */
};

/* The allocations of one stack and class: a stack that made both heap
 * blocks and mappings is two groups. */
struct leak_group {
	uint64_t stack;
	uint8_t cls;			/* enum leak_class */
	uint64_t bytes, count;
	size_t first, n;		/* its items */
};

struct leak_snapshot {
	struct leak_item *items;	/* by stack, then largest first */
	size_t nr_items, cap;
	struct leak_group *groups;	/* most bytes first */
	size_t nr_groups;
	uint64_t bytes, count;		/* in all */
	uint64_t heap_bytes, heap_count;	/* LEAK_CLASS_HEAP's part */
	uint64_t mmap_bytes, mmap_count;	/* LEAK_CLASS_MMAP's part */
	bool oom;
};

/*
 * Reads the outstanding allocations of the process's current image (or
 * the kernel's) made at least older_ns ago (0: all), and the mappings,
 * and groups them by stack. 0, or a negative errno (s is then to be freed
 * all the same).
 */
int leak_snapshot_take(struct leak_collector *c, uint64_t older_ns,
		       struct leak_snapshot *s);
void leak_snapshot_free(struct leak_snapshot *s);

/* What could not be counted, or not with its stack (enum leak_loss). */
struct leak_losses {
	uint64_t map_full;		/* allocations: the allocs map full */
	uint64_t ringbuf;		/* events: the ring buffer full */
	uint64_t thread_state;		/* calls: no per-thread state */
	/* Allocations counted, their stack not kept: */
	uint64_t stack_full;		/* the stacks map was full */
	uint64_t stack_missing;		/* it could not be read */
	uint64_t stack_collision;	/* every key its hash may take held
					 * another stack (never seen) */
	uint64_t untracked_frees;	/* frees of blocks never seen */
	bool regions_oom;		/* mappings not stored: no memory */
};

void leak_losses_read(struct leak_collector *c, struct leak_losses *l);

/*
 * A group's stack into frames (the config's stack_depth of them), ending
 * at the first address that cannot be a return address; frame 0 is the
 * allocator's caller (C++ new's, for a block new made). How many (0 if
 * the stack was not kept).
 */
int leak_stack_read(struct leak_collector *c, const struct leak_group *g,
		    uint64_t *frames);

/* What one stack allocated since the trace began (frees not taken
 * off), for one kind. */
struct leak_total {
	uint64_t stack;			/* see leak_stack_kept() */
	uint8_t cls;			/* enum leak_class */
	uint16_t kind;			/* enum leak_kind */
	uint64_t bytes, count;
};

/*
 * With cfg.cumulative: every stack's totals of the current image, blocks
 * from the kernel's table, mappings from the events; *v is malloc'ed. 0,
 * or a negative errno.
 */
int leak_totals_read(struct leak_collector *c, struct leak_total **v,
		     size_t *n);

/* Kernel mode: the name of a slab cache by its key; false if unknown. */
bool leak_cache_name_read(struct leak_collector *c, uint64_t cache,
			  char name[LEAK_CACHE_NAME_LEN]);

#endif /* MEMTRACE_LEAK_SNAPSHOT_H */
