// SPDX-License-Identifier: GPL-2.0
/* leak: the table of a process's blocks, shared with the BPF side. */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "leak.skel.h"
#include "leak/slots.h"

void leak_slots_size(struct leak_bpf *skel, uint64_t max_allocs)
{
	unsigned int bits = 1;

	skel->rodata->use_slots = max_allocs > 0;
	if (!max_allocs)
		return;		/* the map keeps its one slot */
	while ((1ULL << bits) < 2 * max_allocs)
		bits++;
	bpf_map__set_max_entries(skel->maps.alloc_slots, 1U << bits);
	/* The BPF side's hash is the top bits of a 64-bit product. */
	skel->rodata->slots_shift = 64 - bits;
	skel->rodata->slots_mask = (1U << bits) - 1;
}

static size_t map_len(size_t n)
{
	size_t page = sysconf(_SC_PAGESIZE), len = n * sizeof(struct leak_slot);

	return (len + page - 1) / page * page;
}

int leak_slots_map(struct leak_slots *s, struct leak_bpf *skel)
{
	size_t n = bpf_map__max_entries(skel->maps.alloc_slots);
	void *v;

	s->v = NULL;
	s->n = 0;
	if (!skel->rodata->use_slots)
		return 0;
	/* Writable: leak_slots_forget() frees slots. */
	v = mmap(NULL, map_len(n), PROT_READ | PROT_WRITE, MAP_SHARED,
		 bpf_map__fd(skel->maps.alloc_slots), 0);
	if (v == MAP_FAILED)
		return -errno;
	s->v = v;
	s->n = n;
	return 0;
}

void leak_slots_unmap(struct leak_slots *s)
{
	if (s->v)
		munmap(s->v, map_len(s->n));
	s->v = NULL;
	s->n = 0;
}

static bool holds_block(uint64_t addr)
{
	return addr != LEAK_SLOT_EMPTY && addr != LEAK_SLOT_GONE &&
	       addr != LEAK_SLOT_BUSY;
}

/*
 * A slot changes under the reader: its block is copied between two reads
 * of its address and count of writes, and kept only if both held (the
 * BPF side marks the slot busy, writes the block and raises the count,
 * then writes the address).
 */
void leak_slots_each(const struct leak_slots *s, leak_slot_fn fn, void *ctx)
{
	for (size_t i = 0; i < s->n; i++) {
		struct leak_slot *slot = &s->v[i];
		uint64_t addr = __atomic_load_n(&slot->addr, __ATOMIC_ACQUIRE);
		uint32_t seq = __atomic_load_n(&slot->a.seq, __ATOMIC_RELAXED);
		struct leak_alloc a;

		if (!holds_block(addr))
			continue;
		a = slot->a;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (__atomic_load_n(&slot->addr, __ATOMIC_RELAXED) == addr &&
		    __atomic_load_n(&slot->a.seq, __ATOMIC_RELAXED) == seq)
			fn(ctx, addr, &a);
	}
}

void leak_slots_forget(struct leak_slots *s, uint16_t gen)
{
	for (size_t i = 0; i < s->n; i++) {
		struct leak_slot *slot = &s->v[i];
		uint64_t addr = __atomic_load_n(&slot->addr, __ATOMIC_ACQUIRE);

		/* The BPF side writes no block of an earlier image: a slot
		 * that holds one holds it until freed here. */
		if (holds_block(addr) && (int16_t)(slot->a.gen - gen) < 0)
			__atomic_compare_exchange_n(&slot->addr, &addr,
						    LEAK_SLOT_GONE, false,
						    __ATOMIC_RELEASE,
						    __ATOMIC_RELAXED);
	}
}
