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
#include <bpf/bpf_core_read.h>
#include "memtrace/leak.h"
#include "lib/maps.bpf.h"
#include "lib/core_fixes.bpf.h"

#define STACK_MAX_DEPTH LEAK_MAX_STACK_DEPTH
const volatile __u32 stack_depth = LEAK_MAX_STACK_DEPTH;	/* --stack-depth */
#include "lib/stacks.bpf.h"
_Static_assert(STACK_FULL == LEAK_STACK_FULL &&
	       STACK_COLLIDED == LEAK_STACK_COLLIDED &&
	       STACK_KEY_BIT == LEAK_STACK_KEY, "stack reasons");

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load. */
const volatile __u32 targ_tgid = 0;
const volatile __u64 min_size = 0;		/* -z */
const volatile __u64 max_size = ~0ULL;		/* -Z */
const volatile __u64 sample_rate = 1;		/* -s */
const volatile __u64 page_size = 4096;		/* pvalloc rounds up to it */
const volatile bool combined = false;		/* -C */
const volatile bool trace = false;		/* -t */
const volatile bool trace_heap = true;		/* --kind: the malloc family */
const volatile bool trace_mmap = true;		/* --kind: mmap, mremap */
const volatile bool cumulative = false;		/* alloc_totals kept */
/* Kernel mode. */
const volatile __u32 self_tgid = 0;		/* memtrace's own: not traced */
const volatile __u32 alloc_tgid = 0;		/* --alloc-pid */
const volatile bool wa_missing_free = false;	/* --wa-missing-free */
const volatile bool percpu_519 = true;		/* tp_btf: 5.19+ arguments */
/* A process's blocks in alloc_slots (include/memtrace/leak.h), whose
 * size is 2^(64 - slots_shift); else in allocs. */
const volatile bool use_slots = false;
const volatile __u32 slots_shift = 63;
const volatile __u32 slots_mask = 0;
/* Multi-uprobe links: malloc's and free's probe addresses modulo the page
 * (set, 0x1000 | the low 12 bits, when no other entry probe of the
 * program shares them), for entry_multi. */
const volatile __u32 multi_malloc_at = 0;
const volatile __u32 multi_free_at = 0;
/* The links run the programs only in the target's threads (multi-uprobe
 * links made with its pid, 6.12+): free need not ask. */
const volatile bool links_filter_tgid = false;

DEFINE_EVENTS_RINGBUF(1 << 20);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 18);		/* --max-allocs */
	__type(key, __u64);
	__type(value, struct leak_alloc);
} allocs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);			/* set by user space */
	__type(key, __u32);
	__type(value, struct leak_slot);
} alloc_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 14);		/* as stacks */
	__type(key, struct leak_stack_key);
	__type(value, struct leak_combined);
} combined_totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1 << 14);		/* as stacks */
	__type(key, struct leak_stack_key);
	__type(value, struct leak_combined);
} alloc_totals SEC(".maps");

/*
 * How many times the target has exec'ed. An exec frees the whole address
 * space: the blocks of the image before can never be freed, and its
 * addresses are reused by the next. Each block and -C total carries the
 * image it was made in; user space forgets the older ones.
 */
volatile __u32 exec_gen;

/* Kernel mode: slab cache names by the key leak_alloc.cache holds. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, char[LEAK_CACHE_NAME_LEN]);
} cache_names SEC(".maps");

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
 * dereference, not a hash (before 5.11, a hash: see target_slot()).
 */
struct call {
	__u64 sp;			/* 0: no call in progress */
	__u64 size;
	__u64 arg;			/* realloc: old block; posix_memalign:
					 * memptr; mremap: old address */
	__u64 arg2;			/* mremap: old size */
	__u64 caller;			/* C++: new's caller, for frame 0 */
	__u32 kind;
	__u32 skip;			/* filtered out: nested calls still
					 * ignored, nothing recorded */
	/* realloc: the old block, taken out at entry (glibc may give its
	 * address to another thread before realloc returns), put back if
	 * realloc fails. */
	struct leak_alloc old;
	__u32 have_old;
	/* operator new, which has no return probe (below): its stack
	 * pointer and return address, for the allocation it makes. */
	__u64 cxx_sp;
	__u64 cxx_caller;
#ifndef LEAK_THREAD_STATE_HASH
	/* The thread's own frame buffer: a uprobe program may be preempted
	 * (5.19+), and another thread's then run on its CPU. */
	__u64 ips[STACK_BUF_WORDS];
#endif
};

#ifndef LEAK_THREAD_STATE_HASH
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct call);
} calls SEC(".maps");

/*
 * Whether the current thread is the target's, and if so its call state in
 * *cp (NULL if it has none, or none could be made when create is set).
 * The process is the task's tgid, read from the task the storage needs
 * anyway: one helper call fewer than bpf_get_current_pid_tgid() (which
 * returns that tgid in its upper half), about 25 ns here.
 */
static __always_inline bool target_slot(bool create, struct call **cp,
					struct task_struct **tp)
{
	struct task_struct *t = bpf_get_current_task_btf();

