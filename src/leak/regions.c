// SPDX-License-Identifier: GPL-2.0
/* The mmap regions leak tracks, with partial munmap and mremap. */
#include <stdlib.h>
#include <string.h>
#include "leak/regions.h"

void regions_init(struct regions *r, uint64_t page_size)
{
	*r = (struct regions){ .page_size = page_size ? page_size : 4096 };
}

void regions_free(struct regions *r)
{
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

/* Index of the first region that ends after addr. */
static size_t first_after(const struct regions *r, uint64_t addr)
{
	size_t lo = 0, hi = r->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->v[mid].end <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int insert_at(struct regions *r, size_t i, const struct region *reg)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 64;
		struct region *v = realloc(r->v, cap * sizeof(*v));

		if (!v) {
			r->oom = 1;
			return -1;
		}
		r->v = v;
		r->cap = cap;
	}
	memmove(&r->v[i + 1], &r->v[i], (r->n - i) * sizeof(*r->v));
	r->v[i] = *reg;
	r->n++;
	return 0;
}

/* Removes [start, end) from every region, splitting one that spans it. */
static void cut(struct regions *r, uint64_t start, uint64_t end)
{
	size_t i = first_after(r, start);

	while (i < r->n && r->v[i].start < end) {
		struct region *g = &r->v[i];

		if (g->start < start && g->end > end) {
			struct region tail = *g;

			tail.start = end;
			g->end = start;
			insert_at(r, i + 1, &tail);
			return;
		}
		if (g->start < start) {
			g->end = start;
			i++;
		} else if (g->end > end) {
			g->start = end;
			i++;
		} else {
			memmove(g, g + 1, (r->n - i - 1) * sizeof(*g));
			r->n--;
		}
	}
}

static uint64_t page_end(const struct regions *r, uint64_t addr, uint64_t len)
{
	uint64_t end = addr + len;

	if (end < addr)
		return UINT64_MAX;
	end = (end + r->page_size - 1) & ~(r->page_size - 1);
	return end ? end : UINT64_MAX;
}

void regions_map(struct regions *r, uint64_t addr, uint64_t len,
		 uint64_t stack, uint64_t ts_ns)
{
	struct region reg = { addr, addr + len, ts_ns, ++r->next_id, stack };

	if (!len || reg.end < addr)
		return;
	cut(r, addr, page_end(r, addr, len));
	insert_at(r, first_after(r, addr), &reg);
}

void regions_unmap(struct regions *r, uint64_t addr, uint64_t len)
{
	if (len)
		cut(r, addr, page_end(r, addr, len));
}

void regions_remap(struct regions *r, uint64_t old_addr, uint64_t old_len,
		   uint64_t new_addr, uint64_t new_len, uint64_t stack,
		   uint64_t ts_ns)
{
	/* old_len 0 duplicates a shared mapping: nothing goes away. */
	if (old_len)
		cut(r, old_addr, page_end(r, old_addr, old_len));
	regions_map(r, new_addr, new_len, stack, ts_ns);
}

uint64_t regions_bytes(const struct regions *r)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < r->n; i++)
		sum += r->v[i].end - r->v[i].start;
	return sum;
}
