// SPDX-License-Identifier: GPL-2.0
/*
 * leak: outstanding user-space allocations by call stack.
 *
 * Uprobes on the allocator's entry points save the arguments per thread;
 * one return probe, shared by every allocating entry point, records the
 * block under its address with the stack taken there; free deletes it.
 * mmap, munmap and mremap go to user space, which keeps the regions.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "leak.h"
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load. */
const volatile __u32 targ_tgid = 0;
const volatile __u64 min_size = 0;		/* -z */
const volatile __u64 max_size = ~0ULL;		/* -Z */
const volatile __u64 sample_rate = 1;		/* -s */
const volatile __u64 page_size = 4096;		/* pvalloc rounds up to it */
const volatile bool combined = false;		/* -C */
const volatile bool trace = false;		/* -t */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);		/* resized by user space */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 18);		/* --max-allocs */
	__type(key, __u64);
	__type(value, struct leak_alloc);
} allocs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 1 << 14);		/* --max-stacks */
	__uint(key_size, sizeof(__u32));
	__uint(value_size, LEAK_MAX_STACK_DEPTH * sizeof(__u64));
} stacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 14);		/* as stacks */
	__type(key, __s32);
	__type(value, struct leak_combined);
} combined_totals SEC(".maps");

/*
 * The allocator call a thread is in: its arguments, and the stack
 * pointer at entry, which points at the return address. glibc's allocator
 * calls its own public entry points (malloc's large requests call mmap,
 * realloc(NULL, n) calls malloc, free of a large block calls munmap); a
 * call whose stack pointer is below the saved one is nested in the saved
 * call and ignored, so the allocation is the outer call's, with the outer
 * call's size. Comparing stack pointers rather than counting depth also
 * recovers from a return that never came (longjmp, a probe attached
 * between a call and its return): the next outer-level call overwrites it.
 * Task-local storage is the per-thread slot: the lookup is a pointer
 * dereference, not a hash.
 */
struct call {
	__u64 sp;			/* 0: no call in progress */
	__u64 size;
	__u64 arg;			/* realloc: old block; posix_memalign:
					 * memptr; mremap: old address */
	__u64 arg2;			/* mremap: old size */
	__u32 kind;
	__u32 skip;			/* filtered out: nested calls still
					 * ignored, nothing recorded */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct call);
} calls SEC(".maps");

DEFINE_LOSS_MAP(LEAK_LOST_NR)

static __always_inline bool is_target(void)
{
	return !targ_tgid || bpf_get_current_pid_tgid() >> 32 == targ_tgid;
}

static __always_inline struct call *call_slot(void)
{
	return bpf_task_storage_get(&calls, bpf_get_current_task_btf(), 0,
				    BPF_LOCAL_STORAGE_GET_F_CREATE);
}

static __always_inline int enter(struct pt_regs *ctx, __u32 kind, __u64 size,
				 __u64 arg, __u64 arg2)
{
	__u64 sp = PT_REGS_SP(ctx);
	struct call *c;

	if (!is_target())
		return 0;
	c = call_slot();
	if (!c) {
		count_loss(LEAK_LOST_STATE);
		return 0;
	}
	if (c->sp && sp < c->sp)
		return 0;		/* nested in the call in progress */
	c->sp = sp;
	c->size = size;
	c->arg = arg;
	c->arg2 = arg2;
	c->kind = kind;
	c->skip = size < min_size || size > max_size ||
		  (sample_rate > 1 && bpf_ktime_get_ns() % sample_rate);
	return 0;
}

static __always_inline void emit(__u16 type, __u16 kind, __u64 addr,
				 __u64 size, __u64 new_addr, __u64 new_size,
				 __s32 stackid)
{
	struct leak_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		count_loss(MT_LOST_RINGBUF);
		return;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->addr = addr;
	e->size = size;
	e->new_addr = new_addr;
	e->new_size = new_size;
	e->stackid = stackid;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->type = type;
	e->kind = kind;
	e->pad = 0;
	bpf_ringbuf_submit(e, 0);
}

