/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process exits counted by command name, for serve: exits by reason, and
 * log2 histograms of the lifetime and of the peak resident set size. The
 * table holds EXITS_MAX_COMMS names; exits of names past that are counted
 * in "other" from the start.
 */
#ifndef MEMTRACE_SERVE_EXITS_H
#define MEMTRACE_SERVE_EXITS_H

#include <stddef.h>
#include <stdint.h>
#include "memtrace/procs.h"

#define EXITS_MAX_COMMS		4096
#define EXITS_REASONS		(2 + 65)	/* exit_0, exit_nonzero, signal
						 * 1..64 (0: unused) */
/* Lifetime: 2^-10 s (about 1 ms) to 2^16 s (18 h); peak RSS: 2^20 (1 MiB)
 * to 2^40 bytes (1 TiB); one bucket more for what is above. */
#define EXITS_LIFE_MIN_LOG2	(-10)
#define EXITS_LIFE_BUCKETS	27
#define EXITS_RSS_MIN_LOG2	20
#define EXITS_RSS_BUCKETS	21

struct exits_row {
	char comm[MT_COMM_LEN + 1];
	uint64_t exits;
	uint64_t reasons[EXITS_REASONS];
	uint64_t life[EXITS_LIFE_BUCKETS + 1];
	uint64_t rss[EXITS_RSS_BUCKETS + 1];
	double life_sum, rss_sum;	/* seconds, bytes */
};

struct exits {
	struct exits_row *rows;		/* rows[0]: past the table's end */
	size_t n, cap;
	uint32_t *slots;		/* index + 1, by hash of comm */
	long page_size;
};

int exits_init(struct exits *x);
void exits_free(struct exits *x);
/* One exit event (struct procs_exit_event). */
void exits_add(struct exits *x, const struct procs_exit_event *e);

struct metrics;
/* The three families, top comms by exits and "other". */
void exits_metrics(struct exits *x, struct metrics *m, size_t top);

#endif /* MEMTRACE_SERVE_EXITS_H */