	if (targ_tgid && t->tgid != targ_tgid)
		return false;
	*tp = t;
	*cp = bpf_task_storage_get(&calls, t, 0,
				   create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	return true;
}
#else
/*
 * Built a second time for kernels before 5.11, where tracing programs have
 * neither task storage nor bpf_get_current_task_btf(): the state is in a
 * hash keyed by thread id, least recently used first to go, so that the
 * slots of threads that have exited are taken back (a live thread's slot
 * evicted mid-call costs that call: it is not recorded).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct call);
} calls SEC(".maps");

static __always_inline bool target_slot(bool create, struct call **cp,
					struct task_struct **tp)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct call *c;
	/* On the stack, not a global: .rodata and .bss must be laid out
	 * alike in both builds (they share one skeleton). */
	struct call zero = {};

	if (targ_tgid && id >> 32 != targ_tgid)
		return false;
	*tp = NULL;			/* not needed here */
	c = bpf_map_lookup_elem(&calls, &tid);
	if (!c && create) {
		bpf_map_update_elem(&calls, &tid, &zero, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&calls, &tid);
	}
	*cp = c;
	return true;
}
#endif

DEFINE_LOSS_MAP(LEAK_LOST_NR)

static __always_inline bool is_target(void)
{
	return !targ_tgid || bpf_get_current_pid_tgid() >> 32 == targ_tgid;
}

static __always_inline void take_old(struct call *c, __u64 addr);

/*
 * The thread's call state for an allocator call whose stack pointer at
 * entry is sp; NULL for a call nested in the one in progress, or not the
 * target's.
 */
static __always_inline struct call *outer_call(__u64 sp)
{
	struct task_struct *t;
	struct call *c;

	if (!target_slot(true, &c, &t))
		return NULL;
	if (!c) {
		count_loss(LEAK_LOST_STATE);
		return NULL;
	}
	if (c->sp && sp < c->sp)
		return NULL;
	return c;
}

static __always_inline int enter(struct pt_regs *ctx, __u32 kind, __u64 size,
				 __u64 arg, __u64 arg2)
{
	__u64 sp = PT_REGS_SP(ctx);
	struct call *c = outer_call(sp);

	if (!c)
		return 0;
	c->sp = sp;
	c->size = size;
	c->arg = arg;
	c->arg2 = arg2;
	c->kind = kind;
	/* --kind mmap: the malloc family's calls are still followed, so
	 * that the mmaps they make stay theirs, but not recorded. */
	c->skip = !(kind == LEAK_MMAP || kind == LEAK_MREMAP ? trace_mmap :
							       trace_heap) ||
		  size < min_size || size > max_size ||
		  (sample_rate > 1 && bpf_ktime_get_ns() % sample_rate);
	/* Called from operator new (below its stack pointer): the block is
	 * new's, and new's caller its first frame. */
	c->caller = c->cxx_sp && sp < c->cxx_sp ? c->cxx_caller : 0;
	c->cxx_sp = 0;
	c->have_old = 0;
	if (arg && size && trace_heap &&
	    (kind == LEAK_REALLOC || kind == LEAK_REALLOCARRAY))
		take_old(c, arg);
	return 0;
}

static __always_inline void emit(__u16 type, __u16 kind, __u64 addr,
				 __u64 size, __u64 new_addr, __u64 new_size,
				 __u64 stack)
{
	struct leak_event *e = RINGBUF_RESERVE(events, sizeof(*e));

	if (!e)
		return;
	e->ts_ns = bpf_ktime_get_ns();
	e->addr = addr;
	e->size = size;
	e->new_addr = new_addr;
	e->new_size = new_size;
	e->stack = stack;
	e->tid = (__u32)bpf_get_current_pid_tgid();
	e->type = type;
	e->kind = kind;
	bpf_ringbuf_submit(e, 0);
}

/*
 * Taken in the return probe, where the instruction pointer is the return
 * address: the allocator's caller is the first frame whether or not it
 * keeps a frame pointer (the frames beyond it come from the frame-pointer
 * chain); caller, when set, replaces it (C++ new's caller, for a block
 * new's malloc made). ips: the thread's frame buffer, or NULL for one of
 * the CPU's.
 */
/*
 * A user stack: the return address the probe sees, then the frame-pointer
 * chain, up to the first address that cannot be a return address (x86-64
 * user addresses lie below 2^56, the first page is never mapped) or a
 * frame that is not above the one before. Half the cost of the kernel's
 * walk (bpf_get_stack(): 262 ns against 560 for the benchmark's stack).
 *
 * A bpf_probe_read_user() costs about 80 ns here whatever its size up to
 * a few hundred bytes (the helper, copy_from_user_nofault()'s checks and
 * the hardened-usercopy check of its destination), and the frames of
 * callers usually lie close together: the stack is read in windows of up
 * to STACK_WIN_WORDS words from a frame record, never past the end of its
 * page, so that a window fails only where the record's own 16 bytes would
 * (memory is mapped page by page); a record that lies whole in the window
 * is taken from it. The window is the CPU's (into the thread's storage the
 * usercopy check of a slab object would cost 40 ns more); a uprobe program
 * may be preempted (5.19+), and another thread's then use it, so a record
 * taken from it counts only if the thread has not left the CPU since the
 * window was read (its context-switch counts, which __schedule() raises at
 * every switch away; before 5.19 nothing runs in between), else it is read
 * on its own.
 */
