/* SPDX-License-Identifier: GPL-2.0 */
/* Reading the kernel side's per-CPU loss counters (enum mt_loss). */
#ifndef MEMTRACE_LOSSES_H
#define MEMTRACE_LOSSES_H

#include <stdint.h>

/* Sums each slot of a per-CPU array of u64 over all CPUs into out[]. */
int losses_read(int map_fd, uint64_t *out, int nslots);

#endif /* MEMTRACE_LOSSES_H */
