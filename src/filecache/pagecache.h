/* SPDX-License-Identifier: GPL-2.0 */
/* Page-cache facts about files that need no BPF: which inode answered a
 * filecache request, and cachestat(2). */
#ifndef MEMTRACE_PAGECACHE_H
#define MEMTRACE_PAGECACHE_H

#include <stdint.h>
#include <sys/stat.h>
#include "memtrace/filecache.h"

/*
 * The record that answers a request about the file whose stat is st:
 * the one for its inode (matched on inode number, and on device where the
 * filesystem reports the same one, which btrfs subvolumes do not); for a
 * file on overlayfs, the last record of the real filesystem after it, the
 * inode that holds the pages. Returns an index into r->rec, or -1.
 */
int fc_pick(const struct fc_result *r, const struct stat *st);

/* The kernel's dev_t (major << 20 | minor) of a user-space st_dev. */
uint32_t fc_kernel_dev(dev_t dev);

/* cachestat(2), Linux 6.5+, which glibc does not wrap yet. */
struct mt_cachestat {
	uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted,
		nr_recently_evicted;
};

/* The whole file's counts; 0, or -errno (ENOSYS before 6.5). */
int cachestat_fd(int fd, struct mt_cachestat *cs);

#endif /* MEMTRACE_PAGECACHE_H */
