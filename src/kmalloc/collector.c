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
#include "kmalloc/collector.h"

struct kmalloc_collector {
	struct kmalloc_config cfg;
	struct kmalloc_bpf *skel;
};

/* Which tp_btf programs match this kernel's kmalloc prototype. */
enum btf_variant { V_NONE, V_61, V_60, V_519 };

static enum btf_variant btf_variant(void)
{
	int nargs = tp_btf_nargs("kmalloc");

	if (nargs < 0 || !tp_btf_available("kmalloc"))
		return V_NONE;
	/* 6.0 inserted "struct kmem_cache *s" as the third argument. */
	if (tp_btf_arg_is_struct_ptr("kmalloc", 2, "kmem_cache"))
		return V_60;
	/* 6.1 removed it again and appended the node. */
	return nargs >= 6 ? V_61 : V_519;
}

static const char *const variant_names[] = {
	[V_61] = "6.1+ arguments",
	[V_60] = "6.0 arguments",
	[V_519] = "5.x arguments",
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
	skel->rodata->wakeup_bytes = loop_wakeup_bytes(o->ringbuf_size);
	/* Preallocated maps cost memory: size the unused ones at one. */
	bpf_map__set_max_entries(skel->maps.events,
				 o->stream ? o->ringbuf_size :
					     (uint64_t)getpagesize());
	if (!o->top)
		bpf_map__set_max_entries(skel->maps.rows, 1);
}

/* The programs for method h: with tp_btf, those of variant v; node: the
 * kernel has a kmalloc_node event of its own (before 6.1). */
static void choose_programs(struct kmalloc_bpf *skel, enum hook h,
			    enum btf_variant v, bool node)
{
	bpf_program__set_autoload(skel->progs.kmalloc_btf, v == V_61);
	bpf_program__set_autoload(skel->progs.kmalloc_btf_60, v == V_60);
	bpf_program__set_autoload(skel->progs.kmalloc_node_btf_60,
				  v == V_60 && node);
	bpf_program__set_autoload(skel->progs.kmalloc_btf_519, v == V_519);
	bpf_program__set_autoload(skel->progs.kmalloc_node_btf_519,
				  v == V_519 && node);
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
	enum btf_variant v = V_NONE;
	bool node = false;
	struct kmalloc_bpf *skel;
	int err;

	if (h == HOOK_TP_BTF) {
		v = btf_variant();
		if (v == V_NONE) {
			log_info("kmem:kmalloc: no BTF for the tracepoint");
			return HOOK_UNAVAILABLE;
		}
		node = v != V_61 && tp_btf_available("kmalloc_node");
	} else {
		err = tracefs_ensure();
		if (err)
			return err;
		node = tracefs_has_event("kmem", "kmalloc_node");
	}

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
		log_info("kmem:kmalloc via tp_btf (%s)", variant_names[v]);
	else
		log_info("kmem:kmalloc via tracepoint");
	if (node)
		log_info("kmem:kmalloc_node via %s", hook_name(h));
	return 0;
}

struct kmalloc_collector *kmalloc_collector_open(const struct kmalloc_config *cfg)
{
	static const enum hook chain[] = { HOOK_TP_BTF, HOOK_TRACEPOINT };
	struct kmalloc_collector *c = calloc(1, sizeof(*c));

	if (!c) {
		log_err("out of memory");
		return NULL;
	}
	c->cfg = *cfg;
	if (hook_attach("kmem:kmalloc", chain, 2, try_attach, c) < 0) {
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

int kmalloc_collector_rows(const struct kmalloc_collector *c,
			   struct kmalloc_row **rows, size_t *n)
{
	int fd = bpf_map__fd(c->skel->maps.rows);
	struct kmalloc_key key, next, *prev = NULL;
	struct kmalloc_row *tmp;
	size_t cap = 0;

	*rows = NULL;
	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			tmp = realloc(*rows, cap * sizeof(**rows));
			if (!tmp)
				return -ENOMEM;
			*rows = tmp;
		}
		(*rows)[*n].key = key;
		if (!bpf_map_lookup_elem(fd, &key, &(*rows)[*n].s))
			(*n)++;
	}
	return 0;
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