#define STACK_WIN_WORDS 64		/* 512 bytes */

struct stack_window {
	__u64 base, have;		/* the stack's [base, base + have) */
	__u64 w[STACK_WIN_WORDS];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stack_window);
} stack_window SEC(".maps");

#ifndef LEAK_THREAD_STATE_HASH
#define SWITCHES(t) ((t)->nvcsw + (t)->nivcsw)
#else
#define SWITCHES(t) 0
#endif

#define PAGE_4K 4096ULL

static __always_inline __u32 user_stack(struct pt_regs *ctx, __u64 *ips,
					struct task_struct *t)
{
	__u32 zero = 0;
	struct stack_window *sw = bpf_map_lookup_elem(&stack_window, &zero);
	__u64 bp = ctx->bp, since = 0;
	__u32 n = 1;

	ips[0] = ctx->ip;
	/* Never NULL (one entry), but a walk without the window would be
	 * a second whole walk for the verifier to check. */
	if (!sw)
		return 1;
	sw->have = 0;
	for (int i = 1; i < STACK_MAX_DEPTH; i++) {
		struct {
			__u64 next, ret;
		} f;
		bool got = false;

		if (i >= stack_depth)
			break;
		if (sw) {
			/* base and have through memory: the verifier sees
			 * unknown values at each frame, one state for any
			 * window, not a walk per sequence of windows. Frames
			 * only go up: bp >= base. */
			__u64 off = bp - sw->base, have = sw->have, w;

			if (off >= have || have - off < 16 || (off & 7)) {
				__u64 room = PAGE_4K - (bp & (PAGE_4K - 1));

				/* A record across the page's end: its own
				 * 16 bytes, as a walk frame by frame reads. */
				if (room < 16)
					room = 16;
				if (room > STACK_WIN_WORDS * 8)
					room = STACK_WIN_WORDS * 8;
				since = SWITCHES(t);
				if (bpf_probe_read_user(sw->w, room, (void *)bp))
					break;
				sw->base = bp;
				sw->have = room;
				off = 0;
			}
			w = off / 8;
			/* Never true (off + 16 <= have <= the window's
			 * size), but the verifier must see w's bound (hidden
			 * from clang, which would test off instead). */
			asm volatile("" : "+r"(w));
			if (w > STACK_WIN_WORDS - 2)
				break;
			f.next = sw->w[w];
			f.ret = sw->w[w + 1];
			asm volatile("" ::: "memory");
			got = SWITCHES(t) == since;
		}
		if (!got && bpf_probe_read_user(&f, sizeof(f), (void *)bp))
			break;
		if (f.ret < 4096 || f.ret >= (1ULL << 56))
			break;
		ips[i] = f.ret;
		n++;
		if (f.next <= bp)
			break;
		bp = f.next;
	}
	return n;
}

static __always_inline __u64 stack_of(void *ctx, __u64 flags, __u64 caller,
				      __u64 *ips, struct task_struct *t)
{
	struct stack_scratch *s = NULL;
	__u64 key = LEAK_STACK_MISSING;
	long len;

	if (!ips)
		ips = scratch_take(&s);
	if (!ips)
		goto out;
	if (flags & BPF_F_USER_STACK)
		len = user_stack(ctx, ips + 1, t) * sizeof(__u64);
	else
		len = bpf_get_stack(ctx, ips + 1, stack_depth * sizeof(__u64),
				    flags);
	if (len <= 0)
		goto out;
	if (caller)
		ips[1] = caller;
	/* Through memory, so that the verifier sees one count of frames
	 * from here on, not one state for each length of walk. */
	*(volatile __u64 *)ips = len / sizeof(__u64);
	len = *(volatile __u64 *)ips;
	if (len > stack_depth)
		len = stack_depth;
	key = stack_keep(ips, len);
out:
	scratch_give(s);
	if (!(key & LEAK_STACK_KEY))
		count_loss(key == LEAK_STACK_FULL ? LEAK_LOST_STACK_FULL :
			   key == LEAK_STACK_COLLIDED ? LEAK_LOST_STACK_COLLISION :
			   LEAK_LOST_STACK_MISSING);
	return key;
}

/* The kernel-mode programs' call: a subprogram, verified once. */
static __noinline __u64 take_stack(void *ctx, __u64 flags, __u64 caller,
				   __u64 *ips, struct task_struct *t)
{
	return stack_of(ctx, flags, caller, ips, t);
}

#ifndef LEAK_THREAD_STATE_HASH
#define CALL_IPS(c) ((c)->ips)
#else
#define CALL_IPS(c) NULL
#endif

