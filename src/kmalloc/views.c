// SPDX-License-Identifier: GPL-2.0
/* kmalloc's views: the stream's lines, the --top table, the histograms
 * and the summary, in text or JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/log.h"
#include "core/loop.h"
#include "kmalloc/gfp.h"
#include "kmalloc/views.h"
#include "util/ksyms.h"
#include "util/procfs.h"
#include "util/fmt.h"
#include "util/table.h"
#include "util/text.h"
#include "util/json.h"

const char *const kmalloc_by_names[] = {
	[KMALLOC_BY_CALLSITE] = "callsite",
	[KMALLOC_BY_PID] = "pid",
	[KMALLOC_BY_COMM] = "comm",
	[KMALLOC_BY_SIZE] = "size",
	NULL,
};

const char *const kmalloc_sort_names[] = {
	[KMALLOC_SORT_BYTES] = "bytes",
	[KMALLOC_SORT_CALLS] = "calls",
	[KMALLOC_SORT_WASTE] = "waste",
	NULL,
};

void kmalloc_view_init(struct kmalloc_view *v, bool json, enum kmalloc_by by,
		       enum kmalloc_sort sort, uint64_t top)
{
	v->json_out = json;
	v->by = by;
	v->sort = sort;
	v->top = top;
}

/* A sysctl's number, or -1. */
static long sysctl_or_minus_1(const char *name)
{
	long v;

	return sysctl_long(name, &v) ? -1 : v;
}

/*
 * /proc/kallsyms shows zeros to its opener unless kptr_restrict is 0 and
 * perf_event_paranoid <= 1, or (kptr_restrict <= 1) the opener has
 * CAP_SYSLOG (kallsyms_show_value()).
 */
void kmalloc_view_load_symbols(struct kmalloc_view *v)
{
	v->ksyms = ksyms_load(NULL);
	if (!v->ksyms)
		log_warn("cannot read /proc/kallsyms (%s): call sites shown as addresses",
			 strerror(errno));
	else if (ksyms_hidden(v->ksyms))
		log_warn("the kernel hides its addresses from this process (kptr_restrict=%ld, perf_event_paranoid=%ld, and no CAP_SYSLOG): call sites shown as addresses",
			 sysctl_or_minus_1("kernel/kptr_restrict"),
			 sysctl_or_minus_1("kernel/perf_event_paranoid"));
}

static const char *cached_sym(struct kmalloc_view *v, uint64_t addr)
{
	struct kmalloc_str_cache *c =
		&v->syms[(addr ^ addr >> 12) & (KMALLOC_SYM_CACHE - 1)];

	if (!c->used || c->key != addr) {
		ksyms_format(v->ksyms, addr, c->str, sizeof(c->str));
		c->key = addr;
		c->used = true;
	}
	return c->str;
}

static const char *cached_gfp(struct kmalloc_view *v, uint64_t flags)
{
	struct kmalloc_str_cache *c =
		&v->gfps[(flags ^ flags >> 8) & (KMALLOC_GFP_CACHE - 1)];

	if (!c->used || c->key != flags) {
		gfp_str(flags, c->str, sizeof(c->str));
		c->key = flags;
		c->used = true;
	}
	return c->str;
}

static const struct col stream_columns[] = {
	{ "TIME", 12, false },
	{ "PID", 7, true },
	{ "TID", 7, true },
	{ "COMM", 15, false },
	{ "REQ", 6, true },
	{ "ALLOC", 6, true },
	{ "GFP", 22, false },
	{ "NODE", 4, true },
	{ "CPU_NODE", 8, true },
	{ "PTR", 16, false },
	{ "CALLSITE", 0, false },
};

#define NR_STREAM_COLUMNS ((int)(sizeof(stream_columns) / sizeof(stream_columns[0])))

void kmalloc_view_header(struct kmalloc_view *v)
{
	if (!v->json_out)
		table_header(stdout, stream_columns, NR_STREAM_COLUMNS);
}

static int event_json(struct kmalloc_view *v, const struct kmalloc_event *e,
		      const char *when, const char *gfp, const char *site)
{
	struct json *j = &v->json;
	char ptr[24], addr[24];

	json_begin(j);
	json_key_str(j, "type", "kmalloc");
	json_key_str(j, "time", when);
	json_key_u64(j, "ts_ns", loop_wall_ns(e->ts_ns));
	json_key_u64(j, "pid", e->pid);
	json_key_u64(j, "tid", e->tid);
	json_key_strn(j, "comm", e->comm, strnlen(e->comm, MT_COMM_LEN));
	json_key_u64(j, "bytes_req", e->bytes_req);
	json_key_u64(j, "bytes_alloc", e->bytes_alloc);
	json_key_u64(j, "gfp_flags", e->gfp_flags);
	json_key_str(j, "gfp", gfp);
	json_key_i64(j, "node", e->node);
	json_key_i64(j, "cpu_node", e->cpu_node);
	ptr[0] = addr[0] = '0';
	ptr[1] = addr[1] = 'x';
	json_key_str(j, "ptr", fmt_hex16(ptr + 2, e->ptr) - 2);
	json_key_str(j, "call_site", fmt_hex16(addr + 2, e->call_site) - 2);
	json_key_str(j, "call_site_sym", site);
	return json_end(j, stdout);
}

