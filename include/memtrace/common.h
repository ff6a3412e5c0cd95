/* SPDX-License-Identifier: GPL-2.0 */
/* Definitions shared by every command, in BPF and in user space. */
#ifndef MEMTRACE_H
#define MEMTRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define MT_COMM_LEN 16

/*
 * Slots of each command's per-CPU "lost" counter map. Every place where the
 * kernel side drops something increments one of these; user space sums the
 * CPUs and prints the totals in the final report.
 */
enum mt_loss {
	MT_LOST_RINGBUF,	/* bpf_ringbuf_reserve() failed: buffer full */
	MT_LOST_MAP_FULL,	/* a hash-map update failed: map full */
	MT_LOST_NR,
};

#endif /* MEMTRACE_H */