/* -C: block a's bytes added to (sign > 0) or taken from its stack's. */
static __always_inline void combined_add(const struct leak_alloc *a, int sign)
{
	struct leak_stack_key key = {
		.stack = a->stack, .gen = a->gen, .kind = a->kind,
	};
	__u64 bytes = a->size;
	struct leak_combined *t, zero = {};

	t = bpf_map_lookup_elem(&combined_totals, &key);
	if (!t && sign > 0) {
		long err = bpf_map_update_elem(&combined_totals, &key,
					       &zero, BPF_NOEXIST);

		if (err && err != -EEXIST)	/* another CPU's insert */
			count_loss(MT_LOST_MAP_FULL);
		t = bpf_map_lookup_elem(&combined_totals, &key);
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

/* Since the trace began, per stack: counted whether or not the block
 * finds room in allocs. */
static __always_inline void total_add(const struct leak_alloc *a)
{
	struct leak_stack_key key = {
		.stack = a->stack, .gen = a->gen, .kind = a->kind,
	};
	struct leak_combined *t, zero = {};

	t = bpf_map_lookup_elem(&alloc_totals, &key);
	if (!t) {
		long err = bpf_map_update_elem(&alloc_totals, &key, &zero,
					       BPF_NOEXIST);

		if (err && err != -EEXIST)
			count_loss(MT_LOST_MAP_FULL);
		t = bpf_map_lookup_elem(&alloc_totals, &key);
		if (!t)
			return;
	}
	__sync_fetch_and_add(&t->bytes, a->size);
	__sync_fetch_and_add(&t->count, 1);
}

/*
 * When a block was made, for -o: the clock as of the first block of this
 * tick. bpf_ktime_get_ns() reads the TSC, about 50 ns in a VM, per block;
 * the jiffies are a load. A report's milliseconds need no more than a
 * tick (a CPU that sees the new tick before its time is written takes the
 * last tick's: a tick early at most).
 */
__u64 tick_jiffies, tick_ns;

static __always_inline __u64 alloc_time(void)
{
	__u64 j = bpf_jiffies64();

	if (j != tick_jiffies) {
		tick_ns = bpf_ktime_get_ns();
		tick_jiffies = j;
	}
	return tick_ns;
}

/*
 * alloc_slots: linear probing from the slot an address hashes to. Only
 * the thread that holds a block writes its slot: the allocator gives an
 * address to one caller at a time, and the probes see malloc return
 * before the block's free begins, and free begin before the address is
 * given out again. So a slot is claimed with a compare-and-exchange (to
 * LEAK_SLOT_BUSY), then written plainly, its count of writes (seq) raised,
 * its address last (an exchange, a full barrier): user space, reading the
 * slots while they change, keeps a copy only if the address and the count
 * were the same before and after it. A freed slot is marked, not emptied: a
 * chain may pass through it. A block of an earlier image is another key,
 * never touched here: user space frees its slot (leak_forget_images()).
 */
#define SLOT_ADDR(s) (*(volatile __u64 *)&(s)->addr)

#define SLOT_NONE (~0U)
#define SLOT_NOEXIST (1ULL << 32)	/* in slot_insert()'s meta */

#ifndef LEAK_THREAD_STATE_HASH
/*
 * Global functions: the verifier checks each once, whatever its callers'
 * states (inlined into the return probe, after the stack walk's, the two
 * loops below took 0.25 s of verifier time there against 0.09).
 */
static __always_inline __u32 slot_hash(__u64 addr)
{
	return (addr * 0x9e3779b97f4a7c15ULL) >> (slots_shift & 63);
}

static __always_inline struct leak_slot *slot_at(__u32 h, __u32 i)
{
	__u32 k = (h + i) & slots_mask;

	return bpf_map_lookup_elem(&alloc_slots, &k);
}

/* The index of the image's block at addr, or SLOT_NONE. */
__noinline __u32 slot_index(__u64 addr)
{
	__u32 h = slot_hash(addr);
	__u16 gen = exec_gen;

	for (__u32 i = 0; i < LEAK_SLOT_PROBES; i++) {
		struct leak_slot *s = slot_at(h, i);
		__u64 v;

		if (!s)
			return SLOT_NONE;
		v = SLOT_ADDR(s);
		if (v == addr && s->a.gen == gen)
			return (h + i) & slots_mask;
		if (v == LEAK_SLOT_EMPTY)
			return SLOT_NONE;
	}
	return SLOT_NONE;
}

/*
 * A block at addr (its kind, flags and image in meta's low 32 bits, as
 * slot_meta() packs them), as bpf_map_update_elem() with BPF_ANY (a block
 * whose free went unseen is replaced) or, with SLOT_NOEXIST in meta,
 * BPF_NOEXIST: 0, or an error.
 */
__noinline long slot_insert(__u64 addr, __u64 size, __u64 ts, __u64 stack,
			    __u64 meta)
{
	__u32 h = slot_hash(addr);
	__u16 gen = meta >> 16;

	for (int pass = 0; pass < 2; pass++) {
		__u64 was = LEAK_SLOT_BUSY;
		struct leak_slot *s;
		__u32 spare = 0;

		for (__u32 i = 0; i < LEAK_SLOT_PROBES; i++) {
			__u64 v;

			s = slot_at(h, i);
			if (!s)
				return -ENOENT;
			v = SLOT_ADDR(s);
			if (v == addr && s->a.gen == gen) {
				if (meta & SLOT_NOEXIST)
					return -EEXIST;
				/* Its free went unseen: this slot. */
				was = v;
				spare = i;
				break;
			}
			if (v != LEAK_SLOT_EMPTY && v != LEAK_SLOT_GONE)
				continue;
			if (was == LEAK_SLOT_BUSY) {
				was = v;
				spare = i;
			}
			/* The end of the chain: addr is not further. */
			if (v == LEAK_SLOT_EMPTY)
				break;
		}
		if (was == LEAK_SLOT_BUSY)
			return -ENOSPC;
		s = slot_at(h, spare);
		if (!s)
			return -ENOENT;
		/* Else another CPU took it just now: look again. */
		if (__sync_val_compare_and_swap(&s->addr, was, LEAK_SLOT_BUSY) != was)
			continue;
		s->a.size = size;
		s->a.ts_ns = ts;
		s->a.stack = stack;
		s->a.cache = 0;
		s->a.kind = meta;
		s->a.flags = meta >> 8;
		s->a.gen = gen;
		s->a.seq++;
		__sync_lock_test_and_set(&s->addr, addr);
		return 0;
	}
	return -ENOSPC;
}
#else
/* No atomics before 5.12: the hash build keeps allocs (use_slots unset). */
static __always_inline __u32 slot_index(__u64 addr)
{
	return SLOT_NONE;
}

static __always_inline long slot_insert(__u64 addr, __u64 size, __u64 ts,
					__u64 stack, __u64 meta)
{
	return -ENOENT;
}
#endif

/* A process's block: what slot_insert() takes of it besides the rest. */
static __always_inline __u64 slot_meta(const struct leak_alloc *a, bool noexist)
{
	return a->kind | (__u64)a->flags << 8 | (__u64)a->gen << 16 |
	       (noexist ? SLOT_NOEXIST : 0);
}

static __always_inline long slot_put(__u64 addr, const struct leak_alloc *a,
				     bool noexist)
{
	return slot_insert(addr, a->size, a->ts_ns, a->stack,
			   slot_meta(a, noexist));
}

/* The slot of the image's block at addr, or NULL. */
static __always_inline struct leak_slot *slot_find(__u64 addr)
{
	__u32 k = slot_index(addr);

	return k == SLOT_NONE ? NULL : bpf_map_lookup_elem(&alloc_slots, &k);
}

/* The block in s freed (its fields stay readable until reused). */
static __always_inline void slot_free(struct leak_slot *s)
{
	SLOT_ADDR(s) = LEAK_SLOT_GONE;
}

/*
 * Whether a block goes to alloc_slots: a process's (proc, a constant at
 * each call), when user space sized the table. The kernel-mode programs
 * pass false, so that they hold no call to the table's functions: the
 * verifier would check those in each of them (minutes on 6.1 under
 * emulation), called or not.
 */
#define IN_SLOTS(proc) ((proc) && use_slots)

/* A block of size bytes at addr, made under stack; proc: a process's. */
static __always_inline void record(__u64 addr, __u64 size, __u32 kind,
				   __u64 stack, __u64 cache, __u16 flags,
				   bool proc)
{
	struct leak_alloc a = {
		.size = size,
		.ts_ns = alloc_time(),
		.stack = stack,
		.cache = cache,
		.kind = kind,
		.flags = flags,
		.gen = exec_gen,
	};

	if (cumulative)
		total_add(&a);
	if (IN_SLOTS(proc) ? slot_put(addr, &a, false) :
			bpf_map_update_elem(&allocs, &addr, &a, BPF_ANY)) {
		count_loss(MT_LOST_MAP_FULL);
		return;
	}
	if (combined)
		combined_add(&a, 1);
	if (trace)
		emit(LEAK_EV_ALLOC, kind, addr, size, 0, 0, a.stack);
}

/* quiet: the block may already be gone (realloc(p, 0) frees p through
 * free, which the free probe saw). proc: a process's, as record(). */
static __always_inline void release(__u64 addr, bool quiet, bool proc)
{
	bool counted = !quiet && sample_rate == 1 && !min_size &&
		       max_size == ~0ULL;
	struct leak_slot *s = NULL;
	struct leak_alloc *a;
	__u64 size = 0;

	if (IN_SLOTS(proc)) {
		s = slot_find(addr);
		a = s ? &s->a : NULL;
	} else if (!combined && !trace) {
		/* Nothing to know of the block but whether it was there:
		 * one hash walk, not a lookup and a delete. */
		if (bpf_map_delete_elem(&allocs, &addr) && counted)
			count_loss(LEAK_UNTRACKED_FREE);
		return;
	} else {
		a = bpf_map_lookup_elem(&allocs, &addr);
	}
	if (a) {
		size = a->size;
		if (combined)
			combined_add(a, -1);
		if (s)
			slot_free(s);
		else
			bpf_map_delete_elem(&allocs, &addr);
	} else if (counted) {
		count_loss(LEAK_UNTRACKED_FREE);
	}
	if (trace)
		emit(LEAK_EV_FREE, LEAK_FREE, addr, size, 0, 0,
		     LEAK_STACK_MISSING);
}

static __always_inline void take_old(struct call *c, __u64 addr)
{
	struct leak_slot *s = use_slots ? slot_find(addr) : NULL;
	struct leak_alloc *a = use_slots ? (s ? &s->a : NULL) :
					   bpf_map_lookup_elem(&allocs, &addr);

	if (!a) {
		if (sample_rate == 1 && !min_size && max_size == ~0ULL)
			count_loss(LEAK_UNTRACKED_FREE);
		return;
	}
	c->old = *a;
	c->have_old = 1;
	if (combined)
		combined_add(a, -1);
	if (s)
		slot_free(s);
	else
		bpf_map_delete_elem(&allocs, &addr);
}

static __always_inline void restore_old(struct call *c)
{
	if (use_slots ? slot_put(c->arg, &c->old, true) :
			bpf_map_update_elem(&allocs, &c->arg, &c->old, BPF_NOEXIST))
		return;
	if (combined)
		combined_add(&c->old, 1);
}

/* n * elem, or all ones when it overflows: the call then fails. */
static __always_inline __u64 mul_sat(__u64 n, __u64 elem)
{
	__u64 max;

	if (!elem)
		return 0;
	max = ~0ULL / elem;
	/* Else clang turns the test into a 128-bit multiply BPF lacks. */
	asm volatile("" : "+r"(max));
	return n > max ? ~0ULL : n * elem;
}

#include "leak_entries.bpf.h"

/* Failed allocations (NULL, MAP_FAILED, a posix_memalign error) are not
 * recorded. */
SEC("uretprobe")
int BPF_KRETPROBE(alloc_return, __u64 ret)
{
	struct task_struct *t;
	struct call *c;
	__u64 addr = ret, stack;
	bool map;

	if (!target_slot(false, &c, &t))
		return 0;
	/* After the return the stack pointer is 8 above its value at entry. */
	if (!c || !c->sp || c->sp != PT_REGS_SP(ctx) - 8)
		return 0;
	c->sp = 0;
	/* The old block or region goes whatever the filters say of the new. */
	if (c->kind == LEAK_REALLOC || c->kind == LEAK_REALLOCARRAY) {
		if (!ret && c->have_old)
			restore_old(c);
		/* realloc(p, 0) frees p through free, whose probe saw it. */
		else if (c->arg && !c->size && trace_heap)
			release(c->arg, true, true);
	}
	if (c->skip) {
		if (c->kind == LEAK_MREMAP && ret != ~0ULL)
			emit(LEAK_EV_MUNMAP, LEAK_MREMAP, c->arg, c->arg2, 0, 0,
			     LEAK_STACK_MISSING);
		return 0;
	}

	/* One place takes the stack, inlined: a subprogram call costs its
	 * call and return (a return thunk under the SRSO mitigation) and
	 * the spills around it. */
	map = c->kind == LEAK_MMAP || c->kind == LEAK_MREMAP;
	if (map) {
		if (ret == ~0ULL)
			return 0;
	} else {
		/* posix_memalign writes its result only on success (return
		 * 0). */
		if (c->kind == LEAK_POSIX_MEMALIGN &&
		    (ret || bpf_probe_read_user(&addr, sizeof(addr),
						(void *)c->arg)))
			return 0;
		if (!addr)
			return 0;
	}
	stack = stack_of(ctx, BPF_F_USER_STACK, map ? 0 : c->caller,
			 CALL_IPS(c), t);
	if (c->kind == LEAK_MMAP)
		emit(LEAK_EV_MMAP, LEAK_MMAP, ret, c->size, 0, 0, stack);
	else if (c->kind == LEAK_MREMAP)
		emit(LEAK_EV_MREMAP, LEAK_MREMAP, c->arg, c->arg2, ret, c->size,
		     stack);
	else
		record(addr, c->size, c->kind, stack, 0, 0, true);
	return 0;
}

/*
 * The target exec'ed. This runs in its context, its image already
 * replaced, before the new one runs an instruction: allocations from now
 * on belong to the new image. The raw tracepoint needs neither BTF nor
 * tracefs (any kernel since 4.17): no argument is read, the task is the
 * current one.
 */
SEC("raw_tp/sched_process_exec")
int exec_raw_tp(void *ctx)
{
	if (!targ_tgid || bpf_get_current_pid_tgid() >> 32 != targ_tgid)
		return 0;
	/* One exec at a time per process (the kernel serializes them): no
	 * fetching atomic needed, which older kernels lack. */
	__sync_fetch_and_add(&exec_gen, 1);
	emit(LEAK_EV_EXEC, LEAK_MALLOC, 0, 0, 0, exec_gen, LEAK_STACK_MISSING);
	return 0;
}

/* ---- Kernel mode: the kmem tracepoints, system-wide ---- */

#define ZERO_SIZE_PTR 16ULL		/* kmalloc(0); kfree() ignores it */
#define PAGE_SHIFT 12
#define __GFP_DMA_BIT 0x01ULL
#define __GFP_RECLAIMABLE_BIT 0x10ULL
#define __GFP_ACCOUNT_BIT 0x400000ULL

static __always_inline int kalloc(void *ctx, __u64 ptr, __u64 size,
				  __u32 kind, __u64 cache, __u16 flags)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (!ptr || ptr == ZERO_SIZE_PTR || tgid == self_tgid ||
	    (alloc_tgid && tgid != alloc_tgid))
		return 0;
	/* memleak's --wa-missing-free: a tracked address allocated again
	 * was freed without an event. */
	if (wa_missing_free)
		release(ptr, true, false);
	if (size < min_size || size > max_size ||
	    (sample_rate > 1 && bpf_ktime_get_ns() % sample_rate))
		return 0;
	record(ptr, size, kind, take_stack(ctx, 0, 0, NULL, NULL), cache, flags,
	       false);
	return 0;
}

static __always_inline int kfree_ptr(__u64 ptr)
{
	if (ptr && ptr != ZERO_SIZE_PTR)
		release(ptr, true, false);
	return 0;
}

static __always_inline __u16 kmalloc_flags(__u64 gfp)
{
	return (gfp & __GFP_ACCOUNT_BIT ? LEAK_KMALLOC_CG : 0) |
	       (gfp & __GFP_RECLAIMABLE_BIT ? LEAK_KMALLOC_RCL : 0) |
	       (gfp & __GFP_DMA_BIT ? LEAK_KMALLOC_DMA : 0);
}

/* The cache's name, once per cache, under key. */
static __always_inline void name_cache(__u64 key, const char *name)
{
	char buf[LEAK_CACHE_NAME_LEN] = {};

	if (!key || bpf_map_lookup_elem(&cache_names, &key))
		return;
	bpf_probe_read_kernel_str(buf, sizeof(buf), name);
	bpf_map_update_elem(&cache_names, &key, buf, BPF_NOEXIST);
}

/* A key for a name read from a record (classic tracepoints carry the
 * name, not the cache): FNV-1a, high bit set to stay clear of pointers'
 * use as keys elsewhere. */
static __always_inline __u64 name_key(const char *name)
{
	char buf[LEAK_CACHE_NAME_LEN] = {};
	__u64 h = 0xcbf29ce484222325ULL;

	bpf_probe_read_kernel_str(buf, sizeof(buf), name);
	for (int i = 0; i < LEAK_CACHE_NAME_LEN && buf[i]; i++)
		h = (h ^ (__u8)buf[i]) * 0x100000001b3ULL;
	return h | (1ULL << 63);
}

/* tp_btf, 6.1+ prototypes (older kernels take the classic tracepoints). */

SEC("tp_btf/kmalloc")
int kmalloc_btf(unsigned long long *ctx)
{
	/* (call_site, ptr, bytes_req, bytes_alloc, gfp_flags, node) */
	TP_BTF_ARGS(5);
	return kalloc(ctx, a[1], a[3], LEAK_KMALLOC, 0, kmalloc_flags(a[4]));
}

SEC("tp_btf/kmem_cache_alloc")
int kmem_cache_alloc_btf(unsigned long long *ctx)
{
	/* (call_site, ptr, struct kmem_cache *s, gfp_flags, node) */
	TP_BTF_ARGS(3);
	struct kmem_cache *s = (void *)a[2];
	__u64 size = BPF_CORE_READ(s, size);

	name_cache(a[2], BPF_CORE_READ(s, name));
	return kalloc(ctx, a[1], size, LEAK_KMEM_CACHE, a[2], 0);
}

/* A program for a free event whose argument i is what was freed. */
#define KFREE_BTF(prog, event, i)					\
	SEC("tp_btf/" event)						\
	int prog(unsigned long long *ctx)				\
	{								\
		TP_BTF_ARGS(i + 1);					\
		return kfree_ptr(a[i]);					\
	}

/* kfree and kmem_cache_free: the pointer is the second argument on every
 * version. */
KFREE_BTF(kfree_btf, "kfree", 1)
KFREE_BTF(kmem_cache_free_btf, "kmem_cache_free", 1)

/* Pages by their struct page (classic tracepoints: by pfn). */
SEC("tp_btf/mm_page_alloc")
int page_alloc_btf(unsigned long long *ctx)
{
	/* (struct page *page, unsigned int order, gfp_flags, migratetype) */
	TP_BTF_ARGS(2);
	return kalloc(ctx, a[0], 1ULL << (PAGE_SHIFT + (a[1] & 31)),
		      LEAK_PAGES, 0, 0);
}

KFREE_BTF(page_free_btf, "mm_page_free", 0)
/* release_pages() and friends free lists of pages with this event. */
KFREE_BTF(page_free_batched_btf, "mm_page_free_batched", 0)

SEC("tp_btf/percpu_alloc_percpu")
int percpu_alloc_btf(unsigned long long *ctx)
{
	/* 5.19+: (call_site, reserved, is_atomic, size, align, base_addr,
	 * off, ptr, bytes_alloc, gfp_flags); before: (reserved, is_atomic,
	 * size, align, base_addr, off, ptr) */
	TP_BTF_ARGS(9);
	if (percpu_519)
		return kalloc(ctx, a[7], a[8], LEAK_PERCPU, 0, 0);
	return kalloc(ctx, a[6], a[2], LEAK_PERCPU, 0, 0);
}

/* (base_addr, off, ptr) */
KFREE_BTF(percpu_free_btf, "percpu_free_percpu", 2)

/* Classic tracepoints: the records through the flavours of shims.bpf.h. */

/* kalloc() of a kmem record r, whichever flavour: ptr and bytes_alloc. */
#define KALLOC_RECORD(r, kind, cache, flags) \
	kalloc(r, (__u64)(r)->ptr, (r)->bytes_alloc, kind, cache, flags)
#define KMALLOC_RECORD(r) \
	KALLOC_RECORD(r, LEAK_KMALLOC, 0, kmalloc_flags((r)->gfp_flags))

SEC("tracepoint/kmem/kmalloc")
int kmalloc_tp(void *ctx)
{
	if (HAVE_KMALLOC_CLASS)
		return KMALLOC_RECORD((struct trace_event_raw_kmalloc___x *)ctx);
	return KMALLOC_RECORD((struct trace_event_raw_kmem_alloc___x *)ctx);
}

/* Up to 6.0: node-aware allocations fire the _node events instead. */
SEC("tracepoint/kmem/kmalloc_node")
int kmalloc_node_tp(struct trace_event_raw_kmem_alloc_node___x *r)
{
	return KMALLOC_RECORD(r);
}

SEC("tracepoint/kmem/kmem_cache_alloc")
int kmem_cache_alloc_tp(void *ctx)
{
	if (HAVE_KMEM_CACHE_ALLOC_CLASS) {
		struct trace_event_raw_kmem_cache_alloc___x *r = ctx;
		__u64 key = 0;

		/* 6.18: the record names the cache (a __data_loc string:
		 * offset in the low 16 bits, length in the high ones). */
		if (HAVE_KMEM_CACHE_ALLOC_NAME) {
			const char *name = (const char *)ctx +
					   (r->__data_loc_name & 0xffff);

			key = name_key(name);
			name_cache(key, name);
		}
		return KALLOC_RECORD(r, LEAK_KMEM_CACHE, key, 0);
	}
	return KALLOC_RECORD((struct trace_event_raw_kmem_alloc___x *)ctx,
			     LEAK_KMEM_CACHE, 0, 0);
}

SEC("tracepoint/kmem/kmem_cache_alloc_node")
int kmem_cache_alloc_node_tp(struct trace_event_raw_kmem_alloc_node___x *r)
{
	return KALLOC_RECORD(r, LEAK_KMEM_CACHE, 0, 0);
}

SEC("tracepoint/kmem/kfree")
int kfree_tp(void *ctx)
{
	if (HAVE_KFREE_CLASS)
		return kfree_ptr((__u64)((struct trace_event_raw_kfree___x *)ctx)->ptr);
	return kfree_ptr((__u64)((struct trace_event_raw_kmem_free___x *)ctx)->ptr);
}

SEC("tracepoint/kmem/kmem_cache_free")
int kmem_cache_free_tp(void *ctx)
{
	if (HAVE_KFREE_CLASS)
		return kfree_ptr((__u64)((struct trace_event_raw_kmem_cache_free___x *)ctx)->ptr);
	return kfree_ptr((__u64)((struct trace_event_raw_kmem_free___x *)ctx)->ptr);
}

SEC("tracepoint/kmem/mm_page_alloc")
int page_alloc_tp(struct trace_event_raw_mm_page_alloc___x *r)
{
	if (r->pfn == ~0UL)
		return 0;		/* the allocation failed */
	return kalloc(r, r->pfn, 1ULL << (PAGE_SHIFT + (r->order & 31)),
		      LEAK_PAGES, 0, 0);
}

SEC("tracepoint/kmem/mm_page_free")
int page_free_tp(struct trace_event_raw_mm_page_free___x *r)
{
	return kfree_ptr(r->pfn);
}

SEC("tracepoint/kmem/mm_page_free_batched")
int page_free_batched_tp(struct trace_event_raw_mm_page_free_batched___x *r)
{
	return kfree_ptr(r->pfn);
}

SEC("tracepoint/percpu/percpu_alloc_percpu")
int percpu_alloc_tp(struct trace_event_raw_percpu_alloc_percpu___x *r)
{
	/* Read through the helper: two direct loads of ctx fields chosen by
	 * a relocation get merged into one at a computed offset, which the
	 * verifier refuses ("dereference of modified ctx ptr"). */
	__u64 size = bpf_core_field_exists(r->bytes_alloc) ?
			     BPF_CORE_READ(r, bytes_alloc) : BPF_CORE_READ(r, size);

	return kalloc(r, (__u64)r->ptr, size, LEAK_PERCPU, 0, 0);
}

SEC("tracepoint/percpu/percpu_free_percpu")
int percpu_free_tp(struct trace_event_raw_percpu_free_percpu___x *r)
{
	return kfree_ptr((__u64)r->ptr);
}
