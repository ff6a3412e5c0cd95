// SPDX-License-Identifier: GPL-2.0
/* memtrace filecache: page-cache residency of files and trees. The
 * collector asks the kernel about a file, the scan goes through the paths
 * (walking trees), the views print; this joins them for the CLI. It has no
 * event loop: the scan runs once, between attaching and the report. */
#include <errno.h>
#include <unistd.h>
#include "core/lifecycle.h"
#include "core/log.h"
#include "filecache/collector.h"
#include "filecache/filecache.h"
#include "filecache/scan.h"
#include "filecache/views.h"

struct fc_run {
	const struct fc_opts *o;
	char **paths;
	int npaths;
	struct fc_collector *col;
	struct fc_scan scan;
	struct fc_view view;
};

/* --detail on a kernel without cachestat(2) is refused before loading. */
static int prepare(void *ctx)
{
	struct fc_run *r = ctx;
	struct mt_cachestat cs;

	if (r->o->detail && cachestat_fd(STDIN_FILENO, &cs) == -ENOSYS) {
		log_err("--detail needs cachestat(2), Linux 6.5 or later");
		return 1;
	}
	return 0;
}

/* The collector walks its own hook chain: it is the same without the CLI. */
static int start(void *ctx, int *events_fd)
{
	struct fc_run *r = ctx;

	(void)events_fd;
	r->col = fc_collector_open();
	if (!r->col)
		return 1;
	fc_scan_init(&r->scan, r->o, r->col);
	return 0;
}

static int run_once(void *ctx)
{
	struct fc_run *r = ctx;

	fc_scan_paths(&r->scan, r->paths, r->npaths);
	return r->scan.failed || r->scan.partial ? 1 : 0;
}

static void final_report(void *ctx)
{
	struct fc_run *r = ctx;

	fc_view_rows(&r->view, r->scan.rows, r->scan.nrows);
	fc_view_summary(&r->view, &r->scan.total, r->scan.failed);
	if (r->scan.partial)
		log_err("interrupted: the totals cover only the paths walked so far");
}

static void teardown(void *ctx)
{
	struct fc_run *r = ctx;

	fc_scan_free(&r->scan);
	fc_view_free(&r->view);
	fc_collector_close(r->col);
}

int filecache_main(void *opts, char **rest, int nrest)
{
	const struct fc_opts *o = opts;
	struct fc_run r = { .o = o, .paths = rest, .npaths = nrest };
	struct mt_run run = {
		.ctx = &r,
		.prepare = prepare,
		.start = start,
		.run_once = run_once,
		.final_report = final_report,
		.teardown = teardown,
	};

	if (o->watch)
		return filecache_watch_main(o, rest, nrest);
	fc_view_init(&r.view, o);
	return mt_run(&run);
}
