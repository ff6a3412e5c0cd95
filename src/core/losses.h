/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the kernel side's per-CPU counters: losses (enum mt_loss), and
 * any per-CPU array of u64 counters. */
#ifndef MEMTRACE_LOSSES_H
#define MEMTRACE_LOSSES_H

#include <stdint.h>

/*
 * Sums a per-CPU array whose values are width u64 counters over all CPUs:
 * out[key * width + i] for its first nkeys keys. A key that cannot be read
 * sums to 0. Returns 0 or a negative errno.
 */
int percpu_u64_sum(int map_fd, uint64_t *out, int nkeys, int width);

/* Sums each slot of a per-CPU array of u64 over all CPUs into out[]. */
int losses_read(int map_fd, uint64_t *out, int nslots);

#endif /* MEMTRACE_LOSSES_H */
