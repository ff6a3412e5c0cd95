/* SPDX-License-Identifier: GPL-2.0 */
/* procs: events shared between bpf/procs.bpf.c and src/procs/procs.c. */
#ifndef MEMTRACE_PROCS_H
#define MEMTRACE_PROCS_H

#include "memtrace/common.h"

#define PROCS_FILENAME_LEN	256
#define PROCS_ARGS_LEN		1024	/* argv bytes copied per exec; power of 2 */
#define PROCS_MAX_TRACED	65536	/* processes followed with -p */
#define PROCS_MAX_THREADS	256	/* threads summed for the fault counts */

enum procs_event_type {
	PROCS_EXEC = 1,
	PROCS_EXIT = 2,
};

struct procs_exec_event {
	__u32 type;			/* PROCS_EXEC */
	__u32 pid;			/* thread-group id */
	__u32 ppid;
	__u32 uid;
	__u64 ts_ns;			/* CLOCK_MONOTONIC */
	char comm[MT_COMM_LEN];
	__u32 args_len;			/* bytes of args used, NUL-separated */
	__u32 args_truncated;		/* argv was longer than PROCS_ARGS_LEN */
	__u32 filename_truncated;	/* longer than PROCS_FILENAME_LEN - 1 */
	__u32 pad;
	char filename[PROCS_FILENAME_LEN];
	char args[PROCS_ARGS_LEN];
};

struct procs_exit_event {
	__u32 type;			/* PROCS_EXIT */
	__u32 pid;			/* thread-group id */
	__u32 ppid;
	__u32 tid;			/* the last thread, the one that fired */
	__u64 ts_ns;			/* CLOCK_MONOTONIC */
	__u64 lifetime_ns;		/* since the process was forked */
	__u64 peak_rss_pages;		/* what wait4() reports as ru_maxrss */
	__u64 self_peak_rss_pages;	/* the process alone, not its children */
	__u64 min_flt;			/* all threads of the process */
	__u64 maj_flt;
	__s32 status;			/* wait status: code << 8 | signal */
	__u32 threads_truncated;	/* more than PROCS_MAX_THREADS threads */
	char comm[MT_COMM_LEN];		/* the group leader's */
};

#endif /* MEMTRACE_PROCS_H */
