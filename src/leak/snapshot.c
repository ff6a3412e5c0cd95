// SPDX-License-Identifier: GPL-2.0
/* leak: the kernel's maps read into plain structs, and the images an exec
 * ended forgotten. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "leak.skel.h"
#include "core/loop.h"
#include "core/mapread.h"
#include "core/losses.h"
#include "leak/collector_priv.h"
#include "leak/snapshot.h"

static struct leak_item *add_item(struct leak_snapshot *s, uint64_t addr,
				  uint64_t size, uint64_t ts_ns, uint64_t count,
				  int32_t stackid)
{
	if (s->nr_items == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 1024;
		struct leak_item *v = realloc(s->items, cap * sizeof(*v));

		if (!v) {
			s->oom = true;
			return NULL;
		}
		s->items = v;
		s->cap = cap;
	}
	s->items[s->nr_items] = (struct leak_item){
		.addr = addr, .size = size, .ts_ns = ts_ns, .count = count,
		.stackid = stackid,
	};
	return &s->items[s->nr_items++];
}

static bool old_enough(uint64_t older_ns, uint64_t now, uint64_t ts)
{
	return !older_ns || (now > ts && now - ts >= older_ns);
}

/* The image of the process now: what earlier ones allocated went with
 * their address space at exec (leak_forget_images() deletes it). */
static uint16_t current_gen(const struct leak_collector *c)
{
	return c->skel->bss->exec_gen;
}

static void add_alloc(struct leak_collector *c, struct leak_snapshot *s,
		      uint64_t addr, const struct leak_alloc *a)
{
	struct leak_item *it = add_item(s, addr, a->size, a->ts_ns, 1, a->stackid);

	if (!it)
		return;
	/* The field is the cache in the kernel, new's caller in a process. */
	if (c->cfg.kernel)
		it->cache = a->cache;
	else
		it->caller = a->cache;
	it->kind = a->kind;
	it->flags = a->flags;
}

struct allocs_read {
	struct leak_collector *c;
	struct leak_snapshot *s;
	uint64_t older_ns, now;
};

static int add_allocs(void *ctx, const void *keys, const void *vals, uint32_t n)
{
	const struct allocs_read *r = ctx;
	const uint64_t *k = keys;
	const struct leak_alloc *v = vals;

	for (uint32_t i = 0; i < n; i++)
		if (old_enough(r->older_ns, r->now, v[i].ts_ns) &&
		    v[i].gen == current_gen(r->c))
			add_alloc(r->c, r->s, k[i], &v[i]);
	return 0;
}

/* Every outstanding allocation (a hash map: batches since 5.6, the
 * kernels leak runs on). */
static int read_allocs(struct leak_collector *c, struct leak_snapshot *s,
		       uint64_t older_ns, uint64_t now)
{
	struct allocs_read r = { c, s, older_ns, now };

	return map_read_batches(bpf_map__fd(c->skel->maps.allocs), sizeof(uint64_t),
				sizeof(struct leak_alloc), add_allocs, &r);
}

static void read_combined(struct leak_collector *c, struct leak_snapshot *s)
{
	int fd = bpf_map__fd(c->skel->maps.combined_totals);
	uint64_t key, next, *prev = NULL;
	struct leak_combined t;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if ((uint16_t)(key >> 32) != current_gen(c) ||
		    bpf_map_lookup_elem(fd, &key, &t) || !t.count)
			continue;
		add_item(s, 0, t.bytes, 0, t.count, (int32_t)key);
	}
}

/* Whether an entry of image g belongs to an image before gen (gen wraps
 * at 16 bits). */
static bool older_image(uint16_t g, uint16_t gen)
{
	return (int16_t)(g - gen) < 0;
}

/* The image a key of map (enum which) belongs to. */
enum keyed { ALLOCS, COMBINED, TOTALS };

static bool key_older(int fd, enum keyed which, const void *key, uint16_t gen)
{
	struct leak_alloc a;

	switch (which) {
	case ALLOCS:
		return !bpf_map_lookup_elem(fd, key, &a) && older_image(a.gen, gen);
	case COMBINED:
		return older_image(*(const uint64_t *)key >> 32, gen);
	default:
		return older_image(((const struct leak_total_key *)key)->gen, gen);
	}
}

/* Deletes the allocations, -C totals or totals since the start of the
 * images before gen: nothing can free them now. The keys are collected
 * first: a hash map's walk restarts when the key it stands on is
 * deleted. */
static void forget_older(int fd, enum keyed which, uint16_t gen)
{
	size_t size = which == TOTALS ? sizeof(struct leak_total_key) :
					sizeof(uint64_t);
	char key[sizeof(struct leak_total_key)], next[sizeof(key)], *v;
	char *prev = NULL, *stale = NULL;
	size_t n = 0, cap = 0;

	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, size);
		prev = key;
		if (!key_older(fd, which, key, gen))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			v = realloc(stale, cap * size);
			if (!v)
				break;
			stale = v;
		}
		memcpy(stale + n++ * size, key, size);
	}
	for (size_t i = 0; i < n; i++)
		bpf_map_delete_elem(fd, stale + i * size);
	free(stale);
}

