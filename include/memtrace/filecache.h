/* SPDX-License-Identifier: GPL-2.0 */
/* filecache: what bpf/filecache.bpf.c hands back to src/filecache/collector.c. */
#ifndef MEMTRACE_FILECACHE_H
#define MEMTRACE_FILECACHE_H

#include "memtrace/common.h"

/* Inodes one request can see: stat() of an overlayfs file goes through
 * vfs_getattr_nosec() for the overlay inode, then for the real one. */
#define FC_MAX_RECORDS 4

#define OVERLAYFS_SUPER_MAGIC 0x794c7630

struct fc_record {
	__u64 nrpages;		/* mapping->nrpages: pages in the page cache */
	__u64 ino;
	__u32 dev;		/* the kernel's dev_t: major << 20 | minor */
	__u32 magic;		/* the filesystem's s_magic */
};

/* Filled by the BPF side during one request of memtrace's own thread;
 * user space zeroes count before each request. */
struct fc_result {
	__u32 count;
	__u32 pad;
	struct fc_record rec[FC_MAX_RECORDS];
};

#endif /* MEMTRACE_FILECACHE_H */
