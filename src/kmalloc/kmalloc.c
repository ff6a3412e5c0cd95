// SPDX-License-Identifier: GPL-2.0
/* memtrace kmalloc: every kernel kmalloc, streamed or aggregated. The
 * collector loads and reads; the views print; this joins them for the CLI. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include "core/hooks.h"
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/loop.h"
#include "kmalloc/collector.h"
#include "kmalloc/gfp.h"
#include "kmalloc/kmalloc.h"
#include "kmalloc/views.h"
#include "util/fmt.h"
#include "util/procfs.h"

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
	/* Not mt_run's pid: --gfp's usage error comes first, and --tid. */
	if ((o->pid && !mt_check_target(o->pid, "process", false)) ||
	    (o->tid && !mt_check_target(o->tid, "thread", false)))
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
	struct kmalloc_run *r = log_calloc(1, sizeof(*r));
	int status;

	(void)rest, (void)nrest;
	if (!r)
		return 1;
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
