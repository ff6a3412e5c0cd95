/* SPDX-License-Identifier: GPL-2.0 */
/* filecache --watch's views: a report (the files that moved, and the
 * totals) as a person (text: a table) or a script (one JSON object per
 * report) reads it. */
#ifndef MEMTRACE_FILECACHE_WVIEWS_H
#define MEMTRACE_FILECACHE_WVIEWS_H

#include <stdbool.h>
#include <stdint.h>
#include "filecache/filecache.h"
#include "filecache/wcollector.h"
#include "util/json.h"

struct fcw_view {
	const struct fc_opts *o;
	long page_size;
	uint64_t start_ns;		/* CLOCK_MONOTONIC, the watch's start */
	struct json json;
};

void fcw_view_init(struct fcw_view *v, const struct fc_opts *o,
		   uint64_t start_ns);
void fcw_view_free(struct fcw_view *v);

/*
 * A report of s, what happened since since_ns (CLOCK_MONOTONIC; whole:
 * since the start, the final report): its files sorted and cut as --sort
 * and --top ask (s's rows are reordered), its totals and losses. Returns
 * 0, or a failed write's -errno.
 */
int fcw_view_report(struct fcw_view *v, struct fcw_snapshot *s,
		    uint64_t since_ns, bool whole);

#endif /* MEMTRACE_FILECACHE_WVIEWS_H */
