/* SPDX-License-Identifier: GPL-2.0 */
/* memtrace filecache: its options, as its table fills them. */
#ifndef MEMTRACE_FILECACHE_FILECACHE_H
#define MEMTRACE_FILECACHE_FILECACHE_H

#include <stdbool.h>
#include <stdint.h>
#include "core/options.h"

/* --sort's keys, in the order of its choices. */
enum fc_sort {
	FC_SORT_CACHED,
	FC_SORT_SIZE,
	FC_SORT_PERCENT,
	FC_SORT_NAME,
	FC_SORT_NONE,		/* the order of the command line and walks */
};

struct fc_opts {
	struct common_opts common;
	bool recursive, one_fs, follow;	/* -r, -x, -L */
	bool files;			/* a row per file, also in walks */
	bool bytes, detail, touch, evict;
	int sort;			/* enum fc_sort (opt_choice) */
	uint64_t top;			/* 0: every row */
};

extern const struct mt_cli filecache_cli;
int filecache_main(void *opts, char **rest, int nrest);

#endif /* MEMTRACE_FILECACHE_FILECACHE_H */
