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

const char *leak_class_name(enum leak_class cls)
{
	static const char *const names[] = {
		[LEAK_CLASS_HEAP] = "heap",
		[LEAK_CLASS_MMAP] = "mmap",
		[LEAK_CLASS_KERNEL] = "kernel",
	};

	return cls <= LEAK_CLASS_KERNEL ? names[cls] : "?";
}

static struct leak_item *add_item(struct leak_snapshot *s, uint64_t addr,
				  uint64_t size, uint64_t ts_ns, uint64_t count,
				  uint64_t stack, enum leak_class cls)
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
		.stack = stack, .cls = cls,
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
	struct leak_item *it = add_item(s, addr, a->size, a->ts_ns, 1, a->stack,
					c->cfg.kernel ? LEAK_CLASS_KERNEL :
							LEAK_CLASS_HEAP);

	if (!it)
		return;
	it->cache = a->cache;
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

static void add_slot(void *ctx, uint64_t addr, const struct leak_alloc *a)
{
	add_allocs(ctx, &addr, a, 1);
}

/* Every outstanding allocation: the table of slots, or the hash map
 * (batches since 5.6, the kernels leak runs on). */
static int read_allocs(struct leak_collector *c, struct leak_snapshot *s,
		       uint64_t older_ns, uint64_t now)
{
	struct allocs_read r = { c, s, older_ns, now };

	if (c->slots.v) {
		leak_slots_each(&c->slots, add_slot, &r);
		return 0;
	}
	return map_read_batches(bpf_map__fd(c->skel->maps.allocs), sizeof(uint64_t),
				sizeof(struct leak_alloc), add_allocs, &r);
}

static void read_combined(struct leak_collector *c, struct leak_snapshot *s)
{
	int fd = bpf_map__fd(c->skel->maps.combined_totals);
	struct leak_stack_key key, next, *prev = NULL;
	struct leak_item *it;
	struct leak_combined t;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key.gen != current_gen(c) ||
		    bpf_map_lookup_elem(fd, &key, &t) || !t.count)
			continue;
		it = add_item(s, 0, t.bytes, 0, t.count, key.stack,
			      c->cfg.kernel ? LEAK_CLASS_KERNEL : LEAK_CLASS_HEAP);
		if (it)
			it->kind = key.kind;
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
	default:	/* COMBINED, TOTALS */
		return older_image(((const struct leak_stack_key *)key)->gen, gen);
	}
}

static size_t key_size(enum keyed which)
{
	return which == ALLOCS ? sizeof(uint64_t) : sizeof(struct leak_stack_key);
}

/* Deletes the allocations, -C totals or totals since the start of the
 * images before gen: nothing can free them now. The keys are collected
 * first: a hash map's walk restarts when the key it stands on is
 * deleted. */
static void forget_older(int fd, enum keyed which, uint16_t gen)
{
	size_t size = key_size(which);
	char key[sizeof(struct leak_stack_key)];
	char next[sizeof(key)], *v, *prev = NULL, *stale = NULL;
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
	if (c->slots.v)
		leak_slots_forget(&c->slots, gen);
	else
		forget_older(bpf_map__fd(c->skel->maps.allocs), ALLOCS, gen);
	forget_older(bpf_map__fd(c->skel->maps.combined_totals), COMBINED, gen);
	forget_older(bpf_map__fd(c->skel->maps.alloc_totals), TOTALS, gen);
	leak_totals_forget(c);
}

static int cmp_stack(const void *a, const void *b)
{
	const struct leak_item *x = a, *y = b;

	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	if (x->cls != y->cls)
		return x->cls < y->cls ? -1 : 1;
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
	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	return x->cls < y->cls ? -1 : x->cls > y->cls;
}

/* The items, sorted by stack, into groups, most bytes first. */
static int group_items(struct leak_snapshot *s)
{
	qsort(s->items, s->nr_items, sizeof(*s->items), cmp_stack);
	s->groups = calloc(s->nr_items ? s->nr_items : 1, sizeof(*s->groups));
	if (!s->groups)
		return -ENOMEM;
	for (size_t i = 0; i < s->nr_items; i++) {
		const struct leak_item *it = &s->items[i];
		struct leak_group *g = s->nr_groups ? &s->groups[s->nr_groups - 1] :
						      NULL;

		if (!g || g->stack != it->stack || g->cls != it->cls) {
			g = &s->groups[s->nr_groups++];
			*g = (struct leak_group){ .stack = it->stack,
						  .cls = it->cls, .first = i };
		}
		g->bytes += it->size;
		g->count += it->count;
		g->n++;
		s->bytes += it->size;
		s->count += it->count;
		if (it->cls == LEAK_CLASS_HEAP) {
			s->heap_bytes += it->size;
			s->heap_count += it->count;
		} else if (it->cls == LEAK_CLASS_MMAP) {
			s->mmap_bytes += it->size;
			s->mmap_count += it->count;
		}
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

		if (old_enough(older_ns, now, g->ts_ns))
			add_item(s, g->start, g->end - g->start, g->ts_ns,
				 !i || g[-1].id != g->id, g->stack,
				 LEAK_CLASS_MMAP);
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
		.stack_full = v[LEAK_LOST_STACK_FULL],
		.stack_missing = v[LEAK_LOST_STACK_MISSING],
		.stack_collision = v[LEAK_LOST_STACK_COLLISION],
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
	uint64_t key = g->stack;
	int n = 0;

	/* The value is a check hash, then the frames. */
	if (!leak_stack_kept(key) ||
	    bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.stacks), &key,
				c->stack_buf))
		return 0;
	memcpy(frames, c->stack_buf + 1, c->cfg.stack_depth * sizeof(*frames));
	/* How many: the low byte of the check hash. */
	while ((uint64_t)n < c->cfg.stack_depth && (uint64_t)n < (c->stack_buf[0] & 0xff) &&
	       frame_plausible(c, frames[n]))
		n++;
	return n;
}

bool leak_cache_name_read(struct leak_collector *c, uint64_t cache,
			  char name[LEAK_CACHE_NAME_LEN])
{
	return cache && !bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.cache_names),
					     &cache, name);
}