void leak_forget_images(struct leak_collector *c, uint16_t gen)
{
	forget_older(bpf_map__fd(c->skel->maps.allocs), ALLOCS, gen);
	forget_older(bpf_map__fd(c->skel->maps.combined_totals), COMBINED, gen);
	forget_older(bpf_map__fd(c->skel->maps.alloc_totals), TOTALS, gen);
	leak_totals_forget(c);
}

static int cmp_stackid(const void *a, const void *b)
{
	const struct leak_item *x = a, *y = b;

	if (x->stackid != y->stackid)
		return x->stackid < y->stackid ? -1 : 1;
	if (x->caller != y->caller)
		return x->caller < y->caller ? -1 : 1;
	return x->size < y->size ? 1 : x->size > y->size ? -1 :
	       x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_bytes(const void *a, const void *b)
{
	const struct leak_group *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return x->stackid < y->stackid ? -1 : x->stackid > y->stackid;
}

/* The items, sorted by stack, into groups, most bytes first. */
static int group_items(struct leak_snapshot *s)
{
	qsort(s->items, s->nr_items, sizeof(*s->items), cmp_stackid);
	s->groups = calloc(s->nr_items ? s->nr_items : 1, sizeof(*s->groups));
	if (!s->groups)
		return -ENOMEM;
	for (size_t i = 0; i < s->nr_items; i++) {
		const struct leak_item *it = &s->items[i];
		struct leak_group *g = s->nr_groups ? &s->groups[s->nr_groups - 1] :
						      NULL;

		if (!g || g->stackid != it->stackid || g->caller != it->caller) {
			g = &s->groups[s->nr_groups++];
			*g = (struct leak_group){ .stackid = it->stackid,
						  .caller = it->caller,
						  .first = i };
		}
		g->bytes += it->size;
		g->count += it->count;
		g->n++;
		s->bytes += it->size;
		s->count += it->count;
	}
	qsort(s->groups, s->nr_groups, sizeof(*s->groups), cmp_bytes);
	return 0;
}

int leak_snapshot_take(struct leak_collector *c, uint64_t older_ns,
		       struct leak_snapshot *s)
{
	const struct regions *r = &c->regions;
	uint64_t now = mono_ns();
	int err = 0;

	memset(s, 0, sizeof(*s));
	if (c->cfg.combined)
		read_combined(c, s);
	else
		err = read_allocs(c, s, older_ns, now);
	if (err)
		return err;
	/* Regions are sorted by address: the pieces a munmap left of one
	 * mapping are next to each other, and count as one allocation. */
	for (size_t i = 0; i < r->n; i++) {
		const struct region *g = &r->v[i];

		struct leak_item *it;

		if (!old_enough(older_ns, now, g->ts_ns))
			continue;
		it = add_item(s, g->start, g->end - g->start, g->ts_ns,
			      !i || g[-1].id != g->id, g->stackid);
		if (it)
			it->kind = LEAK_MMAP;
	}
	if (s->oom)
		return -ENOMEM;
	return group_items(s);
}

void leak_snapshot_free(struct leak_snapshot *s)
{
	free(s->items);
	free(s->groups);
	memset(s, 0, sizeof(*s));
}

void leak_losses_read(struct leak_collector *c, struct leak_losses *l)
{
	uint64_t v[LEAK_LOST_NR] = {};

	losses_read(bpf_map__fd(c->skel->maps.lost), v, LEAK_LOST_NR);
	*l = (struct leak_losses){
		.map_full = v[MT_LOST_MAP_FULL],
		.ringbuf = v[MT_LOST_RINGBUF],
		.thread_state = v[LEAK_LOST_STATE],
		.stack_collision = v[LEAK_LOST_STACK_COLLISION],
		.stack_missing = v[LEAK_LOST_STACK_MISSING],
		.untracked_frees = v[LEAK_UNTRACKED_FREE],
		.regions_oom = c->regions.oom,
	};
}

/*
 * A frame-pointer walk through code without frame pointers reads data as
 * return addresses: it stops at the first that cannot be one. x86-64
 * user addresses lie below 2^56 (2^47 with 4-level page tables; the
 * first page is never mapped), kernel ones from 0xff00... up (5-level).
 */
static bool frame_plausible(const struct leak_collector *c, uint64_t addr)
{
	if (c->cfg.kernel)
		return addr >= 0xff00000000000000ULL;
	return addr >= 4096 && addr < (1ULL << 56);
}

int leak_stack_read(struct leak_collector *c, const struct leak_group *g,
		    uint64_t *frames)
{
	int32_t stackid = g->stackid;
	int n = 0;

	if (stackid < 0 ||
	    bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.stacks), &stackid,
				frames))
		return 0;
	while ((uint64_t)n < c->cfg.stack_depth && frame_plausible(c, frames[n]))
		n++;
	/* Frame 0 is in operator new, which keeps no frame pointer: its
	 * caller comes next, from the return address new had at entry. */
	if (g->caller && n)
		frames[0] = g->caller;
	return n;
}

bool leak_cache_name_read(struct leak_collector *c, uint64_t cache,
			  char name[LEAK_CACHE_NAME_LEN])
{
	return cache && !bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.cache_names),
					     &cache, name);
}