/* Called for every event: no printf on this path (see fmt_u64). */
int kmalloc_view_event(struct kmalloc_view *v, const void *data, size_t size)
{
	const struct kmalloc_event *e = data;
	char when[24], ptr[24], node[24], cnode[24], pid[24], tid[24],
		comm[MT_COMM_LEN], req[24], alloc[24];
	const char *gfp, *site;

	if (size < sizeof(*e))
		return 0;
	v->events++;
	fmt_clock_ms(when, sizeof(when), loop_wall_ns(e->ts_ns));
	gfp = cached_gfp(v, e->gfp_flags);
	site = cached_sym(v, e->call_site);
	if (v->json_out)
		return event_json(v, e, when, gfp, site);
	text_sanitize(comm, sizeof(comm), e->comm, MT_COMM_LEN);
	if (e->node < 0)
		memcpy(node, "any", 4);
	else
		fmt_i64(node, e->node);
	table_row(stdout, stream_columns, NR_STREAM_COLUMNS,
		  (const char *const[]){
			  when, fmt_u64(pid, e->pid), fmt_u64(tid, e->tid), comm,
			  fmt_u64(req, e->bytes_req), fmt_u64(alloc, e->bytes_alloc),
			  gfp, node, fmt_i64(cnode, e->cpu_node),
			  fmt_hex16(ptr, e->ptr), site });
	return 0;
}

static uint64_t sort_value(const struct kmalloc_row *r, enum kmalloc_sort k)
{
	switch (k) {
	case KMALLOC_SORT_CALLS:
		return r->s.calls;
	case KMALLOC_SORT_WASTE:
		return r->s.bytes_alloc - r->s.bytes_req;
	default:
		return r->s.bytes_req;
	}
}

/* qsort() takes no context: the key of the sort under way. */
static enum kmalloc_sort sort_by;

/* Largest first; ties by key, so that equal rows come in the same order
 * from one report to the next (the map's is a hash's). */
static int cmp_rows(const void *a, const void *b)
{
	const struct kmalloc_row *ra = a, *rb = b;
	const struct kmalloc_key *ka = &ra->key, *kb = &rb->key;
	uint64_t x = sort_value(ra, sort_by), y = sort_value(rb, sort_by);

	if (x != y)
		return x < y ? 1 : -1;
	if (ka->call_site != kb->call_site)
		return ka->call_site < kb->call_site ? -1 : 1;
	if (ka->size != kb->size)
		return ka->size < kb->size ? -1 : 1;
	if (ka->pid != kb->pid)
		return ka->pid < kb->pid ? -1 : 1;
	return strncmp(ka->comm, kb->comm, sizeof(ka->comm));
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0;
}

/* The key column(s) of a row, for text. */
static void fmt_key(struct kmalloc_view *v, const struct kmalloc_key *k,
		    char *a, size_t alen, char *b, size_t blen)
{
	b[0] = '\0';
	switch (v->by) {
	case KMALLOC_BY_CALLSITE:
		snprintf(a, alen, "%s", cached_sym(v, k->call_site));
		break;
	case KMALLOC_BY_PID:
		snprintf(a, alen, "%u", k->pid);
		text_sanitize(b, blen, k->comm, MT_COMM_LEN);
		break;
	case KMALLOC_BY_COMM:
		text_sanitize(a, alen, k->comm, MT_COMM_LEN);
		break;
	case KMALLOC_BY_SIZE:
		snprintf(a, alen, "%llu", (unsigned long long)k->size);
		break;
	}
}

static void json_key_fields(struct kmalloc_view *v, const struct kmalloc_key *k)
{
	struct json *j = &v->json;
	char buf[32];

	switch (v->by) {
	case KMALLOC_BY_CALLSITE:
		snprintf(buf, sizeof(buf), "0x%llx",
			 (unsigned long long)k->call_site);
		json_key_str(j, "call_site", buf);
		json_key_str(j, "call_site_sym", cached_sym(v, k->call_site));
		break;
	case KMALLOC_BY_PID:
		json_key_u64(j, "pid", k->pid);
		json_key_strn(j, "comm", k->comm, strnlen(k->comm, MT_COMM_LEN));
		break;
	case KMALLOC_BY_COMM:
		json_key_strn(j, "comm", k->comm, strnlen(k->comm, MT_COMM_LEN));
		break;
	case KMALLOC_BY_SIZE:
		json_key_u64(j, "size", k->size);
		break;
	}
}

