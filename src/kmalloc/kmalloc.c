// SPDX-License-Identifier: GPL-2.0
/* memtrace kmalloc: every kernel kmalloc, streamed or aggregated. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "memtrace/kmalloc.h"
#include "kmalloc.skel.h"
#include "core/args.h"
#include "commands.h"
#include "kmalloc/gfp.h"
#include "util/ksyms.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/losses.h"
#include "util/output.h"
#include "core/hooks.h"
#include "util/procfs.h"

#define DEFAULT_RINGBUF_SIZE (16 << 20)
#define SYM_CACHE_SIZE 4096	/* call sites: power of 2 */
#define GFP_CACHE_SIZE 64	/* GFP values: power of 2 */

enum sort_key { SORT_BYTES, SORT_CALLS, SORT_WASTE };

struct kmalloc_opts {
	struct common_opts common;
	pid_t pid, tid;
	char comm[MT_COMM_LEN];
	bool filter_comm;
	uint64_t min_size, max_size;
	uint64_t gfp_mask;
	const char *gfp_name;
	uint64_t top;			/* rows to show; 0: no --top */
	enum kmalloc_by by;
	enum sort_key sort;
	bool hist;
	uint64_t interval_ns, duration_ns;
	uint64_t ringbuf_size;
};

/* Formatted strings for the values that repeat: call sites, GFP masks. */
struct str_cache {
	uint64_t key;
	char str[96];
	bool used;
};

struct kmalloc_run {
	const struct kmalloc_opts *o;
	struct kmalloc_bpf *skel;
	struct ksyms *ksyms;
	struct json json;
	uint64_t events;
	struct str_cache syms[SYM_CACHE_SIZE];
	struct str_cache gfps[GFP_CACHE_SIZE];
};

static const char *const by_names[] = {
	[KMALLOC_BY_CALLSITE] = "callsite",
	[KMALLOC_BY_PID] = "pid",
	[KMALLOC_BY_COMM] = "comm",
	[KMALLOC_BY_SIZE] = "size",
};

static const char *const sort_names[] = {
	[SORT_BYTES] = "bytes",
	[SORT_CALLS] = "calls",
	[SORT_WASTE] = "waste",
};

enum {
	OPT_TID = OPT_CMD_FIRST,
	OPT_MAX_SIZE,
	OPT_GFP,
	OPT_BY,
	OPT_SORT,
	OPT_HIST,
	OPT_DURATION,
	OPT_RINGBUF_SIZE,
};

static const struct option longopts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "tid", required_argument, NULL, OPT_TID },
	{ "comm", required_argument, NULL, 'f' },
	{ "min-size", required_argument, NULL, 's' },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "gfp", required_argument, NULL, OPT_GFP },
	{ "top", required_argument, NULL, 't' },
	{ "by", required_argument, NULL, OPT_BY },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "hist", no_argument, NULL, OPT_HIST },
	{ "interval", required_argument, NULL, 'i' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF_SIZE },
	COMMON_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: memtrace kmalloc [options]\n"
		"\n"
		"Every kernel kmalloc, system-wide: one line per allocation (the default), or\n"
		"counted in the kernel and shown as a table (--top) or histograms (--hist).\n"
		"memtrace's own allocations are left out.\n"
		"\n"
		"Filters (applied in the kernel):\n"
		"  -p, --pid PID          only allocations made by process PID\n"
		"      --tid TID          only those made by thread TID\n"
		"  -f, --comm COMM        only those made by tasks named exactly COMM\n"
		"  -s, --min-size SIZE    only requests of at least SIZE bytes (4K, 1M, ...)\n"
		"      --max-size SIZE    only requests of at most SIZE bytes\n"
		"      --gfp FLAG         only allocations with all bits of FLAG (GFP_KERNEL,\n"
		"                         __GFP_ZERO, ZERO, or a number)\n"
		"Aggregated views:\n"
		"  -t, --top N            the N largest rows, by --by, sorted by --sort\n"
		"      --by KEY           callsite (default), pid, comm or size (requested)\n"
		"      --sort KEY         bytes (requested, default), calls or waste\n"
		"      --hist             log2 histograms of requested and allocated sizes\n"
		"  -i, --interval SEC     print the report every SEC seconds, not only at the end\n"
		"Other:\n"
		"      --duration SEC     stop after SEC seconds (or 500ms, 2m)\n"
		"      --ringbuf-size SIZE  BPF ring buffer for the stream (default 16M)\n"
		"  -v, --verbose          show the hooks chosen and libbpf's messages\n"
		"      --json             one JSON object per event or report\n"
		"  -h, --help             show this help\n"
		"\n"
		"Columns: REQ bytes requested, ALLOC bytes the slab gave (its size class);\n"
		"WASTED = ALLOC - REQ (internal fragmentation); NODE the NUMA node asked for\n"
		"(any: none), CPU_NODE the node of the CPU that allocated; CALLSITE the\n"
		"caller of kmalloc.\n"
		"\n"
		"Examples:\n"
		"  memtrace kmalloc -p 1234 -s 4K       one process's allocations of 4 KiB or more\n"
		"  memtrace kmalloc --top 10 -i 5       the busiest call sites every 5 s\n"
		"  memtrace kmalloc --top 10 --by comm --sort waste\n");
}

