/* SPDX-License-Identifier: GPL-2.0 */
/*
 * filecache --watch's collector: the folios entering and leaving the page
 * cache (filemap:mm_filemap_add_to_page_cache and
 * mm_filemap_delete_from_page_cache), counted in the kernel per file and
 * per process that added them (bpf/filecache_watch.bpf.c), read into
 * plain structs. It prints nothing (errors go to log_err, the method
 * chosen to log_info): the CLI and `serve` render what it hands them.
 *
 * Counts are in pages (PAGE_SIZE, 4 KiB here) whatever the folio size: a
 * folio of order k counts 2^k. Everything is counted since the collector
 * opened; fcw_snapshot_delta() gives what happened between two snapshots.
 */
#ifndef MEMTRACE_FILECACHE_WCOLLECTOR_H
#define MEMTRACE_FILECACHE_WCOLLECTOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "memtrace/filecache.h"

struct fcw_config {
	pid_t pid;			/* 0: every process */
	char comm[MT_COMM_LEN];		/* "": every name */
	const char *cgroup;		/* a cgroup v2 directory, or NULL */
	char *const *paths;		/* files, and trees, to keep to */
	int npaths;			/* 0: every file */
	uint32_t max_files;		/* rows of the kernel's file table */
	uint64_t ringbuf_size;		/* for the files' names */
};

/* What a file's name is (flags of struct fcw_file_row). */
#define FCW_NAME_DELETED	1	/* no link left (i_nlink 0) */
#define FCW_NAME_CUT		2	/* the walk up d_parent stopped short
					 * of the filesystem's root: path is
					 * its end only */
#define FCW_NAME_NO_MOUNT	4	/* no mount of the filesystem shows
					 * it: path is from the root of
					 * filesystem key.dev */
#define FCW_NAME_NO_DENTRY	8	/* no name: the inode had no dentry
					 * (pruned from the dentry cache) */
#define FCW_NAME_LOST		16	/* no name: the ring buffer had no
					 * room for it (--ringbuf-size) */
#define FCW_NAME_BLOCKDEV	32	/* a block device's cache (path:
					 * /dev/NAME) */

/* A process that added pages to a file (pid: its thread-group id). */
struct fcw_task_row {
	uint32_t pid;
	char comm[MT_COMM_LEN];		/* its thread that added first */
	uint64_t pages;
};

struct fcw_file_row {
	struct fcw_key key;
	const char *path;		/* the collector's; NULL: no name */
	unsigned int flags;		/* FCW_NAME_* */
	uint64_t added, removed;	/* pages */
	uint64_t cached;		/* pages cached now (at the snapshot,
					 * or at the file's last event where
					 * the kernel cannot say) */
	uint64_t size;			/* bytes */
	struct fcw_task_row *tasks;	/* by pid */
	size_t ntasks;
};

struct fcw_totals {
	uint64_t added, removed;	/* counted: in rows, or in overflow */
	uint64_t all_added, all_removed;	/* system-wide, every event,
						 * whatever the filters */
	uint64_t ovf_added, ovf_removed;	/* of files the table (full)
						 * has no row for */
	uint64_t task_ovf;		/* pages added by processes the table
					 * of processes (full) has no row for */
	uint64_t unresolved;		/* classic tracepoint: pages of folios
					 * not found from their pfn */
};

/* Everything lost, never silently: events, not pages. */
struct fcw_losses {
	uint64_t names;			/* a file's name: ring buffer full */
	uint64_t files_full;		/* events of files the table had no
					 * room for (--max-files) */
	uint64_t tasks_full;		/* process rows not made */
	uint64_t unresolved;		/* classic tracepoint events whose
					 * folio was not found */
};

struct fcw_snapshot {
	uint64_t mono_ns;		/* CLOCK_MONOTONIC when taken */
	struct fcw_file_row *files;	/* by key */
	size_t nfiles;
	struct fcw_totals t;
	struct fcw_losses l;
};

struct fcw_collector;
struct bpf_object;

/*
 * Loads and attaches through the hook chain: tp_btf, then the classic
 * tracepoints (whose records give a pfn: the struct page is found through
 * the vmemmap, calibrated on a page of memtrace's own). NULL after an
 * error naming what failed.
 */
struct fcw_collector *fcw_collector_open(const struct fcw_config *cfg);
void fcw_collector_close(struct fcw_collector *c);

/* The ring buffer's map: records are struct fcw_path_event, a file's
 * name, which fcw_collector_on_event() takes. */
int fcw_collector_events_fd(const struct fcw_collector *c);
int fcw_collector_on_event(struct fcw_collector *c, const void *data,
			   size_t size);

/* Its BPF object (serve reads its programs' run times). */
struct bpf_object *fcw_collector_object(const struct fcw_collector *c);

/* Every file and process counted since the start, and the totals.
 * Returns 0 or -errno; fcw_snapshot_free() either way. */
int fcw_collector_snapshot(struct fcw_collector *c, struct fcw_snapshot *s);
void fcw_snapshot_free(struct fcw_snapshot *s);

/*
 * cur minus prev, file by file and process by process: what was added and
 * removed between them (files with neither are left out), and cached and
 * size as cur has them. Returns 0 or -ENOMEM.
 */
int fcw_snapshot_delta(const struct fcw_snapshot *prev,
		       const struct fcw_snapshot *cur, struct fcw_snapshot *out);

#endif /* MEMTRACE_FILECACHE_WCOLLECTOR_H */
