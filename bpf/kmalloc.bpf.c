// SPDX-License-Identifier: GPL-2.0
/* kmalloc: every kernel kmalloc, filtered, then streamed or aggregated. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "memtrace/kmalloc.h"
#include "lib/core_fixes.bpf.h"
#include "lib/maps.bpf.h"
#include "lib/task.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by user space before load. */
const volatile __u32 self_tgid = 0;		/* memtrace's own allocations */
const volatile __u32 targ_tgid = 0;		/* -p */
const volatile __u32 targ_tid = 0;		/* --tid */
const volatile bool filter_comm = false;	/* -f */
const volatile char targ_comm[MT_COMM_LEN] = {};
const volatile __u64 min_size = 0;		/* -s, on bytes requested */
const volatile __u64 max_size = ~0ULL;
const volatile __u64 gfp_mask = 0;		/* --gfp: all these bits */
const volatile bool stream = true;		/* events to the ring buffer */
const volatile bool top = false;		/* rows keyed by "by" */
const volatile bool hist = false;		/* log2 size histograms */
const volatile __u32 by = KMALLOC_BY_CALLSITE;
/* serve counts by call site and by comm in one load: a second table. */
const volatile bool top2 = false;
const volatile __u32 by2 = KMALLOC_BY_COMM;
const volatile __u64 wakeup_bytes = 0;		/* see RINGBUF_SUBMIT */

DEFINE_EVENTS_RINGBUF(1 << 22);

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KMALLOC_MAX_KEYS);
	__type(key, struct kmalloc_key);
	__type(value, struct kmalloc_stats);
} rows SEC(".maps");

/* The second table (top2), keyed by by2. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KMALLOC_MAX_KEYS);
	__type(key, struct kmalloc_key);
	__type(value, struct kmalloc_stats);
} rows2 SEC(".maps");

/* Everything that passed the filters, for the summary. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct kmalloc_stats);
} totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2 * KMALLOC_HIST_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hists SEC(".maps");

DEFINE_LOSS_MAP(MT_LOST_NR)

/* floor(log2(v)), 0 for 0 and 1. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0;

	for (int i = 32; i > 0; i >>= 1) {
		if (v >> i) {
			v >>= i;
			r += i;
		}
	}
	return r;
}

static __always_inline void hist_add(__u32 base, __u64 size)
{
	__u32 slot = base + log2_slot(size);
	__u64 *v = bpf_map_lookup_elem(&hists, &slot);

	if (v)
		*v += 1;
}

static __always_inline void stats_add(struct kmalloc_stats *s, __u64 req,
				      __u64 alloc, bool node_req, bool cross,
				      bool atomic)
{
	if (atomic) {
		__sync_fetch_and_add(&s->calls, 1);
		__sync_fetch_and_add(&s->bytes_req, req);
		__sync_fetch_and_add(&s->bytes_alloc, alloc);
		if (node_req)
			__sync_fetch_and_add(&s->node_requested, 1);
		if (cross)
			__sync_fetch_and_add(&s->cross_node, 1);
	} else {
		s->calls++;
		s->bytes_req += req;
		s->bytes_alloc += alloc;
		s->node_requested += node_req;
		s->cross_node += cross;
	}
}

/* The row of key in table, created if need be: NULL when it is full. */
static __always_inline struct kmalloc_stats *row(void *table,
						 struct kmalloc_key *key)
{
	struct kmalloc_stats *s = bpf_map_lookup_elem(table, key), zero = {};

