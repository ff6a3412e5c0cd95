/* SPDX-License-Identifier: GPL-2.0 */
/* Reading processes from /proc. */
#ifndef MEMTRACE_PROCFS_H
#define MEMTRACE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The process exists and has not exited (zombies count as exited). */
bool proc_alive(pid_t pid);

/* Parent of pid from /proc/<pid>/stat; 0 on success. */
int proc_ppid(pid_t pid, pid_t *ppid);

/*
 * Every live descendant of root (children, grandchildren, ...), not root
 * itself. *pids is malloc'ed; returns 0 or a negative errno.
 */
int proc_descendants(pid_t root, pid_t **pids, size_t *n);

#endif /* MEMTRACE_PROCFS_H */