static int lookup_name(const char *const *names, int n, const char *s)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

static int parse_args(int argc, char **argv, struct kmalloc_opts *o)
{
	bool by_set = false, sort_set = false;
	int c, err, i;

	*o = (struct kmalloc_opts){
		.max_size = UINT64_MAX,
		.ringbuf_size = DEFAULT_RINGBUF_SIZE,
	};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" COMMON_SHORT_OPTS "p:f:s:t:i:",
				longopts, NULL)) != -1) {
		err = -1;
		switch (c) {
		case 'p':
			err = arg_pid("-p", optarg, &o->pid);
			break;
		case OPT_TID:
			err = arg_pid("--tid", optarg, &o->tid);
			break;
		case 'f':
			err = arg_comm("-f", optarg, o->comm, sizeof(o->comm));
			o->filter_comm = true;
			break;
		case 's':
			err = arg_size("-s", optarg, &o->min_size);
			break;
		case OPT_MAX_SIZE:
			err = arg_size("--max-size", optarg, &o->max_size);
			break;
		case OPT_GFP:
			o->gfp_name = optarg;	/* resolved once the kernel is known */
			break;
		case 't':
			err = arg_u64("--top", optarg, 1, 100000, &o->top);
			break;
		case OPT_BY:
			by_set = true;
			i = lookup_name(by_names, 4, optarg);
			o->by = i < 0 ? 0 : i;
			err = i < 0 ? args_bad_value("--by", optarg, -EINVAL,
						     "expected callsite, pid, comm or size") : -1;
			break;
		case OPT_SORT:
			sort_set = true;
			i = lookup_name(sort_names, 3, optarg);
			o->sort = i < 0 ? 0 : i;
			err = i < 0 ? args_bad_value("--sort", optarg, -EINVAL,
						     "expected bytes, calls or waste") : -1;
			break;
		case OPT_HIST:
			o->hist = true;
			break;
		case 'i':
			err = parse_duration(optarg, NS_PER_SEC, &o->interval_ns);
			if (!err && o->interval_ns < NS_PER_MS)
				err = -ERANGE;
			err = err ? args_bad_value("-i", optarg, err,
						   "expected seconds, at least 1ms, e.g. 5 or 500ms") : -1;
			break;
		case OPT_DURATION:
			err = arg_duration("--duration", optarg, NS_PER_SEC,
					   &o->duration_ns);
			break;
		case OPT_RINGBUF_SIZE:
			err = arg_ringbuf_size("--ringbuf-size", optarg,
					       &o->ringbuf_size);
			break;
		default:
			err = args_common(c, argv, longopts, &o->common, usage);
		}
		if (err >= 0)
			return err;
	}
	if (optind < argc)
		return log_usage("unexpected argument '%s'", argv[optind]);
	if (o->min_size > o->max_size)
		return log_usage("-s (%llu) is larger than --max-size (%llu)",
				 (unsigned long long)o->min_size,
				 (unsigned long long)o->max_size);
	if (o->interval_ns && !o->top && !o->hist)
		return log_usage("-i applies to the --top and --hist reports");
	if (by_set && !o->top)
		return log_usage("--by chooses the rows of --top: give --top N too");
	if (sort_set && !o->top)
		return log_usage("--sort orders the rows of --top: give --top N too");
	return -1;
}