/*
 * Taken in the return probe, where the instruction pointer is the return
 * address: the allocator's caller is the first frame whether or not it
 * keeps a frame pointer (the frames beyond it come from the frame-pointer
 * chain).
 */
static __always_inline __s32 stack_id(struct pt_regs *ctx)
{
	long id = bpf_get_stackid(ctx, &stacks, BPF_F_USER_STACK);

	if (id >= 0)
		return id;
	count_loss(id == -EEXIST ? LEAK_LOST_STACK_COLLISION :
				   LEAK_LOST_STACK_MISSING);
	return -1;
}

static __always_inline void combined_add(__s32 stackid, __u64 bytes, int sign)
{
	struct leak_combined *t, zero = {};

	t = bpf_map_lookup_elem(&combined_totals, &stackid);
	if (!t && sign > 0) {
		long err = bpf_map_update_elem(&combined_totals, &stackid,
					       &zero, BPF_NOEXIST);

		if (err && err != -EEXIST)	/* another CPU's insert */
			count_loss(MT_LOST_MAP_FULL);
		t = bpf_map_lookup_elem(&combined_totals, &stackid);
	}
	if (!t)
		return;
	if (sign > 0) {
		__sync_fetch_and_add(&t->bytes, bytes);
		__sync_fetch_and_add(&t->count, 1);
	} else {
		__sync_fetch_and_sub(&t->bytes, bytes);
		__sync_fetch_and_sub(&t->count, 1);
	}
}

static __always_inline void record(struct pt_regs *ctx, __u64 addr,
				   __u64 size, __u32 kind)
{
	struct leak_alloc a = {
		.size = size,
		.ts_ns = bpf_ktime_get_ns(),
		.stackid = stack_id(ctx),
		.kind = kind,
	};

	if (bpf_map_update_elem(&allocs, &addr, &a, BPF_ANY)) {
		count_loss(MT_LOST_MAP_FULL);
		return;
	}
	if (combined)
		combined_add(a.stackid, size, 1);
	if (trace)
		emit(LEAK_EV_ALLOC, kind, addr, size, 0, 0, a.stackid);
}

/* quiet: the block may already be gone (realloc(p, 0) frees p through
 * free, which the free probe saw). */
static __always_inline void release(__u64 addr, bool quiet)
{
	struct leak_alloc *a = bpf_map_lookup_elem(&allocs, &addr);
	__u64 size = 0;

	if (a) {
		size = a->size;
		if (combined)
			combined_add(a->stackid, size, -1);
		bpf_map_delete_elem(&allocs, &addr);
	} else if (!quiet && sample_rate == 1 && !min_size &&
		   max_size == ~0ULL) {
		count_loss(LEAK_UNTRACKED_FREE);
	}
	if (trace)
		emit(LEAK_EV_FREE, LEAK_FREE, addr, size, 0, 0, -1);
}

SEC("uprobe")
int BPF_KPROBE(malloc_enter, __u64 size)
{
	return enter(ctx, LEAK_MALLOC, size, 0, 0);
}

SEC("uprobe")
int BPF_KPROBE(new_enter, __u64 size)
{
	return enter(ctx, LEAK_NEW, size, 0, 0);
}

SEC("uprobe")
int BPF_KPROBE(calloc_enter, __u64 n, __u64 elem)
{
	return enter(ctx, LEAK_CALLOC, n * elem, 0, 0);
}

SEC("uprobe")
int BPF_KPROBE(realloc_enter, __u64 ptr, __u64 size)
{
	return enter(ctx, LEAK_REALLOC, size, ptr, 0);
}

SEC("uprobe")
int BPF_KPROBE(reallocarray_enter, __u64 ptr, __u64 n, __u64 elem)
{
	return enter(ctx, LEAK_REALLOCARRAY, n * elem, ptr, 0);
}

SEC("uprobe")
int BPF_KPROBE(posix_memalign_enter, __u64 memptr, __u64 align, __u64 size)
{
	return enter(ctx, LEAK_POSIX_MEMALIGN, size, memptr, 0);
}

