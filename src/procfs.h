/* SPDX-License-Identifier: GPL-2.0 */
/* Reading processes from /proc. */
#ifndef MEMTRACE_PROCFS_H
#define MEMTRACE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The process exists and has not exited (zombies count as exited). */
bool proc_alive(pid_t pid);

enum proc_state { PROC_GONE, PROC_ZOMBIE, PROC_LIVE };
/* What /proc says of pid; *kthread: a kernel thread. */
enum proc_state proc_state(pid_t pid, bool *kthread);
/* A live target for -p, or an error naming why not (what: "process",
 * "thread"; user_space: a kernel thread will not do). */
bool proc_check_target(pid_t pid, const char *what, bool user_space);

/* Parent of pid from /proc/<pid>/stat; 0 on success. */
int proc_ppid(pid_t pid, pid_t *ppid);

/*
 * Every live descendant of root (children, grandchildren, ...), not root
 * itself. *pids is malloc'ed; returns 0 or a negative errno.
 */
int proc_descendants(pid_t root, pid_t **pids, size_t *n);

#endif /* MEMTRACE_PROCFS_H */