static bool streaming(const struct kmalloc_opts *o)
{
	return !o->top && !o->hist;
}

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

/* tp_btf first (its prototype picks the program), then the classic
 * tracepoint; before 6.1 kmalloc_node too. */
static int try_attach(void *ctx, enum hook h)
{
	struct kmalloc_run *r = ctx;
	const struct kmalloc_opts *o = r->o;
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
	skel->rodata->self_tgid = getpid();
	skel->rodata->targ_tgid = o->pid;
	skel->rodata->targ_tid = o->tid;
	skel->rodata->filter_comm = o->filter_comm;
	memcpy((char *)skel->rodata->targ_comm, o->comm, sizeof(o->comm));
	skel->rodata->min_size = o->min_size;
	skel->rodata->max_size = o->max_size;
	skel->rodata->gfp_mask = o->gfp_mask;
	skel->rodata->stream = streaming(o);
	skel->rodata->top = o->top;
	skel->rodata->hist = o->hist;
	skel->rodata->by = o->by;
	skel->rodata->wakeup_bytes = loop_wakeup_bytes(o->ringbuf_size);
	/* Preallocated maps cost memory: size the unused ones at one. */
	bpf_map__set_max_entries(skel->maps.events,
				 streaming(o) ? o->ringbuf_size :
						(uint64_t)getpagesize());
	if (!o->top)
		bpf_map__set_max_entries(skel->maps.rows, 1);

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

	err = kmalloc_bpf__load(skel);
	if (!err)
		err = kmalloc_bpf__attach(skel);
	if (err) {
		kmalloc_bpf__destroy(skel);
		return err;
	}
	r->skel = skel;
	if (h == HOOK_TP_BTF)
		log_info("kmem:kmalloc via tp_btf (%s)", variant_names[v]);
	else
		log_info("kmem:kmalloc via tracepoint");
	if (node)
		log_info("kmem:kmalloc_node via %s", hook_name(h));
	return 0;
}

static const char *cached_sym(struct kmalloc_run *r, uint64_t addr)
{
	struct str_cache *c = &r->syms[(addr ^ addr >> 12) & (SYM_CACHE_SIZE - 1)];

	if (!c->used || c->key != addr) {
		ksyms_format(r->ksyms, addr, c->str, sizeof(c->str));
		c->key = addr;
		c->used = true;
	}
	return c->str;
}

