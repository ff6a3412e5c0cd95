/* SPDX-License-Identifier: GPL-2.0 */
/*
 * leak's entry probes, included by leak.bpf.c after the call state: what
 * each entry point's arguments mean, and the programs that attach them,
 * one for all through multi-uprobe links or one each.
 */
#ifndef MEMTRACE_LEAK_ENTRIES_BPF_H
#define MEMTRACE_LEAK_ENTRIES_BPF_H

/*
 * operator new has no return probe: a uretprobe replaces the return
 * address on the stack, and an exception (std::bad_alloc) unwinding
 * through it finds no caller and terminates the program. new calls
 * malloc (or aligned_alloc), whose probes record the block; new's return
 * address, saved here, becomes its first frame.
 */
static __always_inline int new_enter(struct pt_regs *ctx)
{
	__u64 sp = PT_REGS_SP(ctx);
	struct call *c = outer_call(sp);

	if (!c)
		return 0;
	if (bpf_probe_read_user(&c->cxx_caller, sizeof(c->cxx_caller),
				(void *)sp))
		return 0;
	c->cxx_sp = sp;
	return 0;
}

/* No return probe: munmap rarely fails, and then the region stays
 * counted as freed, which user space cannot tell anyway. */
static __always_inline int munmap_enter(struct pt_regs *ctx)
{
	struct task_struct *t;
	struct call *c;

	if (!target_slot(false, &c, &t))
		return 0;
	if (c && c->sp && PT_REGS_SP(ctx) < c->sp)
		return 0;		/* the allocator's own, e.g. in free */
	emit(LEAK_EV_MUNMAP, LEAK_MUNMAP, PT_REGS_PARM1(ctx), PT_REGS_PARM2(ctx),
	     0, 0, LEAK_STACK_MISSING);
	return 0;
}

/* Per free: one hash delete. The process is asked (a helper call, about
 * 25 ns here) unless the links filter it already. */
static __always_inline int free_enter(struct pt_regs *ctx)
{
	__u64 addr = PT_REGS_PARM1(ctx);

	if (!addr || (!links_filter_tgid && !is_target()))
		return 0;
	release(addr, false, true);
	return 0;
}

/*
 * Any entry point, by its kind: what each one's arguments mean. pvalloc
 * allocates whole pages: its size is rounded up (0 -> a page).
 */
static __always_inline int on_entry(struct pt_regs *ctx, __u32 kind)
{
	__u64 a1 = PT_REGS_PARM1(ctx), a2 = PT_REGS_PARM2(ctx);
	__u64 a3 = PT_REGS_PARM3(ctx);

	switch (kind) {
	case LEAK_MALLOC:
	case LEAK_VALLOC:
		return enter(ctx, kind, a1, 0, 0);
	case LEAK_CALLOC:
		return enter(ctx, kind, mul_sat(a1, a2), 0, 0);
	case LEAK_REALLOC:
		return enter(ctx, kind, a2, a1, 0);
	case LEAK_REALLOCARRAY:
		return enter(ctx, kind, mul_sat(a2, a3), a1, 0);
	case LEAK_POSIX_MEMALIGN:
		return enter(ctx, kind, a3, a1, 0);
	case LEAK_ALIGNED_ALLOC:
	case LEAK_MEMALIGN:
	case LEAK_MMAP:
		return enter(ctx, kind, a2, 0, 0);
	case LEAK_PVALLOC:
		return enter(ctx, kind, a1 ? (a1 + page_size - 1) &
					       ~(page_size - 1) : page_size,
			     0, 0);
	case LEAK_MREMAP:
		return enter(ctx, kind, a3, a1, a2);
	case LEAK_NEW:
		return new_enter(ctx);
	case LEAK_MUNMAP:
		return munmap_enter(ctx);
	case LEAK_FREE:
		return free_enter(ctx);
	}
	return 0;
}

/*
 * Every entry point through one link per library (6.6+): the link's
 * cookie for each offset is its kind. malloc and free, the calls made
 * most, are told by their address instead, one helper call fewer (about
 * 20 ns here): the kernel sets the instruction pointer to the probe's
 * address before the handlers run (handle_swbp()), and a file is mapped
 * at a page-aligned distance from its offsets, so the low 12 bits of the
 * address are those of the probe's file offset, which user space
 * compares with the other probes' before load.
 */
SEC("uprobe")
int entry_multi(struct pt_regs *ctx)
{
	__u32 at = 0x1000 | (PT_REGS_IP(ctx) & 0xfff);

	if (at == multi_malloc_at)
		return on_entry(ctx, LEAK_MALLOC);
	if (at == multi_free_at)
		return on_entry(ctx, LEAK_FREE);
	return on_entry(ctx, bpf_get_attach_cookie(ctx));
}

/* Else a probe each, a program each (cookies came in 5.15). */
#define ENTRY_PROG(name, kind)				\
	SEC("uprobe")					\
	int name(struct pt_regs *ctx)			\
	{						\
		return on_entry(ctx, kind);		\
	}

ENTRY_PROG(malloc_enter, LEAK_MALLOC)
ENTRY_PROG(calloc_enter, LEAK_CALLOC)
ENTRY_PROG(realloc_enter, LEAK_REALLOC)
ENTRY_PROG(reallocarray_enter, LEAK_REALLOCARRAY)
ENTRY_PROG(posix_memalign_enter, LEAK_POSIX_MEMALIGN)
ENTRY_PROG(aligned_alloc_enter, LEAK_ALIGNED_ALLOC)
ENTRY_PROG(memalign_enter, LEAK_MEMALIGN)
ENTRY_PROG(valloc_enter, LEAK_VALLOC)
ENTRY_PROG(pvalloc_enter, LEAK_PVALLOC)
ENTRY_PROG(new_enter_prog, LEAK_NEW)
ENTRY_PROG(mmap_enter, LEAK_MMAP)
ENTRY_PROG(mremap_enter, LEAK_MREMAP)
ENTRY_PROG(munmap_enter_prog, LEAK_MUNMAP)
ENTRY_PROG(free_enter_prog, LEAK_FREE)

#endif /* MEMTRACE_LEAK_ENTRIES_BPF_H */
