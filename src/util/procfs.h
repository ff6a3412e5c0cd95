/* SPDX-License-Identifier: GPL-2.0 */
/* Reading processes from /proc. */
#ifndef MEMTRACE_PROCFS_H
#define MEMTRACE_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The process exists and has not exited (zombies count as exited). */
bool proc_alive(pid_t pid);

enum proc_state { PROC_GONE, PROC_ZOMBIE, PROC_LIVE };
/* What /proc says of pid; *kthread: a kernel thread. */
enum proc_state proc_state(pid_t pid, bool *kthread);

/* The command name of pid (/proc/PID/comm, at most 15 bytes and a NUL
 * in comm[16]): 0 or a negative errno. */
int proc_comm(pid_t pid, char comm[16]);

/* Parent of pid from /proc/<pid>/stat; 0 on success. */
int proc_ppid(pid_t pid, pid_t *ppid);

/*
 * Every live descendant of root (children, grandchildren, ...), not root
 * itself. *pids is malloc'ed; returns 0 or a negative errno.
 */
int proc_descendants(pid_t root, pid_t **pids, size_t *n);

/* A number from /proc/sys, name as sysctl(8) spells it with slashes
 * ("kernel/kptr_restrict"). 0, or a negative errno (-EINVAL: not a
 * number). */
int sysctl_long(const char *name, long *v);

/*
 * The page frame number of the page at addr in this process, from
 * /proc/self/pagemap: 0, -ENOENT (no page there), -EPERM (the kernel
 * shows frame numbers only to CAP_SYS_ADMIN, from Linux 4.2: 0 for
 * others), or another -errno.
 */
int proc_self_pfn(const void *addr, uint64_t *pfn);

/*
 * A path as /proc/PID/maps shows it, back to the file's name, in place:
 * the kernel writes a newline in it as "\012" (seq_file_path(), escaping
 * only '\n'), and marks a file replaced since with " (deleted)", which
 * is left for the caller.
 */
static inline void maps_path_unescape(char *p)
{
	char *w = p;

	for (; *p; p++, w++) {
		if (p[0] == '\\' && p[1] == '0' && p[2] == '1' && p[3] == '2') {
			*w = '\n';
			p += 3;
		} else {
			*w = *p;
		}
	}
	*w = '\0';
}

#endif /* MEMTRACE_PROCFS_H */
