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

/* What bpf/filecache_fd.bpf.c returns (BPF_PROG_TEST_RUN's retval). */
#define FC_FD_PAGES	((1U << 30) - 1)	/* pages, from the shift asked */
#define FC_FD_MORE	(1U << 30)		/* more above: ask shift + 30 */
#define FC_FD_ERR	(1U << 31)
#define FC_FD_BADF	1			/* no such descriptor */
#define FC_FD_SHIFT	30

/* -- --watch: folios entering and leaving the page cache --------------- */

/* A file, as the kernel names it: inode number, the superblock's dev_t
 * (major << 20 | minor) and i_generation, which tells a file from a later
 * one given the same inode number. */
struct fcw_key {
	__u64 ino;
	__u32 dev;
	__u32 gen;
};

/* What the kernel counted for a file, since the watch started. */
struct fcw_file {
	__u64 added;		/* pages (PAGE_SIZE) added to its cache */
	__u64 removed;		/* ... and removed from it */
	__u64 cached;		/* mapping->nrpages: at its last event, or
				 * when user space last refreshed it */
	__u64 size;		/* i_size, likewise */
	__u64 inode;		/* the struct inode, to refresh from */
	__u32 nlink;		/* i_nlink (0: deleted), likewise */
	__u32 flags;		/* FCW_F_* */
};

#define FCW_F_GONE	1	/* the inode was freed: nothing cached */

/* Pages a process brought into one file's cache. */
struct fcw_task_key {
	struct fcw_key file;
	__u32 tgid;
	__u32 pad;
};

struct fcw_task {
	__u64 pages;
	char comm[MT_COMM_LEN];	/* the thread that first added some */
};

/* The directories and files --watch PATH... keeps to. */
struct fcw_root {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};

/*
 * The name of a file seen for the first time, from the dentry of its
 * inode up d_parent to its filesystem's root: names[] holds the
 * components leaf first, each ending in a NUL, len bytes in all. The
 * record is sent with only those bytes.
 */
#define FCW_PATH_MAX	4096	/* bytes of names kept */
#define FCW_NAME_MAX	256	/* a component, with its NUL */
#define FCW_DEPTH	64	/* components walked up at most */

#define FCW_P_ROOT	1	/* the walk reached the filesystem's root */
#define FCW_P_DELETED	2	/* i_nlink was 0 */
#define FCW_P_NO_DENTRY	4	/* no dentry: no name (pruned from the
				 * dentry cache; a block device) */
#define FCW_P_BLOCKDEV	8	/* the cache of a block device (rdev) */

struct fcw_path_event {
	struct fcw_key key;
	__u32 flags;		/* FCW_P_* */
	__u32 rdev;		/* i_rdev, for FCW_P_BLOCKDEV */
	__u32 len;		/* bytes of names */
	__u32 depth;		/* components in names */
	char names[FCW_PATH_MAX + FCW_NAME_MAX];
};

#define FCW_PATH_EVENT_HDR	(sizeof(struct fcw_path_event) - \
				 FCW_PATH_MAX - FCW_NAME_MAX)

/* Per-CPU counters of the watch (pages, but for _EVENTS). */
enum fcw_stat {
	FCW_S_ALL_ADDED,	/* every page added, whatever the filters */
	FCW_S_ALL_REMOVED,
	FCW_S_ADDED,		/* those counted: in the table, or overflow */
	FCW_S_REMOVED,
	FCW_S_OVF_ADDED,	/* counted, but for a file the table (full)
				 * has no row for */
	FCW_S_OVF_REMOVED,
	FCW_S_OVF_EVENTS,
	FCW_S_TASK_OVF,		/* pages added by a process the table of
				 * processes (full) has no row for */
	FCW_S_UNRESOLVED,	/* classic tracepoint: pages of a folio not
				 * found from its pfn */
	FCW_S_NR,
};

/* Slots of the watch's loss map, after enum mt_loss's: MT_LOST_RINGBUF
 * (a file's name), MT_LOST_MAP_FULL (an event for a file the table had
 * no room for). */
enum fcw_loss {
	FCW_LOST_TASKS = MT_LOST_NR,	/* a process row not made */
	FCW_LOST_UNRESOLVED,		/* an event of the classic tracepoint
					 * whose folio was not found */
	FCW_LOST_NR,
};

#endif /* MEMTRACE_FILECACHE_H */
