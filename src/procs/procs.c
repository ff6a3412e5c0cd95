// SPDX-License-Identifier: GPL-2.0
/* memtrace procs: process exec and exit, with lifetime and memory use. The
 * collector loads and reads; the views print; this joins them for the CLI. */
#include <string.h>
#include "core/lifecycle.h"
#include "procs/collector.h"
#include "procs/procs.h"
#include "procs/views.h"
#include "util/procfs.h"

struct procs_run {
	const struct procs_opts *o;
	struct procs_collector *col;
	struct procs_view view;
};

static int start(void *ctx, int *events_fd)
{
	struct procs_run *r = ctx;
	const struct procs_opts *o = r->o;
	struct procs_config cfg = {
		.pid = o->pid,
		.min_lifetime_ns = o->min_lifetime_ns,
		.want_exec = !o->exit_only && !o->min_lifetime_ns,
		.want_exit = !o->exec_only,
		.ringbuf_size = o->ringbuf_size,
	};

	memcpy(cfg.comm, o->comm, sizeof(cfg.comm));
	r->col = procs_collector_open(&cfg);
	if (!r->col)
		return 1;
	*events_fd = procs_collector_events_fd(r->col);
	procs_view_header(&r->view);
	return 0;
}

/* A failed write ends the loop (loop_run() tells it from a read error). */
static int on_event(void *ctx, void *data, size_t size)
{
	return procs_view_event(&((struct procs_run *)ctx)->view, data, size);
}

/* -p ends when every process it follows has exited. */
static bool all_exited(void *ctx)
{
	return procs_collector_all_exited(((struct procs_run *)ctx)->col);
}

static void final_report(void *ctx)
{
	struct procs_run *r = ctx;
	struct procs_losses l;

	procs_collector_losses(r->col, &l);
	procs_view_summary(&r->view, &l);
}

static void teardown(void *ctx)
{
	struct procs_run *r = ctx;

	procs_collector_close(r->col);
	procs_view_free(&r->view);
}

int procs_main(void *opts, char **rest, int nrest)
{
	const struct procs_opts *o = opts;
	struct procs_run r = { .o = o };
	struct mt_run run = {
		.ctx = &r,
		.ringbuf = true,
		.pid = o->pid,
		.start = start,
		.on_event = on_event,
		.duration_ns = o->duration_ns,
		.should_stop = o->pid ? all_exited : NULL,
		.final_report = final_report,
		.teardown = teardown,
	};

	(void)rest, (void)nrest;
	procs_view_init(&r.view, o->common.json);
	return mt_run(&run);
}
