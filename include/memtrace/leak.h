/* SPDX-License-Identifier: GPL-2.0 */
/* leak: state shared by bpf/leak.bpf.c and src/leak/leak.c. */
#ifndef MEMTRACE_LEAK_H
#define MEMTRACE_LEAK_H

#include "memtrace/common.h"

#define LEAK_MAX_STACK_DEPTH	127	/* PERF_MAX_STACK_DEPTH */

/* The allocator's entry points; one BPF program each. */
enum leak_kind {
	LEAK_MALLOC,
	LEAK_CALLOC,
	LEAK_REALLOC,
	LEAK_REALLOCARRAY,
	LEAK_POSIX_MEMALIGN,
	LEAK_ALIGNED_ALLOC,
	LEAK_MEMALIGN,
	LEAK_VALLOC,
	LEAK_PVALLOC,
	LEAK_NEW,		/* C++ operator new (libstdc++), all variants */
	LEAK_MMAP,
	LEAK_MREMAP,
	LEAK_MUNMAP,
	LEAK_FREE,
	/* Kernel mode (no -p, no command). */
	LEAK_KMALLOC,
	LEAK_KMEM_CACHE,
	LEAK_PAGES,
	LEAK_PERCPU,
	LEAK_KIND_NR,
};

/* kmalloc's cache from its GFP flags (SLUB's kmalloc-cg-*, -rcl-*, dma-*). */
#define LEAK_KMALLOC_CG		1
#define LEAK_KMALLOC_RCL	2
#define LEAK_KMALLOC_DMA	4

#define LEAK_CACHE_NAME_LEN	32

/*
 * A stack: the key of its frames in the stacks map (LEAK_STACK_KEY set:
 * a 64-bit hash of them), or why it was not kept.
 */
#define LEAK_STACK_KEY		(1ULL << 63)
#define LEAK_STACK_MISSING	1	/* could not be taken */
#define LEAK_STACK_FULL		2	/* the map was full (--max-stacks) */
#define LEAK_STACK_COLLIDED	3	/* every key its hash may take held
					 * another stack */

/* An outstanding allocation, in the allocs map keyed by address. */
struct leak_alloc {
	__u64 size;
	__u64 ts_ns;			/* CLOCK_MONOTONIC */
	__u64 stack;			/* key in stacks, or LEAK_STACK_* */
	__u64 cache;			/* kernel: key of cache_names, 0 if none */
	__u8 kind;			/* enum leak_kind */
	__u8 flags;			/* LEAK_KMALLOC_* */
	__u16 gen;			/* the image (exec_gen) it was made in */
	__u32 seq;			/* alloc_slots: its slot's writes */
};

/*
 * A process's outstanding allocations, on kernels with BPF atomics
 * (5.12+): an open-addressing table in an array map (alloc_slots), which
 * user space reads through mmap. A hash map's update and delete cost
 * 140 and 130 ns here (the bucket lock, the free list, their calls); a
 * slot is claimed with one compare-and-exchange. addr is the key, or one
 * of the states below; a block's slot lies within LEAK_SLOT_PROBES of its
 * hash's. (Kernel mode and kernels without the atomics keep allocs.)
 */
#define LEAK_SLOT_EMPTY		0ULL		/* never used: ends a chain */
#define LEAK_SLOT_GONE		(~0ULL)		/* freed: reusable */
#define LEAK_SLOT_BUSY		(~0ULL - 1)	/* being written */
#define LEAK_SLOT_PROBES	32

struct leak_slot {
	struct leak_alloc a;		/* first: a slot's block is the slot */
	__u64 addr;
};

/*
 * The key of the per-stack tables: a stack, in one image of the process,
 * for one kind of allocation. combined_totals (-C) and alloc_totals
 * (serve and --pprof: what each stack allocated since the trace began,
 * never decreased by frees: pprof's alloc_objects and alloc_space).
 */
struct leak_stack_key {
	__u64 stack;			/* as leak_alloc's */
	__u16 gen;			/* the image (exec_gen) it was made in */
	__u16 kind;			/* enum leak_kind */
	__u32 pad;
};

/* -C: outstanding totals per stack, kept in the kernel. */
struct leak_combined {
	__u64 bytes;
	__u64 count;
};

/* What crosses the ring buffer: every mmap, munmap and mremap (the
 * regions are tracked in user space, where partial unmaps can split
 * them), and with -t every allocation and free. */
enum leak_event_type {
	LEAK_EV_ALLOC,		/* addr, size, stack */
	LEAK_EV_FREE,		/* addr, size (0 when the block was untracked) */
	LEAK_EV_MMAP,		/* addr, size, stack */
	LEAK_EV_MUNMAP,		/* addr, size */
	LEAK_EV_MREMAP,		/* addr, size -> new_addr, new_size, stack */
	LEAK_EV_EXEC,		/* the process exec'ed: new_size = exec_gen */
};

struct leak_event {
	__u64 ts_ns;
	__u64 addr;
	__u64 size;
	__u64 new_addr;
	__u64 new_size;
	__u64 stack;			/* as leak_alloc's */
	__u32 tid;
	__u16 type;			/* enum leak_event_type */
	__u16 kind;			/* enum leak_kind */
};

/* Loss counters after the shared ones (enum mt_loss). */
enum leak_loss {
	/* Allocations counted without their stack: */
	LEAK_LOST_STACK_FULL = MT_LOST_NR,	/* the stacks map was full */
	LEAK_LOST_STACK_MISSING,	/* it could not be taken */
	LEAK_LOST_STACK_COLLISION,	/* its keys held other stacks */
	LEAK_LOST_STATE,		/* no per-thread state for a call */
	LEAK_UNTRACKED_FREE,		/* free of an address not tracked */
	LEAK_LOST_NR,
};

#endif /* MEMTRACE_LEAK_H */
