/* SPDX-License-Identifier: GPL-2.0 */
/* kmalloc: events and aggregates shared by bpf/kmalloc.bpf.c and src/kmalloc/. */
#ifndef MEMTRACE_KMALLOC_H
#define MEMTRACE_KMALLOC_H

#include "memtrace/common.h"

#define KMALLOC_MAX_KEYS	16384	/* rows of the in-kernel --top table */
#define KMALLOC_HIST_SLOTS	64	/* log2 buckets of a size histogram */

/* What --top rows are keyed by. */
enum kmalloc_by {
	KMALLOC_BY_CALLSITE,
	KMALLOC_BY_PID,
	KMALLOC_BY_COMM,
	KMALLOC_BY_SIZE,
};

struct kmalloc_event {
	__u64 ts_ns;			/* CLOCK_MONOTONIC */
	__u64 ptr;
	__u64 call_site;
	__u64 bytes_req;
	__u64 bytes_alloc;
	__u64 gfp_flags;
	__u32 pid;			/* thread-group id */
	__u32 tid;
	__s32 node;			/* requested node, -1: any */
	__s32 cpu_node;			/* node of the CPU that allocated */
	char comm[MT_COMM_LEN];
};

/* Only the fields that --by names are set (pid: pid and comm); the
 * others stay 0. */
struct kmalloc_key {
	__u64 call_site;
	__u64 size;
	__u32 pid;
	char comm[MT_COMM_LEN];
};

struct kmalloc_stats {
	__u64 calls;
	__u64 bytes_req;
	__u64 bytes_alloc;
	__u64 node_requested;		/* a node other than -1 was asked for */
	__u64 cross_node;		/* ... and the CPU was on another node */
};

/* Slots of the per-CPU histogram array: requested sizes, then allocated. */
#define KMALLOC_HIST_REQ	0
#define KMALLOC_HIST_ALLOC	KMALLOC_HIST_SLOTS

#endif /* MEMTRACE_KMALLOC_H */
