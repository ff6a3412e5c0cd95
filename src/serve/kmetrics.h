/* SPDX-License-Identifier: GPL-2.0 */
/* serve: kmalloc's two kernel tables (call sites, comms) as metrics. */
#ifndef MEMTRACE_SERVE_KMETRICS_H
#define MEMTRACE_SERVE_KMETRICS_H

#include <stddef.h>

struct kmalloc_collector;
struct ksyms;
struct metrics;

/*
 * memtrace_kmalloc_{calls,requested_bytes,allocated_bytes}_total: the top
 * call sites (by symbol: the offsets of one function summed) and the top
 * comms, by bytes requested, each with an "other" series holding the rest
 * of the total. used[2]: the rows each kernel table holds.
 */
void kmetrics_write(struct kmalloc_collector *c, const struct ksyms *ks,
		    struct metrics *m, size_t top_sites, size_t top_comms,
		    size_t used[2]);

#endif /* MEMTRACE_SERVE_KMETRICS_H */