static const char *cached_gfp(struct kmalloc_run *r, uint64_t flags)
{
	struct str_cache *c = &r->gfps[(flags ^ flags >> 8) & (GFP_CACHE_SIZE - 1)];

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

/* Called for every event: no printf on this path (see fmt_u64). */
static int on_event(void *ctx, void *data, size_t size)
{
	const struct kmalloc_event *e = data;
	struct kmalloc_run *r = ctx;
	char when[24], ptr[24], addr[24], node[24], cnode[24];
	const char *gfp, *site;
	struct json *j = &r->json;

	if (size < sizeof(*e))
		return 0;
	r->events++;
	fmt_clock_ms(when, sizeof(when), loop_wall_ns(e->ts_ns));
	gfp = cached_gfp(r, e->gfp_flags);
	site = cached_sym(r, e->call_site);
	if (r->o->common.json) {
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

	char pid[24], tid[24], comm[MT_COMM_LEN], req[24], alloc[24];

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

/* A --top row: key and counts summed from the kernel's table. */
struct row {
	struct kmalloc_key key;
	struct kmalloc_stats s;
};

static uint64_t sort_value(const struct row *r, enum sort_key k)
{
	switch (k) {
	case SORT_CALLS:
		return r->s.calls;
	case SORT_WASTE:
		return r->s.bytes_alloc - r->s.bytes_req;
	default:
		return r->s.bytes_req;
	}
}

static enum sort_key sort_by;

static int cmp_rows(const void *a, const void *b)
{
	uint64_t x = sort_value(a, sort_by), y = sort_value(b, sort_by);

	return x < y ? 1 : x > y ? -1 : 0;
}

/* Every row of the kernel's table, largest first. */
static struct row *read_rows(struct kmalloc_run *r, size_t *n)
{
	int fd = bpf_map__fd(r->skel->maps.rows);
	struct kmalloc_key key, next, *prev = NULL;
	struct row *rows = NULL, *tmp;
	size_t cap = 0;

	*n = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			tmp = realloc(rows, cap * sizeof(*rows));
			if (!tmp)
				break;
			rows = tmp;
		}
		rows[*n].key = key;
		if (!bpf_map_lookup_elem(fd, &key, &rows[*n].s))
			(*n)++;
	}
	sort_by = r->o->sort;
	if (*n)
		qsort(rows, *n, sizeof(*rows), cmp_rows);
	return rows;
}

/* The per-CPU totals, summed: struct kmalloc_stats is all u64 counters. */
static int read_totals(struct kmalloc_run *r, struct kmalloc_stats *t)
{
	uint64_t v[sizeof(*t) / sizeof(uint64_t)] = {};
	int err;

	_Static_assert(sizeof(*t) % sizeof(uint64_t) == 0,
		       "struct kmalloc_stats holds u64 counters only");
	err = percpu_u64_sum(bpf_map__fd(r->skel->maps.totals), v, 1,
			     sizeof(v) / sizeof(v[0]));
	memcpy(t, v, sizeof(*t));
	return err;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * part / whole : 0;
}

/* The key column(s) of a row, for text. */
static void fmt_key(struct kmalloc_run *r, const struct kmalloc_key *k,
		    char *a, size_t alen, char *b, size_t blen)
{
	b[0] = '\0';
	switch (r->o->by) {
	case KMALLOC_BY_CALLSITE:
		snprintf(a, alen, "%s", cached_sym(r, k->call_site));
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

static void json_key_fields(struct kmalloc_run *r, const struct kmalloc_key *k)
{
	struct json *j = &r->json;
	char buf[32];

	switch (r->o->by) {
	case KMALLOC_BY_CALLSITE:
		snprintf(buf, sizeof(buf), "0x%llx",
			 (unsigned long long)k->call_site);
		json_key_str(j, "call_site", buf);
		json_key_str(j, "call_site_sym", cached_sym(r, k->call_site));
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

static void print_top(struct kmalloc_run *r, const char *when)
{
	const struct kmalloc_opts *o = r->o;
	int ncols = o->by == KMALLOC_BY_PID ? 7 : 6;
	const struct col *cols = top_columns[o->by];
	struct json *j = &r->json;
	size_t n, shown;
	struct row *rows = read_rows(r, &n);

	shown = n < o->top ? n : o->top;
	if (o->common.json) {
		json_begin(j);
		json_key_str(j, "type", "top");
		json_key_str(j, "time", when);
		json_key_str(j, "by", by_names[o->by]);
		json_key_str(j, "sort", sort_names[o->sort]);
		json_key_u64(j, "rows_total", n);
		json_key_array(j, "rows");
		for (size_t i = 0; i < shown; i++) {
			json_object(j);
			json_key_fields(r, &rows[i].key);
			json_stats(j, &rows[i].s);
			json_close(j);
		}
		json_close(j);
		json_end(j, stdout);
		free(rows);
		return;
	}
	printf("[%s] top %zu of %zu by %s, sorted by %s (totals since start)\n",
	       when, shown, n, by_names[o->by], sort_names[o->sort]);
	table_header(stdout, cols, ncols);
	for (size_t i = 0; i < shown; i++) {
		const struct kmalloc_stats *s = &rows[i].s;
		char a[96], b[24], calls[24], req[16], alloc[16], waste[16],
			wpct[16];

		fmt_key(r, &rows[i].key, a, sizeof(a), b, sizeof(b));
		snprintf(calls, sizeof(calls), "%llu",
			 (unsigned long long)s->calls);
		fmt_size(req, sizeof(req), s->bytes_req);
		fmt_size(alloc, sizeof(alloc), s->bytes_alloc);
		fmt_size(waste, sizeof(waste), s->bytes_alloc - s->bytes_req);
		snprintf(wpct, sizeof(wpct), "%.1f%%",
			 pct(s->bytes_alloc - s->bytes_req, s->bytes_alloc));
		if (o->by == KMALLOC_BY_PID)
			table_row(stdout, cols, ncols,
				  (const char *const[]){ a, b, calls, req, alloc,
							 waste, wpct });
		else
			table_row(stdout, cols, ncols,
				  (const char *const[]){ a, calls, req, alloc,
							 waste, wpct });
	}
	free(rows);
}

/* biolatency-style: "low -> high : count |****    |". */
static void print_hist_text(const char *title, const uint64_t *slots)
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

static void print_hist(struct kmalloc_run *r, const char *when)
{
	/* As the map holds them: KMALLOC_HIST_REQ, then KMALLOC_HIST_ALLOC. */
	uint64_t slots[2 * KMALLOC_HIST_SLOTS];
	struct json *j = &r->json;

	if (percpu_u64_sum(bpf_map__fd(r->skel->maps.hists), slots,
			   2 * KMALLOC_HIST_SLOTS, 1))
		return;
	if (r->o->common.json) {
		static const char *const keys[] = { "bytes_req", "bytes_alloc" };

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
		return;
	}
	printf("[%s] kmalloc sizes (since start)\n", when);
	print_hist_text("bytes requested", slots + KMALLOC_HIST_REQ);
	print_hist_text("bytes allocated", slots + KMALLOC_HIST_ALLOC);
}

static void print_summary(struct kmalloc_run *r, const char *when)
{
	uint64_t lost[MT_LOST_NR] = {};
	struct kmalloc_stats t;
	struct json *j = &r->json;
	char req[16], alloc[16], waste[16];

	losses_read(bpf_map__fd(r->skel->maps.lost), lost, MT_LOST_NR);
	if (streaming(r->o)) {
		/* Also on stderr: the stream may go to a file or /dev/null. */
		if (lost[MT_LOST_RINGBUF])
			log_warn("%llu events lost: the ring buffer was full (try --ringbuf-size)",
				 (unsigned long long)lost[MT_LOST_RINGBUF]);
		if (r->o->common.json) {
			json_begin(j);
			json_key_str(j, "type", "summary");
			json_key_u64(j, "events", r->events);
			json_key_u64(j, "lost", lost[MT_LOST_RINGBUF]);
			json_end(j, stdout);
		} else {
			printf("Summary: %llu kmalloc events, %llu lost%s\n",
			       (unsigned long long)r->events,
			       (unsigned long long)lost[MT_LOST_RINGBUF],
			       lost[MT_LOST_RINGBUF] ?
				       " (ring buffer full: try --ringbuf-size)" : "");
		}
		return;
	}
	read_totals(r, &t);
	if (r->o->common.json) {
		json_begin(j);
		json_key_str(j, "type", "summary");
		json_key_str(j, "time", when);
		json_stats(j, &t);
		json_key_u64(j, "node_requested", t.node_requested);
		json_key_u64(j, "cross_node", t.cross_node);
		json_key_u64(j, "lost_rows_map_full", lost[MT_LOST_MAP_FULL]);
		json_end(j, stdout);
		return;
	}
	fmt_size(req, sizeof(req), t.bytes_req);
	fmt_size(alloc, sizeof(alloc), t.bytes_alloc);
	fmt_size(waste, sizeof(waste), t.bytes_alloc - t.bytes_req);
	printf("Summary: %llu allocations, %s requested, %s allocated, %s wasted (%.1f%% internal fragmentation)\n",
	       (unsigned long long)t.calls, req, alloc, waste,
	       pct(t.bytes_alloc - t.bytes_req, t.bytes_alloc));
	printf("         %llu asked for a NUMA node, %llu of them allocated on another node's CPU\n",
	       (unsigned long long)t.node_requested,
	       (unsigned long long)t.cross_node);
	if (lost[MT_LOST_MAP_FULL])
		printf("         %llu allocations not in the table: it was full (%d rows)\n",
		       (unsigned long long)lost[MT_LOST_MAP_FULL], KMALLOC_MAX_KEYS);
}

/* -p / --tid: the trace ends with its target. */
static bool target_exited(void *ctx)
{
	const struct kmalloc_opts *o = ((struct kmalloc_run *)ctx)->o;
	pid_t gone = o->pid && !proc_alive(o->pid) ? o->pid :
		     o->tid && !proc_alive(o->tid) ? o->tid : 0;

	if (gone)
		log_note("%s %d has exited", gone == o->pid ? "process" : "thread",
			 gone);
	return gone;
}

static int report(void *ctx)
{
	struct kmalloc_run *r = ctx;
	char when[16];

	fmt_clock(when, sizeof(when), loop_wall_ns(mono_ns()));
	if (r->o->top)
		print_top(r, when);
	if (r->o->hist)
		print_hist(r, when);
	print_summary(r, when);
	if (!r->o->common.json)
		putchar('\n');
	return 0;
}

/* Read one number from a sysctl file, or -1. */
static int sysctl_int(const char *path)
{
	FILE *f = fopen(path, "re");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/*
 * /proc/kallsyms shows zeros to its opener unless kptr_restrict is 0 and
 * perf_event_paranoid <= 1, or (kptr_restrict <= 1) the opener has
 * CAP_SYSLOG (kallsyms_show_value()).
 */
static void warn_hidden_addresses(void)
{
	log_warn("the kernel hides its addresses from this process (kptr_restrict=%d, perf_event_paranoid=%d, and no CAP_SYSLOG): call sites shown as addresses",
		 sysctl_int("/proc/sys/kernel/kptr_restrict"),
		 sysctl_int("/proc/sys/kernel/perf_event_paranoid"));
}

static void final_report(void *ctx)
{
	struct kmalloc_run *r = ctx;

	if (streaming(r->o))
		print_summary(r, NULL);
	else
		report(r);
}

static int resolve_gfp(struct kmalloc_opts *o)
{
	struct utsname u;

	uname(&u);
	gfp_init(vmlinux_btf(), u.release);
	if (o->gfp_name && gfp_parse(o->gfp_name, &o->gfp_mask)) {
		log_usage("--gfp: this kernel has no GFP flag '%s' (a name such as GFP_KERNEL or __GFP_ZERO, or a non-zero mask of its flag bits)",
			  o->gfp_name);
		return 2;
	}
	return 0;
}

int cmd_kmalloc(int argc, char **argv)
{
	static const enum hook chain[] = { HOOK_TP_BTF, HOOK_TRACEPOINT };
	struct kmalloc_opts o;
	struct kmalloc_run *r = NULL;
	struct ring_buffer *rb = NULL;
	int err, status = 1;

	err = parse_args(argc, argv, &o);
	if (err >= 0)
		return err;
	/* Flushed by the loop after each batch of events. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	loop_signals_init();

	if (host_check(true))
		goto out;
	status = resolve_gfp(&o);
	if (status)
		goto out;
	status = 1;
	if ((o.pid && !proc_check_target(o.pid, "process", false)) ||
	    (o.tid && !proc_check_target(o.tid, "thread", false)))
		goto out;
	r = calloc(1, sizeof(*r));
	if (!r) {
		log_err("out of memory");
		goto out;
	}
	r->o = &o;
	if (streaming(&o) || o.by == KMALLOC_BY_CALLSITE) {
		r->ksyms = ksyms_load(NULL);
		if (!r->ksyms)
			log_warn("cannot read /proc/kallsyms (%s): call sites shown as addresses",
				 strerror(errno));
		else if (ksyms_hidden(r->ksyms))
			warn_hidden_addresses();
	}
	if (hook_attach("kmem:kmalloc", chain, 2, try_attach, r) < 0)
		goto out;
	if (streaming(&o)) {
		rb = ring_buffer__new(bpf_map__fd(r->skel->maps.events),
				      on_event, r, NULL);
		if (!rb) {
			log_err("cannot set up the ring buffer: %s",
				strerror(errno));
			goto out;
		}
		if (!o.common.json)
			table_header(stdout, stream_columns, NR_STREAM_COLUMNS);
	}
	log_info("ready");

	struct loop_opts lo = {
		.rb = rb,
		.interval_ns = o.interval_ns,
		.duration_ns = o.duration_ns,
		.on_tick = report,
		.should_stop = o.pid || o.tid ? target_exited : NULL,
		.ctx = r,
	};
	status = loop_finish(loop_run(&lo), final_report, r);
out:
	ring_buffer__free(rb);
	if (r) {
		kmalloc_bpf__destroy(r->skel);
		ksyms_free(r->ksyms);
		json_free(&r->json);
		free(r);
	}
	probe_cleanup();
	return status;
}
