/* SPDX-License-Identifier: GPL-2.0 */
/* memtrace filecache: its options, as its table fills them. */
#ifndef MEMTRACE_FILECACHE_FILECACHE_H
#define MEMTRACE_FILECACHE_FILECACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "core/options.h"
#include "memtrace/common.h"

/* --sort's keys, in the order of its choices. */
enum fc_sort {
	FC_SORT_CACHED,
	FC_SORT_SIZE,
	FC_SORT_PERCENT,
	FC_SORT_NAME,
	FC_SORT_ADDED,		/* --watch's */
	FC_SORT_REMOVED,
	FC_SORT_NONE,		/* the order of the command line and walks */
};

struct fc_opts {
	struct common_opts common;
	bool recursive, one_fs, follow;	/* -r, -x, -L */
	bool files;			/* a row per file, also in walks */
	bool bytes, detail, touch, evict;
	int sort;			/* enum fc_sort (opt_choice) */
	uint64_t top;			/* 0: every row */
	/* --watch */
	bool watch;
	uint64_t interval_ns, duration_ns;
	pid_t pid;
	char comm[MT_COMM_LEN];
	const char *cgroup;
	uint64_t max_files;
	uint64_t ringbuf_size;
};

extern const struct mt_cli filecache_cli;
int filecache_main(void *opts, char **rest, int nrest);
/* --watch: filecache_main() hands over to it. */
int filecache_watch_main(const struct fc_opts *o, char **paths, int npaths);

#endif /* MEMTRACE_FILECACHE_FILECACHE_H */