SEC("uprobe")
int BPF_KPROBE(aligned_alloc_enter, __u64 align, __u64 size)
{
	return enter(ctx, LEAK_ALIGNED_ALLOC, size, 0, 0);
}

SEC("uprobe")
int BPF_KPROBE(memalign_enter, __u64 align, __u64 size)
{
	return enter(ctx, LEAK_MEMALIGN, size, 0, 0);
}

SEC("uprobe")
int BPF_KPROBE(valloc_enter, __u64 size)
{
	return enter(ctx, LEAK_VALLOC, size, 0, 0);
}

/* pvalloc allocates whole pages: the size is rounded up (0 -> a page). */
SEC("uprobe")
int BPF_KPROBE(pvalloc_enter, __u64 size)
{
	__u64 rounded = size ? (size + page_size - 1) & ~(page_size - 1) :
			       page_size;

	return enter(ctx, LEAK_PVALLOC, rounded, 0, 0);
}

SEC("uprobe")
int BPF_KPROBE(mmap_enter, __u64 addr, __u64 len)
{
	return enter(ctx, LEAK_MMAP, len, 0, 0);
}

SEC("uprobe")
int BPF_KPROBE(mremap_enter, __u64 old, __u64 old_size, __u64 new_size)
{
	return enter(ctx, LEAK_MREMAP, new_size, old, old_size);
}

/* No return probe: munmap rarely fails, and then the region stays
 * counted as freed, which user space cannot tell anyway. */
SEC("uprobe")
int BPF_KPROBE(munmap_enter, __u64 addr, __u64 len)
{
	struct call *c;

	if (!is_target())
		return 0;
	c = bpf_task_storage_get(&calls, bpf_get_current_task_btf(), 0, 0);
	if (c && c->sp && PT_REGS_SP(ctx) < c->sp)
		return 0;		/* the allocator's own, e.g. in free */
	emit(LEAK_EV_MUNMAP, LEAK_MUNMAP, addr, len, 0, 0, -1);
	return 0;
}

/* Per free: one lookup and one delete. */
SEC("uprobe")
int BPF_KPROBE(free_enter, __u64 addr)
{
	if (!addr || !is_target())
		return 0;
	release(addr, false);
	return 0;
}

/* Failed allocations (NULL, MAP_FAILED, a posix_memalign error) are not
 * recorded. */
SEC("uretprobe")
int BPF_KRETPROBE(alloc_return, __u64 ret)
{
	struct call *c;
	__u64 addr = ret;

	if (!is_target())
		return 0;
	c = bpf_task_storage_get(&calls, bpf_get_current_task_btf(), 0, 0);
	/* After the return the stack pointer is 8 above its value at entry. */
	if (!c || !c->sp || c->sp != PT_REGS_SP(ctx) - 8)
		return 0;
	c->sp = 0;
	if (c->skip)
		return 0;

	switch (c->kind) {
	case LEAK_MMAP:
		if (ret != ~0ULL)
			emit(LEAK_EV_MMAP, LEAK_MMAP, ret, c->size, 0, 0,
			     stack_id(ctx));
		return 0;
	case LEAK_MREMAP:
		if (ret != ~0ULL)
			emit(LEAK_EV_MREMAP, LEAK_MREMAP, c->arg, c->arg2, ret,
			     c->size, stack_id(ctx));
		return 0;
	case LEAK_POSIX_MEMALIGN:
		/* The result is written only on success (return 0). */
		if (ret || bpf_probe_read_user(&addr, sizeof(addr),
					       (void *)c->arg))
			return 0;
		break;
	case LEAK_REALLOC:
	case LEAK_REALLOCARRAY:
		/* Failure keeps the old block; success frees it, and so does
		 * realloc(p, 0), which returns NULL. */
		if (c->arg && (ret || !c->size))
			release(c->arg, !ret);
		break;
	}
	if (addr)
		record(ctx, addr, c->size, c->kind);
	return 0;
}
