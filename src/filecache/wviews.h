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

/* How fcw_row_name() writes a name. */
#define FCW_SHOW_QUOTED		1	/* the path quoted as the text quotes
					 * it (fc_quote_path) */
#define FCW_SHOW_DELETED	2	/* "(deleted) " before a file with no
					 * link left */

/*
 * A file's name for a reader: its path; ".../END" where the walk up its
 * dentries stopped short of the root; "MAJ:MIN:/PATH" from the root of a
 * filesystem no mount shows; "PATH (block device)"; without a name,
 * "(no name: inode INO on MAJ:MIN)" (no dentry) or "(name lost: ...)".
 * Malloc'ed; NULL on ENOMEM.
 */
char *fcw_row_name(const struct fcw_file_row *r, unsigned int how);

#endif /* MEMTRACE_FILECACHE_WVIEWS_H */