	if (s)
		return s;
	/* NOEXIST: another CPU may have added the row meanwhile. */
	if (bpf_map_update_elem(table, key, &zero, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(table, key)) {
		count_loss(MT_LOST_MAP_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(table, key);
}

static __always_inline void row_add(void *table, __u32 key_by,
				    __u64 call_site, __u64 req, __u64 alloc,
				    bool node_req, bool cross, __u32 tgid,
				    const char *comm)
{
	struct kmalloc_key key = {};
	struct kmalloc_stats *s;

	if (key_by == KMALLOC_BY_CALLSITE)
		key.call_site = call_site;
	else if (key_by == KMALLOC_BY_PID) {
		/* With the name: a process that execs gets a row per image. */
		key.pid = tgid;
		__builtin_memcpy(key.comm, comm, MT_COMM_LEN);
	} else if (key_by == KMALLOC_BY_COMM)
		__builtin_memcpy(key.comm, comm, MT_COMM_LEN);
	else
		key.size = req;
	s = row(table, &key);
	if (s)
		stats_add(s, req, alloc, node_req, cross, true);
}

static __always_inline void aggregate(__u64 call_site, __u64 req,
				      __u64 alloc, int node, int cpu_node,
				      __u32 tgid, const char *comm)
{
	bool node_req = node != -1, cross = node_req && node != cpu_node;
	struct kmalloc_stats *s;
	__u32 idx = 0;

	s = bpf_map_lookup_elem(&totals, &idx);
	if (s)
		stats_add(s, req, alloc, node_req, cross, false);
	if (hist) {
		hist_add(KMALLOC_HIST_REQ, req);
		hist_add(KMALLOC_HIST_ALLOC, alloc);
	}
	if (top)
		row_add(&rows, by, call_site, req, alloc, node_req, cross, tgid,
			comm);
	if (top2)
		row_add(&rows2, by2, call_site, req, alloc, node_req, cross,
			tgid, comm);
}

static __always_inline int handle(__u64 call_site, __u64 ptr, __u64 req,
				  __u64 alloc, __u64 gfp, int node)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct kmalloc_event *e;
	char comm[MT_COMM_LEN] = {};
	int cpu_node;

	/* Filters first: what is not wanted costs nothing more. */
	if (tgid == self_tgid || (targ_tgid && tgid != targ_tgid) ||
	    (targ_tid && tid != targ_tid) || req < min_size || req > max_size ||
	    (gfp & gfp_mask) != gfp_mask)
		return 0;
	if (filter_comm || stream ||
	    (top && (by == KMALLOC_BY_COMM || by == KMALLOC_BY_PID)) ||
	    (top2 && (by2 == KMALLOC_BY_COMM || by2 == KMALLOC_BY_PID))) {
		bpf_get_current_comm(comm, sizeof(comm));
		if (filter_comm && !comm_eq(comm, targ_comm))
			return 0;
	}
	cpu_node = bpf_get_numa_node_id();
	if (top || top2 || hist)
		aggregate(call_site, req, alloc, node, cpu_node, tgid, comm);
	if (!stream)
		return 0;

	e = RINGBUF_RESERVE(events, sizeof(*e));
	if (!e)
		return 0;
	e->ts_ns = bpf_ktime_get_ns();
	e->ptr = ptr;
	e->call_site = call_site;
	e->bytes_req = req;
	e->bytes_alloc = alloc;
	e->gfp_flags = gfp;
	e->pid = tgid;
	e->tid = tid;
	e->node = node;
	e->cpu_node = cpu_node;
	__builtin_memcpy(e->comm, comm, sizeof(comm));
	RINGBUF_SUBMIT(events, e, wakeup_bytes);
	return 0;
}

/*
 * tp_btf: the arguments are the tracepoint's TP_PROTO, which changed twice;
 * user space loads the one program that matches btf_trace_kmalloc. They
 * are copied (TP_BTF_ARGS in shims.bpf.h says why). A program for each
 * prototype: its nargs arguments are call_site and ptr, then from index
 * req bytes_req, bytes_alloc and gfp_flags; node is how to get the node
 * (from a[], the arguments), -1 where the event has none.
 */
#define KMALLOC_BTF(prog, event, nargs, req, node)			\
	SEC("tp_btf/" event)						\
	int prog(unsigned long long *ctx)				\
	{								\
		TP_BTF_ARGS(nargs);					\
		return handle(a[0], a[1], a[req], a[req + 1],		\
			      (gfp_t)a[req + 2], node);			\
	}

/* 6.1+: (call_site, ptr, bytes_req, bytes_alloc, gfp_flags, node) */
KMALLOC_BTF(kmalloc_btf, "kmalloc", 6, 2, (int)a[5])

/* 6.0: (call_site, ptr, struct kmem_cache *s, bytes_req, bytes_alloc,
 * gfp_flags); kmalloc_node adds the node. */
KMALLOC_BTF(kmalloc_btf_60, "kmalloc", 6, 3, -1)
KMALLOC_BTF(kmalloc_node_btf_60, "kmalloc_node", 7, 3, (int)a[6])

/* Up to 5.19: (call_site, ptr, bytes_req, bytes_alloc, gfp_flags);
 * kmalloc_node adds the node. */
KMALLOC_BTF(kmalloc_btf_519, "kmalloc", 5, 2, -1)
KMALLOC_BTF(kmalloc_node_btf_519, "kmalloc_node", 6, 2, (int)a[5])

/* Classic tracepoints: the record's layout through the ___x flavours. */

SEC("tracepoint/kmem/kmalloc")
int kmalloc_tp(void *ctx)
{
	if (HAVE_KMALLOC_CLASS) {
		struct trace_event_raw_kmalloc___x *r = ctx;

		return handle(r->call_site, (__u64)r->ptr, r->bytes_req,
			      r->bytes_alloc, r->gfp_flags, r->node);
	} else {
		struct trace_event_raw_kmem_alloc___x *r = ctx;

		return handle(r->call_site, (__u64)r->ptr, r->bytes_req,
			      r->bytes_alloc, r->gfp_flags, -1);
	}
}

/* Up to 6.0 only: node-aware kmallocs fire this event, not kmalloc. */
SEC("tracepoint/kmem/kmalloc_node")
int kmalloc_node_tp(struct trace_event_raw_kmem_alloc_node___x *r)
{
	return handle(r->call_site, (__u64)r->ptr, r->bytes_req, r->bytes_alloc,
		      r->gfp_flags, r->node);
}