static void json_stats(struct json *j, const struct kmalloc_stats *s)
{
	json_key_u64(j, "calls", s->calls);
	json_key_u64(j, "bytes_req", s->bytes_req);
	json_key_u64(j, "bytes_alloc", s->bytes_alloc);
	json_key_u64(j, "bytes_wasted", s->bytes_alloc - s->bytes_req);
	json_key_fixed(j, "waste_pct", pct(s->bytes_alloc - s->bytes_req,
					     s->bytes_alloc), 3);
}

static const struct col top_columns[][7] = {
	[KMALLOC_BY_CALLSITE] = {
		{ "CALLSITE", 44, false }, { "CALLS", 9, true },
		{ "REQUESTED", 9, true }, { "ALLOCATED", 9, true },
		{ "WASTED", 8, true }, { "WASTE%", 7, true },
	},
	[KMALLOC_BY_PID] = {
		{ "PID", 7, true }, { "COMM", 16, false }, { "CALLS", 10, true },
		{ "REQUESTED", 10, true }, { "ALLOCATED", 10, true },
		{ "WASTED", 9, true }, { "WASTE%", 7, true },
	},
	[KMALLOC_BY_COMM] = {
		{ "COMM", 16, false }, { "CALLS", 10, true },
		{ "REQUESTED", 10, true }, { "ALLOCATED", 10, true },
		{ "WASTED", 9, true }, { "WASTE%", 7, true },
	},
	[KMALLOC_BY_SIZE] = {
		{ "SIZE", 10, true }, { "CALLS", 10, true },
		{ "REQUESTED", 10, true }, { "ALLOCATED", 10, true },
		{ "WASTED", 9, true }, { "WASTE%", 7, true },
	},
};

static void top_json(struct kmalloc_view *v, const struct kmalloc_row *rows,
		     size_t n, size_t shown, const char *when)
{
	struct json *j = &v->json;

	json_begin(j);
	json_key_str(j, "type", "top");
	json_key_str(j, "time", when);
	json_key_str(j, "by", kmalloc_by_names[v->by]);
	json_key_str(j, "sort", kmalloc_sort_names[v->sort]);
	json_key_u64(j, "rows_total", n);
	json_key_array(j, "rows");
	for (size_t i = 0; i < shown; i++) {
		json_object(j);
		json_key_fields(v, &rows[i].key);
		json_stats(j, &rows[i].s);
		json_close(j);
	}
	json_close(j);
	json_end(j, stdout);
}

static void top_row_text(struct kmalloc_view *v, const struct kmalloc_row *row)
{
	int ncols = v->by == KMALLOC_BY_PID ? 7 : 6;
	const struct col *cols = top_columns[v->by];
	const struct kmalloc_stats *s = &row->s;
	char a[96], b[24], calls[24], req[16], alloc[16], waste[16], wpct[16];

	fmt_key(v, &row->key, a, sizeof(a), b, sizeof(b));
	snprintf(calls, sizeof(calls), "%llu", (unsigned long long)s->calls);
	fmt_size(req, sizeof(req), s->bytes_req);
	fmt_size(alloc, sizeof(alloc), s->bytes_alloc);
	fmt_size(waste, sizeof(waste), s->bytes_alloc - s->bytes_req);
	snprintf(wpct, sizeof(wpct), "%.1f%%",
		 pct(s->bytes_alloc - s->bytes_req, s->bytes_alloc));
	if (v->by == KMALLOC_BY_PID)
		table_row(stdout, cols, ncols,
			  (const char *const[]){ a, b, calls, req, alloc, waste,
						 wpct });
	else
		table_row(stdout, cols, ncols,
			  (const char *const[]){ a, calls, req, alloc, waste,
						 wpct });
}

void kmalloc_view_top(struct kmalloc_view *v, struct kmalloc_row *rows,
		      size_t n, const char *when)
{
	size_t shown = n < v->top ? n : v->top;

	sort_by = v->sort;
	if (n)
		qsort(rows, n, sizeof(*rows), cmp_rows);
	if (v->json_out) {
		top_json(v, rows, n, shown, when);
		return;
	}
	printf("[%s] top %zu of %zu by %s, sorted by %s (totals since start)\n",
	       when, shown, n, kmalloc_by_names[v->by],
	       kmalloc_sort_names[v->sort]);
	table_header(stdout, top_columns[v->by], v->by == KMALLOC_BY_PID ? 7 : 6);
	for (size_t i = 0; i < shown; i++)
		top_row_text(v, &rows[i]);
}

