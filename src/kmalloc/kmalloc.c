// SPDX-License-Identifier: GPL-2.0
/* memtrace kmalloc: every kernel kmalloc, streamed or aggregated. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "commands.h"
#include "core/args.h"
#include "core/hooks.h"
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/loop.h"
#include "kmalloc/collector.h"
#include "kmalloc/gfp.h"
#include "kmalloc/kmalloc.h"
#include "kmalloc/views.h"
#include "util/output.h"
#include "util/procfs.h"

#define DEFAULT_RINGBUF_SIZE (16 << 20)

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
			i = lookup_name(kmalloc_by_names, 4, optarg);
			o->by = i < 0 ? 0 : i;
			err = i < 0 ? args_bad_value("--by", optarg, -EINVAL,
						     "expected callsite, pid, comm or size") : -1;
			break;
		case OPT_SORT:
			sort_set = true;
			i = lookup_name(kmalloc_sort_names, 3, optarg);
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

struct kmalloc_run {
	const struct kmalloc_opts *o;
	uint64_t gfp_mask;
	struct kmalloc_collector *col;
	struct kmalloc_view view;
};

/* --gfp names a flag as this kernel defines it: known once its BTF is. */
static int resolve_gfp(struct kmalloc_run *r)
{
	const char *name = r->o->gfp_name;
	struct utsname u;

	uname(&u);
	gfp_init(vmlinux_btf(), u.release);
	if (name && gfp_parse(name, &r->gfp_mask))
		return log_usage("--gfp: this kernel has no GFP flag '%s' (a name such as GFP_KERNEL or __GFP_ZERO, or a non-zero mask of its flag bits)",
				 name);
	return 0;
}

static int prepare(void *ctx)
{
	struct kmalloc_run *r = ctx;
	const struct kmalloc_opts *o = r->o;
	int status = resolve_gfp(r);

	if (status)
		return status;
	if ((o->pid && !proc_check_target(o->pid, "process", false)) ||
	    (o->tid && !proc_check_target(o->tid, "thread", false)))
		return 1;
	if (streaming(o) || o->by == KMALLOC_BY_CALLSITE)
		kmalloc_view_load_symbols(&r->view);
	return 0;
}

static int start(void *ctx, int *events_fd)
{
	struct kmalloc_run *r = ctx;
	const struct kmalloc_opts *o = r->o;
	struct kmalloc_config cfg = {
		.pid = o->pid,
		.tid = o->tid,
		.min_size = o->min_size,
		.max_size = o->max_size,
		.gfp_mask = r->gfp_mask,
		.stream = streaming(o),
		.top = o->top != 0,
		.by = o->by,
		.hist = o->hist,
		.ringbuf_size = o->ringbuf_size,
	};

	memcpy(cfg.comm, o->comm, sizeof(cfg.comm));
	r->col = kmalloc_collector_open(&cfg);
	if (!r->col)
		return 1;
	if (cfg.stream) {
		*events_fd = kmalloc_collector_events_fd(r->col);
		kmalloc_view_header(&r->view);
	}
	return 0;
}

/* A failed write ends the loop (loop_run() tells it from a read error). */
static int on_event(void *ctx, void *data, size_t size)
{
	return kmalloc_view_event(&((struct kmalloc_run *)ctx)->view, data, size);
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

/* What the kernel counted, since the start: every interval, and last. */
static int report(void *ctx)
{
	struct kmalloc_run *r = ctx;
	uint64_t slots[2 * KMALLOC_HIST_SLOTS];
	struct kmalloc_row *rows;
	struct kmalloc_losses l;
	struct kmalloc_stats t;
	char when[16];
	size_t n;

	fmt_clock(when, sizeof(when), loop_wall_ns(mono_ns()));
	if (r->o->top) {
		/* Short of memory: the rows read until then. */
		kmalloc_collector_rows(r->col, &rows, &n);
		kmalloc_view_top(&r->view, rows, n, when);
		free(rows);
	}
	if (r->o->hist && !kmalloc_collector_hists(r->col, slots))
		kmalloc_view_hist(&r->view, slots, when);
	kmalloc_collector_totals(r->col, &t);
	kmalloc_collector_losses(r->col, &l);
	kmalloc_view_summary(&r->view, &t, &l, when);
	return 0;
}

static void final_report(void *ctx)
{
	struct kmalloc_run *r = ctx;
	struct kmalloc_losses l;

	if (!streaming(r->o)) {
		report(r);
		return;
	}
	kmalloc_collector_losses(r->col, &l);
	kmalloc_view_stream_summary(&r->view, &l);
}

static void teardown(void *ctx)
{
	struct kmalloc_run *r = ctx;

	kmalloc_collector_close(r->col);
	kmalloc_view_free(&r->view);
}

int kmalloc_main(void *opts, char **rest, int nrest)
{
	const struct kmalloc_opts *o = opts;
	/* Large (its string caches): not on the stack. */
	struct kmalloc_run *r = calloc(1, sizeof(*r));
	int status;

	(void)rest, (void)nrest;
	if (!r) {
		log_err("out of memory");
		return 1;
	}
	r->o = o;
	kmalloc_view_init(&r->view, o->common.json, o->by, o->sort, o->top);

	struct mt_run run = {
		.ctx = r,
		.ringbuf = true,
		.prepare = prepare,
		.start = start,
		.on_event = on_event,
		.interval_ns = o->interval_ns,
		.duration_ns = o->duration_ns,
		.on_tick = report,
		.should_stop = o->pid || o->tid ? target_exited : NULL,
		.final_report = final_report,
		.teardown = teardown,
	};

	status = mt_run(&run);
	free(r);
	return status;
}

int cmd_kmalloc(int argc, char **argv)
{
	struct kmalloc_opts o;
	int err = parse_args(argc, argv, &o);

	return err >= 0 ? err : kmalloc_main(&o, NULL, 0);
}
