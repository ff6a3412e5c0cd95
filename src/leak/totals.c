// SPDX-License-Identifier: GPL-2.0
/*
 * leak: what each stack allocated since the trace began (pprof's
 * alloc_objects and alloc_space). Heap blocks are counted in the kernel
 * (alloc_totals), mappings here from the events that carry them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "leak.skel.h"
#include "leak/collector_priv.h"

/* Distinct mapping stacks kept; later ones count as stacks not kept
 * (LEAK_STACK_FULL). */
#define MAX_MAP_TOTALS 4096

static struct leak_total *map_total(struct leak_map_totals *t, uint64_t stack,
				    uint16_t kind)
{
	struct leak_total *v;

	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].stack == stack && t->v[i].kind == kind)
			return &t->v[i];
	/* Past the limit only the "not kept" rows are made: one a kind. */
	if (t->n >= MAX_MAP_TOTALS && stack != LEAK_STACK_FULL)
		return map_total(t, LEAK_STACK_FULL, kind);
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;

		v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		t->v = v;
		t->cap = cap;
	}
	t->v[t->n] = (struct leak_total){
		.stack = stack, .cls = LEAK_CLASS_MMAP, .kind = kind,
	};
	return &t->v[t->n++];
}

void leak_totals_map(struct leak_collector *c, const struct leak_event *e)
{
	struct leak_total *t;

	if (!c->cfg.cumulative)
		return;
	t = map_total(&c->map_totals, e->stack, e->kind);
	if (!t)
		return;
	t->count++;
	t->bytes += e->type == LEAK_EV_MREMAP ? e->new_size : e->size;
}

/* The mappings' totals belong to the image that made them: an exec
 * starts them again (the kernel's are deleted with the allocations). */
void leak_totals_forget(struct leak_collector *c)
{
	c->map_totals.n = 0;
}

void leak_totals_free(struct leak_collector *c)
{
	free(c->map_totals.v);
	memset(&c->map_totals, 0, sizeof(c->map_totals));
}

static int push(struct leak_total **v, size_t *n, size_t *cap,
		const struct leak_total *t)
{
	struct leak_total *nv;

	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		nv = realloc(*v, *cap * sizeof(**v));
		if (!nv)
			return -ENOMEM;
		*v = nv;
	}
	(*v)[(*n)++] = *t;
	return 0;
}

int leak_totals_read(struct leak_collector *c, struct leak_total **v,
		     size_t *n)
{
	int fd = bpf_map__fd(c->skel->maps.alloc_totals);
	struct leak_stack_key key, next, *prev = NULL;
	uint16_t gen = c->skel->bss->exec_gen;
	struct leak_combined val;
	size_t cap = 0;
	int err = 0;

	*v = NULL;
	*n = 0;
	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key.gen != gen || bpf_map_lookup_elem(fd, &key, &val))
			continue;
		err = push(v, n, &cap, &(struct leak_total){
			.stack = key.stack,
			.cls = c->cfg.kernel ? LEAK_CLASS_KERNEL : LEAK_CLASS_HEAP,
			.kind = key.kind, .bytes = val.bytes, .count = val.count });
	}
	for (size_t i = 0; !err && i < c->map_totals.n; i++)
		err = push(v, n, &cap, &c->map_totals.v[i]);
	return err;
}
