// SPDX-License-Identifier: GPL-2.0
/* memtrace filecache --watch: the collector counts, the views print, every
 * interval and at the end; this joins them for the CLI. */
#include <errno.h>
#include <string.h>
#include "core/lifecycle.h"
#include "core/log.h"
#include "core/loop.h"
#include "filecache/filecache.h"
#include "filecache/wcollector.h"
#include "filecache/wviews.h"

struct watch_run {
	const struct fc_opts *o;
	char **paths;
	int npaths;
	struct fcw_collector *col;
	struct fcw_snapshot prev;	/* at the last interval's report */
	uint64_t start_ns;
	struct fcw_view view;
};

static int start(void *ctx, int *events_fd)
{
	struct watch_run *r = ctx;
	const struct fc_opts *o = r->o;
	struct fcw_config cfg = {
		.pid = o->pid,
		.cgroup = o->cgroup,
		.paths = r->paths,
		.npaths = r->npaths,
		.max_files = o->max_files,
		.ringbuf_size = o->ringbuf_size,
	};

	memcpy(cfg.comm, o->comm, sizeof(cfg.comm));
	r->col = fcw_collector_open(&cfg);
	if (!r->col)
		return 1;
	r->start_ns = mono_ns();
	r->prev.mono_ns = r->start_ns;
	fcw_view_init(&r->view, o, r->start_ns);
	*events_fd = fcw_collector_events_fd(r->col);
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	return fcw_collector_on_event(((struct watch_run *)ctx)->col, data, size);
}

/* What the last interval saw. */
static int report(void *ctx)
{
	struct watch_run *r = ctx;
	struct fcw_snapshot cur, delta;
	int err = fcw_collector_snapshot(r->col, &cur);

	if (!err)
		err = fcw_snapshot_delta(&r->prev, &cur, &delta);
	if (err) {
		fcw_snapshot_free(&cur);
		log_err("reading the kernel's counts: %s", strerror(-err));
		return err;
	}
	err = fcw_view_report(&r->view, &delta, r->prev.mono_ns, false);
	fcw_snapshot_free(&delta);
	fcw_snapshot_free(&r->prev);
	r->prev = cur;
	return err;
}

/* Everything since the start. */
static void final_report(void *ctx)
{
	struct watch_run *r = ctx;
	struct fcw_snapshot all;
	int err = fcw_collector_snapshot(r->col, &all);

	if (err)
		log_err("reading the kernel's counts: %s", strerror(-err));
	else
		fcw_view_report(&r->view, &all, r->start_ns, true);
	fcw_snapshot_free(&all);
}

static void teardown(void *ctx)
{
	struct watch_run *r = ctx;

	fcw_snapshot_free(&r->prev);
	fcw_collector_close(r->col);
	fcw_view_free(&r->view);
}

int filecache_watch_main(const struct fc_opts *o, char **paths, int npaths)
{
	struct watch_run r = { .o = o, .paths = paths, .npaths = npaths };
	struct mt_run run = {
		.ctx = &r,
		.ringbuf = true,
		.pid = o->pid,
		.start = start,
		.on_event = on_event,
		.interval_ns = o->interval_ns,
		.duration_ns = o->duration_ns,
		.on_tick = report,
		.final_report = final_report,
		.teardown = teardown,
	};

	return mt_run(&run);
}