/* biolatency-style: "low -> high : count |****    |". */
static void hist_text(const char *title, const uint64_t *slots)
{
	uint64_t max = 0;
	int last = -1;

	for (int i = 0; i < KMALLOC_HIST_SLOTS; i++) {
		if (slots[i] > max)
			max = slots[i];
		if (slots[i])
			last = i;
	}
	printf("%24s : count     distribution\n", title);
	for (int i = 0; i <= last; i++) {
		unsigned long long low = i ? 1ULL << i : 0;
		unsigned long long high = (i < 63 ? (1ULL << (i + 1)) : 0) - 1;
		int stars = max ? (int)(slots[i] * 40 / max) : 0;

		printf("%10llu -> %-10llu : %-9llu |%-40.*s|\n", low, high,
		       (unsigned long long)slots[i], stars,
		       "****************************************");
	}
}

void kmalloc_view_hist(struct kmalloc_view *v, const uint64_t *slots,
		       const char *when)
{
	static const char *const keys[] = { "bytes_req", "bytes_alloc" };
	struct json *j = &v->json;

	if (!v->json_out) {
		printf("[%s] kmalloc sizes (since start)\n", when);
		hist_text("bytes requested", slots + KMALLOC_HIST_REQ);
		hist_text("bytes allocated", slots + KMALLOC_HIST_ALLOC);
		return;
	}
	json_begin(j);
	json_key_str(j, "type", "hist");
	json_key_str(j, "time", when);
	for (int h = 0; h < 2; h++) {
		const uint64_t *hs = slots + (h ? KMALLOC_HIST_ALLOC :
						  KMALLOC_HIST_REQ);

		json_key_array(j, keys[h]);
		for (int i = 0; i < KMALLOC_HIST_SLOTS; i++) {
			if (!hs[i])
				continue;
			json_object(j);
			json_key_u64(j, "low", i ? 1ULL << i : 0);
			json_key_u64(j, "high", (i < 63 ? 1ULL << (i + 1) : 0) - 1);
			json_key_u64(j, "count", hs[i]);
			json_close(j);
		}
		json_close(j);
	}
	json_end(j, stdout);
}

void kmalloc_view_stream_summary(struct kmalloc_view *v,
				 const struct kmalloc_losses *l)
{
	struct json *j = &v->json;

	/* Also on stderr: the stream may go to a file or /dev/null. */
	if (l->ringbuf)
		log_warn("%llu events lost: the ring buffer was full (try --ringbuf-size)",
			 (unsigned long long)l->ringbuf);
	if (v->json_out) {
		json_begin(j);
		json_key_str(j, "type", "summary");
		json_key_u64(j, "events", v->events);
		json_key_u64(j, "lost", l->ringbuf);
		json_end(j, stdout);
		return;
	}
	printf("Summary: %llu kmalloc events, %llu lost%s\n",
	       (unsigned long long)v->events, (unsigned long long)l->ringbuf,
	       l->ringbuf ? " (ring buffer full: try --ringbuf-size)" : "");
}

void kmalloc_view_summary(struct kmalloc_view *v, const struct kmalloc_stats *t,
			  const struct kmalloc_losses *l, const char *when)
{
	struct json *j = &v->json;
	char req[16], alloc[16], waste[16];

	if (v->json_out) {
		json_begin(j);
		json_key_str(j, "type", "summary");
		json_key_str(j, "time", when);
		json_stats(j, t);
		json_key_u64(j, "node_requested", t->node_requested);
		json_key_u64(j, "cross_node", t->cross_node);
		json_key_u64(j, "lost_rows_map_full", l->map_full);
		json_end(j, stdout);
		return;
	}
	fmt_size(req, sizeof(req), t->bytes_req);
	fmt_size(alloc, sizeof(alloc), t->bytes_alloc);
	fmt_size(waste, sizeof(waste), t->bytes_alloc - t->bytes_req);
	printf("Summary: %llu allocations, %s requested, %s allocated, %s wasted (%.1f%% internal fragmentation)\n",
	       (unsigned long long)t->calls, req, alloc, waste,
	       pct(t->bytes_alloc - t->bytes_req, t->bytes_alloc));
	printf("         %llu asked for a NUMA node, %llu of them allocated on another node's CPU\n",
	       (unsigned long long)t->node_requested,
	       (unsigned long long)t->cross_node);
	if (l->map_full)
		printf("         %llu allocations not in the table: it was full (%d rows)\n",
		       (unsigned long long)l->map_full, KMALLOC_MAX_KEYS);
	putchar('\n');
}

void kmalloc_view_free(struct kmalloc_view *v)
{
	ksyms_free(v->ksyms);
	json_free(&v->json);
}
