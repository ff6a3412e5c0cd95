// SPDX-License-Identifier: GPL-2.0
/* kmalloc's collector: loading, attaching, reading the kernel's counts. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "kmalloc.skel.h"
#include "core/hooks.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/losses.h"
#include "core/mapread.h"
#include "kmalloc/collector.h"
#include "kmalloc/hooks.h"

struct kmalloc_collector {
	struct kmalloc_config cfg;
	struct kmalloc_bpf *skel;
};

/* The filters and outputs, as rodata and map sizes. */
static void configure(struct kmalloc_bpf *skel, const struct kmalloc_config *o)
{
	skel->rodata->self_tgid = getpid();
	skel->rodata->targ_tgid = o->pid;
	skel->rodata->targ_tid = o->tid;
	skel->rodata->filter_comm = o->comm[0] != '\0';
	memcpy((char *)skel->rodata->targ_comm, o->comm, sizeof(o->comm));
	skel->rodata->min_size = o->min_size;
	skel->rodata->max_size = o->max_size;
	skel->rodata->gfp_mask = o->gfp_mask;
	skel->rodata->stream = o->stream;
	skel->rodata->top = o->top;
	skel->rodata->hist = o->hist;
	skel->rodata->by = o->by;
	skel->rodata->top2 = o->top2;
	skel->rodata->by2 = o->by2;
	skel->rodata->wakeup_bytes = loop_wakeup_bytes(o->ringbuf_size);
	/* Preallocated maps cost memory: size the unused ones at one. */
	bpf_map__set_max_entries(skel->maps.events,
				 o->stream ? o->ringbuf_size :
					     (uint64_t)getpagesize());
	if (!o->top)
		bpf_map__set_max_entries(skel->maps.rows, 1);
	if (!o->top2)
		bpf_map__set_max_entries(skel->maps.rows2, 1);
}

/* The programs for method h: with tp_btf, those of variant v; node: the
 * kernel has a kmalloc_node event of its own (before 6.1). */
static void choose_programs(struct kmalloc_bpf *skel, enum hook h,
			    enum kmalloc_btf_variant v, bool node)
{
	bpf_program__set_autoload(skel->progs.kmalloc_btf, v == KMALLOC_BTF_61);
	bpf_program__set_autoload(skel->progs.kmalloc_btf_60, v == KMALLOC_BTF_60);
	bpf_program__set_autoload(skel->progs.kmalloc_node_btf_60,
				  v == KMALLOC_BTF_60 && node);
	bpf_program__set_autoload(skel->progs.kmalloc_btf_519, v == KMALLOC_BTF_519);
	bpf_program__set_autoload(skel->progs.kmalloc_node_btf_519,
				  v == KMALLOC_BTF_519 && node);
	bpf_program__set_autoload(skel->progs.kmalloc_tp, h == HOOK_TRACEPOINT);
	bpf_program__set_autoload(skel->progs.kmalloc_node_tp,
				  h == HOOK_TRACEPOINT && node);
}

/* tp_btf first (its prototype picks the program), then the classic
 * tracepoint; before 6.1 kmalloc_node too. */
static int try_attach(void *ctx, enum hook h)
{
	struct kmalloc_collector *c = ctx;
	LIBBPF_OPTS(bpf_object_open_opts, open_opts,
		    .btf_custom_path = btf_custom_path());
	enum kmalloc_btf_variant v = KMALLOC_BTF_NONE;
	struct kmalloc_bpf *skel;
	char why[128];
	bool node;
	int err;

	/* What `memtrace probe` says of this kernel, the same check. */
	if (kmalloc_hooks.hooks[0].check(h, why, sizeof(why))) {
		log_info("kmem:kmalloc: %s", why);
		return HOOK_UNAVAILABLE;
	}
	if (h == HOOK_TP_BTF)
		v = kmalloc_btf_variant();
	else if ((err = tracefs_ensure()))
		return err;
	node = kmalloc_node_too(h, v);

	skel = kmalloc_bpf__open_opts(&open_opts);
	if (!skel)
		return -errno;
	configure(skel, &c->cfg);
	choose_programs(skel, h, v, node);
	err = kmalloc_bpf__load(skel);
	if (!err)
		err = kmalloc_bpf__attach(skel);
	if (err) {
		kmalloc_bpf__destroy(skel);
		return err;
	}
	c->skel = skel;
	if (h == HOOK_TP_BTF)
		log_info("kmem:kmalloc via tp_btf (%s)", kmalloc_btf_variant_name(v));
	else
		log_info("kmem:kmalloc via tracepoint");
	if (node)
		log_info("kmem:kmalloc_node via %s", hook_name(h));
	return 0;
}

