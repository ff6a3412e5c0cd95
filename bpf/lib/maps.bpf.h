/* SPDX-License-Identifier: GPL-2.0 */
/* Map helpers shared by the BPF programs. */
#ifndef MEMTRACE_MAPS_BPF_H
#define MEMTRACE_MAPS_BPF_H

/* vmlinux.h has no errno values; map updates return these negated. */
#define ENOENT 2
#define EEXIST 17
#define ENOSPC 28

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
 * The ring buffer of a command's events; size is a default, user space
 * sizes it before load (--ringbuf-size).
 */
#define DEFINE_EVENTS_RINGBUF(size)					\
	struct {							\
		__uint(type, BPF_MAP_TYPE_RINGBUF);			\
		__uint(max_entries, size);				\
	} events SEC(".maps")

/*
 * A record of size bytes in ring buffer rb, or NULL with the loss counted
 * (count_loss() of the file's DEFINE_LOSS_MAP) when the buffer is full.
 */
#define RINGBUF_RESERVE(rb, size)					\
	({								\
		void *__rec = bpf_ringbuf_reserve(&(rb), size, 0);	\
									\
		if (!__rec)						\
			count_loss(MT_LOST_RINGBUF);			\
		__rec;							\
	})

/*
 * When the reader was last woken below a batch (bpf_ktime_get_ns()); one
 * per BPF object, shared by its CPUs (a lost race only wakes it twice).
 */
__u64 rb_woken_ns;

/* Below a batch, the reader is woken at most once in this long. */
#define RINGBUF_WAKE_GAP_NS 1000000ULL

/*
 * Submits a ring-buffer record, waking the reader when `batch` bytes
 * wait, or when it was last woken RINGBUF_WAKE_GAP_NS ago or more. The
 * kernel's default wakes a reader that has caught up on every record: an
 * irq_work and an IPI on the traced task's path, per event (a VM exit in
 * a virtual machine), which at a million events a second costs more than
 * everything else. Rate-limited so, a lone event wakes the reader at once
 * (as a person watching expects), and a flood at most a thousand times a
 * second beyond its batches. What comes within the gap after a wake-up is
 * read by the reader's next, short poll timeout (loop.c).
 */
static __always_inline __u64 ringbuf_wakeup(void *rb, __u64 batch)
{
	__u64 now;

	if (bpf_ringbuf_query(rb, BPF_RB_AVAIL_DATA) >= batch)
		return BPF_RB_FORCE_WAKEUP;
	now = bpf_ktime_get_ns();
	if (now - rb_woken_ns < RINGBUF_WAKE_GAP_NS)
		return BPF_RB_NO_WAKEUP;
	rb_woken_ns = now;
	return BPF_RB_FORCE_WAKEUP;
}

#define RINGBUF_SUBMIT(rb, rec, batch) \
	bpf_ringbuf_submit(rec, ringbuf_wakeup(&(rb), batch))

#endif /* MEMTRACE_MAPS_BPF_H */
