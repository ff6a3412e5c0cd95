/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The paths of filecache's command line, into rows and totals: each file
 * counted once, directories walked with -r, --touch, --evict and --detail
 * done on the way. A path that fails is named on stderr and counted.
 */
#ifndef MEMTRACE_FILECACHE_SCAN_H
#define MEMTRACE_FILECACHE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "filecache/collector.h"
#include "filecache/filecache.h"
#include "filecache/files.h"
#include "filecache/pagecache.h"

/* One line of output: a file, or a directory argument's total. */
struct fc_row {
	char *path;
	bool dir;
	uint64_t size, pages, cached, before;	/* before: --touch, --evict */
	struct mt_cachestat cs;			/* --detail */
	bool has_cs;
	size_t seq;		/* its place in the walk: ties of a sort keep it */
};

struct fc_totals {
	uint64_t files, dirs, size, pages, cached, before;
};

struct fc_scan {
	const struct fc_opts *o;
	struct fc_collector *col;
	long page_size;
	struct fc_row *rows;
	size_t nrows, cap;
	struct fc_totals total;
	struct inode_set files, dirs;
	int failed;		/* paths that could not be read */
	bool partial;		/* a signal stopped it before the end */
};

void fc_scan_init(struct fc_scan *s, const struct fc_opts *o,
		  struct fc_collector *col);
/* Each path in turn, until the last or a signal. */
void fc_scan_paths(struct fc_scan *s, char **paths, int n);
void fc_scan_free(struct fc_scan *s);

#endif /* MEMTRACE_FILECACHE_SCAN_H */