struct kmalloc_collector *kmalloc_collector_open(const struct kmalloc_config *cfg)
{
	const struct hook_desc *hook = &kmalloc_hooks.hooks[0];
	struct kmalloc_collector *c = log_calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cfg = *cfg;
	if (hook_attach(hook->what, hook->chain, hook->chain_len, try_attach, c) < 0) {
		kmalloc_collector_close(c);
		return NULL;
	}
	return c;
}

void kmalloc_collector_close(struct kmalloc_collector *c)
{
	if (!c)
		return;
	kmalloc_bpf__destroy(c->skel);
	free(c);
}

int kmalloc_collector_events_fd(const struct kmalloc_collector *c)
{
	return bpf_map__fd(c->skel->maps.events);
}

/* Room for one more row. */
static int room(struct kmalloc_row **rows, size_t n, size_t *cap, size_t more)
{
	struct kmalloc_row *tmp;

	if (n + more <= *cap)
		return 0;
	while (*cap < n + more)
		*cap = *cap ? *cap * 2 : 256;
	tmp = realloc(*rows, *cap * sizeof(**rows));
	if (!tmp)
		return -ENOMEM;
	*rows = tmp;
	return 0;
}

/* One key at a time: two syscalls a row. */
static int read_rows_slow(int fd, struct kmalloc_row **rows, size_t *n,
			  size_t *cap)
{
	struct kmalloc_key key, next, *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (room(rows, *n, cap, 1))
			return -ENOMEM;
		(*rows)[*n].key = key;
		if (!bpf_map_lookup_elem(fd, &key, &(*rows)[*n].s))
			(*n)++;
	}
	return 0;
}

struct rows_read {
	struct kmalloc_row **rows;
	size_t *n, cap;
};

static int add_batch(void *ctx, const void *keys, const void *vals, uint32_t n)
{
	const struct kmalloc_key *k = keys;
	const struct kmalloc_stats *v = vals;
	struct rows_read *r = ctx;

	if (room(r->rows, *r->n, &r->cap, n))
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++)
		(*r->rows)[(*r->n)++] = (struct kmalloc_row){ k[i], v[i] };
	return 0;
}

/* serve reads both tables at every scrape, thousands of rows: in
 * batches where the kernel can, else key by key. */
static int read_rows(int fd, struct kmalloc_row **rows, size_t *n)
{
	struct rows_read r = { .rows = rows, .n = n };
	int err;

	*rows = NULL;
	*n = 0;
	err = map_read_batches(fd, sizeof(struct kmalloc_key),
			       sizeof(struct kmalloc_stats), add_batch, &r);
	return err == -ENOTSUP ? read_rows_slow(fd, rows, n, &r.cap) : err;
}

int kmalloc_collector_rows(const struct kmalloc_collector *c,
			   struct kmalloc_row **rows, size_t *n)
{
	return read_rows(bpf_map__fd(c->skel->maps.rows), rows, n);
}

int kmalloc_collector_rows2(const struct kmalloc_collector *c,
			    struct kmalloc_row **rows, size_t *n)
{
	return read_rows(bpf_map__fd(c->skel->maps.rows2), rows, n);
}

void kmalloc_collector_capacity(const struct kmalloc_collector *c,
				size_t cap[2])
{
	cap[0] = c->cfg.top ? bpf_map__max_entries(c->skel->maps.rows) : 0;
	cap[1] = c->cfg.top2 ? bpf_map__max_entries(c->skel->maps.rows2) : 0;
}

int kmalloc_collector_totals(const struct kmalloc_collector *c,
			     struct kmalloc_stats *t)
{
	uint64_t v[sizeof(*t) / sizeof(uint64_t)] = {};
	int err;

	_Static_assert(sizeof(*t) % sizeof(uint64_t) == 0,
		       "struct kmalloc_stats holds u64 counters only");
	err = percpu_u64_sum(bpf_map__fd(c->skel->maps.totals), v, 1,
			     sizeof(v) / sizeof(v[0]));
	memcpy(t, v, sizeof(*t));
	return err;
}

int kmalloc_collector_hists(const struct kmalloc_collector *c,
			    uint64_t slots[2 * KMALLOC_HIST_SLOTS])
{
	return percpu_u64_sum(bpf_map__fd(c->skel->maps.hists), slots,
			      2 * KMALLOC_HIST_SLOTS, 1);
}

void kmalloc_collector_losses(const struct kmalloc_collector *c,
			      struct kmalloc_losses *l)
{
	uint64_t lost[MT_LOST_NR] = {};

	losses_read(bpf_map__fd(c->skel->maps.lost), lost, MT_LOST_NR);
	l->ringbuf = lost[MT_LOST_RINGBUF];
	l->map_full = lost[MT_LOST_MAP_FULL];
}

struct bpf_object *kmalloc_collector_object(const struct kmalloc_collector *c)
{
	return c->skel->obj;
}
