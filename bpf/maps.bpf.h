/* SPDX-License-Identifier: GPL-2.0 */
/* Map helpers shared by the BPF programs. */
#ifndef MEMTRACE_MAPS_BPF_H
#define MEMTRACE_MAPS_BPF_H

/* vmlinux.h has no errno values; map updates return these negated. */
#define ENOENT 2
#define EEXIST 17

/*
 * Per-CPU loss counters, one slot per enum mt_loss value (and any the
 * command adds after MT_LOST_NR). Defined by each program file with
 * DEFINE_LOSS_MAP(n) so that count_loss() below can see it.
 */
#define DEFINE_LOSS_MAP(nr_slots)					\
	struct {							\
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);		\
		__uint(max_entries, nr_slots);				\
		__type(key, __u32);					\
		__type(value, __u64);					\
	} lost SEC(".maps");						\
									\
	static __always_inline void count_loss(__u32 slot)		\
	{								\
		__u64 *v = bpf_map_lookup_elem(&lost, &slot);		\
		if (v)							\
			*v += 1;					\
	}

/*
 * Submits a ring-buffer record, waking the reader only once `batch` bytes
 * wait. By default the kernel wakes a reader that has caught up on every
 * record: an irq_work and an IPI on the traced task's path, per event (a
 * VM exit in a virtual machine), which at a million events a second costs
 * more than everything else. A quiet trickle of events below a batch
 * wakes nobody: the reader consumes it when its poll times out (loop.c),
 * which bounds how long any event waits.
 */
#define RINGBUF_SUBMIT(rb, rec, batch)					\
	bpf_ringbuf_submit(rec, bpf_ringbuf_query(&(rb), BPF_RB_AVAIL_DATA) >= \
				   (batch) ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP)

#endif /* MEMTRACE_MAPS_BPF_H */
