/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kmalloc's collector: the BPF side of kmem:kmalloc, loaded through its
 * hook chain and read into plain structs (include/memtrace/kmalloc.h): the
 * stream's events, or the rows, totals and histograms counted in the
 * kernel. It prints nothing: the CLI and `serve` render what it hands them.
 */
#ifndef MEMTRACE_KMALLOC_COLLECTOR_H
#define MEMTRACE_KMALLOC_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "memtrace/kmalloc.h"

/* What the kernel keeps: the filters, applied there, and the outputs. */
struct kmalloc_config {
	pid_t pid, tid;			/* 0: every process, thread */
	char comm[MT_COMM_LEN];		/* "": every name */
	uint64_t min_size, max_size;	/* of bytes requested */
	uint64_t gfp_mask;		/* 0: any; else all of these bits */
	bool stream;			/* each event to the ring buffer */
	bool top;			/* rows keyed by `by` */
	enum kmalloc_by by;
	bool top2;			/* a second table, keyed by by2 (serve:
					 * call sites and comms at once) */
	enum kmalloc_by by2;
	bool hist;			/* log2 histograms of the sizes */
	uint64_t ringbuf_size;		/* for the stream */
};

/* A row of the kernel's table: its key and what it counted. */
struct kmalloc_row {
	struct kmalloc_key key;
	struct kmalloc_stats s;
};

struct kmalloc_losses {
	uint64_t ringbuf;		/* stream events the ring buffer had
					 * no room for */
	uint64_t map_full;		/* allocations whose key found the
					 * table full (KMALLOC_MAX_KEYS) */
};

struct kmalloc_collector;
struct bpf_object;

/* Loads and attaches through the hook chain (tp_btf with the program that
 * matches this kernel's arguments, then the classic tracepoint); NULL
 * after an error naming what failed. memtrace's own allocations are left
 * out. */
struct kmalloc_collector *kmalloc_collector_open(const struct kmalloc_config *cfg);
void kmalloc_collector_close(struct kmalloc_collector *c);

/* The ring buffer's map (records: struct kmalloc_event). */
int kmalloc_collector_events_fd(const struct kmalloc_collector *c);

/* Every row of the table, in no order: *rows is malloc'ed. Returns 0, or
 * -ENOMEM with the rows read until then. */
int kmalloc_collector_rows(const struct kmalloc_collector *c,
			   struct kmalloc_row **rows, size_t *n);
/* The same of the second table (top2). */
int kmalloc_collector_rows2(const struct kmalloc_collector *c,
			    struct kmalloc_row **rows, size_t *n);
/* How many rows each table can hold (0: not in use). */
void kmalloc_collector_capacity(const struct kmalloc_collector *c,
				size_t cap[2]);
/* Everything that passed the filters, since the start. */
int kmalloc_collector_totals(const struct kmalloc_collector *c,
			     struct kmalloc_stats *t);
/* The histograms' counts as the map holds them: requested sizes from
 * slots[KMALLOC_HIST_REQ], allocated sizes from slots[KMALLOC_HIST_ALLOC],
 * slot i counting sizes from 2^i to 2^(i+1) - 1 (slot 0: 0 and 1). */
int kmalloc_collector_hists(const struct kmalloc_collector *c,
			    uint64_t slots[2 * KMALLOC_HIST_SLOTS]);
void kmalloc_collector_losses(const struct kmalloc_collector *c,
			      struct kmalloc_losses *l);

/* Its BPF object (serve reads its programs' run time). */
struct bpf_object *kmalloc_collector_object(const struct kmalloc_collector *c);

#endif /* MEMTRACE_KMALLOC_COLLECTOR_H */
